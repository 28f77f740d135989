/// Why a message copy did not arrive.
public enum DropReason: Int, Sendable, CaseIterable {
    case loss, partition, crash
}

/// Traffic counters of one node.
public struct NodeTraffic: Sendable, Equatable {
    public var sent: UInt64 = 0
    public var received: UInt64 = 0
    public var bytesSent: UInt64 = 0
    public var bytesReceived: UInt64 = 0
    public var dropped: UInt64 = 0
    public init() {}
}

/// Counters of one message class (a model names its classes: "gossip", "block", "vote", ...).
public struct MessageClassStats: Sendable, Equatable {
    public var sent: UInt64 = 0
    public var delivered: UInt64 = 0
    public var droppedLoss: UInt64 = 0
    public var droppedPartition: UInt64 = 0
    public var droppedCrash: UInt64 = 0
    public var bytesDelivered: UInt64 = 0
    public init() {}
}

/// The network between nodes: placement, latency, upload bandwidth, loss, partitions and
/// crashed nodes. Owns the in-flight messages.
///
/// A message is stored once however many nodes receive it (`broadcast`), and each copy in flight
/// is a small `Delivery` record addressed by the event's payload, so gossip to a thousand peers
/// costs a thousand heap entries and no copies of the message. Bandwidth is modelled as a FIFO
/// upload link per node: copies leave one after another, each taking `size / bandwidth`.
public struct Network<Message>: Sendable where Message: Sendable {
    public let config: NetworkConfig
    /// Region index of each node.
    public let nodeRegion: [UInt16]
    @usableFromInline var uploadFreeAt: [SimTime]
    public internal(set) var isUp: [Bool]
    /// Incremented when a node crashes, so copies sent to its previous life are dropped.
    @usableFromInline var lifeEpoch: [UInt32]
    /// Partition group of each node; nodes in different groups cannot exchange messages.
    public internal(set) var group: [UInt16]
    public var traffic: [NodeTraffic] { _traffic }
    @usableFromInline var _traffic: [NodeTraffic]
    public var classStats: [MessageClassStats] { _classStats }
    @usableFromInline var _classStats: [MessageClassStats]
    /// Delivery latency (send to arrival) per message class.
    public var latency: [LogHistogram] { _latency }
    @usableFromInline var _latency: [LogHistogram]
    @usableFromInline var rngs: [Xoshiro256StarStar]
    /// Loss and latency spikes, clock skews and slow nodes in force (`Fault`).
    public internal(set) var conditions: NodeConditions

    @usableFromInline struct Stored: Sendable {
        @usableFromInline var message: Message?
        @usableFromInline var refs: UInt32
        @usableFromInline var size: UInt32
        @usableFromInline var cls: UInt16
        @inlinable init(message: Message?, refs: UInt32, size: UInt32, cls: UInt16) { self.message = message; self.refs = refs; self.size = size; self.cls = cls }
    }
    @usableFromInline struct Delivery: Sendable {
        @usableFromInline var slot: UInt32
        @usableFromInline var from: UInt32
        @usableFromInline var epoch: UInt32
        @usableFromInline var sentAt: SimTime
        @inlinable init(slot: UInt32, from: UInt32, epoch: UInt32, sentAt: SimTime) { self.slot = slot; self.from = from; self.epoch = epoch; self.sentAt = sentAt }
    }
    @usableFromInline var stored: [Stored] = []
    @usableFromInline var freeStored: [UInt32] = []
    @usableFromInline var deliveries: [Delivery] = []
    @usableFromInline var freeDeliveries: [UInt32] = []
    public var inFlight: Int { _inFlight }
    @usableFromInline var _inFlight: Int = 0
    /// Arrival bucket length per message class (0: every copy is its own event), and the open
    /// per-receiver batches (`DeliveryBatches`).
    @usableFromInline var batchLength: [Int64]
    @usableFromInline var batches = DeliveryBatches<Message>()
    /// Batch events scheduled so far (each one resolves every copy of its batch).
    public var batchEvents: UInt64 { _batchEvents }
    @usableFromInline var _batchEvents: UInt64 = 0

