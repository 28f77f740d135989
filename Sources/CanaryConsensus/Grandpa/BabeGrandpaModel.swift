import CanaryEngine

/// Configuration of a BABE + GRANDPA run.
public struct BabeGrandpaConfig: Sendable, Equatable {
    public var babe: BabeConfig = .kusama
    public var grandpa: GrandpaConfig = .kusama
    /// Byzantine GRANDPA behaviour per node (others are honest).
    public var withhold: [UInt32] = []
    public var equivocate: [UInt32] = []
    public var minorityFork: [UInt32] = []
    /// Colluding voters (`GrandpaRole.collude`): across a partition they vote for each side's
    /// fork separately. They are also silent BABE nodes (`BabeConfig.silent`).
    public var collude: [UInt32] = []
    /// Authority set changes, in signal order.
    public var setChanges: [GrandpaSetChange] = []
    /// Nodes of the genesis voter set (nil: every validator, BABE-offline ones included).
    public var genesisVoters: [UInt32]? = nil
    /// Interval of the finality-lag samples (blocks behind best, per honest up node).
    public var lagSampleInterval: SimTime = .seconds(1)
    /// Interval of the `grandpa_finalized_height` table samples.
    public var heightSampleInterval: SimTime = .seconds(60)
    /// How GRANDPA messages travel (polite gossip by default).
    public var gossip = GrandpaGossipConfig()
    /// Arrival bucket of GRANDPA vote batches (`consensus.grandpa_batch`): vote and proposal
    /// copies reaching one node within one bucket are imported together at the bucket's end,
    /// the round's GHOST, estimate and completability recomputed once per batch (`receiveBatch`).
    /// `.zero`: one event and one GHOST search per copy. 1 ms delays a vote by 0.5 ms on average,
    /// against one-way latencies of tens to hundreds of milliseconds.
    public var voteBatch: SimTime = .ms(1)
    public init() {}
}

/// A message on the wire of a relay-chain node: one of its sub-protocols' messages.
public enum RelayMessage: Sendable, BabeWire {
    case babe(BabeMessage)
    case grandpa(GrandpaMessage)
    /// The justification of `block`, which enacted authority set `setId` (the sync protocol's
    /// justification for set-change blocks): how nodes that missed the last commit of the old
    /// set, or were not voters in it, learn the change and follow the new set.
    case justification(block: BlockId, setId: UInt64)
    /// A parachain sub-protocol message (`ParaSlot`), handled by the parachain layer.
    case para(ParaMessage)
    /// A GRANDPA neighbour packet (polite gossip): the sender's set, round and highest commit.
    case neighbor(GrandpaNeighborPacket)
}

/// The relay-chain node stack: every validator runs BABE and GRANDPA as sub-protocols of one
/// node, in one `Simulation` (one event queue, one `Network`, one upload link per node for
/// blocks, votes and everything else).
///
/// - The composer (`layout`) gives each sub-protocol its event kinds and message classes.
/// - BABE tells GRANDPA about imports (`BabeModel.importLog`, drained after every BABE event):
///   GRANDPA messages that reference blocks a node has not imported wait until it has (as
///   Substrate's until-imported queue does), and a finality target waits for its import.
/// - GRANDPA tells BABE about finality (`BabeModel.finalize`): fork choice is restricted to
///   descendants of the node's finalized block, and post-states below finality are pruned.
///
/// Every validator is a voter (weight 1) unless `genesisVoters` says otherwise.
public struct BabeGrandpaModel: SimulationModel {
    public typealias Message = RelayMessage

    /// Event kinds and message classes of the sub-protocols, allocated in a fixed order.
    public struct Layout: Sendable {
        public let babe: ProtocolSlot
        public let grandpa: ProtocolSlot
        /// The parachain sub-protocols' slot (unused when no parachain layer runs).
        public let para: ProtocolSlot
        public let messageClasses: [String]
        static let make: Layout = {
            var c = ProtocolComposer()
            let babe = c.allocate(kinds: BabeModel.eventKindCount, classes: BabeModel.messageClasses)
            let grandpa = c.allocate(kinds: BabeGrandpaModel.grandpaKindCount, classes: GrandpaVoter.messageClasses)
            let para = c.allocate(kinds: ParaSlot.eventKindCount, classes: ParaSlot.messageClasses)
            return Layout(babe: babe, grandpa: grandpa, para: para, messageClasses: c.messageClasses)
        }()
    }
    public static let layout = Layout.make
    public static let messageClasses = layout.messageClasses
    /// GRANDPA's kinds: voter timers (+0..<8), lag, height and end ticks (+8, +9, +10), the
    /// until-imported check (+11), and the colluders' per-side voter timers (+16 + side * 4 +
    /// timer kind).
    static let grandpaKindCount = 16 + maxSides * 4
    static let timerBase = layout.grandpa.firstKind
    static let lagTick = layout.grandpa.kind(8)
    static let heightTick = layout.grandpa.kind(9)
    static let endTick = layout.grandpa.kind(10)
    static let untilImportedCheck = layout.grandpa.kind(11)
    /// Polite gossip: a node's propagation stage widens (payload: set and round).
    static let stageTick = layout.grandpa.kind(12)
    /// Polite gossip: a neighbour packet from a peer far ahead reaches the node (payload: the peer).
    static let neighborTick = layout.grandpa.kind(13)
    /// Flood delivery: an arrival bucket ends (payload: its ring index; node: global).
    static let floodTick = layout.grandpa.kind(14)
    static let shadowTimerBase = layout.grandpa.firstKind + 16
    static let maxSides = 64
    static let grandpaClass = layout.grandpa.firstClass
    static let neighborClass = layout.grandpa.firstClass + 3

    public let config: BabeGrandpaConfig
    public let validators: Int
    public let endTime: SimTime
    /// BABE block production of every node (the block tree and every node's view of it).
    public internal(set) var babe: BabeModel
    public private(set) var voters: [GrandpaVoter]
    public let roles: [GrandpaRole]
    /// Nodes that run the protocols (not BABE-offline), ascending.
    let participants: [UInt32]
    /// A finality target waiting for the node to import it.
    var pendingFinal: [BlockId]
    /// GRANDPA messages waiting for a block to be imported, per node (Substrate's
    /// until-imported queue): (sender, message, the missing block it waits for).
    var waiting: [[(from: UInt32, message: GrandpaMessage, block: BlockId)]]
    /// The until-imported queue's requests for blocks it keeps waiting on.
    var fetch: UntilImportedFetch
    /// Next set change index per node.
    var nextChange: [Int]
    var out: [GrandpaOutput] = []
    /// Parachain layer hooks: GRANDPA's vote target capped at approved blocks (nil: no cap),
    /// and a copy of the import log for the layer (when `tapImports`).
    public var approvalCap: ApprovalCap? = nil
    public var tapImports = false
    public var tappedImports: [(node: UInt32, block: BlockId)] = []
    /// Polite gossip state of every node (empty in `direct` mode).
    public private(set) var gossip: GrandpaGossip
    var polite: Bool { config.gossip.mode != .direct }
    /// Votes and proposals travel by `GrandpaFlood` (`gossip: flood`), the rest by polite gossip.
    var flooding: Bool { config.gossip.mode == .flood }
    /// Flood delivery state (`gossip: flood`; built at start, when the network is known).
    public private(set) var flood: GrandpaFlood? = nil
    /// Scratch: the arrival buckets a flood send or delivery woke.
    var floodWakes: [(SimTime, Int)] = []
    /// Scratch buffer of gossip targets.
    var targets: [UInt32] = []
    /// Scratch buffers of a run of flooded votes (`deliverFlood`).
    var runVoters: [Int] = []
    var runFrom: [UInt32] = []

