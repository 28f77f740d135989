import CanaryEngine

/// Flood delivery of GRANDPA round messages (`consensus.gossip: flood`): each vote's spread over
/// the polite-gossip relay graph is computed once, as one arrival time per node, instead of one
/// simulated copy per relay hop.
///
/// Why: under polite gossip (`GrandpaGossip`) every voter needs every vote, about 2·n² new
/// receptions per round, and each reception was a scheduled copy with per-node gossip state
/// (known-message records, stage peers, views): about 2 µs of cache misses per reception at
/// n = 1,000, 23 hours per simulated day (docs/performance.md). Here a vote costs one pass over
/// the nodes (its arrival time at each, from a precomputed template) and arrivals are grouped
/// per node into arrival buckets (`bucket`, the vote batch length), delivered by one event per
/// bucket for all nodes together.
///
/// What a template is: polite gossip's first stage sends a round message, and every node
/// relays a new one, to `luckyPeers` random peers per round (`gossip.rs`, `LUCKY_PEERS`). A
/// *variant* fixes those picks for every node (from the `grandpa-flood` stream) and one latency
/// per relay edge (the network's region-to-region distribution, plus a vote's transmission at
/// the upload rate); the template of (variant, origin) is the earliest arrival at every node
/// over that relay graph (Dijkstra), computed once, when first needed. Every round uses one of
/// `variants` variants (picked by a keyed hash of set and round), as Substrate reshuffles lucky
/// peers per round. A node no one picked in a variant (about e⁻⁴ of them, as in Substrate) gets
/// the round's votes only at the second stage, 1.5 nominal rounds later (`stageTwoDelay`), and
/// typically catches up.
///
/// What it leaves out, with its effect (docs/grandpa.md, "Flood delivery"): vote copies do not
/// queue on upload links (at 100 Mbps, 4 relays of 150 bytes per vote and node, about 2% of a
/// link per round); peers' round windows do not filter relays (a node far behind still
/// receives votes, and asks for a catch-up as it would from a neighbour packet); relays through
/// a node that is down or across a partition are not rerouted (the copy is dropped at the
/// receiver instead); per-copy latency jitter is fixed per edge and variant.
public struct GrandpaFlood: Sendable {
    /// A vote or proposal on its way to one node, in 40 bytes: a bucket's items are written once
    /// per (vote, node) and moved twice, and the message travels inside the item (a shared
    /// record per vote would cost a cache miss per copy at delivery, measured).
    public struct Item: Sendable {
        public var arrival: SimTime
        public var to: UInt32
        public var from: UInt32
        var voter: UInt32
        var block: BlockId
        var number: UInt32
        var round: UInt32
        var setId: UInt32
        /// Bit 0: precommit; bit 1: proposal; bits 16...31: the receiver's crash count when sent.
        var flags: UInt32

        public var isProposal: Bool { flags & 2 != 0 }
        var epoch: UInt16 { UInt16(truncatingIfNeeded: flags >> 16) }
        public var vote: GrandpaVoteMessage {
            GrandpaVoteMessage(setId: UInt64(setId), round: UInt64(round), phase: flags & 1 != 0 ? .precommit : .prevote,
                               voter: voter, target: GrandpaTarget(block, number))
        }
    }

    public static let variants = 8
    public let nodes: Int
    public let participants: [UInt32]
    public let luckyPeers: Int
    public let bucket: SimTime
    public let stageTwoDelay: SimTime
    let salt: UInt64
    let network: NetworkConfig
    let nodeRegion: [UInt16]
    let voteSize: Int
    /// Arrival offsets in microseconds: `(variant * nodes + origin) * nodes + node`; computed
    /// per (variant, origin) on first use (`ready`).
    var offsets: [UInt32]
    var ready: [Bool]
    /// Relay graphs per variant: `luckyPeers` picks per node, `(variant * nodes + node) * luckyPeers + k`.
    var peers: [UInt32] = []
    var edgeLatency: [UInt32] = []
    /// Arrival buckets, a ring indexed by bucket number modulo its size (spans every offset).
    var ring: [[Item]]
    var scratch: [Item] = []
    /// Emptied bucket buffers, reused (with their capacity) by buckets that fill next: only the
    /// buckets in use hold memory, not every slot of the ring.
    var spare: [[Item]] = []
    /// ⌈2^64 / bucket⌉: `quotient` divides by the bucket length with a multiplication.
    var reciprocal: UInt64 = 0
    var counts: [Int32]
    /// Per node: crashes so far, modulo 2^16 (`Item.epoch`: a copy sent before a crash is lost).
    public internal(set) var epoch: [UInt16]
    // Counters.
    public internal(set) var receptions: UInt64 = 0
    public internal(set) var cast: UInt64 = 0

