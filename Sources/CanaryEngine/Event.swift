/// One pending occurrence in the simulation: a compact value (32 bytes), never a closure.
///
/// `kind` and `payload` are interpreted by whoever scheduled the event (the network for
/// deliveries, a model for its timers). Ordering is by (time, seq): `seq` is the insertion
/// sequence, so simultaneous events run in the order they were scheduled, on every run.
public struct Event: Sendable {
    public var time: SimTime
    public var seq: UInt64
    /// The node the event is for (`Event.global` for engine-wide events).
    public var node: UInt32
    public var kind: EventKind
    /// Model-defined argument: a message handle, a timer tag, an index.
    public var payload: UInt64

    public static let global: UInt32 = .max

    @inlinable public init(time: SimTime, seq: UInt64, node: UInt32, kind: EventKind, payload: UInt64) {
        self.time = time; self.seq = seq; self.node = node; self.kind = kind; self.payload = payload
    }

    @inlinable static func before(_ a: Event, _ b: Event) -> Bool {
        a.time.nanoseconds < b.time.nanoseconds || (a.time.nanoseconds == b.time.nanoseconds && a.seq < b.seq)
    }
}

/// What an event does. The engine handles `deliver` and `deliverBatch` (through the network) and `fault`
/// (crash, restart, partition, heal); everything else goes to the model.
public struct EventKind: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// A message arriving at `node`; `payload` is the delivery handle.
    public static let deliver = EventKind(rawValue: 0)
    /// A timeline fault; `payload` indexes the simulation's fault list.
    public static let fault = EventKind(rawValue: 1)
    /// A batch of message copies arriving at `node` (`Network.setBatching`); `payload` is the
    /// batch index.
    public static let deliverBatch = EventKind(rawValue: 2)
    /// First kind value free for models.
    public static let firstModelKind: UInt16 = 16
}

/// A 4-ary min-heap of events ordered by (time, seq).
///
/// 4-ary rather than binary: half the depth, and the four children share a cache line pair,
/// which matters with ~10^5 pending events. Plain array storage, no per-event allocation.
public struct EventQueue: Sendable {
    @usableFromInline var heap: ContiguousArray<Event> = []
    @usableFromInline var _nextSeq: UInt64 = 0
    /// The sequence number the next pushed event gets.
    public var nextSeq: UInt64 { _nextSeq }

    public init(reservingCapacity n: Int = 1024) { heap.reserveCapacity(n) }

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    /// The time of the next event, or `.never`.
    public var nextTime: SimTime { heap.first?.time ?? .never }

    /// Schedules an event; returns its sequence number.
    @inlinable @discardableResult
    public mutating func push(time: SimTime, node: UInt32, kind: EventKind, payload: UInt64) -> UInt64 {
        let seq = _nextSeq
        _nextSeq &+= 1
        heap.append(Event(time: time, seq: seq, node: node, kind: kind, payload: payload))
        heap.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            let e = h[i]
            while i > 0 {
                let parent = (i - 1) >> 2
                if !Event.before(e, h[parent]) { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = e
        }
        return seq
    }

    /// Removes and returns the earliest event.
    ///
    /// Bottom-up ("Floyd") deletion: the hole left by the root walks down along the smallest
    /// children to a leaf without comparing against the displaced last element, which then
    /// sifts up from there. The last element usually belongs near the bottom, so this saves
    /// about one comparison per level over the textbook sift-down.
    @inlinable public mutating func pop() -> Event? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return first }
        heap.withUnsafeMutableBufferPointer { h in
            let n = h.count
            var i = 0
            while true {
                let c = (i << 2) + 1
                if c >= n { break }
                var best = c
                if c + 3 < n {
                    let a = Event.before(h[c + 1], h[c]) ? c + 1 : c
                    let b = Event.before(h[c + 3], h[c + 2]) ? c + 3 : c + 2
                    best = Event.before(h[b], h[a]) ? b : a
                } else {
                    var j = c + 1
                    while j < n {
                        if Event.before(h[j], h[best]) { best = j }
                        j += 1
                    }
                }
                h[i] = h[best]
                i = best
            }
            while i > 0 {
                let parent = (i - 1) >> 2
                if !Event.before(last, h[parent]) { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = last
        }
        return first
    }
}
