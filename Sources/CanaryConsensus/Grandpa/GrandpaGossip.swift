import CanaryEngine

/// How GRANDPA messages travel between the nodes of a run.
public enum GrandpaGossipMode: String, Sendable, CaseIterable {
    /// Substrate's polite gossip (`GrandpaGossip`): votes to a few lucky peers that relay them,
    /// commits to about sqrt(peers), neighbour packets, per-peer round windows.
    case polite
    /// Every vote and commit straight to every node (Canary before polite gossip; a point of
    /// comparison, and the model for small networks where the two coincide closely).
    case direct
    /// Polite gossip for commits, neighbour packets and catch-ups, but each vote's and
    /// proposal's spread over the lucky-peer relay graph computed once (`GrandpaFlood`): one
    /// arrival per node instead of one simulated copy per relay. For large networks
    /// (docs/grandpa.md, "Flood delivery").
    case flood
}

/// Parameters of polite gossip, after polkadot-sdk
/// `substrate/client/consensus/grandpa/src/communication/gossip.rs`.
public struct GrandpaGossipConfig: Sendable, Equatable {
    public var mode: GrandpaGossipMode = .polite
    /// `LUCKY_PEERS`: first-stage peers of round messages.
    public var luckyPeers = 4
    /// `ROUND_DURATION`: the nominal round, in gossip durations (2 prevote + 2 precommit + 1).
    public var roundDurationPeriods: Int64 = 5
    /// `PROPAGATION_SOME` (1.5 rounds) and `PROPAGATION_ALL` (3 rounds), in tenths of a round.
    public var propagationSomeTenths: Int64 = 15
    public var propagationAllTenths: Int64 = 30
    /// A neighbour packet on the wire: round 8 + set id 8 + commit number 4, plus framing.
    public var neighborSize = 32
    public init() {}
}

/// A neighbour packet: the sender's view (`NeighborPacket`), sent to every peer when its round,
/// set or highest observed commit changes, never relayed.
public struct GrandpaNeighborPacket: Sendable, Equatable {
    public var setId: UInt64
    public var round: UInt64
    public var commitHeight: UInt32
    public init(setId: UInt64, round: UInt64, commitHeight: UInt32) {
        self.setId = setId; self.round = round; self.commitHeight = commitHeight
    }
}

/// What the gossip layer decided about an incoming round message (vote or proposal).
public enum GrandpaGossipVerdict: Sendable, Equatable {
    /// New and within the node's round window: process it and relay it.
    case new
    /// Seen before (the gossip engine's known-messages cache): dropped before validation.
    case duplicate
    /// Outside the node's set or rounds `r-1 ... r+1` (`consider_vote`): dropped.
    case discarded
}

/// Polite GRANDPA gossip for every node of a run: the per-node gossip validator state
/// (local view, lucky and second-stage peers, known messages) and peers' views learnt from
/// their neighbour packets. A pure routing oracle: it decides who a message goes to and
/// whether an incoming one is new; the node stack (`BabeGrandpaModel`) does the sending.
///
/// Modelled after `gossip.rs`:
/// - Peers: every other node that runs the protocols and is reachable (validators connect to
///   each other; a crash or a partition disconnects peers).
/// - Local view per node: set id, round, round start, highest commit observed. Reshuffled
///   stage peers at every round start (`note_round` -> `reshuffle`): `luckyPeers` first-stage
///   peers, then `max(luckyPeers, sqrt(peers))` second-stage peers.
/// - Round messages (own or new relayed ones) go to first-stage peers during the first 1.5
///   nominal rounds since the node's round started, plus second-stage peers until 3 rounds,
///   then to every peer (`round_message_allowed`); only to peers whose view accepts the
///   round (same set, rounds `r-1 ... r+1`), never back to the sender.
/// - Commits go to first and second-stage peers until 3 rounds, then to all
///   (`global_message_allowed`), only to peers whose highest commit is lower; an incoming
///   commit not above the node's own highest is dropped unprocessed (`consider_global`).
/// - Incoming round messages outside the node's window are dropped; duplicates are dropped
///   before validation (the gossip engine's known-message cache).
///
/// Simplified (docs/grandpa.md, "Gossip"): `send_topic` on neighbour packets (re-sending held
/// messages a peer does not know) is not modelled — the voter's rebroadcast timer and
/// catch-ups stand for it; commits are relayed when accepted by the gossip validator, not
/// after the voter's full check (honest commits are always valid here).
public struct GrandpaGossip: Sendable {
    public let config: GrandpaGossipConfig
    /// Nodes of the run (validators); `participants` run the protocols, ascending.
    public let nodes: Int
    public let participants: [UInt32]
    let gossipDuration: SimTime