    public init(nodes: Int, participants: [UInt32], luckyPeers: Int, bucket: SimTime, gossipDuration: SimTime,
                roundDurationPeriods: Int64, propagationSomeTenths: Int64, voteSize: Int,
                network: NetworkConfig, nodeRegion: [UInt16], streams: RandomStreams) {
        self.nodes = nodes
        self.participants = participants
        self.luckyPeers = max(1, min(luckyPeers, max(participants.count - 1, 1)))
        self.bucket = max(bucket, .us(100))
        stageTwoDelay = SimTime(nanoseconds: (gossipDuration * roundDurationPeriods * propagationSomeTenths).nanoseconds / 10)
        var rng = streams.stream(.grandpaFlood)
        salt = rng.next()
        self.network = network
        self.nodeRegion = nodeRegion
        self.voteSize = voteSize
        offsets = []
        ready = Array(repeating: false, count: Self.variants * nodes)
        epoch = Array(repeating: 0, count: nodes)
        counts = Array(repeating: 0, count: nodes + 1)
        // The ring spans the largest offset: second stage plus the slowest latency's tail.
        var maxMedian: SimTime = .zero
        for row in network.latency { for d in row { maxMedian = max(maxMedian, d.median) } }
        let span = stageTwoDelay + maxMedian * 64 + .seconds(1)
        var slots = 1
        while slots < Int(span.nanoseconds / self.bucket.nanoseconds) + 2 { slots <<= 1 }
        ring = Array(repeating: [], count: slots)   // a power of two: the slot of a bucket is a mask
        reciprocal = UInt64.max / UInt64(self.bucket.nanoseconds) + 1
        buildGraphs(streams: streams)
    }

    /// Picks every node's lucky peers and one latency per edge, per variant.
    mutating func buildGraphs(streams: RandomStreams) {
        let k = luckyPeers, m = participants.count
        peers = Array(repeating: UInt32.max, count: Self.variants * nodes * k)
        edgeLatency = Array(repeating: 0, count: Self.variants * nodes * k)
        guard m >= 2 else { return }
        let tx = network.uploadBitsPerSecond > 0 ? Int64(voteSize) * 8 * 1_000_000_000 / Int64(network.uploadBitsPerSecond) : 0
        for variant in 0..<Self.variants {
            var rng = streams.stream(.grandpaFlood, node: UInt32(variant))
            for p in participants {
                let base = (variant * nodes + Int(p)) * k
                var picked = 0
                while picked < k {
                    let q = participants[Int(rng.nextBelow(UInt64(m)))]
                    if q == p { continue }
                    var dup = false
                    for i in 0..<picked where peers[base + i] == q { dup = true }
                    if dup { continue }
                    peers[base + picked] = q
                    let lat = network.latency[Int(nodeRegion[Int(p)])][Int(nodeRegion[Int(q)])].sample(&rng)
                    // Each relay sends k copies one after another on its upload link: the i-th waits for i transmissions.
                    let ns = lat.nanoseconds + tx * Int64(picked + 1)
                    edgeLatency[base + picked] = UInt32(clamping: (ns + 500) / 1000)
                    picked += 1
                }
            }
        }
    }

    /// Variant of a round (a keyed hash: the same for every node, reshuffled per round).
    @inline(__always) func variant(setId: UInt64, round: UInt64) -> Int {
        var x = salt ^ (setId &* 0x9E37_79B9_7F4A_7C15) ^ (round &* 0xBF58_476D_1CE4_E5B9)
        x ^= x >> 31; x = x &* 0x94D0_49BB_1331_11EB; x ^= x >> 29
        return Int(x % UInt64(Self.variants))
    }