    // Colluders (`config.collude`). The honest voters are grouped into partition sides (who can
    // reach whom, recomputed when reachability changes); every colluder runs one voter instance
    // per side (`shadows[n][side]`), fed only that side's messages and sending only to that side
    // (and to the other colluders' instance for the same side, over `.colluding`). An instance's
    // chain view is that of its side's first member: colluders reach every side and see each
    // side's chain as the side does.
    /// Colluder nodes, ascending.
    public private(set) var colluders: [UInt32] = []
    /// Voter instances per colluder (empty for other nodes), one per side.
    var shadows: [[GrandpaVoter]]
    /// Honest voter nodes per side, ascending; side 0 holds everyone before any partition.
    public private(set) var sides: [[UInt32]] = []
    /// Side index per node (-1: colluder, not a voter, or down when the sides were formed).
    var sideOf: [Int]
    /// The neighbour packet each colluder last showed each side (polite gossip).
    var shadowViews: [[GrandpaNeighborPacket?]]

    // Results.
    public internal(set) var records = GrandpaRecords()

    public init(config: BabeGrandpaConfig, validators: Int, seed: UInt64, endTime: SimTime, runtime: (any BlockRuntime)? = nil) {
        self.config = config
        self.validators = validators
        self.endTime = endTime
        var babeConfig = config.babe
        babeConfig.silent += config.collude.filter { !babeConfig.silent.contains($0) }
        babe = BabeModel(config: babeConfig, validators: validators, seed: seed)
        babe.wireSlot = Self.layout.babe
        babe.reportImports = true
        babe.runtime = runtime
        let babeRoles = babe.roles
        participants = (0..<validators).filter { babeRoles[$0] != .offline }.map { UInt32($0) }
        var roles = Array(repeating: GrandpaRole.honest, count: validators)
        for v in config.withhold where Int(v) < validators { roles[Int(v)] = .withhold }
        for v in config.equivocate where Int(v) < validators { roles[Int(v)] = .equivocate }
        for v in config.minorityFork where Int(v) < validators { roles[Int(v)] = .minorityFork }
        for v in config.collude where Int(v) < validators { roles[Int(v)] = .collude }
        self.roles = roles
        colluders = (0..<validators).filter { roles[$0] == .collude }.map { UInt32($0) }
        // Genesis voters: the runtime's genesis authorities (the first election's winners), else
        // the scenario's list, else every validator.
        let genesisTree = babe.tree
        let genesisSet = runtime.flatMap { $0.decidesAuthorities ? $0.authorities(epoch: 0, parent: BlockTree.genesis, in: genesisTree) : nil }
        let set = GrandpaVoterSet(nodes: genesisSet ?? config.genesisVoters ?? (0..<validators).map { UInt32($0) })
        let streams = RandomStreams(seed: seed)
        let voters = (0..<validators).map {
            GrandpaVoter(node: UInt32($0), config: config.grandpa, voters: set, base: GrandpaTarget(BlockTree.genesis, 0),
                         role: roles[$0], streams: streams)
        }
        self.voters = voters
        shadows = (0..<validators).map { roles[$0] == .collude ? [voters[$0]] : [] }
        sideOf = Array(repeating: -1, count: validators)
        shadowViews = Array(repeating: [], count: validators)
        pendingFinal = Array(repeating: BlockTree.none, count: validators)
        waiting = Array(repeating: [], count: validators)
        fetch = UntilImportedFetch(nodes: validators)
        nextChange = Array(repeating: 0, count: validators)
        gossip = GrandpaGossip(config: config.gossip, nodes: config.gossip.mode != .direct ? validators : 0,
                               participants: config.gossip.mode != .direct ? participants : [],
                               gossipDuration: config.grandpa.gossipDuration, streams: streams)
        // Colluders send each side a different vote without marking both anywhere.
        gossip.exactKnown = !colluders.isEmpty
        records.nodeCount = validators
        records.roundsCompleted = Array(repeating: 0, count: validators)
    }

    /// Convenience: validators placed round-robin over the network's regions.
    public static func simulation(config: BabeGrandpaConfig, validators: Int, network: NetworkConfig = .threeContinents,
                                  nodeRegion: [UInt16]? = nil, seed: UInt64, faults: [TimedFault] = [],
                                  duration: SimTime) -> Simulation<BabeGrandpaModel> {
        let regions = nodeRegion ?? (0..<validators).map { UInt16($0 % max(network.regions.count, 1)) }
        let model = BabeGrandpaModel(config: config, validators: validators, seed: seed, endTime: duration)
        return Simulation(model: model, network: network, nodeRegion: regions, seed: seed, faults: faults, endTime: duration)
    }

    public var tree: BlockTree { babe.tree }
    public var views: NodeViews { babe.views }
    /// GRANDPA-finalized block per node (the node's view: BABE's fork choice respects it).
    public var finalized: [BlockId] { babe.views.finalized }

    /// The runtime hooks of the parachain layer: offences (dispute slashes) and backers' points.
    public mutating func reportOffence(_ o: OffenceReport) { babe.runtime?.noteOffence(o) }
    public mutating func rewardBackers(_ block: BlockId, validators: [UInt32], points: UInt32) {
        babe.runtime?.rewardBackers(block, validators: validators, points: points)
    }

    /// A dispute concluded invalid: `bad` and its descendants are reverted (the `Revert` digest;
    /// chain selection marks them non-viable). Every node whose best block is on a reverted
    /// chain moves to its best viable block; reverted blocks are never imported again.
    public mutating func revert(_ bad: BlockId) {
        let t = babe.tree
        if babe.reverted.count < t.count { babe.reverted += Array(repeating: false, count: t.count - babe.reverted.count) }
        for i in Int(bad)..<t.count where !babe.reverted[i] && (i == Int(bad) || t.isAncestor(bad, of: BlockId(i))) {
            babe.reverted[i] = true
        }
        for n in 0..<validators where babe.reverted[Int(babe.views.best[n])] {
            var pick = babe.views.finalized[n]
            for i in 0..<t.count where !babe.reverted[i] && babe.views.hasImported(UInt32(n), BlockId(i))
                && t.isAncestor(pick, of: BlockId(i)) && t.isBetter(BlockId(i), than: pick) {
                pick = BlockId(i)
            }
            babe.moveBest(UInt32(n), to: pick)
        }
    }