    // Local views.
    var viewSet: [UInt64]
    var viewRound: [UInt64]
    var roundStart: [SimTime]
    var commitHeight: [UInt32]
    // Stage peers per node (reshuffled at every round start).
    var firstStage: [[UInt32]]
    var secondStage: [[UInt32]]
    // Neighbour packets are applied as views, not delivered as events: each node's recent views
    // (`historyLength` of them, with the time each was announced), and a peer sees a node's view
    // one median one-way latency after it was announced (`delay`).
    static let historyLength = 8
    /// One announcement: when, and the view announced. The history of a node is
    /// `historyLength` consecutive entries (its newest first in the scan, usually one cache line).
    struct Announcement {
        var time: SimTime
        var set: UInt64
        var round: UInt64
        var commit: UInt32
    }
    var history: [Announcement]
    var histCount: [Int]
    var nodeRegion: [UInt16] = []
    /// Median latency from region `a` to `b` at `a * regions + b` (flat: one load per lookup).
    var regionDelay: [SimTime] = []
    var regions = 0
    /// A catch-up check is scheduled for the node (one at a time).
    var triggerPending: [Bool]
    // Peers' views as node `n` learnt them from explicit packets (colluders): `n * nodes + peer`.
    var peerSet: [UInt32]
    var peerRound: [UInt32]
    var peerCommit: [UInt32]
    /// Whether any explicit neighbour packet was ever imported (`importNeighbor`, colluders
    /// only): until then `peerSet`/`peerRound` hold nothing and round routing skips them.
    var explicitViews = false
    // Known round messages: a ring of `window` round slots per node; per slot and phase, the
    // first target seen of each voter and whether a second was seen.
    static let window = 4
    var slotTag: [UInt64]
    /// What node `n` knows of one voter's vote in one slot and phase: the first target seen
    /// (`BlockTree.none`: none), and the earliest scheduled arrival of a copy (first target)
    /// while none has arrived (a later copy of the same vote is a duplicate). One record, one
    /// cache line: a vote copy's send and arrival checks each touch one scattered place.
    struct KnownVote {
        var first: BlockId
        var pendingTarget: BlockId
        var pendingArrival: SimTime
        static let empty = KnownVote(first: BlockTree.none, pendingTarget: BlockTree.none, pendingArrival: .never)
    }
    var known: [KnownVote]
    /// Bit per (node, slot, phase, voter): a first vote of that voter is known (same layout as
    /// `seenSecond`). 1/128 of `known`'s size (1 MB at 1,000 nodes instead of 128 MB), so the
    /// known-message check of every gossip target (`knows`) stays in cache.
    var seenFirstBits: [UInt64]
    var seenSecond: [UInt64]
    /// Whether a voter may have cast two different votes in one phase (`exactKnown`): then a
    /// peer's first vote of a voter is compared with the message's target (`known`), else the
    /// bit alone says the peer holds the message. Set when any node marks a second distinct
    /// vote (an equivocating voter marks both of its own votes at once, `acceptRoundMessage(own:)`)
    /// and by the host when voters can send different votes to different nodes (colluders).
    public var exactKnown = false
    var seenPropose: [Bool]
    let voterWords: Int
    var rngs: [Xoshiro256StarStar]

