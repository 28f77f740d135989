import CanaryEngine

/// Flood delivery of GRANDPA round messages (`consensus.gossip: flood`): each vote's spread over
/// the polite-gossip relay graph is computed once, as one arrival time per node, instead of one
/// simulated copy per relay hop.
///
/// Why: under polite gossip (`GrandpaGossip`) every voter needs every vote, about 2·n² new
/// receptions per round, and each reception was a scheduled copy with per-node gossip state
/// (known-message records, stage peers, views): about 2 µs of cache misses per reception at
/// n = 1,000, 23 hours per simulated day (docs/performance.md). Here a vote is a *flight*: a
/// cursor over its template, the other nodes sorted by arrival. Each arrival bucket (`bucket`,
/// the vote batch length) is one event for all nodes together: the flights with copies in it
/// hand them out (walking their rows in order, so the copies of a bucket are built in cache
/// when it is delivered) and move on to the bucket of their next copy; the copies are then
/// grouped per receiver. (Copies were once written into the bucket ring at the send: 88 MB of
/// them in flight at n = 1,000; a flight is 80 bytes.)
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
    /// A vote or proposal reaching one node, in 40 bytes: the message travels inside the item
    /// (a shared record per vote would cost a cache miss per copy at delivery, measured).
    public struct Item: Sendable {
        public var arrival: SimTime
        public var to: UInt32
        public var from: UInt32
        /// Its `flags` carry, in bits 16...31, the receiver's crash count when sent.
        var payload: Payload

        public var isProposal: Bool { payload.flags & 2 != 0 }
        var epoch: UInt16 { UInt16(truncatingIfNeeded: payload.flags >> 16) }
        public var vote: GrandpaVoteMessage {
            GrandpaVoteMessage(setId: UInt64(payload.setId), round: UInt64(payload.round),
                               phase: payload.flags & 1 != 0 ? .precommit : .prevote,
                               voter: payload.voter, target: GrandpaTarget(payload.block, payload.number))
        }
    }

    /// A vote or proposal, in 24 bytes (a flight's, and each of its copies').
    struct Payload: Sendable, Equatable {
        var voter: UInt32
        var block: BlockId
        var number: UInt32
        var round: UInt32
        var setId: UInt32
        /// Bit 0: precommit; bit 1: proposal.
        var flags: UInt32
        /// Whether `other` differs at most by voter (and crash count): one run of `importVotes`.
        @inline(__always) func sameTarget(_ other: Payload) -> Bool {
            block == other.block && round == other.round && setId == other.setId && flags & 3 == other.flags & 3
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
    /// Templates, one row per (variant, origin) (`row = variant * nodes + origin`), computed on
    /// first use (`ready`): the other participants as `offset µs << 32 | node`, ascending, so a
    /// vote hands out its copies by walking its row once.
    var rows: [UInt64] = []
    var rowLength: [Int32]
    var ready: [Bool]
    /// Row stride: the participants.
    let stride: Int
    /// Scratch distances of `template`.
    var dist: [UInt32]
    /// Relay graphs per variant: `luckyPeers` picks per node, `(variant * nodes + node) * luckyPeers + k`.
    var peers: [UInt32] = []
    var edgeLatency: [UInt32] = []
    /// A vote on its way: where it is in its template row and the bucket of its next copies.
    struct Flight {
        var sent: SimTime
        var firstBucket: Int64
        var rem: UInt64
        var next: Int64
        var row: Int32
        var pos: UInt32
        var origin: UInt32
        var payload: Payload
        /// `crashes` at the send: a receiver whose `lastCrash` is later lost the copy.
        var crashes: UInt32
        /// Index of the bitset of receivers cut off at the send, or −1.
        var excluded: Int32
    }
    var flights: [Flight] = []
    var freeFlights: [UInt32] = []
    var exclusions: [UInt64] = []
    var freeExclusions: [Int32] = []
    /// Arrival buckets, a ring indexed by bucket number modulo its size (spans every offset):
    /// the flights with copies in each bucket.
    var ring: [[UInt32]]
    var output: [Item] = []
    var copies: [Copy] = []
    var scratch: [Copy] = []
    /// Arrival bins of `sortByReceiver`: 2^arrivalBinBits of them per bucket.
    static let arrivalBinBits = 12
    var bins = [Int32](repeating: 0, count: (1 << GrandpaFlood.arrivalBinBits) + 1)
    var finished: [UInt32] = []
    /// Emptied bucket lists, reused (with their capacity) by buckets that fill next.
    var spare: [[UInt32]] = []
    /// ⌈2^64 / bucket⌉: `quotient` divides by the bucket length with a multiplication.
    var reciprocal: UInt64 = 0
    var counts: [Int32]
    /// Per node: crashes so far, modulo 2^16 (`Item.epoch`: a copy sent before a crash is lost).
    public internal(set) var epoch: [UInt16]
    /// Crashes of all nodes so far, and per node the count at its last crash.
    var crashes: UInt32 = 0
    var lastCrash: [UInt32]
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
        stride = max(participants.count, 1)
        ready = Array(repeating: false, count: Self.variants * nodes)
        rowLength = Array(repeating: 0, count: Self.variants * nodes)
        dist = Array(repeating: UInt32.max, count: nodes)
        epoch = Array(repeating: 0, count: nodes)
        lastCrash = Array(repeating: 0, count: nodes)
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

    /// The template of (variant, origin): the other participants sorted by earliest arrival
    /// over the relay graph (Dijkstra), as `rows[row * stride ..< row * stride + rowLength[row]]`
    /// of `offset µs << 32 | node`. Returns the row.
    mutating func template(_ variant: Int, _ origin: UInt32) -> Int {
        let row = variant * nodes + Int(origin)
        if ready[row] { return row }
        ready[row] = true
        if rows.isEmpty { rows = Array(repeating: 0, count: Self.variants * nodes * stride) }
        let k = luckyPeers
        for i in dist.indices { dist[i] = UInt32.max }
        dist[Int(origin)] = 0
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
            if t > dist[Int(u)] { continue }
            let e = (variant * nodes + Int(u)) * k
            for i in 0..<k {
                let v = peers[e + i]
                guard v != UInt32.max else { continue }
                let nt = t &+ edgeLatency[e + i]
                if nt < dist[Int(v)] {
                    dist[Int(v)] = nt
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
        var entries: [UInt64] = []
        entries.reserveCapacity(participants.count)
        for p in participants where p != origin {
            if dist[Int(p)] == UInt32.max {
                let d = network.latency[Int(nodeRegion[Int(origin)])][Int(nodeRegion[Int(p)])].median
                dist[Int(p)] = late &+ UInt32(clamping: d.nanoseconds / 1000)
            }
            entries.append(UInt64(dist[Int(p)]) << 32 | UInt64(p))
        }
        entries.sort()
        for (i, e) in entries.enumerated() { rows[row * stride + i] = e }
        rowLength[row] = Int32(entries.count)
        return row
    }

    /// ⌊u / bucket⌋ by multiplication (two divisions per copy were a tenth of the run). Exact
    /// for u < 2^64 / (M·bucket − 2^64), over 180 s for any bucket up to 100 ms; callers pass
    /// offsets of at most the ring span (checked in debug builds).
    @inline(__always) func quotient(_ u: UInt64) -> UInt64 {
        let q = u.multipliedFullWidth(by: reciprocal).high
        assert(q == u / UInt64(bucket.nanoseconds))
        return q
    }

    /// The bucket of a copy of `f` arriving `d` ns after its send: bucket k ends at k·bucket and
    /// holds arrivals in ((k − 1)·bucket, k·bucket], so k = ⌈(sent + d) / bucket⌉
    /// = first + ⌊(rem + d + bucket − 1) / bucket⌋ with sent = first·bucket + rem.
    @inline(__always) func bucketOf(_ f: Flight, _ d: UInt64) -> Int64 {
        f.firstBucket + Int64(quotient(f.rem + d + UInt64(bucket.nanoseconds) - 1))
    }

    /// Sends `vote` (or a proposal with its fields) from `origin` at `now` to every other
    /// participant that `reachable` accepts now. Calls `wake(at:index:)` for each bucket that
    /// was empty; `take` calls it again as the vote moves on to later buckets.
    public mutating func send(_ vote: GrandpaVoteMessage, isProposal: Bool, from origin: UInt32, now: SimTime,
                              reachable: (UInt32) -> Bool, wake: (SimTime, Int) -> Void) {
        cast &+= 1
        // Who cannot be reached now is fixed at the send: a bitset, built only when someone is
        // cut off (a crash or partition), as copies to them were never sent.
        var excluded: Int32 = -1
        let words = (nodes + 63) / 64
        for p in participants where p != origin && !reachable(p) {
            if excluded < 0 {
                if let i = freeExclusions.popLast() {
                    excluded = i
                    for w in 0..<words { exclusions[Int(i) * words + w] = 0 }
                } else {
                    excluded = Int32(exclusions.count / words)
                    exclusions.append(contentsOf: repeatElement(0, count: words))
                }
            }
            exclusions[Int(excluded) * words + Int(p >> 6)] |= 1 << UInt64(p & 63)
        }
        let row = template(variant(setId: vote.setId, round: vote.round), origin)
        // The first receiver not cut off.
        var pos = 0
        while pos < Int(rowLength[row]), excluded >= 0 {
            let p = Int(UInt32(truncatingIfNeeded: rows[row * stride + pos]))
            if exclusions[Int(excluded) * words + p >> 6] & (1 << UInt64(p & 63)) == 0 { break }
            pos += 1
        }
        guard pos < Int(rowLength[row]) else {
            if excluded >= 0 { freeExclusions.append(excluded) }
            return
        }
        let b = bucket.nanoseconds
        let first = now.nanoseconds / b
        var f = Flight(sent: now, firstBucket: first, rem: UInt64(now.nanoseconds - first * b), next: 0,
                       row: Int32(row), pos: UInt32(pos), origin: origin,
                       payload: Payload(voter: vote.voter, block: vote.target.block, number: vote.target.number,
                                        round: UInt32(truncatingIfNeeded: vote.round), setId: UInt32(truncatingIfNeeded: vote.setId),
                                        flags: (vote.phase == .precommit ? 1 : 0) | (isProposal ? 2 : 0)),
                       crashes: crashes, excluded: excluded)
        f.next = bucketOf(f, (rows[row * stride + pos] >> 32) * 1000)
        let index: UInt32
        if let i = freeFlights.popLast() { index = i; flights[Int(i)] = f } else { index = UInt32(flights.count); flights.append(f) }
        enqueue(index, f.next, wake: wake)
    }

    /// Puts flight `index` into the ring slot of bucket `k`, waking the bucket if it was empty.
    @inline(__always) mutating func enqueue(_ index: UInt32, _ k: Int64, wake: (SimTime, Int) -> Void) {
        let i = Int(k) & (ring.count - 1)
        if ring[i].isEmpty {
            wake(SimTime(nanoseconds: k * bucket.nanoseconds), i)
            if ring[i].capacity == 0, let buffer = spare.popLast() { ring[i] = buffer }
        }
        ring[i].append(index)
    }

    /// The copies of bucket `index`, grouped by receiver (ascending) and, per receiver, in
    /// arrival order (ties in a deterministic order). Every vote with copies in the bucket
    /// hands them out and moves on to the bucket of its next copy (`wake` as in `send`).
    public mutating func take(_ index: Int, wake: (SimTime, Int) -> Void) -> [Item] {
        var list: [UInt32] = []
        swap(&list, &ring[index])
        // Every flight in the list is due in this bucket.
        let bucketNumber = list.first.map { flights[Int($0)].next } ?? 0
        var copies: [Copy] = []
        swap(&copies, &self.copies)
        copies.removeAll(keepingCapacity: true)
        finished.removeAll(keepingCapacity: true)
        let words = (nodes + 63) / 64
        // Copies are 16 bytes (arrival, receiver, flight) while they are sorted; the 40-byte
        // items are built once, in delivery order.
        self.rows.withUnsafeBufferPointer { rows in
        self.exclusions.withUnsafeBufferPointer { exclusions in
        for fi in list {
            var f = flights[Int(fi)]
            let k = f.next
            let base = Int(f.row) * stride, count = Int(rowLength[Int(f.row)])
            var pos = Int(f.pos)
            var next: Int64 = 0
            while pos < count {
                let entry = rows[base + pos]
                let p = UInt32(truncatingIfNeeded: entry)
                // Receivers cut off at the send are skipped (they wake no bucket).
                if f.excluded >= 0, exclusions[Int(f.excluded) * words + Int(p >> 6)] & (1 << UInt64(p & 63)) != 0 { pos += 1; continue }
                let d = (entry >> 32) * 1000
                let kk = bucketOf(f, d)
                if kk != k { next = kk; break }
                pos += 1
                copies.append(Copy(arrival: f.sent.nanoseconds + Int64(d), to: p, flight: fi))
            }
            if pos < count {
                f.pos = UInt32(pos)
                f.next = next
                flights[Int(fi)] = f
                enqueue(fi, next, wake: wake)
            } else {
                finished.append(fi)
            }
        }
        }}
        if spare.count < 64 { list.removeAll(keepingCapacity: true); spare.append(list) }
        receptions &+= UInt64(copies.count)
        sortByReceiver(&copies, bucketStart: (bucketNumber - 1) * bucket.nanoseconds)
        var items: [Item] = []
        swap(&items, &output)
        items.removeAll(keepingCapacity: true)
        items.reserveCapacity(copies.count)
        for c in copies {
            let f = flights[Int(c.flight)], p = Int(c.to)
            // A copy to a node that crashed since the send carries an older crash count.
            let e = lastCrash[p] > f.crashes ? epoch[p] &- 1 : epoch[p]
            var payload = f.payload
            payload.flags |= UInt32(e) << 16
            items.append(Item(arrival: SimTime(nanoseconds: c.arrival), to: c.to, from: f.origin, payload: payload))
        }
        swap(&copies, &self.copies)
        for fi in finished {
            if flights[Int(fi)].excluded >= 0 { freeExclusions.append(flights[Int(fi)].excluded) }
            freeFlights.append(fi)
        }
        return items
    }

    /// A copy while a bucket is sorted: arrival (ns), receiver, flight.
    struct Copy {
        var arrival: Int64
        var to: UInt32
        var flight: UInt32
    }

    /// Sorts by receiver, then arrival (stable). Two counting sorts: by arrival within the
    /// bucket in `arrivalBins` bins (arrival − `bucketStart`, shifted: a few µs each), then by
    /// receiver; each receiver's copies are then in arrival order but for copies within one
    /// bin, which an insertion sort puts right (it almost never moves one). On raw buffers:
    /// with array accessors, uniqueness and bounds checks per copy were most of it; an
    /// insertion sort alone (no arrival pass) was 14 % of a 1,000-validator run, mostly
    /// mispredicted branches.
    mutating func sortByReceiver(_ items: inout [Copy], bucketStart: Int64) {
        let n = items.count
        if n < 64 {
            for i in items.indices.dropFirst() {
                let x = items[i]
                var j = i - 1
                while j >= 0 && (items[j].to, items[j].arrival) > (x.to, x.arrival) { items[j + 1] = items[j]; j -= 1 }
                items[j + 1] = x
            }
            return
        }
        let shift = UInt64(max(0, (UInt64.bitWidth - UInt64(bucket.nanoseconds).leadingZeroBitCount) - Self.arrivalBinBits))
        if scratch.count < n { scratch.append(contentsOf: repeatElement(Copy(arrival: 0, to: 0, flight: 0), count: n - scratch.count)) }
        bins.withUnsafeMutableBufferPointer { bins in
        counts.withUnsafeMutableBufferPointer { counts in
        scratch.withUnsafeMutableBufferPointer { tmp in
        items.withUnsafeMutableBufferPointer { dst in
            // By arrival bin: dst → tmp.
            for i in bins.indices { bins[i] = 0 }
            for it in dst { bins[Int(UInt64(it.arrival - bucketStart) >> shift) + 1] += 1 }
            for i in 1..<bins.count { bins[i] += bins[i - 1] }
            for it in dst {
                let b = Int(UInt64(it.arrival - bucketStart) >> shift)
                tmp[Int(bins[b])] = it
                bins[b] += 1
            }
            // By receiver, stable: tmp → dst.
            for i in counts.indices { counts[i] = 0 }
            for i in 0..<n { counts[Int(tmp[i].to) + 1] += 1 }
            for i in 1..<counts.count { counts[i] += counts[i - 1] }
            for i in 0..<n {
                let it = tmp[i]
                let c = Int(counts[Int(it.to)])
                dst[c] = it
                counts[Int(it.to)] = Int32(c + 1)
            }
            // Within a receiver, copies of one bin may be out of order.
            for i in 1..<n where dst[i].to == dst[i - 1].to && dst[i].arrival < dst[i - 1].arrival {
                let x = dst[i]
                var j = i - 1
                while j >= 0 && dst[j].to == x.to && dst[j].arrival > x.arrival { dst[j + 1] = dst[j]; j -= 1 }
                dst[j + 1] = x
            }
        }}}}
    }

    /// Hands a delivered bucket's buffer back for reuse.
    public mutating func recycle(_ items: inout [Item]) {
        if items.capacity > output.capacity { swap(&items, &output) }
        items = []
    }

    /// Whether `item` survives: not if its receiver crashed after it was sent.
    @inline(__always) public func survives(_ item: Item) -> Bool { item.epoch == epoch[Int(item.to)] }

    /// A node crashed: copies already on their way to it are lost.
    public mutating func crashed(_ node: UInt32) {
        epoch[Int(node)] &+= 1
        crashes &+= 1
        lastCrash[Int(node)] = crashes
    }

    /// Votes on their way (for tests and the bench: bounded by the votes of the ring's span).
    public var inFlight: Int { flights.count - freeFlights.count }

    /// The template of (variant, origin) as arrival offsets (µs) per node, for tests: the
    /// origin at 0, nodes outside the participants at `UInt32.max`.
    mutating func arrivalOffsets(_ variant: Int, _ origin: UInt32) -> [UInt32] {
        let row = template(variant, origin)
        var out = Array(repeating: UInt32.max, count: nodes)
        out[Int(origin)] = 0
        for i in 0..<Int(rowLength[row]) {
            let e = rows[row * stride + i]
            out[Int(UInt32(truncatingIfNeeded: e))] = UInt32(e >> 32)
        }
        return out
    }
}