    /// Extra body bytes of `node`'s next authored block (parachain inclusion data).
    public mutating func setExtraBlockBytes(node: Int, bytes: Int) {
        if babe.extraBlockBytes.count <= node { babe.extraBlockBytes += Array(repeating: 0, count: node + 1 - babe.extraBlockBytes.count) }
        babe.extraBlockBytes[node] = bytes
    }

    @inline(__always) func env(_ node: UInt32) -> BabeNodeEnvironment {
        BabeNodeEnvironment(tree: babe.tree, views: babe.views, node: node, finalized: babe.views.finalized[Int(node)], cap: approvalCap)
    }

    @inline(__always) func participates(_ n: Int) -> Bool { babe.roles[n] != .offline }

    // MARK: SimulationModel

    public mutating func start(_ ctx: inout SimContext<Message>) {
        ctx.network.setBatching(cls: Self.grandpaClass, bucket: config.voteBatch)
        if polite { gossip.configureDelays(nodeRegion: ctx.network.nodeRegion, latency: ctx.network.config.latency) }
        if flooding {
            precondition(colluders.isEmpty, "gossip: flood does not model colluders (rejected when the scenario is read)")
            let g = config.gossip
            flood = GrandpaFlood(nodes: validators, participants: participants, luckyPeers: g.luckyPeers, bucket: config.voteBatch,
                                 gossipDuration: config.grandpa.gossipDuration, roundDurationPeriods: g.roundDurationPeriods,
                                 propagationSomeTenths: g.propagationSomeTenths, voteSize: config.grandpa.sizes.vote,
                                 network: ctx.network.config, nodeRegion: ctx.network.nodeRegion, streams: ctx.streams)
        }
        babe.start(wire: &ctx)
        if !colluders.isEmpty { formSides(&ctx) }
        for n in 0..<validators where participates(n) {
            if roles[n] == .collude {
                for side in shadows[n].indices {
                    shadows[n][side].start(now: ctx.now, env: shadowEnv(side), out: &out)
                    applyShadow(UInt32(n), side, &ctx)
                }
                continue
            }
            voters[n].start(now: ctx.now, env: env(UInt32(n)), out: &out)
            apply(UInt32(n), &ctx)
        }
        ctx.schedule(at: config.lagSampleInterval, node: Event.global, kind: Self.lagTick)
        ctx.schedule(at: .zero, node: Event.global, kind: Self.heightTick)
        ctx.schedule(at: endTime, node: Event.global, kind: Self.endTick)
    }

    public mutating func timer(_ event: Event, _ ctx: inout SimContext<Message>) {
        if babe.timer(event, wire: &ctx) {
            drainImports(&ctx)
            return
        }
        switch event.kind {
        case Self.lagTick:
            sampleLag(ctx.now, ctx.network.isUp)
            writeFinishedRows()  // results: rows that can no longer change (GrandpaResults.swift)
            ctx.schedule(after: config.lagSampleInterval, node: Event.global, kind: Self.lagTick)
        case Self.heightTick:
            for n in 0..<validators where roles[n] == .honest && participates(n) && ctx.network.isUp[n] {
                records.noteHeight(at: ctx.now, node: UInt32(n), finalized: babe.tree.number[Int(babe.views.finalized[n])])
            }
            ctx.schedule(after: config.heightSampleInterval, node: Event.global, kind: Self.heightTick)
        case Self.endTick:
            break
        case Self.untilImportedCheck:
            checkAwaitedBlocks(event.node, &ctx)
        case Self.neighborTick:
            neighborArrived(event.node, from: UInt32(truncatingIfNeeded: event.payload), &ctx)
        case Self.floodTick:
            deliverFlood(index: Int(event.payload), &ctx)
        case Self.stageTick:
            let (s, r) = GrandpaTimerKind.decode(event.payload)
            rebroadcastToWidenedStage(event.node, setId: s, round: r, &ctx)
        default:
            if event.kind.rawValue >= Self.shadowTimerBase {
                let k = Int(event.kind.rawValue - Self.shadowTimerBase)
                let side = k / 4, n = Int(event.node)
                guard let kind = GrandpaTimerKind(rawValue: UInt16(k % 4)), side < shadows[n].count else { return }
                let (s, r) = GrandpaTimerKind.decode(event.payload)
                shadows[n][side].timer(kind, setId: s, round: r, now: ctx.now, env: shadowEnv(side), out: &out)
                applyShadow(event.node, side, &ctx)
                return
            }
            guard let kind = GrandpaTimerKind(eventKind: event.kind, base: Self.timerBase) else { return }
            let (s, r) = GrandpaTimerKind.decode(event.payload)
            let n = Int(event.node)
            checkSetChanges(event.node, &ctx)
            voters[n].timer(kind, setId: s, round: r, now: ctx.now, env: env(event.node), out: &out)
            apply(event.node, &ctx)
        }
    }

    public mutating func receive(_ message: Message, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) {
        switch message {
        case .babe(let m):
            babe.receive(m, from: from, at: node, wire: &ctx)
            drainImports(&ctx)
        case .grandpa(let m):
            receiveGrandpa(m, from: from, at: node, &ctx)
        case .para:
            break   // handled by the parachain layer wrapping the stack
        case .neighbor(let packet):
            let n = Int(node)
            guard polite, participates(n), roles[n] != .collude else { return }
            if gossip.importNeighbor(packet, from: from, at: node, catchUpThreshold: config.grandpa.catchUpThreshold) {
                voters[n].requestCatchUp(from: from, now: ctx.now, out: &out)
                apply(node, &ctx)
            }
        case .justification(let b, let setId):
            let n = Int(node)
            guard participates(n), roles[n] != .collude, voters[n].setId < setId else { return }
            if babe.views.hasImported(node, b) {
                applyFinality(node, b, ctx.now)
                checkSetChanges(node, &ctx)
            } else if pendingFinal[n] == BlockTree.none || babe.tree.number[Int(pendingFinal[n])] < babe.tree.number[Int(b)] {
                pendingFinal[n] = b
            }
        }
    }

    /// Vote (and proposal) copies that reached `node` in one arrival bucket (`config.voteBatch`),
    /// in arrival order: each goes through the gossip layer (duplicates dropped, new ones relayed)
    /// and the until-imported queue as a single copy would, votes are imported into their rounds,
    /// and the rounds' GHOST and the voting state machine run once for the batch
    /// (`GrandpaVoter.importBatchedVote`, `finishBatch`). One chain view serves the batch (no
    /// block is imported and no view changes while it is processed).
    public mutating func receiveBatch(_ batch: [(message: Message, from: UInt32)], at node: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        guard participates(n), roles[n] != .collude else {
            for (m, from) in batch { receive(m, from: from, at: node, &ctx) }
            return
        }
        records.voteBatches += 1
        checkSetChanges(node, &ctx)
        let chain = TreeAncestry(babe.tree)
        var pending = false
        for (m, from) in batch {
            guard case .grandpa(let g) = m, case .vote(let v) = g else {
                receive(m, from: from, at: node, &ctx)   // the voter refreshes the batch's rounds first
                continue
            }
            if polite && !relay(g, from: from, at: node, &ctx) { continue }
            if holdBack(g, from: from, at: node, &ctx) { continue }
            if voters[n].importBatchedVote(v, from: from, now: ctx.now, chain: chain, out: &out) { pending = true }
            if !out.isEmpty { apply(node, &ctx) }
        }
        if pending && voters[n].refreshBatch() { voters[n].poll(now: ctx.now, env: env(node), out: &out) }
        apply(node, &ctx)
    }