    // Counters.
    public private(set) var roundCopies: UInt64 = 0
    public private(set) var commitCopies: UInt64 = 0
    public internal(set) var neighborPackets: UInt64 = 0
    public private(set) var duplicates: UInt64 = 0
    public private(set) var discarded: UInt64 = 0
    public private(set) var newRoundMessages: UInt64 = 0
    public private(set) var catchUpTriggers: UInt64 = 0

    public init(config: GrandpaGossipConfig, nodes: Int, participants: [UInt32], gossipDuration: SimTime, streams: RandomStreams) {
        self.config = config
        self.nodes = nodes
        self.participants = participants
        self.gossipDuration = gossipDuration
        viewSet = Array(repeating: 0, count: nodes)
        viewRound = Array(repeating: 1, count: nodes)
        roundStart = Array(repeating: .zero, count: nodes)
        commitHeight = Array(repeating: 0, count: nodes)
        firstStage = Array(repeating: [], count: nodes)
        secondStage = Array(repeating: [], count: nodes)
        history = Array(repeating: Announcement(time: .zero, set: 0, round: 1, commit: 0), count: nodes * Self.historyLength)
        histCount = Array(repeating: 0, count: nodes)
        triggerPending = Array(repeating: false, count: nodes)
        peerSet = Array(repeating: 0, count: nodes * nodes)
        peerRound = Array(repeating: 1, count: nodes * nodes)
        peerCommit = Array(repeating: 0, count: nodes * nodes)
        slotTag = Array(repeating: .max, count: nodes * Self.window)
        known = Array(repeating: .empty, count: nodes * Self.window * 2 * nodes)
        voterWords = (nodes + 63) / 64
        seenSecond = Array(repeating: 0, count: nodes * Self.window * 2 * ((nodes + 63) / 64))
        seenFirstBits = seenSecond
        seenPropose = Array(repeating: false, count: nodes * Self.window)
        rngs = (0..<nodes).map { streams.stream(.grandpaGossip, node: UInt32($0)) }
    }

    // MARK: Views

    /// The node's neighbour packet (its current view).
    public func neighborPacket(_ node: UInt32) -> GrandpaNeighborPacket {
        GrandpaNeighborPacket(setId: viewSet[Int(node)], round: viewRound[Int(node)], commitHeight: commitHeight[Int(node)])
    }

    /// Median one-way latency between the nodes' regions: how long a neighbour packet takes.
    public mutating func configureDelays(nodeRegion: [UInt16], latency: [[LatencyDistribution]]) {
        self.nodeRegion = nodeRegion
        regions = latency.count
        regionDelay = latency.flatMap { $0.map(\.median) }
    }

    @inline(__always) func delay(_ from: Int, _ to: Int) -> SimTime {
        regionDelay.isEmpty ? .zero : regionDelay[Int(nodeRegion[from]) * regions + Int(nodeRegion[to])]
    }

    /// The node announces its current view (its neighbour packet to every peer): recorded with
    /// the time, for peers to see one latency later.
    public mutating func publishView(_ node: UInt32, now: SimTime) {
        let n = Int(node)
        let i = n * Self.historyLength + histCount[n] % Self.historyLength
        history[i] = Announcement(time: now, set: viewSet[n], round: viewRound[n], commit: commitHeight[n])
        histCount[n] += 1
    }

