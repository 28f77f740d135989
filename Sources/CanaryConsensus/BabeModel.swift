import CanaryEngine

/// A message between BABE nodes. Blocks travel by id into the shared `BlockTree`; the network
/// model charges their size.
public enum BabeMessage: Sendable {
    /// Block announcement (the header): "I have imported this block".
    case announce(BlockId)
    /// Request for a block body.
    case request(BlockId)
    /// A block body.
    case block(BlockId)
    /// Request for the ancestry of a block the requester cannot import (unknown parent).
    case requestChain(BlockId)
    /// The `count` blocks ending at `top` (top and its ancestors), oldest first on import.
    case chain(top: BlockId, count: UInt32)
    /// A (re)connected node asks a peer for its best block.
    case status
}

/// How a node's wire message carries BABE's messages: BABE alone sends `BabeMessage`; a composite
/// node (`RelayNodeModel`) wraps them in its own message type.
public protocol BabeWire: Sendable {
    static func babe(_ m: BabeMessage) -> Self
}

extension BabeMessage: BabeWire {
    @inlinable public static func babe(_ m: BabeMessage) -> BabeMessage { m }
}

/// BABE block production for every validator of a run, over the engine's network model.
///
/// - At each slot start every up, online validator claims on its best block: primary if its
///   VRF output is below the threshold, else secondary if it is the slot's designated
///   secondary author. Claimants author `proposalTime` later on that parent.
/// - The runtime executes a block once, when authored (`BabeRules.execute`); its post-state is
///   kept in the shared `BlockTree`.
/// - Propagation: the author and every node that imports a block announce it to their peers;
///   a peer that lacks it requests the body from the first announcer, and imports it (one
///   block at a time, `importTime` each). A body whose parent is unknown triggers an ancestry
///   request to the sender, which answers with every ancestor the requester lacks (the
///   round trips of Substrate's ancestor search are not simulated). A restarted node asks its
///   peers for their best blocks.
/// - Fork choice is Substrate's (`BlockTree.isBetter`). Equivocations (same author, same
///   slot, two blocks) are detected by nodes importing both, and recorded as offences.
public struct BabeModel: SimulationModel {
    public typealias Message = BabeMessage
    public static let messageClasses = ["announce", "request", "block", "sync"]
    static let clsAnnounce = 0, clsRequest = 1, clsBlock = 2, clsSync = 3

    /// Event kinds BABE uses (slot tick, author, import done, a skewed node's own slot), from
    /// `kinds.first`.
    public static let eventKindCount = 4
    /// Event kinds and message classes given by the composer (standalone: the first ones).
    public var wireSlot = ProtocolSlot(firstKind: EventKind.firstModelKind, firstClass: 0)
    var slotTickKind: EventKind { wireSlot.kind(0) }
    var authorKind: EventKind { wireSlot.kind(1) }
    var importDoneKind: EventKind { wireSlot.kind(2) }
    var localSlotKind: EventKind { wireSlot.kind(3) }
    /// Blocks imported (or authored) since the composite last drained them, as (node, block):
    /// how BABE tells GRANDPA about imports. Filled only when `reportImports` is set.
    public var reportImports = false
    public internal(set) var importLog: [(node: UInt32, block: BlockId)] = []
    /// Extra body bytes per author (parachain inclusion data; empty: none).
    public var extraBlockBytes: [Int] = []
    /// Blocks reverted by a concluded dispute (and their descendants): never imported again.
    public internal(set) var reverted: [Bool] = []

    public static let peersPurpose = StreamPurpose.babePeers
    public static let genesisPurpose = StreamPurpose.babeGenesis

    /// `silent`: imports, never authors, announces or serves (`BabeConfig.silent`).
    public enum Role: UInt8, Sendable { case honest = 0, offline = 1, equivocator = 2, silent = 3 }

    public let config: BabeConfig
    public let validators: Int
    public let seed: UInt64
    /// Primary threshold per validator (equal weights), split in halves for the fast compare.
    public let threshold: UInt128
    let thresholdHigh: UInt64, thresholdLow: UInt64
    public let vrf: BabeVRF
    public let roles: [Role]