    mutating func receiveGrandpa(_ message: GrandpaMessage, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) {
        guard participates(Int(node)) else { return }
        if roles[Int(node)] == .collude {
            // A colluder's message goes to the instance of the side it came from.
            let n = Int(node)
            if case .colluding(let side, let m) = message {
                guard Int(side) < shadows[n].count else { return }
                shadows[n][Int(side)].receive(m, from: from, now: ctx.now, env: shadowEnv(Int(side)), out: &out)
                applyShadow(node, Int(side), &ctx)
            } else if roles[Int(from)] != .collude, sideOf[Int(from)] >= 0, sideOf[Int(from)] < shadows[n].count {
                let side = sideOf[Int(from)]
                shadows[n][side].receive(message, from: from, now: ctx.now, env: shadowEnv(side), out: &out)
                applyShadow(node, side, &ctx)
            }
            return
        }
        if case .colluding = message { return }
        if polite && !relay(message, from: from, at: node, &ctx) { return }
        processGrandpa(message, from: from, at: node, &ctx)
    }

    /// Polite gossip at `node` for an incoming message: drops duplicates and messages outside
    /// the node's window, relays new ones (not back to `from`). False: dropped.
    mutating func relay(_ message: GrandpaMessage, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) -> Bool {
        let silent = roles[Int(node)] == .withhold
        switch message {
        case .vote(let v):
            guard gossip.acceptRoundMessage(message, at: node) == .new else { return false }
            guard !silent else { return true }
            gossip.roundTargets(node, setId: v.setId, round: v.round, now: ctx.now, except: from, message: message, into: &targets)
            sendGossip(message, from: node, &ctx)
        case .propose(let s, let r, _, _):
            guard gossip.acceptRoundMessage(message, at: node) == .new else { return false }
            guard !silent else { return true }
            gossip.roundTargets(node, setId: s, round: r, now: ctx.now, except: from, message: message, into: &targets)
            sendGossip(message, from: node, &ctx)
        case .commit(let c):
            guard gossip.acceptCommit(c, from: from, at: node) else { return false }
            if gossip.noteCommit(node, number: c.target.number) { sendNeighbor(node, &ctx) }
            guard !silent else { return true }
            gossip.commitTargets(node, setId: c.setId, number: c.target.number, now: ctx.now, except: from, into: &targets)
            sendGossip(message, from: node, &ctx)
        case .catchUpRequest, .catchUp, .colluding:
            break
        }
        return true
    }

    /// Sends `message` from `node` to the gossip targets in `targets`.
    mutating func sendGossip(_ message: GrandpaMessage, from node: UInt32, _ ctx: inout SimContext<Message>) {
        guard !targets.isEmpty else { return }
        let size = config.grandpa.sizes.size(message)
        if case .vote(let v) = message {
            // A copy that would arrive after an earlier copy of the same vote is not scheduled.
            ctx.broadcast(.grandpa(message), size: size, cls: Self.grandpaClass + message.cls, from: node, to: targets,
                          deliverIf: { self.gossip.firstArrival($0, v, at: $1) })
        } else {
            ctx.broadcast(.grandpa(message), size: size, cls: Self.grandpaClass + message.cls, from: node, to: targets)
        }
    }

    /// `node` sends its neighbour packet to every peer. The packets are applied as views rather
    /// than delivered as events (n² of them per round would cost as much as the votes): each copy
    /// takes its turn on the upload link and is counted, and every peer sees the view one median
    /// latency later (`GrandpaGossip.visibleView`). Peers that far behind get a catch-up check
    /// when the packet would reach them.
    mutating func sendNeighbor(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        gossip.neighborPackets &+= UInt64(participants.count - 1)
        gossip.publishView(node, now: ctx.now)
        targets.removeAll(keepingCapacity: true)
        for p in participants { targets.append(p | Network<Never>.knownBit) }
        ctx.broadcast(.neighbor(gossip.neighborPacket(node)), size: config.gossip.neighborSize, cls: Self.neighborClass,
                      from: node, to: targets)
        let network = ctx.network
        let roles = self.roles
        for (p, at) in gossip.laggingPeers(of: node, threshold: config.grandpa.catchUpThreshold,
                                           reachable: { network.canReach(node, $0) && roles[Int($0)] != .collude }) {
            ctx.schedule(at: at, node: p, kind: Self.neighborTick, payload: UInt64(node))
        }
    }

    /// A catch-up check at `node`: the neighbour packet of `peer` (far ahead when it was sent)
    /// reached it; if `peer` is still 2 or more rounds ahead as `node` sees it, ask it.
    mutating func neighborArrived(_ node: UInt32, from peer: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        guard polite, participates(n), roles[n] != .collude else { return }
        guard ctx.network.isUp[n], ctx.network.canReach(node, peer) else {
            _ = gossip.catchUpDue(node, peer: peer, threshold: .max / 2, now: ctx.now)   // clears the pending flag
            return
        }
        if gossip.catchUpDue(node, peer: peer, threshold: config.grandpa.catchUpThreshold, now: ctx.now) {
            voters[n].requestCatchUp(from: peer, now: ctx.now, out: &out)
            apply(node, &ctx)
        }
    }

    /// A node that (re)connects gets its peers' neighbour packets: if one is 2 or more rounds
    /// ahead it will ask it for a catch-up when the packet arrives.
    mutating func checkPeersAhead(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        let network = ctx.network
        let roles = self.roles
        guard let p = gossip.peerAhead(of: node, threshold: config.grandpa.catchUpThreshold,
                                       reachable: { network.canReach(node, $0) && roles[Int($0)] != .collude }) else { return }
        ctx.schedule(at: ctx.now + gossip.delay(Int(p), Int(node)), node: node, kind: Self.neighborTick, payload: UInt64(p))
    }

    /// Keeps `node`'s gossip view at its voter's set and round (`note_set`, `note_round`).
    mutating func syncGossipView(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        guard polite, roles[n] != .collude, participates(n) else { return }
        let network = ctx.network
        if gossip.noteRound(node, setId: voters[n].setId, round: voters[n].currentRound, now: ctx.now,
                            connected: { network.canReach(node, $0) }) {
            sendNeighbor(node, &ctx)
            guard !flooding else { return }   // flooded votes reach every node at once: no stage rebroadcasts
            for t in gossip.stageChangeTimes(node) {
                ctx.schedule(at: t, node: node, kind: Self.stageTick,
                             payload: GrandpaTimerKind.payload(setId: voters[n].setId, round: voters[n].currentRound))
            }
        }
    }

