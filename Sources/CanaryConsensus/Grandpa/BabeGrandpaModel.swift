import CanaryEngine

/// An authority set change signalled in every block at `signalNumber` (as the runtime deposits
/// the digest on each fork at a session change).
public struct GrandpaSetChange: Sendable, Equatable {
    public var signalNumber: UInt32
    /// Standard change: enacted when the block at `signalNumber + delay` is finalized. Forced:
    /// when a node's best block reaches that height (the new set restarts from the node's
    /// last finalized block).
    public var delay: UInt32
    /// Nodes of the new voter set (weight 1 each).
    public var voters: [UInt32]
    public var forced: Bool
    public init(signalNumber: UInt32, delay: UInt32 = 0, voters: [UInt32], forced: Bool = false) {
        self.signalNumber = signalNumber; self.delay = delay; self.voters = voters; self.forced = forced
    }
    public var enactNumber: UInt32 { signalNumber + delay }
}

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
    public init() {}
}

/// BABE block production and GRANDPA finality in one simulation.
///
/// BABE runs unchanged as an inner `Simulation<BabeModel>` over its own copy of the network
/// model (same configuration, placement, seed and fault timeline), advanced to the current time
/// before every GRANDPA event: both see the same clock, crashes and partitions, and GRANDPA
/// reads each node's block view (best block, imported blocks) from it. GRANDPA messages go over
/// the outer simulation's network. Because `BabeModel`'s views are read-only from outside,
/// finality is kept here per node (`finalized`) rather than in `NodeViews`, so BABE's fork
/// choice does not yet respect finality (see docs/grandpa.md).
///
/// Every validator is a voter (weight 1). A node finalizes a block only once it has imported
/// it; a GRANDPA finality for a block not yet imported waits for the import.
public struct BabeGrandpaModel: SimulationModel {
    public typealias Message = GrandpaMessage
    public static let messageClasses = GrandpaVoter.messageClasses
    static let timerBase = EventKind.firstModelKind
    static let lagTick = EventKind(rawValue: EventKind.firstModelKind + 8)
    static let heightTick = EventKind(rawValue: EventKind.firstModelKind + 9)
    static let endTick = EventKind(rawValue: EventKind.firstModelKind + 10)
    /// Timers of colluders' per-side voter instances: `+ 16 + side * 4 + timer kind`.
    static let shadowTimerBase = EventKind.firstModelKind + 16
    static let maxSides = 64

    public let config: BabeGrandpaConfig
    public let validators: Int
    public let endTime: SimTime
    public private(set) var babe: Simulation<BabeModel>
    public private(set) var voters: [GrandpaVoter]
    public let roles: [GrandpaRole]
    /// GRANDPA-finalized block per node (applied: imported by the node).
    public private(set) var finalized: [BlockId]
    /// A finality target waiting for the node to import it.
    var pendingFinal: [BlockId]
    var pendingNodes: [UInt32] = []
    /// Next set change index per node.
    var nextChange: [Int]
    var out: [GrandpaOutput] = []

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

    // Results.
    public private(set) var records = GrandpaRecords()

    public init(config: BabeGrandpaConfig, validators: Int, seed: UInt64, network: NetworkConfig,
                nodeRegion: [UInt16], faults: [TimedFault], endTime: SimTime) {
        self.config = config
        self.validators = validators
        self.endTime = endTime
        var babeConfig = config.babe
        babeConfig.silent += config.collude.filter { !babeConfig.silent.contains($0) }
        babe = Simulation(model: BabeModel(config: babeConfig, validators: validators, seed: seed), network: network,
                          nodeRegion: nodeRegion, seed: seed, faults: faults, endTime: endTime)
        var roles = Array(repeating: GrandpaRole.honest, count: validators)
        for v in config.withhold where Int(v) < validators { roles[Int(v)] = .withhold }
        for v in config.equivocate where Int(v) < validators { roles[Int(v)] = .equivocate }
        for v in config.minorityFork where Int(v) < validators { roles[Int(v)] = .minorityFork }
        for v in config.collude where Int(v) < validators { roles[Int(v)] = .collude }
        self.roles = roles
        colluders = (0..<validators).filter { roles[$0] == .collude }.map { UInt32($0) }
        let set = GrandpaVoterSet(nodes: config.genesisVoters ?? (0..<validators).map { UInt32($0) })
        let streams = RandomStreams(seed: seed)
        let voters = (0..<validators).map {
            GrandpaVoter(node: UInt32($0), config: config.grandpa, voters: set, base: GrandpaTarget(BlockTree.genesis, 0),
                         role: roles[$0], streams: streams)
        }
        self.voters = voters
        shadows = (0..<validators).map { roles[$0] == .collude ? [voters[$0]] : [] }
        sideOf = Array(repeating: -1, count: validators)
        finalized = Array(repeating: BlockTree.genesis, count: validators)
        pendingFinal = Array(repeating: BlockTree.none, count: validators)
        nextChange = Array(repeating: 0, count: validators)
        records.nodeCount = validators
        records.roundsCompleted = Array(repeating: 0, count: validators)
    }