    public init(config: NetworkConfig, nodeRegion: [UInt16], messageClasses: Int, streams: RandomStreams) {
        self.config = config
        self.nodeRegion = nodeRegion
        let n = nodeRegion.count
        uploadFreeAt = Array(repeating: .zero, count: n)
        isUp = Array(repeating: true, count: n)
        lifeEpoch = Array(repeating: 0, count: n)
        group = Array(repeating: 0, count: n)
        _traffic = Array(repeating: NodeTraffic(), count: n)
        _classStats = Array(repeating: MessageClassStats(), count: max(messageClasses, 1))
        _latency = Array(repeating: LogHistogram(), count: max(messageClasses, 1))
        rngs = (0..<n).map { streams.stream(.network, node: UInt32($0)) }
        conditions = NodeConditions(nodes: n)
        batchLength = Array(repeating: 0, count: max(messageClasses, 1))
    }

    /// Batches the copies of message class `cls` per receiver: copies reaching one node within
    /// one arrival bucket of `bucket` (buckets end at multiples of it) are delivered together
    /// by one `deliverBatch` event at the bucket's end (`DeliveryBatches`); `.zero` turns
    /// batching off (one event per copy at its arrival time).
    public mutating func setBatching(cls: Int, bucket: SimTime) {
        batchLength[cls] = Swift.max(bucket.nanoseconds, 0)
    }

    public var nodeCount: Int { nodeRegion.count }

    /// Whether `a` can currently reach `b` (both up, same partition group).
    @inlinable public func canReach(_ a: UInt32, _ b: UInt32) -> Bool {
        isUp[Int(a)] && isUp[Int(b)] && sameSide(Int(a), Int(b))
    }

    /// Group value of a bridge node: it is on every side of a partition.
    public static var bridgeGroup: UInt16 { .max }

    /// Whether a partition separates `a` and `b`.
    @inlinable func sameSide(_ a: Int, _ b: Int) -> Bool {
        let ga = group[a], gb = group[b]
        return ga == gb || ga == .max || gb == .max
    }

    /// Marks a target of `broadcast` that already holds the message (a gossip duplicate the
    /// sender cannot know about, but the simulator can): the copy still takes its turn on the
    /// sender's upload link and is counted as sent and delivered, but no delivery event is
    /// scheduled, since the receiver would drop it unread.
    public static var knownBit: UInt32 { 0x8000_0000 }

    /// Sends `message` from `from` to each node in `targets` (the sender itself is skipped),
    /// scheduling one delivery event per copy that is not lost. Returns the number scheduled.
    /// Targets marked with `knownBit` are sent but not delivered (see `knownBit`).
    @inlinable @discardableResult
    public mutating func broadcast<Targets: Sequence>(
        _ message: Message, size: Int, cls: Int = 0, from: UInt32, to targets: Targets,
        now: SimTime, queue: inout EventQueue
    ) -> Int where Targets.Element == UInt32 {
        broadcast(message, size: size, cls: cls, from: from, to: targets, now: now, queue: &queue, deliverIf: { _, _ in true })
    }