    public private(set) var tree: BlockTree
    public private(set) var views: NodeViews
    /// Import queued (or done) per (node, block).
    var pending: BitMatrix
    /// Body requested per (node, block).
    var requested: BitMatrix
    var busyUntil: [SimTime]
    /// Peer graph (CSR): peers of node v are `peerList[peerStart[v]..<peerStart[v+1]]`.
    public private(set) var peerStart: [Int]
    public private(set) var peerList: [UInt32]

    // Per-slot and per-block records.
    public private(set) var slotsTicked: UInt64 = 0
    var slotSecondaryAuthor: [UInt32] = []
    /// Import delays per block (ns after production, one per importing node other than the
    /// author), held until the block's `blocks` row is written (then emptied: see
    /// `streamBlockRows`), so memory is per live block, not per block of the run.
    var importDelays: [[Int64]] = []
    /// Rows of the `blocks` table that are final (blocks below every node's finality), waiting
    /// for the scenario runner to drain them (`drainFinishedRows`).
    public internal(set) var finishedRows = FinishedRows()
    /// Blocks numbered below this have had their `blocks` row written.
    public internal(set) var rowsBelow: UInt32 = 0
    /// Blocks (ids, ascending) whose row is not written yet.
    var rowPending: [BlockId] = []
    /// Records that arrived after their row was written: imports of an orphan reaching a node
    /// after every node finalized past it (counted in `block_import_delay`, not in the block's
    /// row), and reorgs between two such blocks (none can happen: a best block is never below
    /// the node's finality; the guard keeps rows unique).
    public private(set) var lateRecords = 0
    public private(set) var blockImportDelay = LogHistogram()
    var upAtLastTick: [Bool]
    // Reorgs: aggregated per (from, to) pair, in first-seen order.
    var reorgIndex: [UInt64: Int] = [:]
    var reorgRows: [(from: BlockId, to: BlockId, depth: UInt32, nodes: Int, firstAt: SimTime)] = []
    public private(set) var reorgCount = 0
    public private(set) var reorgDepths = LogHistogram()
    // Offences.
    var offenceIndex: [UInt64: Int] = [:]
    var offenceRows: [(offender: UInt32, slot: UInt64, first: BlockId, second: BlockId, reporter: UInt32, at: SimTime, reporters: Int)] = []
    var scratch: [BlockId] = []
    /// The chain's runtime with state per block (CanaryRuntime), when the scenario has one: it
    /// decides each epoch's authorities, rejects disabled authors' blocks and receives the
    /// offences honest nodes detect. Nil: every validator is an authority, always.
    public var runtime: (any BlockRuntime)?
    /// Primary thresholds by authority-set size (the threshold depends on the set size only).
    var thresholds: [Int: (high: UInt64, low: UInt64)] = [:]
    /// Blocks rejected on import because their author was disabled in the parent's state.
    public internal(set) var rejectedDisabled = 0
    /// Blocks a node refused on import because their slot had not begun on its clock (more than
    /// one slot ahead: Substrate's `TooFarInFuture`), with a clock skew in force.
    public internal(set) var rejectedFuture = 0
    /// Proposals dropped because the node finalized past their parent before the block was done.
    public internal(set) var abandonedProposals = 0
    /// Per node, one more than the last slot it claimed on its own (skewed) clock: the global
    /// slot tick does not claim those slots again when the skew ends.
    var localClaimed: [UInt64]