    /// Convenience: validators placed round-robin over the network's regions.
    public static func simulation(config: BabeGrandpaConfig, validators: Int, network: NetworkConfig = .threeContinents,
                                  nodeRegion: [UInt16]? = nil, seed: UInt64, faults: [TimedFault] = [],
                                  duration: SimTime) -> Simulation<BabeGrandpaModel> {
        let regions = nodeRegion ?? (0..<validators).map { UInt16($0 % max(network.regions.count, 1)) }
        let model = BabeGrandpaModel(config: config, validators: validators, seed: seed, network: network,
                                     nodeRegion: regions, faults: faults, endTime: duration)
        return Simulation(model: model, network: network, nodeRegion: regions, seed: seed, faults: faults, endTime: duration)
    }

    public var tree: BlockTree { babe.model.tree }
    public var views: NodeViews { babe.model.views }
    var babeOffline: (Int) -> Bool { { [roles = babe.model.roles] in roles[$0] == .offline } }

    @inline(__always) func env(_ node: UInt32) -> BabeNodeEnvironment {
        BabeNodeEnvironment(tree: babe.model.tree, views: babe.model.views, node: node, finalized: finalized[Int(node)])
    }

    func participates(_ n: Int) -> Bool { babe.model.roles[n] != .offline }

    // MARK: SimulationModel

    public mutating func start(_ ctx: inout SimContext<Message>) {
        advance(ctx.now)
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
        advance(ctx.now)
        switch event.kind {
        case Self.lagTick:
            sampleLag(ctx.now, ctx.network.isUp)
            ctx.schedule(after: config.lagSampleInterval, node: Event.global, kind: Self.lagTick)
        case Self.heightTick:
            for n in 0..<validators where roles[n] == .honest && participates(n) && ctx.network.isUp[n] {
                records.heightSamples.append((ctx.now, UInt32(n), tree.number[Int(finalized[n])]))
            }
            ctx.schedule(after: config.heightSampleInterval, node: Event.global, kind: Self.heightTick)
        case Self.endTick:
            break
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
        guard participates(Int(node)) else { return }
        advance(ctx.now)
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
        checkSetChanges(node, &ctx)
        voters[Int(node)].receive(message, from: from, now: ctx.now, env: env(node), out: &out)
        apply(node, &ctx)
    }

    public mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        guard participates(Int(node)) else { return }
        advance(ctx.now)
        if roles[Int(node)] == .collude {
            for side in shadows[Int(node)].indices {
                shadows[Int(node)][side].restarted(now: ctx.now, env: shadowEnv(side), out: &out)
                applyShadow(node, side, &ctx)
            }
            return
        }
        voters[Int(node)].restarted(now: ctx.now, env: env(node), out: &out)
        apply(node, &ctx)
    }

    /// A partition started or healed: the colluders regroup the honest voters into sides.
    public mutating func reachabilityChanged(_ ctx: inout SimContext<Message>) {
        guard !colluders.isEmpty else { return }
        advance(ctx.now)
        formSides(&ctx)
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
        let tag = UInt8(side)
        for o in out {
            switch o {
            case .broadcast(let m):
                if case .commit = m { records.commits += 1 }
                ctx.broadcast(m, size: sizes.size(m), cls: m.cls, from: node, to: members)
                ctx.broadcast(.colluding(side: tag, m), size: sizes.size(m), cls: m.cls, from: node, to: colluders)
            case .send(let m, let to):
                let wire: GrandpaMessage = roles[Int(to)] == .collude ? .colluding(side: tag, m) : m
                ctx.send(wire, size: sizes.size(m), cls: m.cls, from: node, to: to)
            case .timer(let at, let kind, let s, let r):
                ctx.schedule(at: at, node: node, kind: EventKind(rawValue: Self.shadowTimerBase + UInt16(side * 4) + kind.rawValue),
                             payload: GrandpaTimerKind.payload(setId: s, round: r))
            case .finalized, .equivocation, .roundCompleted:
                break
            }
        }
        out.removeAll(keepingCapacity: true)
    }