    /// `broadcast`, asking `deliverIf(target, arrival)` for each copy that would arrive: false
    /// means the receiver will already hold the message by then (an earlier copy is on its
    /// way), so the copy is sent and counted as delivered but not scheduled, as with `knownBit`.
    @inlinable @discardableResult
    public mutating func broadcast<Targets: Sequence>(
        _ message: Message, size: Int, cls: Int = 0, from: UInt32, to targets: Targets,
        now: SimTime, queue: inout EventQueue, deliverIf: (UInt32, SimTime) -> Bool
    ) -> Int where Targets.Element == UInt32 {
        let f = Int(from)
        guard isUp[f] else { return 0 }
        let bucket = batchLength[cls]
        // Batched copies carry the message themselves: no stored slot (`DeliveryBatches.Item`).
        let slot = bucket > 0 ? 0 : allocateStored(Stored(message: message, refs: 0, size: UInt32(clamping: size), cls: UInt16(cls)))
        let txNs: Int64 = config.uploadBitsPerSecond == 0 ? 0
            : Int64((UInt64(size) &* 8_000_000_000) / config.uploadBitsPerSecond)
        var linkFree = Swift.max(uploadFreeAt[f], now)
        var scheduled = 0
        let fromRegion = Int(nodeRegion[f])
        for marked in targets {
            let t = marked & ~Self.knownBit
            if t == from { continue }
            let ti = Int(t)
            _traffic[f].sent &+= 1
            _traffic[f].bytesSent &+= UInt64(size)
            _classStats[cls].sent &+= 1
            linkFree += SimTime(nanoseconds: txNs)
            if !sameSide(ti, f) {
                _classStats[cls].droppedPartition &+= 1
                _traffic[f].dropped &+= 1
                continue
            }
            if marked & Self.knownBit != 0 {
                _classStats[cls].delivered &+= 1
                _classStats[cls].bytesDelivered &+= UInt64(size)
                _traffic[ti].received &+= 1
                _traffic[ti].bytesReceived &+= UInt64(size)
                continue
            }
            if config.loss > 0 && rngs[f].chance(config.loss) {
                _classStats[cls].droppedLoss &+= 1
                _traffic[f].dropped &+= 1
                continue
            }
            if conditions.lossApplies(f, ti) && rngs[f].chance(conditions.spikeLoss) {
                _classStats[cls].droppedLoss &+= 1
                _traffic[f].dropped &+= 1
                continue
            }
            let delay = config.latency[fromRegion][Int(nodeRegion[ti])].sample(&rngs[f]) + conditions.extraDelay(f, ti)
            if !deliverIf(t, linkFree + delay) {
                _classStats[cls].delivered &+= 1
                _classStats[cls].bytesDelivered &+= UInt64(size)
                _traffic[ti].received &+= 1
                _traffic[ti].bytesReceived &+= UInt64(size)
                continue
            }
            let arrival = linkFree + delay
            if bucket > 0 {
                let end = DeliveryBatches<Message>.bucketEnd(arrival, length: bucket)
                let item = DeliveryBatches.Item(arrival: arrival, sentAt: now, from: from, epoch: lifeEpoch[ti],
                                                size: UInt32(clamping: size), cls: UInt16(cls), message: message)
                if let b = batches.add(node: t, end: end, item) {
                    queue.push(time: end, node: t, kind: .deliverBatch, payload: UInt64(b))
                    _batchEvents &+= 1
                }
            } else {
                stored[Int(slot)].refs &+= 1
                let handle = allocateDelivery(Delivery(slot: slot, from: from, epoch: lifeEpoch[ti], sentAt: now))
                queue.push(time: arrival, node: t, kind: .deliver, payload: UInt64(handle))
            }
            scheduled += 1
        }
        uploadFreeAt[f] = linkFree
        _inFlight += scheduled
        if bucket == 0 && stored[Int(slot)].refs == 0 { release(slot) }
        return scheduled
    }

    /// Sends one copy from `from` to `to`.
    @inlinable @discardableResult
    public mutating func send(_ message: Message, size: Int, cls: Int = 0, from: UInt32, to: UInt32,
                              now: SimTime, queue: inout EventQueue) -> Bool {
        broadcast(message, size: size, cls: cls, from: from, to: CollectionOfOne(to), now: now, queue: &queue) == 1
    }

    /// Resolves a delivery event: the message and its sender, or nil when the copy is dropped
    /// on arrival (receiver crashed since, or partitioned from the sender meanwhile).
    @inlinable
    public mutating func arrive(_ event: Event) -> (message: Message, from: UInt32)? {
        let handle = Int(event.payload)
        let d = deliveries[handle]
        freeDeliveries.append(UInt32(handle))
        return resolve(d, node: event.node, latency: event.time.nanoseconds - d.sentAt.nanoseconds)
    }