    /// A model for `validators` equal-weight validators. `seed` must be the simulation's seed
    /// (it keys the VRF, the peer graph and the genesis randomness).
    public init(config: BabeConfig, validators: Int, seed: UInt64) {
        precondition(validators >= 1)
        self.config = config
        self.validators = validators
        self.seed = seed
        threshold = BabeThreshold.primary(c0: config.cNumerator, c1: config.cDenominator, authorities: validators)
        thresholdHigh = UInt64(truncatingIfNeeded: threshold >> 64)
        thresholdLow = UInt64(truncatingIfNeeded: threshold)
        let streams = RandomStreams(seed: seed)
        vrf = BabeVRF(validators: validators, streams: streams)
        var roles = Array(repeating: Role.honest, count: validators)
        for v in config.equivocators where Int(v) < validators { roles[Int(v)] = .equivocator }
        for v in config.silent where Int(v) < validators { roles[Int(v)] = .silent }
        for v in config.offline where Int(v) < validators { roles[Int(v)] = .offline }
        self.roles = roles
        var g = streams.stream(Self.genesisPurpose)
        let genesis = config.genesisRandomness ?? Hash32(g.next(), g.next(), g.next(), g.next())
        tree = BlockTree(genesis: ChainState(genesisRandomness: genesis))
        views = NodeViews(nodes: validators)
        pending = BitMatrix(rows: validators)
        requested = BitMatrix(rows: validators)
        for v in 0..<validators { pending.set(v, 0); requested.set(v, 0) }
        busyUntil = Array(repeating: .zero, count: validators)
        upAtLastTick = Array(repeating: true, count: validators)
        localClaimed = Array(repeating: 0, count: validators)
        importDelays = [[]]
        (peerStart, peerList) = Self.peerGraph(roles: roles, outbound: config.peers, streams: streams)
    }

    /// A random graph among the validators that are not offline: each picks `outbound`
    /// distinct peers; links are symmetric; each node's list is sorted.
    static func peerGraph(roles: [Role], outbound: Int, streams: RandomStreams) -> ([Int], [UInt32]) {
        let n = roles.count
        let online = (0..<n).filter { roles[$0] != .offline }.map { UInt32($0) }
        var adj = Array(repeating: [UInt32](), count: n)
        let k = min(outbound, max(online.count - 1, 0))
        for v in online {
            var rng = streams.stream(peersPurpose, node: v)
            var picked = 0
            var guardCount = 0
            while picked < k && guardCount < 100 * (k + 1) {
                guardCount += 1
                let p = online[Int(rng.nextBelow(UInt64(online.count)))]
                if p == v || adj[Int(v)].contains(p) { continue }
                adj[Int(v)].append(p); adj[Int(p)].append(v)
                picked += 1
            }
        }
        var start = [0], list: [UInt32] = []
        for v in 0..<n {
            list += adj[v].sorted()
            start.append(list.count)
        }
        return (start, list)
    }

    @inline(__always) func peers(_ v: UInt32) -> ArraySlice<UInt32> {
        peerList[peerStart[Int(v)]..<peerStart[Int(v) + 1]]
    }

    @inline(__always) func known(_ v: UInt32, _ b: BlockId) -> Bool { pending.get(Int(v), Int(b)) }

    // MARK: SimulationModel