    /// The view of `peer` as node `n` knows it at `now`: the peer's latest announcement that has
    /// had time to arrive (or the default view, round 1 of set 0), or a more advanced one from an
    /// explicit packet. `commits: false` skips the highest commit (round routing does not use
    /// it, and it is the one explicit field every node has: commits set it).
    @inline(__always) func visibleView(_ n: Int, _ peer: UInt32, now: SimTime, commits: Bool = true) -> (set: UInt64, round: UInt64, commit: UInt32) {
        let p = Int(peer)
        var v: (set: UInt64, round: UInt64, commit: UInt32) = (0, 1, 0)
        let c = histCount[p]
        if c > 0 {
            let d = delay(p, n)
            let lowest = Swift.max(0, c - Self.historyLength)
            var j = c - 1
            while j >= lowest {
                let a = history[p * Self.historyLength + j % Self.historyLength]
                if a.time + d <= now { v = (a.set, a.round, a.commit); break }
                j -= 1
            }
            if j < lowest && lowest > 0 {
                let a = history[p * Self.historyLength + lowest % Self.historyLength]
                v = (a.set, a.round, a.commit)
            }
        }
        let e = n * nodes + p
        if explicitViews {
            let es = UInt64(peerSet[e]), er = UInt64(peerRound[e])
            if es > v.set || (es == v.set && er > v.round) { v.set = es; v.round = er }
        }
        if commits { v.commit = Swift.max(v.commit, peerCommit[e]) }
        return v
    }

    /// After `node` announced its view: the reachable peers in its set that are `threshold` or
    /// more rounds behind it and have no catch-up check pending; each gets one, one latency later
    /// (a neighbour packet from a peer that far ahead makes a node request a catch-up).
    public mutating func laggingPeers(of node: UInt32, threshold: UInt64, reachable: (UInt32) -> Bool) -> [(peer: UInt32, at: SimTime)] {
        let u = Int(node)
        var out: [(peer: UInt32, at: SimTime)] = []
        let i = u * Self.historyLength + (histCount[u] - 1) % Self.historyLength
        for p in participants where p != node && !triggerPending[Int(p)] {
            let pi = Int(p)
            guard viewSet[pi] == viewSet[u], viewRound[pi] + threshold <= viewRound[u], reachable(p) else { continue }
            triggerPending[pi] = true
            out.append((p, history[i].time + delay(u, pi)))
        }
        return out
    }

    /// The catch-up check scheduled for `node` (see `laggingPeers`) is due: true when `peer`'s
    /// view, as `node` sees it now, is `threshold` or more rounds ahead in the same set.
    public mutating func catchUpDue(_ node: UInt32, peer: UInt32, threshold: UInt64, now: SimTime) -> Bool {
        let n = Int(node)
        triggerPending[n] = false
        let v = visibleView(n, peer, now: now)
        guard v.set == viewSet[n], v.round >= viewRound[n] + threshold else { return false }
        catchUpTriggers += 1
        return true
    }

    /// A node (re)connecting learns its peers' views from their neighbour packets: the most
    /// advanced reachable peer `threshold` or more rounds ahead, if any (it asks that one).
    public func peerAhead(of node: UInt32, threshold: UInt64, reachable: (UInt32) -> Bool) -> UInt32? {
        let n = Int(node)
        var best: UInt32? = nil
        for p in participants where p != node && reachable(p) {
            let pi = Int(p)
            guard viewSet[pi] == viewSet[n], viewRound[pi] >= viewRound[n] + threshold else { continue }
            if best == nil || viewRound[pi] > viewRound[Int(best!)] { best = p }
        }
        return best
    }

    /// `note_set` / `note_round`: the node's voter is at (`setId`, `round`). Returns true when
    /// the view changed (the node then sends its neighbour packet to every peer): a new round
    /// restarts the propagation stages and reshuffles the stage peers.
    /// `connected` says which peers the node is connected to now (reachable: up, same side of
    /// any partition): stage peers are drawn among them.
    public mutating func noteRound(_ node: UInt32, setId: UInt64, round: UInt64, now: SimTime,
                                   connected: (UInt32) -> Bool = { _ in true }) -> Bool {
        let n = Int(node)
        guard setId != viewSet[n] || round != viewRound[n] || firstStage[n].isEmpty else { return false }
        viewSet[n] = setId
        viewRound[n] = round
        roundStart[n] = now
        reshuffle(node, connected: connected)
        return true
    }