    /// Resolves a `deliverBatch` event: appends the copies of the batch that are not dropped
    /// (as `arrive` decides, at the batch's time) to `out`, in arrival order. Each copy's
    /// latency is its real one (send to arrival, not to the bucket's end).
    @inlinable
    public mutating func arriveBatch(_ event: Event, into out: inout [(message: Message, from: UInt32)]) {
        let b = Int(truncatingIfNeeded: event.payload)
        batches.close(node: event.node, end: event.time)
        let to = Int(event.node)
        var k = 0
        while k < batches.items[b].count {
            let item = batches.items[b][k]
            k += 1
            _inFlight -= 1
            let cls = Int(item.cls)
            if !isUp[to] || lifeEpoch[to] != item.epoch {
                _classStats[cls].droppedCrash &+= 1
                continue
            }
            if !sameSide(to, Int(item.from)) {
                _classStats[cls].droppedPartition &+= 1
                continue
            }
            count(delivered: cls, size: item.size, to: to, latency: item.arrival.nanoseconds - item.sentAt.nanoseconds)
            out.append((item.message, item.from))
        }
        batches.recycle(UInt32(b))
    }

    /// Counts a copy delivered to `to`.
    @inlinable
    mutating func count(delivered cls: Int, size: UInt32, to: Int, latency: Int64) {
        _classStats[cls].delivered &+= 1
        _classStats[cls].bytesDelivered &+= UInt64(size)
        _traffic[to].received &+= 1
        _traffic[to].bytesReceived &+= UInt64(size)
        _latency[cls].record(UInt64(latency))
    }

    /// A copy `d` reaching `node`: counted, its message released when it was the last copy.
    @inlinable
    mutating func resolve(_ d: Delivery, node: UInt32, latency: Int64) -> (message: Message, from: UInt32)? {
        _inFlight -= 1
        let slot = Int(d.slot)
        let s = stored[slot]
        let to = Int(node)
        let cls = Int(s.cls)
        defer {
            stored[slot].refs -= 1
            if stored[slot].refs == 0 { release(d.slot) }
        }
        if !isUp[to] || lifeEpoch[to] != d.epoch {
            _classStats[cls].droppedCrash &+= 1
            return nil
        }
        if !sameSide(to, Int(d.from)) {
            _classStats[cls].droppedPartition &+= 1
            return nil
        }
        count(delivered: cls, size: s.size, to: to, latency: latency)
        return (s.message!, d.from)
    }

    // MARK: Faults

    public mutating func crash(_ node: UInt32) {
        isUp[Int(node)] = false
        lifeEpoch[Int(node)] &+= 1
    }

    public mutating func restart(_ node: UInt32, now: SimTime) {
        isUp[Int(node)] = true
        uploadFreeAt[Int(node)] = now
    }

    /// Splits the nodes into groups: `groups[i]` lists the nodes of group `i + 1`; nodes listed
    /// nowhere form group 0 together.
    public mutating func partition(_ groups: [[UInt32]], bridges: [UInt32] = []) {
        for i in group.indices { group[i] = 0 }
        for (g, members) in groups.enumerated() {
            for m in members { group[Int(m)] = UInt16(g + 1) }
        }
        for b in bridges { group[Int(b)] = Self.bridgeGroup }
    }

    public mutating func heal() {
        for i in group.indices { group[i] = 0 }
    }

    /// Puts a loss or latency spike, clock skew or slow-down in force.
    public mutating func setCondition(_ fault: Fault) {
        conditions.apply(fault)
    }

    // MARK: Arenas

    @inlinable mutating func allocateStored(_ s: Stored) -> UInt32 {
        if let i = freeStored.popLast() { stored[Int(i)] = s; return i }
        stored.append(s)
        return UInt32(stored.count - 1)
    }

    @inlinable mutating func release(_ slot: UInt32) {
        stored[Int(slot)].message = nil
        freeStored.append(slot)
    }

    @inlinable mutating func allocateDelivery(_ d: Delivery) -> UInt32 {
        if let i = freeDeliveries.popLast() { deliveries[Int(i)] = d; return i }
        deliveries.append(d)
        return UInt32(deliveries.count - 1)
    }
}