    /// Runs BABE up to `now` and applies finality targets that became importable.
    mutating func advance(_ now: SimTime) {
        _ = babe.run(until: now)
        guard !pendingNodes.isEmpty else { return }
        var still: [UInt32] = []
        for node in pendingNodes {
            let n = Int(node)
            let b = pendingFinal[n]
            if b == BlockTree.none { continue }
            if babe.model.views.hasImported(node, b) {
                pendingFinal[n] = BlockTree.none
                applyFinality(node, b, now)
            } else {
                still.append(node)
            }
        }
        pendingNodes = still
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
                ctx.broadcast(m, size: sizes.size(m), cls: m.cls, from: node, to: voters[n].voters.nodes)
            case .send(let m, let to):
                if case .catchUpRequest = m { records.catchUpRequests += 1 }
                ctx.send(m, size: sizes.size(m), cls: m.cls, from: node, to: to)
            case .timer(let at, let kind, let s, let r):
                ctx.schedule(at: at, node: node, kind: kind.eventKind(base: Self.timerBase),
                             payload: GrandpaTimerKind.payload(setId: s, round: r))
            case .finalized(let t, _, _):
                if babe.model.views.hasImported(node, t.block) {
                    applyFinality(node, t.block, ctx.now)
                } else {
                    let p = pendingFinal[n]
                    if p == BlockTree.none || tree.number[Int(p)] < t.number {
                        if p == BlockTree.none { pendingNodes.append(node) }
                        pendingFinal[n] = t.block
                    }
                }
            case .equivocation(let e, let setId):
                if roles[n] == .honest {
                    records.noteOffence(setId: setId, e, offender: voters[n].voters.nodes[e.voter], reporter: node, at: ctx.now, tree: tree)
                }
            case .roundCompleted(let r, let startedAt, let state, let caughtUp):
                if roles[n] == .honest {
                    records.noteRound(setId: voters[n].setId, round: r, node: node, startedAt: startedAt, at: ctx.now,
                                      state: state, caughtUp: caughtUp)
                }
            }
        }
        out.removeAll(keepingCapacity: true)
        checkSetChanges(node, &ctx)
    }

    /// Node `node` finalizes `b` (imported): safety check, per-block times, set changes.
    mutating func applyFinality(_ node: UInt32, _ b: BlockId, _ now: SimTime) {
        let n = Int(node)
        let old = finalized[n]
        let t = babe.model.tree
        guard t.number[Int(b)] > t.number[Int(old)] else { return }
        if !t.isAncestor(old, of: b) {
            // A node's own finality never reverts: only an honest-majority violation gets here.
            if roles[n] == .honest { records.noteViolation(node: node, block: b, conflicting: old, at: now, tree: t) }
            return
        }
        finalized[n] = b
        guard roles[n] == .honest else { return }
        records.noteFinalized(node: node, from: old, to: b, at: now, tree: t)
    }

    /// Enacts due authority-set changes at `node`, and sets its vote limit for a pending one.
    mutating func checkSetChanges(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        // Colluders' per-side instances do not follow set changes (not modelled).
        guard nextChange[n] < config.setChanges.count, roles[n] != .collude else { return }
        let change = config.setChanges[nextChange[n]]
        let t = babe.model.tree
        let fin = finalized[n]
        let best = babe.model.views.best[n]
        var base: BlockId? = nil
        if change.forced {
            if t.number[Int(best)] >= change.enactNumber { base = fin }
        } else if t.number[Int(fin)] >= change.enactNumber {
            base = t.ancestor(of: fin, atNumber: change.enactNumber)
        } else if t.number[Int(best)] >= change.signalNumber {
            voters[n].voteLimit = change.enactNumber
        }
        guard let b = base else { return }
        nextChange[n] += 1
        let set = GrandpaVoterSet(nodes: change.voters)
        let newSet = voters[n].setId + 1
        records.noteSetChange(setId: newSet, node: node, at: ctx.now, base: b, tree: t)
        voters[n].changeSet(setId: newSet, voters: set, base: GrandpaTarget(b, t.number[Int(b)]), now: ctx.now, env: env(node), out: &out)
        apply(node, &ctx)
    }

    mutating func sampleLag(_ now: SimTime, _ isUp: [Bool]) {
        let v = babe.model.views, t = babe.model.tree
        for n in 0..<validators where roles[n] == .honest && participates(n) && isUp[n] {
            let best = t.number[Int(v.best[n])], fin = t.number[Int(finalized[n])]
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

    @inlinable public func number(of b: BlockId) -> UInt32 { tree.number[Int(b)] }
    @inlinable public func parent(of b: BlockId) -> BlockId { tree.parent[Int(b)] }
    public var bestBlock: BlockId { views.best[Int(node)] }

    public func bestContaining(_ base: BlockId) -> BlockId? {
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