    /// `new_peer`: a peer that (re)connects to `node` fills its first stage, or else its second,
    /// while they hold fewer than `luckyPeers` peers.
    public mutating func connect(_ node: UInt32, peer: UInt32) {
        let n = Int(node)
        guard peer != node, !firstStage[n].contains(peer), !secondStage[n].contains(peer) else { return }
        if firstStage[n].count < config.luckyPeers { firstStage[n].append(peer) }
        else if secondStage[n].count < config.luckyPeers { secondStage[n].append(peer) }
    }

    /// `peer_disconnected`: peers `node` can no longer reach leave its stages (no reshuffle
    /// until its next round, as Substrate does).
    public mutating func dropDisconnected(_ node: UInt32, connected: (UInt32) -> Bool) {
        let n = Int(node)
        firstStage[n].removeAll { !connected($0) }
        secondStage[n].removeAll { !connected($0) }
    }

    /// `note_commit_finalized`: the node observed (or sent) a commit finalizing `number`.
    /// Returns true when that raised its view (send the neighbour packet).
    public mutating func noteCommit(_ node: UInt32, number: UInt32) -> Bool {
        guard number > commitHeight[Int(node)] else { return false }
        commitHeight[Int(node)] = number
        return true
    }

    /// A neighbour packet from `peer` at `node`: updates the peer's view (a view that moves
    /// backwards is ignored, as `update_peer_state` rejects it). Returns true when the peer is
    /// `threshold` or more rounds ahead in the same set (`CATCH_UP_THRESHOLD`): the node asks it
    /// for a catch-up.
    public mutating func importNeighbor(_ packet: GrandpaNeighborPacket, from peer: UInt32, at node: UInt32, catchUpThreshold: UInt64) -> Bool {
        let i = Int(node) * nodes + Int(peer)
        explicitViews = true
        let set = UInt64(peerSet[i]), round = UInt64(peerRound[i])
        if packet.setId < set || (packet.setId == set && packet.round < round) { return false }
        peerSet[i] = UInt32(truncatingIfNeeded: packet.setId)
        peerRound[i] = UInt32(truncatingIfNeeded: packet.round)
        peerCommit[i] = Swift.max(peerCommit[i], packet.commitHeight)
        let n = Int(node)
        if packet.setId == viewSet[n] && packet.round >= viewRound[n] + catchUpThreshold {
            catchUpTriggers += 1
            return true
        }
        return false
    }

    /// Draws the stage peers of `node` (`Peers::reshuffle`, all peers authorities): the first
    /// `luckyPeers` of a shuffle of the other participants, then `max(luckyPeers, sqrt(peers))`.
    mutating func reshuffle(_ node: UInt32, connected: (UInt32) -> Bool) {
        let n = Int(node)
        // Partial Fisher-Yates over the connected peers.
        var pool = participants.filter { $0 != node && connected($0) }
        let peerCount = pool.count
        let second = Swift.max(config.luckyPeers, Int(Double(peerCount).squareRoot()))
        let want = Swift.min(config.luckyPeers + second, peerCount)
        for i in 0..<want {
            let j = i + Int(rngs[n].nextBelow(UInt64(pool.count - i)))
            pool.swapAt(i, j)
        }
        let lucky = Swift.min(config.luckyPeers, want)
        firstStage[n] = Array(pool[0..<lucky])
        secondStage[n] = Array(pool[lucky..<want])
    }

    // MARK: Round messages

    /// Propagation stage of `node` now: 0 first-stage peers only, 1 plus second stage, 2 all.
    @inline(__always) func stage(_ n: Int, now: SimTime) -> Int {
        let elapsed = (now - roundStart[n]).nanoseconds
        let round = gossipDuration.nanoseconds * config.roundDurationPeriods
        if elapsed * 10 < round * config.propagationSomeTenths { return 0 }
        if elapsed * 10 < round * config.propagationAllTenths { return 1 }
        return 2
    }