    /// The gossip engine's periodic rebroadcast when `node`'s propagation widens while its round
    /// (`setId`, `round`) still runs: the votes it knows of that round and the one before go to
    /// the newly allowed peers (copies to peers that already hold them take bandwidth only).
    mutating func rebroadcastToWidenedStage(_ node: UInt32, setId: UInt64, round: UInt64, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        guard polite, participates(n), roles[n] != .collude, roles[n] != .withhold, ctx.network.isUp[n],
              voters[n].setId == setId, voters[n].currentRound == round else { return }
        let tree = babe.tree
        for r in [round - 1, round] where r >= 1 {
            let peers = gossip.widenedPeers(node, setId: setId, round: r, now: ctx.now)
            guard !peers.isEmpty else { continue }
            for v in gossip.knownVotes(node, setId: setId, round: r, number: { tree.number[Int($0)] }) {
                let m = GrandpaMessage.vote(v)
                targets.removeAll(keepingCapacity: true)
                for p in peers { targets.append(gossip.mark(p, m)) }
                gossip.countRoundCopies(targets.count)
                sendGossip(m, from: node, &ctx)
            }
        }
    }

    /// A GRANDPA message past the gossip layer: held back until its blocks are imported, then
    /// handed to the node's voter.
    mutating func processGrandpa(_ message: GrandpaMessage, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) {
        if holdBack(message, from: from, at: node, &ctx) { return }
        checkSetChanges(node, &ctx)
        voters[Int(node)].receive(message, from: from, now: ctx.now, env: env(node), out: &out)
        apply(node, &ctx)
    }

    /// Substrate's until-imported queue: a message referring to a block `node` has not imported
    /// waits for it (true: held back, and the block is requested if it stays missing).
    mutating func holdBack(_ message: GrandpaMessage, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) -> Bool {
        guard let missing = Self.missingBlock(message, at: node, babe.views, babe.tree) else { return false }
        waiting[Int(node)].append((from, message, missing))
        records.waitedForImport += 1
        if fetch.note(node: Int(node), block: missing, from: from, serves: babe.roles[Int(from)] != .silent, now: ctx.now) {
            ctx.schedule(after: UntilImportedFetch.checkInterval, node: node, kind: Self.untilImportedCheck)
        }
        return true
    }

