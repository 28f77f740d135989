/// Per-receiver batches of message copies (`Network.setBatching`): copies of a batched message
/// class reaching one node within one arrival bucket are resolved by one `deliverBatch` event at
/// the bucket's end instead of one event each.
///
/// Why: at Kusama scale every voter receives every GRANDPA vote (2·n² new receptions per round,
/// plus gossip duplicates), and a heap push and pop per copy cost more than the protocol work on
/// it. A batch keeps each copy's real arrival time: its copies are handed to the model in
/// arrival order (ties in send order), all at the bucket's end time, which is what the receiver
/// observes. Bucket ends are multiples of the bucket length, so which copies share a batch
/// depends only on arrival times, never on processing order.
///
/// Open batches are found by (receiver, bucket end) through an open-addressing table with
/// integer keys (linear probing, backward-shift deletion): one multiply and usually one probe
/// per copy, no hashing of Swift values, and never iterated, so no order can reach a result.
public struct DeliveryBatches<Message: Sendable>: Sendable {
    /// One copy waiting in a batch: its real arrival time, its delivery record and the message
    /// itself (a copy of a small value, held here rather than in the network's delivery and
    /// message arenas, so that resolving a batch reads its copies from one contiguous buffer
    /// instead of two scattered records each).
    public struct Item: Sendable {
        public var arrival: SimTime
        public var sentAt: SimTime
        /// The sender, the receiver's life epoch at send, the size and the message class.
        public var from: UInt32
        public var epoch: UInt32
        public var size: UInt32
        public var cls: UInt16
        public var message: Message
        @inlinable public init(arrival: SimTime, sentAt: SimTime, from: UInt32, epoch: UInt32, size: UInt32, cls: UInt16, message: Message) {
            self.arrival = arrival; self.sentAt = sentAt; self.from = from; self.epoch = epoch; self.size = size; self.cls = cls
            self.message = message
        }
    }

    /// Table entry: receiver, bucket end and batch index (`UInt32.max`: empty).
    @usableFromInline struct Entry: Sendable {
        @usableFromInline var time: Int64
        @usableFromInline var node: UInt32
        @usableFromInline var batch: UInt32
        @inlinable init(time: Int64, node: UInt32, batch: UInt32) { self.time = time; self.node = node; self.batch = batch }
    }

    @usableFromInline var table: [Entry]
    @usableFromInline var mask: Int
    @usableFromInline var used = 0
    /// Items per batch, by batch index; emptied batches keep their capacity for reuse.
    @usableFromInline var items: [[Item]] = []
    @usableFromInline var free: [UInt32] = []

    public init() {
        table = Array(repeating: Entry(time: 0, node: 0, batch: .max), count: 1024)
        mask = 1023
    }

    /// Batches not yet delivered.
    public var open: Int { used }

    /// The end of the bucket `arrival` falls in (buckets are `(k·len, (k+1)·len]`).
    @inlinable public static func bucketEnd(_ arrival: SimTime, length: Int64) -> SimTime {
        let t = arrival.nanoseconds
        let k = t <= 0 ? 0 : (t + length - 1) / length
        return SimTime(nanoseconds: k * length)
    }

    @inlinable func home(_ node: UInt32, _ time: Int64) -> Int {
        let h = (UInt64(bitPattern: time) &+ UInt64(node) &* 0x9E37_79B9_7F4A_7C15) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> 32) & mask
    }

    /// Adds a copy for `node` (arriving at `item.arrival`) to the batch ending at `end`. Returns the
    /// batch index when this opened the batch (the caller schedules its event), else nil.
    @inlinable public mutating func add(node: UInt32, end: SimTime, _ item: Item) -> UInt32? {
        var i = home(node, end.nanoseconds)
        while table[i].batch != .max {
            if table[i].node == node && table[i].time == end.nanoseconds {
                insertSorted(Int(table[i].batch), item)
                return nil
            }
            i = (i + 1) & mask
        }
        let b: UInt32
        if let f = free.popLast() { b = f } else { b = UInt32(items.count); items.append([]) }
        items[Int(b)].append(item)
        table[i] = Entry(time: end.nanoseconds, node: node, batch: b)
        used += 1
        if used * 2 > table.count { grow() }
        return b
    }

    /// Keeps a batch in (arrival, send order): a later copy goes after every copy arriving no
    /// later than it (batches hold tens of copies; most arrive in order).
    @inlinable mutating func insertSorted(_ b: Int, _ item: Item) {
        items[b].append(item)
        items[b].withUnsafeMutableBufferPointer { p in
            var j = p.count - 1
            while j > 0 && p[j - 1].arrival > item.arrival { p[j] = p[j - 1]; j -= 1 }
            p[j] = item
        }
    }

    /// Closes batch `batch` of `node` ending at `end` (its event fired): the caller reads its
    /// items, then calls `recycle`.
    @inlinable public mutating func close(node: UInt32, end: SimTime) {
        var i = home(node, end.nanoseconds)
        while table[i].batch != .max {
            if table[i].node == node && table[i].time == end.nanoseconds { break }
            i = (i + 1) & mask
        }
        guard table[i].batch != .max else { return }
        // Backward-shift deletion: move later entries of the probe run into the hole.
        var hole = i
        var j = (i + 1) & mask
        while table[j].batch != .max {
            let h = home(table[j].node, table[j].time)
            // Entry j may fill the hole if its home is not cyclically in (hole, j].
            let between = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !between {
                table[hole] = table[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        table[hole] = Entry(time: 0, node: 0, batch: .max)
        used -= 1
    }

    @inlinable public mutating func recycle(_ batch: UInt32) {
        items[Int(batch)].removeAll(keepingCapacity: true)
        free.append(batch)
    }

    @usableFromInline mutating func grow() {
        let old = table
        table = Array(repeating: Entry(time: 0, node: 0, batch: .max), count: old.count * 2)
        mask = table.count - 1
        for e in old where e.batch != .max {
            var i = home(e.node, e.time)
            while table[i].batch != .max { i = (i + 1) & mask }
            table[i] = e
        }
    }
}