    /// Whether `node`'s view of `peer` accepts a round message of (`setId`, `round`).
    @inline(__always) func peerAccepts(_ n: Int, _ peer: UInt32, setId: UInt64, round: UInt64, now: SimTime) -> Bool {
        let v = visibleView(n, peer, now: now, commits: false)
        guard v.set == setId else { return false }
        return round + 1 >= v.round && round <= v.round + 1
    }

    /// The peers `node` sends a round message of (`setId`, `round`) to now, except `except`.
    /// With `message`, peers that already know it are marked with `Network.knownBit` (the copy
    /// is sent but needs no delivery: the peer would drop it as a duplicate) and counted as
    /// duplicates.
    public mutating func roundTargets(_ node: UInt32, setId: UInt64, round: UInt64, now: SimTime,
                                      except: UInt32 = .max, message: GrandpaMessage? = nil, into targets: inout [UInt32]) {
        targets.removeAll(keepingCapacity: true)
        let n = Int(node)
        let s = stage(n, now: now)
        @inline(__always) func add(_ p: UInt32, _ targets: inout [UInt32]) {
            targets.append(message.map { mark(p, $0) } ?? p)
        }
        if s == 2 {
            for p in participants where p != node && p != except && peerAccepts(n, p, setId: setId, round: round, now: now) { add(p, &targets) }
        } else {
            for p in firstStage[n] where p != except && peerAccepts(n, p, setId: setId, round: round, now: now) { add(p, &targets) }
            if s == 1 {
                for p in secondStage[n] where p != except && peerAccepts(n, p, setId: setId, round: round, now: now) { add(p, &targets) }
            }
        }
        roundCopies &+= UInt64(targets.count)
    }

    /// Whether a copy of vote `v` arriving at `peer` at `arrival` must be delivered: false when
    /// an earlier copy of the same vote is already on its way there (the later one would be
    /// dropped as a duplicate); counted as a duplicate then. Tracks only rounds in the peer's
    /// current window (opening its slot for the round if needed: older rounds in that slot are
    /// outside the window). Exact under crashes (`clearPending` on a crash) and losses (decided
    /// at send); at the moment a partition starts, a copy in flight across it may hide a later
    /// copy from the same side (`clearPending` for every node on reachability changes bounds it).
    public mutating func firstArrival(_ peer: UInt32, _ v: GrandpaVoteMessage, at arrival: SimTime) -> Bool {
        let p = Int(peer)
        guard Int(v.voter) < nodes, v.setId == viewSet[p], v.round + 1 >= viewRound[p], v.round <= viewRound[p] + 1 else { return true }
        let s = slot(p, setId: v.setId, round: v.round)
        let i = (s * 2 + (v.phase == .prevote ? 0 : 1)) * nodes + Int(v.voter)
        let k = known[i]
        if k.first == v.target.block { duplicates &+= 1; return false }
        guard k.first == BlockTree.none else { return true }
        if k.pendingTarget == BlockTree.none || arrival < k.pendingArrival {
            if k.pendingTarget == BlockTree.none || k.pendingTarget == v.target.block {
                known[i].pendingArrival = arrival
                known[i].pendingTarget = v.target.block
            }
            return true
        }
        guard k.pendingTarget == v.target.block else { return true }
        duplicates &+= 1
        return false
    }

    /// Forgets the scheduled arrivals at `node` (it crashed: copies in flight to it are dropped).
    public mutating func clearPending(_ node: UInt32) {
        let base = Int(node) * Self.window * 2 * nodes
        for i in base..<(base + Self.window * 2 * nodes) { known[i].pendingArrival = .never; known[i].pendingTarget = BlockTree.none }
    }