    public mutating func start(_ ctx: inout SimContext<Message>) { start(wire: &ctx) }
    public mutating func timer(_ event: Event, _ ctx: inout SimContext<Message>) { timer(event, wire: &ctx) }
    public mutating func receive(_ message: Message, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) {
        receive(message, from: from, at: node, wire: &ctx)
    }
    public mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<Message>) { restarted(node, wire: &ctx) }
    public mutating func reachabilityChanged(_ ctx: inout SimContext<Message>) { reachabilityChanged(wire: &ctx) }

    // MARK: Sub-protocol entry points (any wire type that carries BABE messages)

    public mutating func start<W: BabeWire>(wire ctx: inout SimContext<W>) {
        ctx.schedule(at: .zero, node: Event.global, kind: slotTickKind, payload: 0)
    }

    /// Handles one of BABE's timers; false if `event` is not one of its kinds.
    @discardableResult
    public mutating func timer<W: BabeWire>(_ event: Event, wire ctx: inout SimContext<W>) -> Bool {
        switch event.kind {
        case slotTickKind: slotTick(event.payload, &ctx)
        case authorKind: authorBlocks(event.node, event.payload, &ctx)
        case importDoneKind: finishImport(event.node, BlockId(truncatingIfNeeded: event.payload), &ctx)
        case localSlotKind: localSlot(event.node, event.payload, &ctx)
        default: return false
        }
        return true
    }

    public mutating func receive<W: BabeWire>(_ message: BabeMessage, from: UInt32, at node: UInt32, wire ctx: inout SimContext<W>) {
        guard roles[Int(node)] != .offline else { return }
        if roles[Int(node)] == .silent {
            switch message {
            case .request, .requestChain, .status: return   // serves nothing
            default: break
            }
        }
        switch message {
        case .announce(let b):
            if requested.get(Int(node), Int(b)) || known(node, b) { return }
            requested.set(Int(node), Int(b))
            ctx.send(W.babe(.request(b)), size: config.requestSize, cls: wireSlot.firstClass + Self.clsRequest, from: node, to: from)
        case .request(let b):
            if views.hasImported(node, b) {
                ctx.send(W.babe(.block(b)), size: Int(tree.size[Int(b)]), cls: wireSlot.firstClass + Self.clsBlock, from: node, to: from)
            }
        case .block(let b):
            if known(node, b) { return }
            if known(node, tree.parent[Int(b)]) {
                enqueueImport(node, b, &ctx)
            } else {
                ctx.send(W.babe(.requestChain(b)), size: config.requestSize, cls: wireSlot.firstClass + Self.clsSync, from: node, to: from)
            }
        case .requestChain(let b):
            guard views.hasImported(node, b) else { return }
            var count: UInt32 = 0, bytes = 0
            var x = b
            while x != BlockTree.genesis && !known(from, x) {
                count += 1
                bytes += Int(tree.size[Int(x)])
                x = tree.parent[Int(x)]
            }
            if count > 0 {
                ctx.send(W.babe(.chain(top: b, count: count)), size: bytes, cls: wireSlot.firstClass + Self.clsSync, from: node, to: from)
            }
        case .chain(let top, let count):
            scratch.removeAll(keepingCapacity: true)
            var x = top
            for _ in 0..<count { scratch.append(x); x = tree.parent[Int(x)] }
            // Importable only if the oldest block's parent is known.
            guard known(node, x) else { return }
            for b in scratch.reversed() where !known(node, b) {
                if !enqueueImport(node, b, &ctx) { break }   // its descendants cannot import either
            }
        case .status:
            let best = views.best[Int(node)]
            if best != BlockTree.genesis {
                ctx.send(W.babe(.announce(best)), size: config.announceSize, cls: wireSlot.firstClass + Self.clsAnnounce, from: node, to: from)
            }
        }
    }

    public mutating func restarted<W: BabeWire>(_ node: UInt32, wire ctx: inout SimContext<W>) {
        let v = Int(node)
        upAtLastTick[v] = true
        guard roles[v] != .offline else { return }
        // Queued imports and outstanding requests died with the node.
        pending.copyRow(v, from: views.imported, row: v)
        requested.copyRow(v, from: views.imported, row: v)
        busyUntil[v] = ctx.now
        ctx.broadcast(W.babe(.status), size: config.requestSize, cls: wireSlot.firstClass + Self.clsSync, from: node, to: peers(node))
    }

    /// After a partition starts or heals, every up, online node tells its peers its best block
    /// (as reconnecting peers exchange status), so chains that grew apart are fetched at once
    /// instead of waiting for the next block to cross the old boundary.
    public mutating func reachabilityChanged<W: BabeWire>(wire ctx: inout SimContext<W>) {
        for v in 0..<validators where roles[v] != .offline && ctx.network.isUp[v] {
            ctx.broadcast(W.babe(.status), size: config.requestSize, cls: wireSlot.firstClass + Self.clsSync, from: UInt32(v), to: peers(UInt32(v)))
        }
    }

    // MARK: Finality (GRANDPA's entry point)

    /// `node` finalized `block` (imported by it, descending from its previous finalized block).
    /// Fork choice is restricted to descendants of `block` from now on; if the node's best block
    /// is not one, its best becomes the best imported descendant of `block` (recorded as a reorg
    /// when that retracts blocks). Post-states below the lowest finalized number of the online
    /// nodes are pruned (in steps of 64 blocks), after their `blocks` rows are written. Returns false and changes nothing otherwise.
    @discardableResult
    public mutating func finalize(node: UInt32, block: BlockId, at now: SimTime) -> Bool {
        let oldBest = views.best[Int(node)]
        guard views.finalize(node, block, in: tree) else { return false }
        if views.best[Int(node)] != oldBest {
            // The old best was cut off: pick the best imported descendant of `block` (children
            // have larger ids than their parents).
            var pick = block
            var i = Int(block) + 1
            while i < tree.count {
                let b = BlockId(i)
                if views.hasImported(node, b) && tree.isBetter(b, than: pick) && tree.isAncestor(block, of: b) { pick = b }
                i += 1
            }
            views.setBest(node, pick)
            let lca = tree.commonAncestor(oldBest, pick)
            let depth = tree.number[Int(oldBest)] - tree.number[Int(lca)]
            if depth > 0 { recordReorg(from: oldBest, to: pick, depth: depth, at: now) }
        }
        var lowest = UInt32.max
        for v in 0..<validators where roles[v] != .offline {
            lowest = min(lowest, tree.number[Int(views.finalized[v])])
        }
        // Rows of blocks below every node's finality are final: written in steps of 8 blocks
        // (a scan of the few blocks above the last step), always before states are pruned.
        if lowest != .max && lowest >= rowsBelow + 8 { streamBlockRows(below: lowest) }
        if lowest != .max && lowest >= tree.prunedBelow + 64 {
            streamBlockRows(below: lowest)
            tree.pruneStates(below: lowest)
            runtime?.prune(below: lowest, in: tree)
        }
        return true
    }

    // MARK: Slots and authoring

    /// Primary threshold for an authority set of `n` equal-weight authorities, cached.
    mutating func threshold(authorities n: Int) -> (high: UInt64, low: UInt64) {
        if n == validators { return (thresholdHigh, thresholdLow) }
        if let t = thresholds[n] { return t }
        let t = BabeThreshold.primary(c0: config.cNumerator, c1: config.cDenominator, authorities: max(n, 1))
        let pair = (UInt64(truncatingIfNeeded: t >> 64), UInt64(truncatingIfNeeded: t))
        thresholds[n] = pair
        return pair
    }

    /// What the claims of one slot share: nodes mostly claim on the same best block.
    struct ClaimCache {
        var parent = BlockTree.none
        var transcript: UInt64 = 0
        var secondary: UInt32 = .max
        var authorities: [UInt32] = []
        var high: UInt64, low: UInt64
    }

    mutating func slotTick<W: BabeWire>(_ slot: UInt64, _ ctx: inout SimContext<W>) {
        slotsTicked = slot + 1
        for v in 0..<validators { upAtLastTick[v] = ctx.network.isUp[v] }
        var cache = ClaimCache(high: thresholdHigh, low: thresholdLow)
        var designated: UInt32 = .max
        let elected = runtime?.decidesAuthorities == true
        let skew = ctx.network.conditions.anySkew
        for v in 0..<validators where roles[v] != .offline && roles[v] != .silent && ctx.network.isUp[v] {
            if skew && ctx.network.conditions.clockOffset[v] != .zero {
                // A skewed node starts its slots on its own clock: the one slot whose start on
                // its clock falls before the next tick is claimed then.
                let d = config.slotDuration.nanoseconds
                let local = slot.multipliedReportingOverflow(by: UInt64(d)).partialValue
                let shifted = Int64(local) + ctx.network.conditions.clockOffset[v].nanoseconds
                let k = shifted <= 0 ? 0 : UInt64((shifted + d - 1) / d)
                let at = SimTime.ns(Int64(k) * d - ctx.network.conditions.clockOffset[v].nanoseconds)
                ctx.schedule(at: at, node: UInt32(v), kind: localSlotKind, payload: k)
                continue
            }
            if localClaimed[v] > slot { continue }
            let parent = views.best[v]
            let kind = claim(v, slot: slot, parent: parent, &cache)
            if designated == .max { designated = cache.secondary }
            guard let kind else { continue }
            let payload = slot << 34 | UInt64(kind.rawValue) << 32 | UInt64(parent)
            ctx.schedule(after: proposalTime(childOf: parent) * Int64(ctx.network.conditions.slowFactor[v]), node: UInt32(v),
                         kind: authorKind, payload: payload)
        }
        if designated == .max && config.allowsSecondary {
            // Nobody up to claim: record the author by the canonical (node 0's view) randomness.
            let st = tree.state(views.best[0])!
            let r = BabeRules.claimEpoch(parent: st, slot: slot, epochLength: config.epochLength)
            if let rt = runtime, elected {
                let auths = rt.authorities(epoch: r.index, parent: views.best[0], in: tree)
                designated = auths.isEmpty ? .max : auths[Int(BabeRules.secondaryAuthor(randomness: r.randomness, slot: slot, authorities: auths.count))]
            } else {
                designated = BabeRules.secondaryAuthor(randomness: r.randomness, slot: slot, authorities: validators)
            }
        }
        slotSecondaryAuthor.append(designated)
        ctx.schedule(at: config.slotDuration * Int64(slot + 1), node: Event.global, kind: slotTickKind, payload: slot + 1)
    }

    /// Whether node `v` claims `slot` on `parent`, and as which kind (nil: it does not).
    mutating func claim(_ v: Int, slot: UInt64, parent: BlockId, _ c: inout ClaimCache) -> BlockKind? {
        let elected = runtime?.decidesAuthorities == true
        if parent != c.parent {
            c.parent = parent
            let st = tree.state(parent)!
            let (epoch, randomness) = BabeRules.claimEpoch(parent: st, slot: slot, epochLength: config.epochLength)
            c.transcript = BabeVRF.transcript(randomness: randomness, epoch: epoch, slot: slot)
            if let r = runtime, r.decidesAuthorities {
                c.authorities = r.authorities(epoch: epoch, parent: parent, in: tree)
                (c.high, c.low) = threshold(authorities: c.authorities.count)
            }
            if config.allowsSecondary {
                let count = elected ? c.authorities.count : validators
                let index = count == 0 ? UInt32.max : BabeRules.secondaryAuthor(randomness: randomness, slot: slot, authorities: count)
                c.secondary = !elected || index == .max ? index : c.authorities[Int(index)]
            }
        }
        if elected {
            // Only the epoch's authorities claim slots, and a disabled honest one does not author
            // (an equivocator does: honest nodes reject its blocks on import).
            guard Self.contains(c.authorities, UInt32(v)) else { return nil }
            if roles[v] != .equivocator && runtime!.isDisabled(UInt32(v), parent: parent) { return nil }
        }
        let kind: BlockKind
        if vrf.claimsPrimary(v, c.transcript, thresholdHigh: c.high, thresholdLow: c.low) {
            kind = .primary
        } else if config.allowsSecondary && c.secondary == UInt32(v) {
            kind = config.secondaryKind
        } else {
            return nil
        }
        guard runtimeCanExecute(UInt32(v), childOf: parent) else { return nil }  // runtime version hook
        return kind
    }

    /// A skewed node's own slot start (`slot` on its clock): it claims on its best block then.
    mutating func localSlot<W: BabeWire>(_ node: UInt32, _ slot: UInt64, _ ctx: inout SimContext<W>) {
        let v = Int(node)
        guard roles[v] != .offline && roles[v] != .silent, localClaimed[v] <= slot else { return }
        localClaimed[v] = slot + 1
        let parent = views.best[v]
        // BABE builds only on blocks of earlier slots.
        guard parent == BlockTree.genesis || tree.slot[Int(parent)] < slot else { return }
        var cache = ClaimCache(high: thresholdHigh, low: thresholdLow)
        guard let kind = claim(v, slot: slot, parent: parent, &cache) else { return }
        let payload = slot << 34 | UInt64(kind.rawValue) << 32 | UInt64(parent)
        ctx.schedule(after: proposalTime(childOf: parent) * Int64(ctx.network.conditions.slowFactor[v]), node: node,
                     kind: authorKind, payload: payload)
    }

    /// Binary search in an ascending list.
    @inline(__always) static func contains(_ sorted: [UInt32], _ x: UInt32) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == x
    }

    mutating func authorBlocks<W: BabeWire>(_ node: UInt32, _ payload: UInt64, _ ctx: inout SimContext<W>) {
        let parent = BlockId(truncatingIfNeeded: payload)
        let kind = BlockKind(rawValue: UInt8(truncatingIfNeeded: (payload >> 32) & 3))!
        let slot = payload >> 34
        if !reverted.isEmpty && Int(parent) < reverted.count && reverted[Int(parent)] { return }   // reverted since the claim
        // The node may have finalized past `parent` while proposing (a commit right after a
        // restart, say): a block on it would not descend from the node's finalized block, which
        // Substrate's block import refuses ("not in finalized chain"), so nothing is authored;
        // the parent's post-state may already be pruned. (Found by canary explore: the
        // runtime-small base crashed here, docs/reliability.md "Findings".)
        guard tree.isAncestor(views.finalized[Int(node)], of: parent), let pst = tree.state(parent) else {
            abandonedProposals += 1
            return
        }
        let (epoch, randomness) = BabeRules.claimEpoch(parent: pst, slot: slot, epochLength: config.epochLength)
        let contribution: Hash32? = kind == .primary
            ? vrf.randomnessContribution(Int(node), BabeVRF.transcript(randomness: randomness, epoch: epoch, slot: slot))
            : nil
        let state = BabeRules.execute(parent: pst, slot: slot, epochLength: config.epochLength, primaryRandomness: contribution)
        let copies = roles[Int(node)] == .equivocator ? 2 : 1
        for _ in 0..<copies {
            let extra = Int(node) < extraBlockBytes.count ? extraBlockBytes[Int(node)] : 0
            let b = tree.add(parent: parent, slot: slot, author: node, kind: kind, size: config.blockSize + extra,
                             producedAt: ctx.now, state: state)
            runtime?.execute(b, in: tree)
            importDelays.append([])
            rowPending.append(b)
            pending.set(Int(node), Int(b))
            requested.set(Int(node), Int(b))
            applyImport(node, b, &ctx)
            ctx.broadcast(W.babe(.announce(b)), size: config.announceSize, cls: wireSlot.firstClass + Self.clsAnnounce, from: node, to: peers(node))
        }
    }

    // MARK: Import

    /// Moves `node`'s best block (a revert: the old best is no longer viable).
    mutating func moveBest(_ node: UInt32, to b: BlockId) { views.setBest(node, b) }

    /// Whether `b` is on a reverted chain (its parent's flag carries over to blocks authored
    /// on it after the revert).
    mutating func isReverted(_ b: BlockId) -> Bool {
        if Int(b) < reverted.count && reverted[Int(b)] { return true }
        let p = tree.parent[Int(b)]
        guard p != BlockTree.none, Int(p) < reverted.count, reverted[Int(p)] else { return false }
        if reverted.count <= Int(b) { reverted += Array(repeating: false, count: Int(b) + 1 - reverted.count) }
        reverted[Int(b)] = true
        return true
    }

    /// Queues `b` for import at `node`; false when it is refused for now (its slot has not begun
    /// on the node's skewed clock).
    @discardableResult
    mutating func enqueueImport<W: BabeWire>(_ node: UInt32, _ b: BlockId, _ ctx: inout SimContext<W>) -> Bool {
        if ctx.network.conditions.anySkew {
            // Substrate's BABE verifier defers (refuses) a block whose slot is after the node's
            // current slot + 1 (`CheckedHeader::Deferred`, `TooFarInFuture`).
            let local = ctx.network.conditions.localTime(Int(node), ctx.now).nanoseconds
            let nowSlot = local <= 0 ? 0 : UInt64(local / config.slotDuration.nanoseconds)
            if tree.slot[Int(b)] > nowSlot + 1 {
                rejectedFuture += 1
                return false
            }
        }
        guard runtimeCanExecute(node, block: b) else { return true }  // runtime version hook
        if !reverted.isEmpty && isReverted(b) { pending.set(Int(node), Int(b)); requested.set(Int(node), Int(b)); return true }
        if let r = runtime, r.isDisabled(tree.author[Int(b)], parent: tree.parent[Int(b)]) {
            // A disabled validator's block is invalid: not imported, not relayed.
            pending.set(Int(node), Int(b))
            requested.set(Int(node), Int(b))
            rejectedDisabled += 1
            return true
        }
        pending.set(Int(node), Int(b))
        requested.set(Int(node), Int(b))
        let done = max(ctx.now, busyUntil[Int(node)]) + importTime(b) * Int64(ctx.network.conditions.slowFactor[Int(node)])
        busyUntil[Int(node)] = done
        ctx.schedule(at: done, node: node, kind: importDoneKind, payload: UInt64(b))
        return true
    }

    mutating func finishImport<W: BabeWire>(_ node: UInt32, _ b: BlockId, _ ctx: inout SimContext<W>) {
        guard !views.hasImported(node, b) else { return }
        let delay = ctx.now.nanoseconds - tree.producedAt[Int(b)].nanoseconds
        if tree.number[Int(b)] < rowsBelow { lateRecords += 1 } else { importDelays[Int(b)].append(delay) }
        blockImportDelay.record(UInt64(max(delay, 0)))
        applyImport(node, b, &ctx)
        detectEquivocation(node, b, &ctx)
        guard roles[Int(node)] != .silent else { return }
        ctx.broadcast(W.babe(.announce(b)), size: config.announceSize, cls: wireSlot.firstClass + Self.clsAnnounce, from: node, to: peers(node))
    }

    mutating func applyImport<W: BabeWire>(_ node: UInt32, _ b: BlockId, _ ctx: inout SimContext<W>) {
        let outcome = views.markImported(node, b, in: tree)
        if reportImports { importLog.append((node, b)) }
        if outcome.bestChanged && outcome.reorgDepth > 0 {
            recordReorg(from: outcome.previousBest, to: b, depth: outcome.reorgDepth, at: ctx.now)
        }
    }

    mutating func recordReorg(from: BlockId, to: BlockId, depth: UInt32, at now: SimTime) {
        reorgCount += 1
        reorgDepths.record(UInt64(depth))
        let key = UInt64(from) << 32 | UInt64(to)
        if tree.number[Int(from)] < rowsBelow && tree.number[Int(to)] < rowsBelow {
            lateRecords += 1
            return
        }
        if let i = reorgIndex[key] {
            reorgRows[i].nodes += 1
        } else {
            reorgIndex[key] = reorgRows.count
            reorgRows.append((from, to, depth, 1, now))
        }
    }

    mutating func detectEquivocation<W: BabeWire>(_ node: UInt32, _ b: BlockId, _ ctx: inout SimContext<W>) {
        let author = tree.author[Int(b)]
        guard author != node, roles[Int(node)] == .honest else { return }
        let slot = tree.slot[Int(b)]
        var x = tree.firstInSlot[Int(slot)]
        while x != BlockTree.none {
            if x != b && tree.author[Int(x)] == author && views.hasImported(node, x) {
                let key = slot << 20 | UInt64(author)
                if let i = offenceIndex[key] {
                    offenceRows[i].reporters += 1
                } else {
                    offenceIndex[key] = offenceRows.count
                    offenceRows.append((author, slot, min(x, b), max(x, b), node, ctx.now, 1))
                    runtime?.noteOffence(OffenceReport(kind: .babeEquivocation, offender: author, timeSlot: slot, detectedAt: ctx.now))
                }
                return
            }
            x = tree.nextInSlot[Int(x)]
        }
    }
}