    public mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        babe.restarted(node, wire: &ctx)
        drainImports(&ctx)
        guard participates(Int(node)) else { return }
        if roles[Int(node)] == .collude {
            for side in shadows[Int(node)].indices {
                shadows[Int(node)][side].restarted(now: ctx.now, env: shadowEnv(side), out: &out)
                applyShadow(node, side, &ctx)
            }
            return
        }
        voters[Int(node)].restarted(now: ctx.now, env: env(node), out: &out)
        apply(node, &ctx)
        if polite {
            // A restarted node reconnects: peers forget its view and exchange neighbour packets
            // with it (`new_peer`), which is how it learns it is behind and asks for a catch-up.
            // Copies sent to it while it was down were dropped: none is on its way any more.
            gossip.clearPending(node)
            let network = ctx.network
            gossip.reshuffle(node, connected: { network.canReach(node, $0) })
            for p in participants where network.canReach(p, node) { gossip.connect(p, peer: node) }
            sendNeighbor(node, &ctx)
            gossip.neighborPackets &+= UInt64(participants.count - 1)   // its peers' packets to it
            checkPeersAhead(node, &ctx)
        }
    }

    /// A crashed node loses the messages it was holding back for imports.
    public mutating func crashed(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        waiting[Int(node)].removeAll()
        fetch.clear(node: Int(node))
        pendingFinal[Int(node)] = BlockTree.none
        flood?.crashed(node)
        if polite {
            gossip.clearPending(node)
            // Its peers see the connection drop.
            for p in participants where p != node { gossip.dropDisconnected(p, connected: { $0 != node }) }
        }
    }

    /// A partition started or healed: BABE peers exchange status, and the colluders regroup
    /// the honest voters into sides.
    public mutating func reachabilityChanged(_ ctx: inout SimContext<Message>) {
        babe.reachabilityChanged(wire: &ctx)
        if polite {
            // Peers across a new partition disconnect; connections across a healed one are new
            // peers, which exchange neighbour packets.
            let network = ctx.network
            for p in participants {
                gossip.clearPending(p)
                gossip.dropDisconnected(p, connected: { network.canReach(p, $0) })
                for q in participants where network.canReach(p, q) { gossip.connect(p, peer: q) }
            }
            for p in participants where ctx.network.isUp[Int(p)] && roles[Int(p)] != .collude {
                sendNeighbor(p, &ctx)
                checkPeersAhead(p, &ctx)
            }
        }
        guard !colluders.isEmpty else { return }
        formSides(&ctx)
    }

    // MARK: BABE -> GRANDPA

    /// The highest-numbered block `message` refers to that `node` has not imported (nil: all
    /// imported). Votes wait for their target; commits and catch-ups for every voted block.
    /// (Static, on the parts it needs: calling a non-mutating method of the whole node stack
    /// from a mutating one copies the stack, every array of it retained and released.)
    static func missingBlock(_ message: GrandpaMessage, at node: UInt32, _ views: borrowing NodeViews,
                             _ tree: borrowing BlockTree) -> BlockId? {
        switch message {
        case .vote(let m): return missing(m.target.block, node, views, tree, nil)
        case .propose(_, _, _, let t): return missing(t.block, node, views, tree, nil)
        case .commit(let c):
            var m = missing(c.target.block, node, views, tree, nil)
            var last = c.target.block
            for p in c.precommits where p.block != last {   // precommits mostly repeat one block
                m = missing(p.block, node, views, tree, m)
                last = p.block
            }
            return m
        case .catchUp(let c):
            var m = missing(c.base.block, node, views, tree, nil)
            for p in c.prevotes { m = missing(p.block, node, views, tree, m) }
            for p in c.precommits { m = missing(p.block, node, views, tree, m) }
            return m
        case .catchUpRequest, .colluding: return nil
        }
    }

    /// `b` if `node` has not imported it and it is higher than `current`, else `current`.
    @inline(__always)
    static func missing(_ b: BlockId, _ node: UInt32, _ views: borrowing NodeViews, _ tree: borrowing BlockTree, _ current: BlockId?) -> BlockId? {
        if views.hasImported(node, b) { return current }
        if let c = current, tree.number[Int(c)] >= tree.number[Int(b)] { return current }
        return b
    }

    /// Reacts to the blocks BABE imported since the last call: finality targets that became
    /// importable are applied and held-back GRANDPA messages are delivered.
    mutating func drainImports(_ ctx: inout SimContext<Message>) {
        guard !babe.importLog.isEmpty else { return }
        let log = babe.importLog
        babe.importLog.removeAll(keepingCapacity: true)
        if tapImports { tappedImports += log }
        for (node, b) in log {
            let n = Int(node)
            if pendingFinal[n] == b {
                pendingFinal[n] = BlockTree.none
                applyFinality(node, b, ctx.now)
                if babe.runtime?.decidesAuthorities == true { checkSetChanges(node, &ctx) }
            }
            guard !waiting[n].isEmpty else { continue }
            var ready: [(from: UInt32, message: GrandpaMessage)] = []
            waiting[n].removeAll { entry in
                if entry.block == b { ready.append((entry.from, entry.message)); return true }
                return false
            }
            for r in ready { processGrandpa(r.message, from: r.from, at: node, &ctx) }
        }
    }

    /// The until-imported queue's periodic check (`UntilImportedFetch`): blocks still awaited
    /// long enough are requested from a peer that has them (BABE's ancestry request, which
    /// answers with every block of that fork the node lacks).
    mutating func checkAwaitedBlocks(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        let views = babe.views
        let due = fetch.check(node: Int(node), now: ctx.now, imported: { views.hasImported(node, $0) })
        for (b, to) in due {
            records.forkSyncRequests += 1
            ctx.send(.babe(.requestChain(b)), size: babe.config.requestSize,
                     cls: Self.layout.babe.firstClass + BabeModel.clsSync, from: node, to: to)
        }
        if fetch.armed[Int(node)] {
            ctx.schedule(after: UntilImportedFetch.checkInterval, node: node, kind: Self.untilImportedCheck)
        }
    }

    // MARK: Colluders

    /// Groups the up, non-colluding voters by reachability (in node order; a side's first
    /// member is its representative) and gives every colluder one voter instance per side: a
    /// copy of the instance of the old side that held the new side's first member, so a split
    /// continues the rounds in progress on both sides and a heal keeps one of them. Timers are
    /// keyed by side index, so an instance whose index changed, or that is a second copy, is
    /// restarted (its round timers re-armed from now, its votes re-sent to its new side).
    mutating func formSides(_ ctx: inout SimContext<Message>) {
        let network = ctx.network
        let set = voters[0].voters.nodes
        var newSides: [[UInt32]] = []
        var newSideOf = Array(repeating: -1, count: validators)
        for v in set where Int(v) < validators && roles[Int(v)] != .collude && participates(Int(v)) && network.isUp[Int(v)] {
            if let i = newSides.firstIndex(where: { network.canReach($0[0], v) }) {
                newSides[i].append(v)
                newSideOf[Int(v)] = i
            } else if newSides.count < Self.maxSides {
                newSideOf[Int(v)] = newSides.count
                newSides.append([v])
            }
        }
        if newSides.isEmpty { newSides = [[]] }
        let source: [Int] = newSides.map { members in
            let from = members.first.map { sideOf[Int($0)] } ?? 0
            return from >= 0 && from < max(shadows[Int(colluders[0])].count, 1) ? from : 0
        }
        for c in colluders {
            let old = shadows[Int(c)]
            shadows[Int(c)] = source.map { old[$0] }
        }
        sides = newSides
        sideOf = newSideOf
        shadowViews = Array(repeating: [], count: validators)
        for (i, from) in source.enumerated() where from != i || source[..<i].contains(from) {
            for c in colluders where network.isUp[Int(c)] {
                shadows[Int(c)][i].restarted(now: ctx.now, env: shadowEnv(i), out: &out)
                applyShadow(c, i, &ctx)
            }
        }
    }

    /// The chain view of the colluders' instance for `side`: its representative's.
    func shadowEnv(_ side: Int) -> BabeNodeEnvironment {
        let rep = sides.indices.contains(side) ? sides[side].first ?? colluders[0] : colluders[0]
        return env(rep)
    }

    /// Performs the outputs of colluder `node`'s instance for `side`: messages go to that side's
    /// members, and (tagged `.colluding`) to the other colluders; its finality and offences are
    /// not recorded (the monitor watches honest nodes only).
    mutating func applyShadow(_ node: UInt32, _ side: Int, _ ctx: inout SimContext<Message>) {
        let sizes = config.grandpa.sizes
        let members = sides.indices.contains(side) ? sides[side] : []
        if polite {
            // A colluder shows each side the view of its instance for that side.
            let v = shadows[Int(node)][side]
            let packet = GrandpaNeighborPacket(setId: v.setId, round: v.currentRound, commitHeight: 0)
            if shadowViews[Int(node)].count <= side { shadowViews[Int(node)] += Array(repeating: nil, count: side + 1 - shadowViews[Int(node)].count) }
            if shadowViews[Int(node)][side] != packet {
                shadowViews[Int(node)][side] = packet
                gossip.neighborPackets &+= UInt64(members.count)
                ctx.broadcast(.neighbor(packet), size: config.gossip.neighborSize, cls: Self.neighborClass, from: node, to: members)
            }
        }
        let tag = UInt8(side)
        for o in out {
            switch o {
            case .broadcast(let m):
                if case .commit = m { records.commits += 1 }
                ctx.broadcast(.grandpa(m), size: sizes.size(m), cls: Self.grandpaClass + m.cls, from: node, to: members)
                ctx.broadcast(.grandpa(.colluding(side: tag, m)), size: sizes.size(m), cls: Self.grandpaClass + m.cls, from: node, to: colluders)
            case .send(let m, let to):
                let wire: GrandpaMessage = roles[Int(to)] == .collude ? .colluding(side: tag, m) : m
                ctx.send(.grandpa(wire), size: sizes.size(m), cls: Self.grandpaClass + m.cls, from: node, to: to)
            case .timer(let at, let kind, let s, let r):
                ctx.schedule(at: at, node: node, kind: EventKind(rawValue: Self.shadowTimerBase + UInt16(side * 4) + kind.rawValue),
                             payload: GrandpaTimerKind.payload(setId: s, round: r))
            case .finalized, .equivocation, .roundCompleted:
                break
            }
        }
        out.removeAll(keepingCapacity: true)
    }

    mutating func apply(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        let sizes = config.grandpa.sizes
        var i = 0
        while i < out.count {
            let o = out[i]
            i += 1
            switch o {
            case .broadcast(let m):
                if case .commit = m { records.commits += 1 }
                if flooding, floodSend(m, from: node, &ctx) {
                    break
                } else if polite {
                    broadcastPolitely(m, from: node, &ctx)
                } else if case .commit = m {
                    // Commits reach every node, voters or not: a node that is not in the current
                    // set still follows finality (and must, to enact the change that adds it).
                    ctx.broadcast(.grandpa(m), size: sizes.size(m), cls: Self.grandpaClass + m.cls, from: node, to: participants)
                } else {
                    ctx.broadcast(.grandpa(m), size: sizes.size(m), cls: Self.grandpaClass + m.cls, from: node, to: voters[n].voters.nodes)
                }
            case .send(let m, let to):
                if case .catchUpRequest = m { records.catchUpRequests += 1 }
                ctx.send(.grandpa(m), size: sizes.size(m), cls: Self.grandpaClass + m.cls, from: node, to: to)
            case .timer(let at, let kind, let s, let r):
                ctx.schedule(at: at, node: node, kind: kind.eventKind(base: Self.timerBase),
                             payload: GrandpaTimerKind.payload(setId: s, round: r))
            case .finalized(let t, _, _):
                if babe.views.hasImported(node, t.block) {
                    applyFinality(node, t.block, ctx.now)
                } else {
                    let p = pendingFinal[n]
                    if p == BlockTree.none || babe.tree.number[Int(p)] < t.number { pendingFinal[n] = t.block }
                }
            case .equivocation(let e, let setId):
                if roles[n] == .honest {
                    let offender = voters[n].voters.nodes[e.voter]
                    if records.noteOffence(setId: setId, e, offender: offender, reporter: node, at: ctx.now, tree: babe.tree) {
                        babe.runtime?.noteOffence(OffenceReport(kind: .grandpaEquivocation, offender: offender,
                                                                timeSlot: setId << 32 | e.round, detectedAt: ctx.now))
                    }
                }
            case .roundCompleted(let r, let startedAt, let state, let caughtUp):
                if roles[n] == .honest {
                    records.noteRound(setId: voters[n].setId, round: r, node: node, startedAt: startedAt, at: ctx.now,
                                      state: state, caughtUp: caughtUp)
                }
            }
        }
        out.removeAll(keepingCapacity: true)
        syncGossipView(node, &ctx)
        checkSetChanges(node, &ctx)
    }

    /// `gossip: flood`: a vote or proposal of `node` goes to every node it can reach, at the
    /// arrival times of its round's flood template (`GrandpaFlood`). False for other messages.
    mutating func floodSend(_ m: GrandpaMessage, from node: UInt32, _ ctx: inout SimContext<Message>) -> Bool {
        let vote: GrandpaVoteMessage, isProposal: Bool
        switch m {
        case .vote(let v): vote = v; isProposal = false
        case .propose(let s, let r, let voter, let target):
            vote = GrandpaVoteMessage(setId: s, round: r, phase: .prevote, voter: voter, target: target); isProposal = true
        default: return false
        }
        guard ctx.network.isUp[Int(node)] else { return true }
        let network = ctx.network
        let roles = babe.roles
        var wakes = floodWakes
        wakes.removeAll(keepingCapacity: true)
        flood!.send(vote, isProposal: isProposal, from: node, now: ctx.now,
                    reachable: { roles[Int($0)] != .offline && network.canReach(node, $0) },
                    wake: { wakes.append(($0, $1)) })
        for (at, i) in wakes { ctx.schedule(at: at, node: Event.global, kind: Self.floodTick, payload: UInt64(i)) }
        floodWakes = wakes
        return true
    }

    /// `gossip: flood`: the copies of one arrival bucket reach their nodes. Per node, in arrival
    /// order, as `receiveBatch` handles a vote batch: held back until the target is imported,
    /// imported into its round, and the round and voting state machine refreshed once. A copy
    /// is lost if its receiver crashed since it was sent, is down, or is cut off from the sender.
    mutating func deliverFlood(index: Int, _ ctx: inout SimContext<Message>) {
        guard flood != nil else { return }
        var wakes = floodWakes
        wakes.removeAll(keepingCapacity: true)
        var items = flood!.take(index, wake: { wakes.append(($0, $1)) })   // in place: a copy of `flood` would copy its templates
        for (at, i) in wakes { ctx.schedule(at: at, node: Event.global, kind: Self.floodTick, payload: UInt64(i)) }
        floodWakes = wakes
        var start = 0
        while start < items.count {
            let node = items[start].to
            var end = start + 1
            while end < items.count && items[end].to == node { end += 1 }
            deliverFlood(items[start..<end], to: node, &ctx)
            start = end
        }
        flood!.recycle(&items)
    }

    mutating func deliverFlood(_ items: ArraySlice<GrandpaFlood.Item>, to node: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        guard participates(n), ctx.network.isUp[n] else { return }
        records.voteBatches += 1
        checkSetChanges(node, &ctx)
        let chain = TreeAncestry(babe.tree)
        var pending = false
        var k = items.startIndex
        while k < items.endIndex {
            let it = items[k]
            k += 1
            guard flood!.survives(it), ctx.network.canReach(it.from, node) else { continue }
            let v = it.vote
            // A run of votes that differ only by voter (same round, phase and target, all
            // deliverable) is imported with one walk of the vote graph (`importBatchedVotes`).
            if !it.isProposal, babe.views.hasImported(node, v.target.block) {
                runVoters.removeAll(keepingCapacity: true)
                runFrom.removeAll(keepingCapacity: true)
                runVoters.append(Int(it.payload.voter))
                runFrom.append(it.from)
                while k < items.endIndex {
                    let nx = items[k]
                    guard nx.payload.sameTarget(it.payload),
                          flood!.survives(nx), ctx.network.canReach(nx.from, node) else { break }
                    runVoters.append(Int(nx.payload.voter))
                    runFrom.append(nx.from)
                    k += 1
                }
                let list = runVoters, from = runFrom
                if voters[n].importBatchedVotes(v, voters: list[...], from: from[...], now: ctx.now, chain: chain, out: &out) { pending = true }
                if !out.isEmpty { apply(node, &ctx) }
                continue
            }
            // A proposal, or a vote whose target the node has not imported: that vote waits in
            // the until-imported queue (the run path above checks imports without building a
            // message, which cost a stall per copy, measured).
            let g: GrandpaMessage = it.isProposal
                ? .propose(setId: v.setId, round: v.round, voter: v.voter, target: v.target)
                : .vote(v)
            if holdBack(g, from: it.from, at: node, &ctx) { continue }
            assert(it.isProposal, "a vote whose target is imported takes the run path")
            voters[n].receive(g, from: it.from, now: ctx.now, env: env(node), out: &out)
            if !out.isEmpty { apply(node, &ctx) }
        }
        if pending && voters[n].refreshBatch() { voters[n].poll(now: ctx.now, env: env(node), out: &out) }
        // Nothing to perform when nothing changed: the voter's round, set and view move only
        // through outputs (`roundCompleted`, timers, finality), which `apply` handles.
        if !out.isEmpty { apply(node, &ctx) }
    }

    /// A node's own GRANDPA message under polite gossip: votes and proposals to its stage
    /// peers (and straight to the colluders, who listen to everything), commits to its commit
    /// peers after noting the commit in its view.
    mutating func broadcastPolitely(_ m: GrandpaMessage, from node: UInt32, _ ctx: inout SimContext<Message>) {
        switch m {
        case .vote(let v):
            _ = gossip.acceptRoundMessage(m, at: node, own: true)
            gossip.roundTargets(node, setId: v.setId, round: v.round, now: ctx.now, message: m, into: &targets)
        case .propose(let s, let r, _, _):
            _ = gossip.acceptRoundMessage(m, at: node, own: true)
            gossip.roundTargets(node, setId: s, round: r, now: ctx.now, message: m, into: &targets)
        case .commit(let c):
            if gossip.noteCommit(node, number: c.target.number) { sendNeighbor(node, &ctx) }
            gossip.commitTargets(node, setId: c.setId, number: c.target.number, now: ctx.now, into: &targets)
        case .catchUpRequest, .catchUp, .colluding:
            targets = voters[Int(node)].voters.nodes
        }
        if !colluders.isEmpty {
            for c in colluders where c != node && !targets.contains(where: { $0 & ~Network<Never>.knownBit == c }) { targets.append(c) }
        }
        sendGossip(m, from: node, &ctx)
    }

    /// Node `node` finalizes `b` (imported): safety check, per-block times, set changes.
    mutating func applyFinality(_ node: UInt32, _ b: BlockId, _ now: SimTime) {
        let n = Int(node)
        let old = babe.views.finalized[n]
        let t = babe.tree
        guard t.number[Int(b)] > t.number[Int(old)] else { return }
        if !t.isAncestor(old, of: b) {
            // A node's own finality never reverts: only an honest-majority violation gets here.
            if roles[n] == .honest { records.noteViolation(node: node, block: b, conflicting: old, at: now, tree: t) }
            return
        }
        babe.finalize(node: node, block: b, at: now)
        guard roles[n] == .honest else { return }
        records.noteFinalized(node: node, from: old, to: b, at: now, tree: t)
    }

    /// Authority-set changes signalled on the chain ending at `b`: the runtime's (the session
    /// pallet's signals, per fork) when there is one, else the scenario's `set_changes`.
    static func setChanges(at b: BlockId, runtime: (any BlockRuntime)?, configured: [GrandpaSetChange]) -> [GrandpaSetChange] {
        if let r = runtime, r.decidesAuthorities { return r.setChanges(at: b) }
        return configured
    }

    /// Enacts due authority-set changes at `node`, and sets its vote limit for a pending one.
    mutating func checkSetChanges(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        // Colluders' per-side instances do not follow set changes (not modelled).
        guard roles[n] != .collude else { return }
        // Fast path (called after every GRANDPA event): no scenario change left to enact.
        let fromChain = babe.runtime?.decidesAuthorities == true
        if !fromChain && nextChange[n] >= config.setChanges.count { return }
        let t = babe.tree
        let fin = babe.views.finalized[n]
        let best = babe.views.best[n]
        let finChanges = Self.setChanges(at: fin, runtime: babe.runtime, configured: config.setChanges)
        var base: BlockId? = nil
        var change: GrandpaSetChange? = nil
        if nextChange[n] < finChanges.count {
            let c = finChanges[nextChange[n]]
            change = c
            if c.forced {
                if t.number[Int(best)] >= c.enactNumber { base = fin }
            } else if t.number[Int(fin)] >= c.enactNumber {
                base = t.ancestor(of: fin, atNumber: c.enactNumber)
            } else if t.number[Int(best)] >= c.signalNumber {
                voters[n].voteLimit = c.enactNumber
            }
        } else {
            // A change signalled above the finalized block on the best chain limits the votes.
            let bestChanges = fromChain ? Self.setChanges(at: best, runtime: babe.runtime, configured: config.setChanges) : finChanges
            guard nextChange[n] < bestChanges.count else { return }
            let c = bestChanges[nextChange[n]]
            if c.forced {
                if t.number[Int(best)] >= c.enactNumber { base = fin; change = c }
            } else if t.number[Int(best)] >= c.signalNumber {
                voters[n].voteLimit = c.enactNumber
            }
        }
        guard let b = base, let c = change else { return }
        nextChange[n] += 1
        let set = GrandpaVoterSet(nodes: c.voters)
        let newSet = voters[n].setId + 1
        records.noteSetChange(setId: newSet, node: node, at: ctx.now, base: b, tree: t)
        if babe.runtime?.decidesAuthorities == true && !c.forced {
            // Pass the justification on to the BABE peers (each node forwards it once).
            let size = config.grandpa.sizes.size(.commit(GrandpaCommit(setId: newSet - 1, round: 0, target: GrandpaTarget(b, t.number[Int(b)]),
                                                                       precommits: [])))
                + (2 * voters[n].voters.nodes.count / 3 + 1) * 100
            ctx.broadcast(.justification(block: b, setId: newSet), size: size, cls: Self.grandpaClass + 1, from: node, to: babe.peers(node))
        }
        voters[n].changeSet(setId: newSet, voters: set, base: GrandpaTarget(b, t.number[Int(b)]), now: ctx.now, env: env(node), out: &out)
        apply(node, &ctx)
    }

    mutating func sampleLag(_ now: SimTime, _ isUp: [Bool]) {
        let v = babe.views, t = babe.tree
        for n in 0..<validators where roles[n] == .honest && participates(n) && isUp[n] {
            let best = t.number[Int(v.best[n])], fin = t.number[Int(babe.views.finalized[n])]
            records.lagBlocks.record(UInt64(best >= fin ? best - fin : 0))
        }
    }
}