    /// Whether `peer` already holds round message `m` (it would drop a copy arriving later as a
    /// duplicate). Only the first vote of a voter is checked; a second one is never assumed known.
    @inline(__always) func knows(_ peer: Int, _ m: GrandpaMessage) -> Bool {
        switch m {
        case .vote(let v):
            guard Int(v.voter) < nodes else { return false }
            let s = peer * Self.window + Int(v.round % UInt64(Self.window))
            guard slotTag[s] == v.setId << 40 | v.round else { return false }
            let phase = v.phase == .prevote ? 0 : 1
            guard seenFirstBits[(s * 2 + phase) * voterWords + Int(v.voter) / 64] & (UInt64(1) << UInt64(v.voter % 64)) != 0 else { return false }
            return !exactKnown || known[(s * 2 + phase) * nodes + Int(v.voter)].first == v.target.block
        case .propose(let setId, let round, _, _):
            let s = peer * Self.window + Int(round % UInt64(Self.window))
            return slotTag[s] == setId << 40 | round && seenPropose[s]
        default:
            return false
        }
    }

    /// The peers `node` sends a commit finalizing `number` of set `setId` to now, except `except`.
    public mutating func commitTargets(_ node: UInt32, setId: UInt64, number: UInt32, now: SimTime,
                                       except: UInt32 = .max, into targets: inout [UInt32]) {
        targets.removeAll(keepingCapacity: true)
        let n = Int(node)
        @inline(__always) func wants(_ p: UInt32) -> Bool {
            guard p != except else { return false }
            let v = visibleView(n, p, now: now)
            return v.set == setId && v.commit < number
        }
        if stage(n, now: now) == 2 {
            for p in participants where p != node && wants(p) { targets.append(p) }
        } else {
            for p in firstStage[n] where wants(p) { targets.append(p) }
            for p in secondStage[n] where wants(p) { targets.append(p) }
        }
        commitCopies &+= UInt64(targets.count)
    }

    /// The slot of (`setId`, `round`) in `node`'s known-message ring, cleared if it held an
    /// older round.
    @inline(__always) mutating func slot(_ n: Int, setId: UInt64, round: UInt64) -> Int {
        let tag = setId << 40 | round
        let s = n * Self.window + Int(round % UInt64(Self.window))
        if slotTag[s] != tag {
            slotTag[s] = tag
            let base = s * 2 * nodes
            for i in base..<(base + 2 * nodes) { known[i] = .empty }
            let wbase = s * 2 * voterWords
            for i in wbase..<(wbase + 2 * voterWords) { seenSecond[i] = 0; seenFirstBits[i] = 0 }
            seenPropose[s] = false
        }
        return s
    }

    /// Marks a vote as known to `node` and says whether it was new. A voter's second, different
    /// vote (an equivocation) is a new message; a third is not kept (votes after the second
    /// are ignored by the round as well).
    @inline(__always) mutating func markVote(_ n: Int, _ v: GrandpaVoteMessage) -> Bool {
        guard Int(v.voter) < nodes else { return false }
        let s = slot(n, setId: v.setId, round: v.round)
        let phase = v.phase == .prevote ? 0 : 1
        let i = (s * 2 + phase) * nodes + Int(v.voter)
        let w = (s * 2 + phase) * voterWords + Int(v.voter) / 64
        let bit = UInt64(1) << UInt64(v.voter % 64)
        let first = known[i].first
        if first == BlockTree.none { known[i].first = v.target.block; seenFirstBits[w] |= bit; return true }
        if first == v.target.block { return false }
        exactKnown = true   // a second distinct vote of a voter exists
        if seenSecond[w] & bit != 0 { return false }
        seenSecond[w] |= bit
        return true
    }