    /// The template of (variant, origin): earliest arrival (µs) at every node over the relay graph.
    mutating func template(_ variant: Int, _ origin: UInt32) -> Int {
        let row = variant * nodes + Int(origin)
        if offsets.isEmpty { offsets = Array(repeating: UInt32.max, count: Self.variants * nodes * nodes) }
        let base = row * nodes
        if ready[row] { return base }
        ready[row] = true
        let k = luckyPeers
        offsets[base + Int(origin)] = 0
        // Binary heap of (time, node).
        var heap: [(UInt32, UInt32)] = [(0, origin)]
        while let top = heap.first {
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var s = i
                    if l < heap.count && heap[l].0 < heap[s].0 { s = l }
                    if r < heap.count && heap[r].0 < heap[s].0 { s = r }
                    if s == i { break }
                    heap.swapAt(i, s); i = s
                }
            }
            let (t, u) = top
            if t > offsets[base + Int(u)] { continue }
            let e = (variant * nodes + Int(u)) * k
            for i in 0..<k {
                let v = peers[e + i]
                guard v != UInt32.max else { continue }
                let nt = t &+ edgeLatency[e + i]
                if nt < offsets[base + Int(v)] {
                    offsets[base + Int(v)] = nt
                    heap.append((nt, v))
                    var c = heap.count - 1
                    while c > 0 {
                        let p = (c - 1) / 2
                        if heap[p].0 <= heap[c].0 { break }
                        heap.swapAt(p, c); c = p
                    }
                }
            }
        }
        // Nodes the first stage never reaches get the message at the second stage.
        let late = UInt32(clamping: stageTwoDelay.nanoseconds / 1000)
        for p in participants where offsets[base + Int(p)] == UInt32.max {
            let d = network.latency[Int(nodeRegion[Int(origin)])][Int(nodeRegion[Int(p)])].median
            offsets[base + Int(p)] = late &+ UInt32(clamping: d.nanoseconds / 1000)
        }
        return base
    }

    /// ⌊u / bucket⌋ by multiplication (two divisions per copy were a tenth of the run). Exact
    /// for u < 2^64 / (M·bucket − 2^64), over 180 s for any bucket up to 100 ms; callers pass
    /// offsets of at most the ring span (checked in debug builds).
    @inline(__always) func quotient(_ u: UInt64) -> UInt64 {
        let q = u.multipliedFullWidth(by: reciprocal).high
        assert(q == u / UInt64(bucket.nanoseconds))
        return q
    }

    /// Sends `vote` (or a proposal with its fields) from `origin` at `now` to every other
    /// participant that `reachable` accepts. Calls `wake(at:)` for each bucket that was empty.
    public mutating func send(_ vote: GrandpaVoteMessage, isProposal: Bool, from origin: UInt32, now: SimTime,
                              reachable: (UInt32) -> Bool, wake: (SimTime, Int) -> Void) {
        cast &+= 1
        let flags: UInt32 = (vote.phase == .precommit ? 1 : 0) | (isProposal ? 2 : 0)
        let setId = UInt32(truncatingIfNeeded: vote.setId), round = UInt32(truncatingIfNeeded: vote.round)
        let base = template(variant(setId: vote.setId, round: vote.round), origin)
        // Bucket k ends at k·bucket; a copy arriving at now + d is in k = ⌈(now + d) / bucket⌉
        // = first + ⌊(rem + d + bucket − 1) / bucket⌋ with now = first·bucket + rem.
        let b = bucket.nanoseconds
        let first = now.nanoseconds / b, rem = UInt64(now.nanoseconds - first * b)
        let mask = ring.count - 1
        for p in participants where p != origin && reachable(p) {
            let d = Int64(offsets[base + Int(p)]) * 1000
            let at = now + .ns(d)
            let k = first + Int64(quotient(rem + UInt64(d) + UInt64(b) - 1))
            let i = Int(k) & mask, end = SimTime(nanoseconds: k * b)
            if ring[i].isEmpty {
                wake(end, i)
                if ring[i].capacity == 0, let buffer = spare.popLast() { ring[i] = buffer }
            }
            ring[i].append(Item(arrival: at, to: p, from: origin, voter: vote.voter, block: vote.target.block,
                                number: vote.target.number, round: round, setId: setId,
                                flags: flags | UInt32(epoch[Int(p)]) << 16))
        }
    }

    /// The copies of bucket `index`, grouped by receiver (ascending) and, per receiver, in
    /// arrival order (ties in sending order). The bucket is emptied.
    public mutating func take(_ index: Int) -> [Item] {
        var items: [Item] = []
        swap(&items, &ring[index])
        receptions &+= UInt64(items.count)
        if items.count < 64 {
            return items.enumerated().sorted { a, b in
                (a.element.to, a.element.arrival, a.offset) < (b.element.to, b.element.arrival, b.offset)
            }.map(\.element)
        }
        // Counting sort by receiver (stable), then arrival order within each receiver.
        for i in counts.indices { counts[i] = 0 }
        for it in items { counts[Int(it.to) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: items)
        for it in scratch {
            let c = Int(counts[Int(it.to)])
            items[c] = it
            counts[Int(it.to)] += 1
        }
        // Insertion sort per receiver run (runs are short): stable, by arrival.
        var start = 0
        while start < items.count {
            var end = start + 1
            while end < items.count && items[end].to == items[start].to { end += 1 }
            if end - start > 1 {
                for i in (start + 1)..<end {
                    let x = items[i]
                    var j = i - 1
                    while j >= start && items[j].arrival > x.arrival { items[j + 1] = items[j]; j -= 1 }
                    items[j + 1] = x
                }
            }
            start = end
        }
        return items
    }

    /// Hands a delivered bucket's buffer back for reuse.
    public mutating func recycle(_ items: inout [Item]) {
        guard spare.count < 64, items.capacity > 0 else { return }
        items.removeAll(keepingCapacity: true)
        spare.append(items)
        items = []
    }

    /// Whether `item` survives: not if its receiver crashed after it was sent.
    @inline(__always) public func survives(_ item: Item) -> Bool { item.epoch == epoch[Int(item.to)] }

    /// A node crashed: copies already on their way to it are lost.
    public mutating func crashed(_ node: UInt32) { epoch[Int(node)] &+= 1 }
}