/// A node's view of the shared block tree, as its GRANDPA voter sees it.
public struct BabeNodeEnvironment: GrandpaEnvironment {
    public let tree: BlockTree
    public let views: NodeViews
    public let node: UInt32
    public let finalized: BlockId
    /// The approval cap of the parachain layer (nil: none).
    public var cap: ApprovalCap? = nil

    public init(tree: BlockTree, views: NodeViews, node: UInt32, finalized: BlockId, cap: ApprovalCap? = nil) {
        self.tree = tree; self.views = views; self.node = node; self.finalized = finalized; self.cap = cap
    }

    @inlinable public func number(of b: BlockId) -> UInt32 { tree.number[Int(b)] }
    @inlinable public func parent(of b: BlockId) -> BlockId { tree.parent[Int(b)] }
    public var bestBlock: BlockId { views.best[Int(node)] }

    public func bestContaining(_ base: BlockId) -> BlockId? {
        guard let leaf = uncappedBestContaining(base) else { return nil }
        guard let c = cap else { return leaf }
        return c.target(node: Int(node), base: base, leaf: leaf, tree: tree)
    }

    func uncappedBestContaining(_ base: BlockId) -> BlockId? {
        guard views.hasImported(node, base) else { return nil }
        let best = bestBlock
        if tree.isAncestor(base, of: best) { return best }
        // Best imported descendant of `base` by fork choice (ids of descendants are larger).
        var pick = base
        var i = Int(base) + 1
        while i < tree.count {
            let b = BlockId(i)
            if views.hasImported(node, b) && tree.isBetter(b, than: pick) && tree.isAncestor(base, of: b) { pick = b }
            i += 1
        }
        return pick
    }

    public func minorityFork(base: BlockId, avoid: BlockId) -> BlockId? {
        var pick: BlockId? = nil
        var i = Int(base) + 1
        while i < tree.count {
            let b = BlockId(i)
            if views.hasImported(node, b), tree.isAncestor(base, of: b),
               !tree.isAncestor(avoid, of: b), !tree.isAncestor(b, of: avoid),
               pick == nil || tree.number[i] > tree.number[Int(pick!)] { pick = b }
            i += 1
        }
        return pick
    }
}