    /// An incoming (or own) round message at `node`: is it within the node's window and new?
    public mutating func acceptRoundMessage(_ m: GrandpaMessage, at node: UInt32, own: Bool = false) -> GrandpaGossipVerdict {
        let n = Int(node)
        let setId: UInt64, round: UInt64
        switch m {
        case .vote(let v): setId = v.setId; round = v.round
        case .propose(let s, let r, _, _): setId = s; round = r
        default: return .new
        }
        if !own {
            let r = viewRound[n]
            guard setId == viewSet[n], round + 1 >= r, round <= r + 1 else { discarded &+= 1; return .discarded }
        }
        let isNew: Bool
        switch m {
        case .vote(let v):
            isNew = markVote(n, v)
        case .propose:
            let s = slot(n, setId: setId, round: round)
            isNew = !seenPropose[s]
            seenPropose[s] = true
        default: isNew = true
        }
        if !isNew { if !own { duplicates &+= 1 }; return .duplicate }
        if !own { newRoundMessages &+= 1 }
        return .new
    }

    /// An incoming commit at `node` from `peer` (`validate_commit_message`): the peer now has it;
    /// accepted when of the node's set and above its highest observed commit.
    public mutating func acceptCommit(_ c: GrandpaCommit, from peer: UInt32, at node: UInt32) -> Bool {
        let n = Int(node)
        let i = n * nodes + Int(peer)
        peerCommit[i] = Swift.max(peerCommit[i], c.target.number)
        guard c.setId == viewSet[n], c.target.number > commitHeight[n] else { discarded &+= 1; return false }
        return true
    }

    /// When `node`'s propagation next widens (to the second stage, then to every peer), if its
    /// round is still running then: the gossip engine's periodic rebroadcast then sends the
    /// kept messages to the newly allowed peers that lack them.
    public func stageChangeTimes(_ node: UInt32) -> [SimTime] {
        let round = gossipDuration.nanoseconds * config.roundDurationPeriods
        return [config.propagationSomeTenths, config.propagationAllTenths].map {
            roundStart[Int(node)] + SimTime(nanoseconds: round * $0 / 10)
        }
    }

    /// The peers that the propagation stage reached at `now` adds for `node` (second stage, or
    /// the peers outside both stages), among those whose view accepts (`setId`, `round`).
    public func widenedPeers(_ node: UInt32, setId: UInt64, round: UInt64, now: SimTime) -> [UInt32] {
        let n = Int(node)
        switch stage(n, now: now) {
        case 1:
            return secondStage[n].filter { peerAccepts(n, $0, setId: setId, round: round, now: now) }
        case 2:
            return participants.filter { p in
                p != node && !firstStage[n].contains(p) && !secondStage[n].contains(p) && peerAccepts(n, p, setId: setId, round: round, now: now)
            }
        default:
            return []
        }
    }

    /// The first vote of each voter `node` knows in (`setId`, `round`), by phase and voter.
    public func knownVotes(_ node: UInt32, setId: UInt64, round: UInt64, number: (BlockId) -> UInt32) -> [GrandpaVoteMessage] {
        let s = Int(node) * Self.window + Int(round % UInt64(Self.window))
        guard slotTag[s] == setId << 40 | round else { return [] }
        var out: [GrandpaVoteMessage] = []
        for (phaseIndex, phase) in [GrandpaPhase.prevote, .precommit].enumerated() {
            let base = (s * 2 + phaseIndex) * nodes
            for v in 0..<nodes where known[base + v].first != BlockTree.none {
                let b = known[base + v].first
                out.append(GrandpaVoteMessage(setId: setId, round: round, phase: phase, voter: UInt32(v), target: GrandpaTarget(b, number(b))))
            }
        }
        return out
    }

    /// Marks `peer` as a known holder of `m` when it does (`Network.knownBit`), counting it.
    public mutating func mark(_ peer: UInt32, _ m: GrandpaMessage) -> UInt32 {
        guard knows(Int(peer), m) else { return peer }
        duplicates &+= 1
        return peer | Network<Never>.knownBit
    }

    mutating func countRoundCopies(_ k: Int) { roundCopies &+= UInt64(k) }

    /// Stage peers of `node` (tests and diagnostics).
    public func stagePeers(_ node: UInt32) -> (first: [UInt32], second: [UInt32]) {
        (firstStage[Int(node)], secondStage[Int(node)])
    }
}
