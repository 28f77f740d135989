import CanaryEngine
import CanaryChain
import CanaryConsensus

/// The relay node stack with the parachain sub-protocols: every validator runs BABE, GRANDPA and
/// the parachain host's subsystems (backing, availability, approval voting, dispute participation)
/// in one `Simulation` on one `Network`; every parachain has a collator, an in-process network
/// node of its own (its own region and upload link, node index `validators + para`).
///
/// The parachain layer wraps `BabeGrandpaModel`: BABE/GRANDPA events and messages go to the
/// stack, the parachain slot's (`BabeGrandpaModel.layout.para`, `RelayMessage.para`) come here.
/// The layer reads the stack's imports (`tappedImports`), grows authored blocks by their
/// inclusion data (`setExtraBlockBytes`) and caps GRANDPA's vote target at approved blocks
/// (`approvalCap`). What is modelled and simplified: docs/parachains.md.
public struct ParachainNodeModel: SimulationModel {
    public typealias Message = RelayMessage
    public static let messageClasses = BabeGrandpaModel.messageClasses

    static let slot = BabeGrandpaModel.layout.para
    static let kCollator = slot.kind(0)
    static let kBackingDone = slot.kind(1)
    static let kWake = slot.kind(2)
    static let kCheckDone = slot.kind(3)
    static let kSample = slot.kind(4)
    static let kDisputeDone = slot.kind(5)
    /// A node imports the approval-distribution copies that reached it since its last tick.
    static let kDrain = slot.kind(6)
    static let clsCollation = slot.firstClass + 0, clsStatement = slot.firstClass + 1, clsChunk = slot.firstClass + 2
    static let clsAssignment = slot.firstClass + 3, clsApproval = slot.firstClass + 4, clsDispute = slot.firstClass + 5
    static let clsPoV = slot.firstClass + 6

    enum Kind: UInt8 { case collation, statement, backed, chunk, assignment, approval, povBacking, povApproval, dispute }

    static let backingTimeout = SimTime.seconds(2)
    /// `BACKING_POINTS` of the inclusion pallet's `RewardValidatorsWithEraPoints`.
    static let backingPoints: UInt32 = 20
    static let approvalTimeout = SimTime.seconds(12)
    static let tick = SimTime.ms(Int64(ApprovalChecking.tickMillis))
    static let statementSize = 256
    static let approvalMessageSize = 200
    static let assignmentMessageSize = 250

    public private(set) var stack: BabeGrandpaModel
    public let config: ParachainsConfig
    public let validators: Int
    let collatorBase: Int
    let slotDuration: SimTime
    let keys: [(UInt64, UInt64)]
    var execRng: Xoshiro256StarStar
    var collatorRng: [Xoshiro256StarStar]
    let streams: RandomStreams
    /// Per validator: its approval-distribution random routing picks (`RandomRouting`).
    var routingRng: [Xoshiro256StarStar]

    // Sessions (one per BABE epoch).
    var sessions: [ParaSession] = []
    var sessionOfEpoch: [UInt64: Int] = [:]

    // Candidates and the per-block parachain state (the runtime's inclusion pallet, per fork).
    var candidates: [Candidate] = []
    /// Candidates below this index had their chunk arrays freed (`pruneCandidates`).
    var prunedCandidates = 0
    var blockState: [BlockPara?] = []
    var story: [Hash32?] = []
    /// Per collator: the next para block number it builds, and the candidate in flight.
    var collatorSeq: [Int32]
    /// Per validator: backed candidates it knows (the prospective-parachains pool).
    var pool: [[Int32]]
    var byzantineUsed = false

    // Approval voting, per node.
    var approvalState: [[BlockId: BlockApproval]]
    var early: [[BlockId: [ParaMessage]]]
    /// Approval-distribution copies on their way to or waiting at each node (see `relay`).
    var inbox: [[Reception]]
    /// Per node: the tick of its pending `kDrain` event (`Int.max`: none).
    var drainAt: [Int]
    var dueScratch: [Reception] = []
    var targetScratch: [UInt32] = []
    var arrivalScratch: [(UInt32, SimTime)] = []
    /// Per block: (first approval time by a node, nodes that approved it).
    var blockApprovedAt: [SimTime] = []
    var blockApprovedBy: [Int32] = []

    // Records.
    var records = ParaRecords()

    public init(stack: BabeGrandpaModel, config: ParachainsConfig, seed: UInt64) {
        var stack = stack
        stack.tapImports = true
        if config.approvalsGateFinality { stack.approvalCap = ApprovalCap(nodes: stack.validators) }
        self.stack = stack
        self.config = config
        validators = stack.validators
        collatorBase = stack.validators
        slotDuration = stack.babe.config.slotDuration
        let streams = RandomStreams(seed: seed)
        keys = (0..<stack.validators).map { v in
            var r = streams.stream(.paraAssignmentKey, node: UInt32(v))
            return (r.next(), r.next())
        }
        execRng = streams.stream(.paraExecution)
        self.streams = streams
        routingRng = (0..<stack.validators).map { streams.stream(.paraRouting, node: UInt32($0)) }
        inbox = Array(repeating: [], count: stack.validators)
        drainAt = Array(repeating: Int.max, count: stack.validators)
        collatorRng = (0..<config.parachains).map { streams.stream(.paraCollator, node: UInt32($0)) }
        collatorSeq = Array(repeating: 0, count: config.parachains)
        pool = Array(repeating: [], count: stack.validators)
        approvalState = Array(repeating: [:], count: stack.validators)
        early = Array(repeating: [:], count: stack.validators)
    }

    /// The network nodes: validators, then one collator per parachain.
    public static func nodeRegions(validatorRegions: [UInt16], config: ParachainsConfig, regions: Int) -> [UInt16] {
        validatorRegions + (0..<config.parachains).map { p in
            config.collatorRegions.isEmpty ? UInt16(p % max(regions, 1)) : config.collatorRegions[p % config.collatorRegions.count]
        }
    }

    var tree: BlockTree { stack.babe.tree }
    @inline(__always) func number(_ b: BlockId) -> Int { Int(stack.babe.tree.number[Int(b)]) }

    // MARK: SimulationModel

    public mutating func start(_ ctx: inout SimContext<Message>) {
        stack.start(&ctx)
        afterStack(&ctx)
        for p in 0..<config.parachains {
            ctx.schedule(at: config.collatorBuildTime, node: UInt32(collatorBase + p), kind: Self.kCollator, payload: 0)
        }
        ctx.schedule(at: slotDuration, node: Event.global, kind: Self.kSample)
    }

    public mutating func timer(_ event: Event, _ ctx: inout SimContext<Message>) {
        switch event.kind {
        case Self.kCollator:
            if event.payload >= 1 << 62 {
                sendCollation(Int32(truncatingIfNeeded: UInt64.max - event.payload), from: event.node, &ctx)
            } else {
                collate(para: Int(event.node) - collatorBase, slot: event.payload, &ctx)
            }
        case Self.kBackingDone: backingExecuted(node: event.node, cand: Int32(truncatingIfNeeded: event.payload), &ctx)
        case Self.kWake: wake(node: Int(event.node), block: BlockId(truncatingIfNeeded: event.payload), &ctx)
        case Self.kCheckDone: checkDone(node: Int(event.node), payload: event.payload, &ctx)
        case Self.kDisputeDone: disputeVote(node: Int(event.node), cand: Int32(truncatingIfNeeded: event.payload), &ctx)
        case Self.kDrain: drain(node: Int(event.node), tick: Int(event.payload), &ctx)
        case Self.kSample:
            sampleLag(ctx.network.isUp)
            ctx.schedule(after: slotDuration, node: Event.global, kind: Self.kSample)
        default:
            stack.timer(event, &ctx)
            afterStack(&ctx)
        }
    }

    public mutating func receive(_ message: Message, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) {
        if case .para(let m) = message {
            receivePara(m, from: from, at: node, &ctx)
        } else {
            stack.receive(message, from: from, at: node, &ctx)
            afterStack(&ctx)
        }
    }

    /// Batches carry GRANDPA votes only (`BabeGrandpaConfig.voteBatch`): the stack's.
    public mutating func receiveBatch(_ batch: [(message: Message, from: UInt32)], at node: UInt32, _ ctx: inout SimContext<Message>) {
        stack.receiveBatch(batch, at: node, &ctx)
        afterStack(&ctx)
    }

    public mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        guard Int(node) < validators else { return }
        stack.restarted(node, &ctx)
        afterStack(&ctx)
    }

    public mutating func crashed(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        guard Int(node) < validators else { return }
        stack.crashed(node, &ctx)
        // Copies in flight to a crashed node are lost, as the network drops them on arrival.
        inbox[Int(node)].removeAll()
    }

    public mutating func reachabilityChanged(_ ctx: inout SimContext<Message>) {
        // Copies still in flight across a new partition are lost (`Network.arrive` would drop them).
        let now = ctx.now.nanoseconds
        for n in inbox.indices where !inbox[n].isEmpty {
            inbox[n].removeAll { $0.at > now && !ctx.network.canReach($0.from, UInt32(n)) }
        }
        stack.reachabilityChanged(&ctx)
        afterStack(&ctx)
    }

    /// Reacts to the blocks the stack imported: the author's own import executes the block's
    /// parachain part; every import starts chunk fetches and approval checking.
    mutating func afterStack(_ ctx: inout SimContext<Message>) {
        guard !stack.tappedImports.isEmpty else { return }
        let log = stack.tappedImports
        stack.tappedImports.removeAll(keepingCapacity: true)
        for (node, b) in log {
            if Int(b) >= blockState.count || blockState[Int(b)] == nil { executeBlock(b, author: node, ctx.now) }
            imported(node: Int(node), block: b, &ctx)
        }
    }

    // MARK: Sessions

    /// The session of block `b` (its BABE epoch): para-validators shuffled from the epoch
    /// randomness, truncated to `max_validators`, cut into groups.
    mutating func session(of b: BlockId) -> Int {
        let st = tree.state(b)
        let epoch = st?.epochIndex ?? (sessions.last?.epoch ?? 0)
        if let s = sessionOfEpoch[epoch] { return s }
        var start = b
        while tree.parent[Int(start)] != BlockTree.none, let ps = tree.state(tree.parent[Int(start)]), ps.epochIndex == epoch,
              number(tree.parent[Int(start)]) > 0 {
            start = tree.parent[Int(start)]
        }
        let active = Array(0..<validators)
        let host = hostConfiguration(session: Int(epoch), at: b)   // runtime's configuration pallet, else the scenario's
        let paraValidators = Scheduling.paraValidators(active: active, randomness: st?.randomness ?? .zero,
                                                       maxValidators: host.maxValidators).map { UInt32($0) }
        var gridRng = streams.stream(.gridTopology, node: UInt32(truncatingIfNeeded: epoch))
        let s = ParaSession(epoch: epoch, nodes: paraValidators, validators: validators, host: host,
                            startNumber: max(number(start), 1), gridRng: &gridRng)
        sessions.append(s)
        sessionOfEpoch[epoch] = sessions.count - 1
        return sessions.count - 1
    }

    // MARK: Collators and backing

    mutating func collate(para p: Int, slot: UInt64, _ ctx: inout SimContext<Message>) {
        let node = UInt32(collatorBase + p)
        ctx.schedule(at: slotDuration * Int64(slot + 1) + config.collatorBuildTime, node: node, kind: Self.kCollator, payload: slot + 1)
        guard !config.offlineCollators.contains(p), ctx.network.isUp[Int(node)] else { return }
        let cores = (0..<config.coresPerPara).map { p * config.coresPerPara + $0 }
        // The collator follows the relay chain through a validator's view (para p follows the
        // first session's para-validator p mod n, so forks at the tip do not hit every para at
        // once): its best block is the relay parent.
        let followers = sessions.first?.nodes ?? []
        let follow = followers.isEmpty ? 0 : Int(followers[p % followers.count])
        let rp = stack.babe.views.best[follow]
        let si = session(of: rp)
        let s = sessions[si]
        let onChain = Int32(blockState(rp)?.nextSeq[p] ?? 0)
        // Async backing: at most max_candidate_depth + 1 candidates ahead of the chain.
        if collatorSeq[p] < onChain { collatorSeq[p] = onChain }
        // Candidates built on a fork the relay chain left can never be included on this one:
        // the collator builds again from the para head of its new relay parent.
        var seq = onChain
        while seq < collatorSeq[p], let k = candidates.lastIndex(where: { $0.para == Int32(p) && $0.seq == seq }) {
            let r = candidates[k].relayParent
            if r != rp && !tree.isAncestor(r, of: rp) {
                collatorSeq[p] = seq
                records.forkRebuilds += 1
                break
            }
            seq += 1
        }
        let ahead = collatorSeq[p] - onChain
        if ahead > Int32(s.host.maxCandidateDepth) {
            // Candidates too far ahead whose relay parents left the allowed ancestry are dropped.
            // (or were built in an earlier session: their relay parents are no longer allowed).
            let stale = candidates.lastIndex { $0.para == Int32(p) && $0.seq == onChain }.map {
                number(rp) - number(candidates[$0].relayParent) > s.host.allowedAncestryLen + 1 || candidates[$0].session != Int32(si)
            } ?? true
            if !stale { return }
            collatorSeq[p] = onChain
        }
        let core = cores[Int(collatorSeq[p]) % cores.count]
        guard core < s.cores else { return }
        let rot = GroupRotation(sessionStart: s.startNumber, frequency: s.host.groupRotationFrequency, now: number(rp) + 1)
        let group = rot.group(forCore: core, cores: s.cores)
        guard group < s.groups.count, !s.groups[group].isEmpty else { return }
        let invalid = !byzantineUsed && config.byzantineGroups.contains(group) && ctx.now >= config.invalidFrom
        if invalid { byzantineUsed = true }
        var c = Candidate(para: Int32(p), core: Int32(core), seq: collatorSeq[p], relayParent: rp,
                          pov: Int32(config.povSize.draw(&collatorRng[p])),
                          exec: config.executionTime.draw(&collatorRng[p]), invalid: invalid, createdAt: ctx.now,
                          session: Int32(si), group: Int32(group))
        c.members = s.groups[group].map { s.nodes[$0] }
        c.chunks = Array(repeating: -1, count: s.nodes.count)
        let id = Int32(candidates.count)
        candidates.append(c)
        pruneCandidates(relayParentNumber: number(rp))
        collatorSeq[p] += 1
        records.collations += 1
        let delay = config.slowCollators.contains(p) ? config.slowCollatorDelay : .zero
        if delay > .zero {
            // A slow collator: the collation leaves late.
            ctx.schedule(after: delay, node: node, kind: Self.kCollator, payload: UInt64.max - UInt64(id))
        } else {
            sendCollation(id, from: node, &ctx)
        }
    }

    /// Relay-parent age (blocks) after which a candidate can no longer be pending availability
    /// on any fork: cores time out at the next group rotation (`group_rotation_frequency`, 10 on
    /// Kusama) once `paras_availability_period` has passed, and a candidate is included within
    /// `allowed_ancestry_len` of its relay parent.
    static let pruneAge = 64

    /// Frees the per-validator chunk arrays (most of a candidate's memory: 8 bytes per
    /// para-validator) of candidates whose relay parent is `pruneAge` blocks older than the
    /// newest one's, so a long run's memory stays flat; the candidate rows keep their times.
    mutating func pruneCandidates(relayParentNumber newest: Int) {
        while prunedCandidates < candidates.count,
              number(candidates[prunedCandidates].relayParent) + Self.pruneAge < newest {
            candidates[prunedCandidates].chunks = []
            candidates[prunedCandidates].known = []
            prunedCandidates += 1
        }
    }

    /// The collator sends its collation (PoV and receipt) to one member of the backing group.
    mutating func sendCollation(_ id: Int32, from node: UInt32, _ ctx: inout SimContext<Message>) {
        let c = candidates[Int(id)]
        let target = c.members[Int(c.seq) % c.members.count]
        ctx.send(.para(ParaMessage(kind: Kind.collation.rawValue, a: UInt32(id))), size: Int(c.pov) + 1024,
                 cls: Self.clsCollation, from: node, to: target)
    }

    mutating func receivePara(_ m: ParaMessage, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) {
        guard let kind = Kind(rawValue: m.kind) else { return }
        let n = Int(node)
        guard n < validators, ctx.network.isUp[n] else { return }
        switch kind {
        case .collation, .povBacking:
            let id = Int32(m.a)
            let c = candidates[Int(id)]
            guard c.members.contains(node) else { return }
            let byzantine = c.invalid && config.byzantineGroups.contains(Int(c.group))
            if byzantine {
                backingExecuted(node: node, cand: id, &ctx)
            } else if c.exec <= Self.backingTimeout.nanoseconds {
                ctx.schedule(after: .ns(c.exec), node: node, kind: Self.kBackingDone, payload: UInt64(UInt32(bitPattern: id)))
            }
            if kind == .collation {
                // The seconder shares the PoV with the rest of its group.
                for other in c.members where other != node {
                    ctx.send(.para(ParaMessage(kind: Kind.povBacking.rawValue, a: m.a)), size: Int(c.pov), cls: Self.clsPoV, from: node, to: other)
                }
            }
        case .statement:
            noteStatement(at: node, cand: Int32(m.a), voter: m.b, &ctx)
        case .backed:
            addToPool(n, Int32(m.a))
        case .chunk:
            let c = Int(m.a)
            if Int(m.b) < candidates[c].chunks.count, candidates[c].chunks[Int(m.b)] < 0 || candidates[c].chunks[Int(m.b)] == Candidate.requested {
                candidates[c].chunks[Int(m.b)] = ctx.now.nanoseconds
            }
        case .assignment, .approval:
            relay(m, from: from, at: n, &ctx)
        case .povApproval:
            let c = candidates[Int(m.a)]
            var delay = SimTime.ns(min(c.exec, Self.approvalTimeout.nanoseconds))
            if config.laggingCheckers.contains(node) { delay += config.laggingDelay }
            ctx.schedule(after: delay, node: node, kind: Self.kCheckDone, payload: m.c)
        case .dispute:
            receiveDispute(m, at: n, &ctx)
        }
    }

    /// A group member executed a candidate: it votes (Seconded/Valid) to its group.
    mutating func backingExecuted(node: UInt32, cand: Int32, _ ctx: inout SimContext<Message>) {
        let c = candidates[Int(cand)]
        let byzantine = c.invalid && config.byzantineGroups.contains(Int(c.group))
        guard !c.invalid || byzantine else { return }   // honest backers do not vote for an invalid candidate
        guard !candidates[Int(cand)].votes.contains(node) else { return }
        candidates[Int(cand)].votes.append(node)
        for other in c.members where other != node {
            ctx.send(.para(ParaMessage(kind: Kind.statement.rawValue, a: UInt32(cand), b: node)), size: Self.statementSize,
                     cls: Self.clsStatement, from: node, to: other)
        }
        noteStatement(at: node, cand: cand, voter: node, &ctx)
    }

    /// A group member learns a vote; at the backing threshold it announces the backed candidate
    /// to every validator (statement distribution to the block authors).
    mutating func noteStatement(at node: UInt32, cand: Int32, voter: UInt32, _ ctx: inout SimContext<Message>) {
        let c = candidates[Int(cand)]
        guard let pos = c.members.firstIndex(of: node), let vpos = c.members.firstIndex(of: voter), pos < 64, vpos < 64 else { return }
        var known = c.known
        if known.count < c.members.count { known = Array(repeating: 0, count: c.members.count) }
        known[pos] |= 1 << UInt64(vpos)
        candidates[Int(cand)].known = known
        let threshold = ParaThresholds.backing(groupSize: c.members.count, minimumBackingVotes: sessions[Int(c.session)].host.minimumBackingVotes)
        guard known[pos].nonzeroBitCount >= threshold, candidates[Int(cand)].backedAt == .never else { return }
        candidates[Int(cand)].backedAt = ctx.now
        candidates[Int(cand)].backers = candidates[Int(cand)].votes
        records.backed += 1
        let size = 512 + 100 * candidates[Int(cand)].votes.count
        let everyone = (0..<validators).map { UInt32($0) }.filter { $0 != node }
        ctx.broadcast(.para(ParaMessage(kind: Kind.backed.rawValue, a: UInt32(cand))), size: size, cls: Self.clsStatement,
                      from: node, to: everyone)
        addToPool(Int(node), cand)
    }

    mutating func addToPool(_ n: Int, _ cand: Int32) {
        guard !pool[n].contains(cand) else { return }
        pool[n].append(cand)
        updateBlockBytes(n)
    }

    /// The inclusion data a node's next block would carry: its backed candidates and the
    /// bitfields (one bit per core and a signature per para-validator).
    mutating func updateBlockBytes(_ n: Int) {
        let v = sessions.last?.nodes.count ?? validators
        let bitfields = v * ((config.cores + 7) / 8 + 80)
        // The provisioner puts at most one backed candidate per core in a block.
        stack.setExtraBlockBytes(node: n, bytes: bitfields + min(pool[n].count, config.cores) * config.backedCandidateBytes)
    }

    /// Drops from node `n`'s pool what its best chain can no longer include: candidates already
    /// included (para block number below the chain's next), on relay parents outside the allowed
    /// ancestry or of an earlier session, or disputed. Without it a node's pool grew until it
    /// authored (every 300 slots on average at 300 validators), and with it its block size.
    mutating func prunePool(_ n: Int) {
        let best = stack.babe.views.best[n]
        guard !pool[n].isEmpty, let st = blockState(best) else { return }
        let si = session(of: best)
        let limit = sessions[si].host.allowedAncestryLen + 1
        let num = number(best)
        var mine = pool[n]
        pool[n] = []
        let before = mine.count
        let tree = stack.babe.tree
        mine.removeAll { id in
            let i = Int(id)
            return candidates[i].seq < st.nextSeq[Int(candidates[i].para)] || num - Int(tree.number[Int(candidates[i].relayParent)]) > limit
                || candidates[i].disputedInvalid || candidates[i].session != Int32(si)
        }
        pool[n] = mine
        if mine.count != before { updateBlockBytes(n) }
    }

    // MARK: Inclusion and availability (per fork, executed once when the author imports its block)

    func blockState(_ b: BlockId) -> BlockPara? { Int(b) < blockState.count ? blockState[Int(b)] : nil }

    mutating func executeBlock(_ b: BlockId, author: UInt32, _ now: SimTime) {
        let parent = tree.parent[Int(b)]
        var st = blockState(parent) ?? BlockPara(cores: config.cores, paras: config.parachains)
        st.included = []; st.enacted = []
        let si = session(of: b)
        let s = sessions[si]
        let num = number(b)
        // 0. A new session drops every candidate pending availability (`initializer_on_new_session`
        //    of the inclusion pallet drains `PendingAvailability`): the para builds its block again.
        if blockState(parent) != nil, session(of: parent) != si {
            for core in 0..<config.cores where st.occupied[core] >= 0 {
                let c = candidates[Int(st.occupied[core])]
                st.occupied[core] = -1
                st.nextSeq[Int(c.para)] = min(st.nextSeq[Int(c.para)], c.seq)
                records.droppedAtSessionChange += 1
            }
        }
        // 1. Bitfields: candidates pending availability with enough bits are enacted.
        let threshold = ParaThresholds.availability(s.nodes.count)
        let cutoff = (now - config.bitfieldDelay).nanoseconds
        for core in 0..<config.cores {
            let id = st.occupied[core]
            guard id >= 0 else { continue }
            let c = candidates[Int(id)]
            var bits = 0
            for t in c.chunks where t >= 0 && t != Candidate.requested && t <= cutoff { bits += 1 }
            if bits >= threshold && !c.disputedInvalid {
                st.enacted.append(id)
                st.occupied[core] = -1
                if candidates[Int(id)].availableAt == .never {
                    candidates[Int(id)].availableAt = now
                }
                candidates[Int(id)].availableIn.append(b)
                // Era points: 20 to every backer of an enacted candidate (`reward_backing`).
                stack.rewardBackers(b, validators: c.backers, points: Self.backingPoints)
            } else if AvailabilityTimeout.timedOut(pendingSince: Int(st.since[core]), sessionStart: s.startNumber,
                                                   frequency: s.host.groupRotationFrequency,
                                                   availabilityPeriod: s.host.parasAvailabilityPeriod, now: num) {
                st.occupied[core] = -1
                st.nextSeq[Int(c.para)] = c.seq   // the para block is built again
                records.availabilityTimeouts += 1
            }
        }
        // 2. Backed candidates from the author's pool fill free cores.
        var keep: [Int32] = []
        for id in pool[Int(author)] {
            let c = candidates[Int(id)]
            let p = Int(c.para), core = Int(c.core)
            let age = num - 1 - number(c.relayParent)
            // Relay parents of an earlier session are no longer allowed (the allowed relay parents
            // are reset at a session change), nor are stale or disputed candidates.
            if c.seq < st.nextSeq[p] || age > s.host.allowedAncestryLen + 1 || c.disputedInvalid || c.session != Int32(si) { continue }
            keep.append(id)
            guard core < config.cores, st.occupied[core] < 0, c.seq == st.nextSeq[p], age <= s.host.allowedAncestryLen,
                  c.relayParent == parent || tree.isAncestor(c.relayParent, of: parent) else { continue }
            st.occupied[core] = id
            st.since[core] = UInt32(num)
            st.nextSeq[p] = c.seq + 1
            st.included.append(id)
            if candidates[Int(id)].includedAt == .never { candidates[Int(id)].includedAt = now }
            candidates[Int(id)].includedIn.append(b)
        }
        pool[Int(author)] = keep
        updateBlockBytes(Int(author))
        if blockState.count <= Int(b) { blockState += Array(repeating: nil, count: Int(b) + 64 - blockState.count) }
        blockState[Int(b)] = st
    }

    /// `node` imported `b`: it fetches its chunks of the candidates `b` included and starts
    /// approval checking of the candidates `b` made available.
    mutating func imported(node n: Int, block b: BlockId, _ ctx: inout SimContext<Message>) {
        guard let st = blockState(b) else { return }
        prunePool(n)
        let si = session(of: b)
        guard let vi = sessions[si].index(of: n) else {
            markApproved(n, b, ctx.now)
            return
        }
        for id in st.included {
            let c = candidates[Int(id)]
            guard c.session == Int32(si), vi < c.chunks.count, c.chunks[vi] == -1 else { continue }
            candidates[Int(id)].chunks[vi] = Candidate.requested
            let source = c.backers.isEmpty ? c.members[0] : c.backers[vi % c.backers.count]
            let size = ParaThresholds.chunkSize(povSize: Int(c.pov), validators: sessions[si].nodes.count)
            if Int(source) == n {
                candidates[Int(id)].chunks[vi] = ctx.now.nanoseconds
            } else {
                ctx.send(.para(ParaMessage(kind: Kind.chunk.rawValue, a: UInt32(id), b: UInt32(vi))), size: size, cls: Self.clsChunk,
                         from: source, to: UInt32(n))
            }
        }
        startApproval(node: n, vi: vi, session: si, block: b, &ctx)
    }

    // MARK: Approval voting

    /// Creates node `n`'s approval entry for block `b`: its own assignments for every candidate
    /// `b` made available, and a wakeup at its earliest tranche.
    mutating func startApproval(node n: Int, vi: Int, session si: Int, block b: BlockId, _ ctx: inout SimContext<Message>) {
        guard let st = blockState(b) else { return }
        if st.enacted.isEmpty || !config.approvalsGateFinalityOrChecking {
            markApproved(n, b, ctx.now)
            return
        }
        let s = sessions[si]
        let story = storyOf(b)
        let leaving = st.enacted.map { id in
            (core: Int(candidates[Int(id)].core), ownGroup: candidates[Int(id)].members.contains(UInt32(n)))
        }
        let own = AssignmentCriteria.assignments(story: story, key: keys[n], leavingCores: leaving, config: s.host, cores: s.cores)
        var ba = BlockApproval(block: b, tick: blockTick(b), session: si)
        for id in st.enacted {
            let c = candidates[Int(id)]
            var t = Track(cand: id, validators: s.nodes.count)
            if let a = own.first(where: { $0.core == Int(c.core) }) { t.ownTranche = a.tranche }
            if ApprovalChecking.instaApproved(neededApprovals: s.host.neededApprovals, validators: s.nodes.count,
                                              backingGroupSize: c.members.count) {
                t.approved = true
                ba.approvedCount += 1
            }
            ba.tracks.append(t)
        }
        approvalState[n][b] = ba
        if let msgs = early[n].removeValue(forKey: b) {
            for m in msgs { applyApprovalMessage(m, at: n, now: ctx.now) }
        }
        evaluate(node: n, block: b, &ctx)
    }

    func blockTick(_ b: BlockId) -> Int {
        Int(tree.slot[Int(b)]) * Int(slotDuration.nanoseconds / Self.tick.nanoseconds)
    }

    /// The block's `RelayVRFStory`, from its author's VRF output for the slot.
    mutating func storyOf(_ b: BlockId) -> Hash32 {
        if Int(b) < story.count, let s = story[Int(b)] { return s }
        let parent = tree.parent[Int(b)]
        var out: UInt128 = UInt128(b)
        if let pst = tree.state(parent) {
            let slot = tree.slot[Int(b)]
            let (epoch, randomness) = BabeRules.claimEpoch(parent: pst, slot: slot, epochLength: stack.babe.config.epochLength)
            out = stack.babe.vrf.output(Int(tree.author[Int(b)]), BabeVRF.transcript(randomness: randomness, epoch: epoch, slot: slot))
        }
        let s = AssignmentCriteria.relayVRFStory(authorVRFOutput: out)
        if story.count <= Int(b) { story += Array(repeating: nil, count: Int(b) + 64 - story.count) }
        story[Int(b)] = s
        return s
    }

    @inline(__always) func nowTick(_ now: SimTime) -> Int { Int(now.nanoseconds / Self.tick.nanoseconds) }

    /// Re-evaluates node `n`'s unapproved candidates of block `b`: approval, own assignments to
    /// trigger, and the next wakeup (next no-show, own tranche, approval delay).
    mutating func evaluate(node n: Int, block b: BlockId, _ ctx: inout SimContext<Message>) {
        guard var ba = approvalState[n].removeValue(forKey: b) else { return }   // moved out, put back at the end
        let now = nowTick(ctx.now)
        let host = sessions[ba.session].host
        let needed = host.neededApprovals, noShowSlots = host.noShowSlots
        let noShowTicks = noShowSlots * ApprovalChecking.ticksPerSlot
        let vi = sessions[ba.session].index(of: n)!
        var wake = Int.max
        var trigger: [Int] = []
        for i in ba.tracks.indices where !ba.tracks[i].approved {
            // Only tracks a message touched, or whose own deadline came, can have changed.
            if !ba.tracks[i].dirty && now < ba.tracks[i].nextCheck {
                wake = min(wake, ba.tracks[i].nextCheck)
                continue
            }
            ba.tracks[i].dirty = false
            var tw = Int.max
            defer { ba.tracks[i].nextCheck = tw; wake = min(wake, tw) }
            // A shortcut with the same outcome as the full check: before the first possible
            // no-show (the earliest assignment's tick + `no_show_slots`) nothing is tolerated, so
            // approval needs `needed_approvals` approvals (or more than a third of the validators),
            // and the node's own assignment cannot trigger before its tranche's tick.
            let count = ba.tracks[i].approvalCount
            if count < needed && 3 * count <= ba.tracks[i].approvals.count {
                let own = ba.tracks[i].ownTranche
                let ownAt = own >= 0 && !ba.tracks[i].triggered ? ba.tick + own : Int.max
                let first = ba.tracks[i].firstAssignmentTick
                let noShowAt = first == Int.max ? Int.max : max(first, ba.tick) + noShowTicks
                if now < ownAt && now < noShowAt {
                    // Debug builds (the tests) check the shortcut against the full rules.
                    assert(!Self.fullCheckWouldAct(ba.tracks[i], now: now, blockTick: ba.tick, noShowSlots: noShowSlots, needed: needed),
                           "approval shortcut skipped a change")
                    tw = min(ownAt, noShowAt)
                    continue
                }
            }
            let r = ApprovalChecking.isApproved(entry: ba.tracks[i].entry, approvals: ba.tracks[i].approvals,
                                                approvalCount: ba.tracks[i].approvalCount, now: now, blockTick: ba.tick,
                                                noShowSlots: noShowSlots, neededApprovals: needed)
            if r.approved {
                ba.tracks[i].approved = true
                ba.approvedCount += 1
                if case .exact(let t, let tolerated, _, _) = r.required {
                    records.tranches.record(UInt64(t))
                    records.noShowsTolerated += tolerated
                }
                let id = Int(ba.tracks[i].cand)
                if candidates[id].approvedAt == .never { candidates[id].approvedAt = ctx.now }
                continue
            }
            // Own assignment (`should_trigger_assignment`).
            let own = ba.tracks[i].ownTranche
            if own >= 0 && !ba.tracks[i].triggered {
                let trancheNow = max(now - ba.tick, 0)
                switch r.required {
                case .pending(_, _, let maxB, let drift):
                    if own <= maxB && own <= trancheNow - drift { trigger.append(i) }
                    else if own <= maxB { tw = min(tw, ba.tick + own + drift) }
                case .all:
                    trigger.append(i)
                case .exact:
                    break
                }
            }
            switch r.required {
            case .pending(let considered, let next, let maxB, let drift):
                if let x = next { tw = min(tw, x) }
                // Time alone moves the considered tranche: received assignments of a later
                // tranche count once it is reached, and the broadcast limit grows with it.
                if let t = ba.tracks[i].entry.tranches.first(where: { $0.tranche > considered })?.tranche {
                    tw = min(tw, ba.tick + t + drift)
                }
                if own >= 0 && !ba.tracks[i].triggered && own > maxB {
                    tw = min(tw, ba.tick + own - (maxB - considered) + drift)
                }
            case .exact(_, _, let next, let last):
                if let x = next { tw = min(tw, x) }
                if let l = last { tw = min(tw, max(l + ApprovalChecking.approvalDelay, now + 1)) }
            case .all: tw = min(tw, now + noShowTicks)
            }
        }
        if !trigger.isEmpty {
            // One assignment message per tranche (RelayVRFModuloCompact covers several cores).
            var byTranche: [(tranche: Int, tracks: [Int])] = []
            for i in trigger {
                ba.tracks[i].triggered = true
                ba.tracks[i].dirty = true
                let t = ba.tracks[i].ownTranche
                if let k = byTranche.firstIndex(where: { $0.tranche == t }) { byTranche[k].tracks.append(i) } else { byTranche.append((t, [i])) }
                ba.tracks[i].assigned[vi] = true
                ba.tracks[i].firstAssignmentTick = min(ba.tracks[i].firstAssignmentTick, now)
                ba.tracks[i].entry.importAssignment(tranche: t, validator: vi, tick: now)
                records.assignments += 1
                if ctx.now >= config.noShowsFrom && ctx.now < config.noShowsUntil && config.noShowValidators.contains(UInt32(n)) {
                    records.noShows += 1
                    continue
                }
                // Recover the PoV from a backer and check it.
                let c = candidates[Int(ba.tracks[i].cand)]
                ba.inProgress += 1
                let source = c.backers.isEmpty ? c.members[0] : c.backers[vi % c.backers.count]
                let payload = UInt64(b) << 16 | UInt64(i)
                if Int(source) == n {
                    ctx.schedule(after: .ns(min(c.exec, Self.approvalTimeout.nanoseconds)), node: UInt32(n), kind: Self.kCheckDone, payload: payload)
                } else {
                    ctx.send(.para(ParaMessage(kind: Kind.povApproval.rawValue, a: UInt32(ba.tracks[i].cand), c: payload)),
                             size: Int(c.pov), cls: Self.clsPoV, from: source, to: UInt32(n))
                }
            }
            for group in byTranche {
                for (mask, chunk) in Self.masks(group.tracks) {
                    distribute(ParaMessage(kind: Kind.assignment.rawValue, a: UInt32(b), b: Self.packSender(vi, chunk, group.tranche), c: mask),
                               size: Self.assignmentMessageSize, cls: Self.clsAssignment, from: n, session: ba.session, &ctx)
                }
            }
        }
        let done = ba.approvedCount == ba.tracks.count
        if done {
            markApproved(n, b, ctx.now)
            if ba.inProgress == 0 { return }   // nothing left to send: drop the entry
        }
        if !done && wake != Int.max && wake < ba.wakeAt {
            ba.wakeAt = wake
            let at = SimTime.ns(Int64(max(wake, now + 1)) * Self.tick.nanoseconds)
            ctx.schedule(at: at, node: UInt32(n), kind: Self.kWake, payload: UInt64(b))
        }
        approvalState[n][b] = ba
    }

    /// Whether the full check would approve `t` or trigger the node's own assignment now
    /// (the shortcut in `evaluate` must only skip when neither happens).
    static func fullCheckWouldAct(_ t: Track, now: Int, blockTick: Int, noShowSlots: Int, needed: Int) -> Bool {
        let r = ApprovalChecking.isApproved(entry: t.entry, approvals: t.approvals, approvalCount: t.approvalCount, now: now,
                                            blockTick: blockTick, noShowSlots: noShowSlots, neededApprovals: needed)
        if r.approved { return true }
        guard t.ownTranche >= 0 && !t.triggered else { return false }
        switch r.required {
        case .pending(_, _, let maxB, let drift): return t.ownTranche <= maxB && t.ownTranche <= max(now - blockTick, 0) - drift
        case .all: return true
        case .exact: return false
        }
    }

    mutating func wake(node n: Int, block b: BlockId, _ ctx: inout SimContext<Message>) {
        guard approvalState[n][b] != nil else { return }
        approvalState[n][b]!.wakeAt = Int.max
        evaluate(node: n, block: b, &ctx)
    }

    /// Node `n` finished checking a candidate: it approves (coalesced: one message once all its
    /// checks of the block are done) or, finding it invalid, raises a dispute.
    mutating func checkDone(node n: Int, payload: UInt64, _ ctx: inout SimContext<Message>) {
        let b = BlockId(truncatingIfNeeded: payload >> 16), i = Int(payload & 0xFFFF)
        guard var ba = approvalState[n].removeValue(forKey: b) else { return }
        guard i < ba.tracks.count else { approvalState[n][b] = ba; return }
        ba.inProgress -= 1
        let id = ba.tracks[i].cand
        let vi = sessions[ba.session].index(of: n)!
        if candidates[Int(id)].invalid {
            approvalState[n][b] = ba
            raiseDispute(node: n, cand: id, &ctx)
            return
        }
        ba.pending.append(i)
        if !ba.tracks[i].approvals[vi] { ba.tracks[i].approvals[vi] = true; ba.tracks[i].approvalCount += 1 }
        ba.tracks[i].dirty = true
        candidates[Int(id)].approvers.append(UInt32(n))
        if ba.inProgress == 0 {
            for (mask, chunk) in Self.masks(ba.pending) {
                distribute(ParaMessage(kind: Kind.approval.rawValue, a: UInt32(b), b: Self.packSender(vi, chunk, 0), c: mask),
                           size: Self.approvalMessageSize, cls: Self.clsApproval, from: n, session: ba.session, &ctx)
            }
            records.approvalMessages += 1
            ba.pending.removeAll()
        }
        approvalState[n][b] = ba
        evaluate(node: n, block: b, &ctx)
    }

    static func packSender(_ vi: Int, _ chunk: Int, _ tranche: Int) -> UInt32 {
        UInt32(vi & 0xFFFF) | UInt32(chunk & 0xF) << 16 | UInt32(min(tranche, 255)) << 24
    }

    /// Track indices as 64-bit masks, per chunk of 64.
    static func masks(_ tracks: [Int]) -> [(UInt64, Int)] {
        var out: [(UInt64, Int)] = []
        for i in tracks.sorted() {
            let chunk = i / 64
            if let k = out.firstIndex(where: { $0.1 == chunk }) { out[k].0 |= 1 << UInt64(i % 64) } else { out.append((1 << UInt64(i % 64), chunk)) }
        }
        return out
    }

    /// Sends node `from`'s own assignment or approval (approval-distribution's origination):
    /// to its grid row and column (`GridXY`) and up to 4 random other para-validators, each copy a
    /// delivery event (the receivers circulate it further in `relay`).
    mutating func distribute(_ m: ParaMessage, size: Int, cls: Int, from: Int, session si: Int, _ ctx: inout SimContext<Message>) {
        let me = UInt32(from)
        guard let vi = sessions[si].index(of: from) else { return }
        let targets = circulationTargets(session: si, member: vi, node: from, routing: .gridXY, skipping: me, me)
        ctx.broadcast(.para(m), size: size, cls: cls, from: me, to: targets)
        records.distributed += 1
        records.firstHopCopies += targets.count
        targetScratch = targets
    }

    /// A copy of an assignment or approval reached node `n` from its originator (the first hop):
    /// `n` imports it at its next tick and circulates it as `import_and_circulate_*` does, along
    /// the grid dimension `required_routing_by_index` gives (the originator's row → `n`'s column,
    /// the originator's column → `n`'s row) and to up to 4 random peers.
    ///
    /// The second-hop copies are not delivery events: each takes its turn on `n`'s upload link
    /// and its arrival time comes from the network model as usual, but it goes into the
    /// receiver's inbox, which the receiver drains on its next 500 ms tick (when approval voting
    /// would look at it anyway). Second-hop receivers do not circulate further: their random
    /// copies would be third-hop duplicates (docs/parachains.md, "Distribution").
    mutating func relay(_ m: ParaMessage, from source: UInt32, at n: Int, _ ctx: inout SimContext<Message>) {
        let now = ctx.now.nanoseconds
        enqueue(Reception(at: now, from: source, message: m), to: n, &ctx)
        let si = session(of: BlockId(m.a))
        let originatorIndex = Int(m.b & 0xFFFF)
        guard originatorIndex < sessions[si].nodes.count, let vi = sessions[si].index(of: n) else { return }
        let originator = sessions[si].nodes[originatorIndex]
        let me = UInt32(n)
        let routing = sessions[si].grid.requiredRouting(originator: originator, local: me)
        let targets = circulationTargets(session: si, member: vi, node: n, routing: routing, skipping: originator, source)
        let size = m.kind == Kind.assignment.rawValue ? Self.assignmentMessageSize : Self.approvalMessageSize
        let cls = m.kind == Kind.assignment.rawValue ? Self.clsAssignment : Self.clsApproval
        var arrivals = arrivalScratch
        arrivalScratch = []   // moved out, so the buffer is unique and its capacity is reused
        arrivals.removeAll(keepingCapacity: true)
        ctx.broadcast(.para(m), size: size, cls: cls, from: me, to: targets) { t, at in
            arrivals.append((t, at))
            return false
        }
        targetScratch = targets
        records.relayedCopies += arrivals.count
        for (t, at) in arrivals {
            enqueue(Reception(at: at.nanoseconds, from: me, message: m), to: Int(t), &ctx)
        }
        arrivalScratch = arrivals
    }

    /// Where node `n` (session member `vi`) circulates an approval-distribution message: its
    /// grid peers under `routing` except `a` and `b` (the originator and the sender), then up to
    /// 4 random other para-validators (`RandomRouting`). In the reused scratch buffer: callers
    /// hand it back through `targetScratch`.
    mutating func circulationTargets(session si: Int, member vi: Int, node n: Int, routing: GridRouting,
                                     skipping a: UInt32, _ b: UInt32) -> [UInt32] {
        var targets = targetScratch
        targetScratch = []   // moved out, so the buffer is unique and its capacity is reused
        targets.removeAll(keepingCapacity: true)
        sessions[si].gridPeers(vi, routing, into: &targets)
        targets.removeAll { $0 == a || $0 == b }
        let me = UInt32(n)
        let random = targets.withUnsafeBufferPointer { grid in
            RandomRouting.pick(from: sessions[si].nodes, rng: &routingRng[n]) { p in p == me || p == a || p == b || grid.contains(p) }
        }
        targets += random
        return targets
    }

    /// Puts a copy in node `n`'s inbox and makes sure `n` drains it at the first tick after it arrives.
    mutating func enqueue(_ r: Reception, to n: Int, _ ctx: inout SimContext<Message>) {
        inbox[n].append(r)
        let due = Int(r.at / Self.tick.nanoseconds) + 1
        if due < drainAt[n] {
            drainAt[n] = due
            ctx.schedule(at: .ns(Int64(due) * Self.tick.nanoseconds), node: UInt32(n), kind: Self.kDrain, payload: UInt64(due))
        }
    }

    /// Node `n`'s tick: it imports every copy that arrived by now, then re-evaluates the blocks
    /// they touched (the messages of one tick batched, as before they were evaluated at the next
    /// tick).
    mutating func drain(node n: Int, tick: Int, _ ctx: inout SimContext<Message>) {
        guard drainAt[n] == tick else { return }   // superseded by an earlier drain
        drainAt[n] = Int.max
        let now = ctx.now.nanoseconds
        var due = dueScratch
        dueScratch = []   // moved out, so the buffer is unique and its capacity is reused
        due.removeAll(keepingCapacity: true)
        var next = Int.max
        var w = 0
        let count = inbox[n].count
        for i in 0..<count {
            let r = inbox[n][i]
            if r.at <= now { due.append(r) } else {
                inbox[n][w] = r
                w += 1
                next = min(next, Int(r.at / Self.tick.nanoseconds) + 1)
            }
        }
        inbox[n].removeLast(count - w)
        if next != Int.max {
            drainAt[n] = next
            ctx.schedule(at: .ns(Int64(next) * Self.tick.nanoseconds), node: UInt32(n), kind: Self.kDrain, payload: UInt64(next))
        }
        guard ctx.network.isUp[n] else { dueScratch = due; return }
        var touched: [BlockId] = []
        // Consecutive copies mostly concern one block: look its entry up once (the index stays
        // valid, as importing changes values only, not keys).
        var lastBlock = BlockTree.none
        var lastIndex: Dictionary<BlockId, BlockApproval>.Index? = nil
        for r in due {
            let b = BlockId(r.message.a)
            if b != lastBlock { lastBlock = b; lastIndex = approvalState[n].index(forKey: b) }
            guard let i = lastIndex else {
                // Not imported yet: held until it is (approval-distribution's pending messages).
                if !stack.babe.views.hasImported(UInt32(n), b) { early[n][b, default: []].append(r.message) }
                continue
            }
            if Self.apply(r.message, to: &approvalState[n].values[i], tick: Int(r.at / Self.tick.nanoseconds)), !touched.contains(b) {
                touched.append(b)
            }
        }
        dueScratch = due
        for b in touched { evaluate(node: n, block: b, &ctx) }
    }

    mutating func applyApprovalMessage(_ m: ParaMessage, at n: Int, now: SimTime) {
        let b = BlockId(m.a)
        guard approvalState[n][b] != nil else { return }
        Self.apply(m, to: &approvalState[n][b]!, tick: nowTick(now))
    }

    /// Imports an assignment or approval message into a block's approval state (in place).
    /// Copies already known change nothing (a node receives most messages more than once over
    /// the grid). Returns whether anything changed.
    @discardableResult
    static func apply(_ m: ParaMessage, to ba: inout BlockApproval, tick: Int) -> Bool {
        let sender = Int(m.b & 0xFFFF), chunk = Int((m.b >> 16) & 0xF), tranche = Int(m.b >> 24)
        var mask = m.c
        var changed = false
        while mask != 0 {
            let bit = mask.trailingZeroBitCount
            mask &= mask - 1
            let i = chunk * 64 + bit
            guard i < ba.tracks.count, sender < ba.tracks[i].approvals.count else { continue }
            if m.kind == Kind.assignment.rawValue {
                guard !ba.tracks[i].assigned[sender] else { continue }
                ba.tracks[i].assigned[sender] = true
                ba.tracks[i].firstAssignmentTick = min(ba.tracks[i].firstAssignmentTick, tick)
                ba.tracks[i].entry.importAssignment(tranche: tranche, validator: sender, tick: tick)
                ba.tracks[i].dirty = true
                changed = true
            } else if !ba.tracks[i].approvals[sender] {
                ba.tracks[i].approvals[sender] = true
                ba.tracks[i].approvalCount += 1
                ba.tracks[i].dirty = true
                changed = true
            }
        }
        return changed
    }

    /// Node `n` considers block `b` approved (all its candidates approved; the finality cap
    /// also requires the ancestors).
    mutating func markApproved(_ n: Int, _ b: BlockId, _ now: SimTime) {
        stack.approvalCap?.markApproved(node: n, block: b)
        if blockApprovedAt.count <= Int(b) {
            let k = Int(b) + 64 - blockApprovedAt.count
            blockApprovedAt += Array(repeating: .never, count: k)
            blockApprovedBy += Array(repeating: 0, count: k)
        }
        if blockApprovedAt[Int(b)] == .never { blockApprovedAt[Int(b)] = now }
        if approvedMarks.count <= n { approvedMarks += Array(repeating: [], count: n + 1 - approvedMarks.count) }
        if approvedMarks[n].count <= Int(b) { approvedMarks[n] += Array(repeating: false, count: Int(b) + 64 - approvedMarks[n].count) }
        // A node counts once, however often its evaluation finds the block approved.
        if !approvedMarks[n][Int(b)] { blockApprovedBy[Int(b)] += 1 }
        approvedMarks[n][Int(b)] = true
    }

    var approvedMarks: [[Bool]] = []

    /// Samples, per up para-validator, the best block minus its highest approved ancestor.
    mutating func sampleLag(_ isUp: [Bool]) {
        guard let s = sessions.last else { return }
        let views = stack.babe.views
        for node in s.nodes where isUp[Int(node)] {
            let n = Int(node)
            var b = views.best[n]
            let fin = views.finalized[n]
            var lag = 0
            var chain: [BlockId] = []
            while b != fin && b != BlockTree.none { chain.append(b); b = tree.parent[Int(b)] }
            // Highest block whose ancestors down to finality are all approved.
            var approvedUpTo = chain.count
            for (k, x) in chain.enumerated().reversed() {
                if n < approvedMarks.count, Int(x) < approvedMarks[n].count, approvedMarks[n][Int(x)] { approvedUpTo = k } else { break }
            }
            lag = approvedUpTo
            records.approvalLag.record(UInt64(lag))
        }
    }

    // MARK: Disputes

    /// A checker found a candidate invalid: it votes invalid and every para-validator
    /// participates (recover, execute, vote).
    mutating func raiseDispute(node n: Int, cand: Int32, _ ctx: inout SimContext<Message>) {
        if candidates[Int(cand)].disputeStartedAt == .never {
            candidates[Int(cand)].disputeStartedAt = ctx.now
            records.disputes += 1
            for b in candidates[Int(cand)].includedIn + candidates[Int(cand)].availableIn { stack.approvalCap?.markDisputed(block: b) }
        }
        disputeVote(node: n, cand: cand, &ctx)
    }

    mutating func disputeVote(node n: Int, cand: Int32, _ ctx: inout SimContext<Message>) {
        let c = candidates[Int(cand)]
        guard !c.disputeVoters.contains(UInt32(n)) else { return }
        let byzantine = c.invalid && config.byzantineGroups.contains(Int(c.group)) && c.members.contains(UInt32(n))
        let valid = !c.invalid || byzantine
        candidates[Int(cand)].disputeVoters.append(UInt32(n))
        if valid { candidates[Int(cand)].disputeValid += 1 } else { candidates[Int(cand)].disputeInvalid += 1 }
        let si = Int(c.session)
        ctx.broadcast(.para(ParaMessage(kind: Kind.dispute.rawValue, a: UInt32(cand), b: valid ? 1 : 0)), size: 300,
                      cls: Self.clsDispute, from: UInt32(n), to: sessions[si].others(n))
        let status = DisputeRules.status(validators: sessions[si].nodes.count, valid: candidates[Int(cand)].disputeValid,
                                         invalid: candidates[Int(cand)].disputeInvalid)
        if status == .concludedInvalid && !candidates[Int(cand)].disputedInvalid {
            candidates[Int(cand)].disputedInvalid = true
            candidates[Int(cand)].concludedAt = ctx.now
            records.concludedInvalid += 1
            let c2 = candidates[Int(cand)]
            for (v, offence) in DisputeRules.losers(status: status, backers: c2.backers.map { Int($0) },
                                                    validVoters: c2.approvers.map { Int($0) },
                                                    invalidVoters: []) {
                records.slashes.append((cand, UInt32(v), offence, ctx.now))
                // Through the runtime's offences (slashed after the slash deferral, disabled).
                let kind: OffenceReport.Kind = offence == .forInvalidBacked ? .disputeForInvalidBacked : .disputeForInvalidApproved
                stack.reportOffence(OffenceReport(kind: kind, offender: UInt32(v), timeSlot: UInt64(UInt32(bitPattern: cand)), detectedAt: ctx.now))
            }
            // Revert the chain to before the inclusion.
            for b in c2.includedIn { stack.revert(b) }
            records.reverted += c2.includedIn.count
        }
    }

    mutating func receiveDispute(_ m: ParaMessage, at n: Int, _ ctx: inout SimContext<Message>) {
        let cand = Int32(m.a)
        let c = candidates[Int(cand)]
        guard sessions[Int(c.session)].index(of: n) != nil, !c.disputeVoters.contains(UInt32(n)), !c.participating.contains(UInt32(n)) else { return }
        candidates[Int(cand)].participating.append(UInt32(n))
        // Recover the PoV (its transfer at the network's rate is not modelled here) and execute.
        ctx.schedule(after: .ns(min(c.exec, Self.approvalTimeout.nanoseconds)) + .ms(500), node: UInt32(n), kind: Self.kDisputeDone,
                     payload: UInt64(UInt32(bitPattern: cand)))
    }
}

extension ParachainsConfig {
    /// Approval checking runs (always; the flag only decides whether GRANDPA waits for it).
    var approvalsGateFinalityOrChecking: Bool { true }
}

/// One session's parachain view: para-validators, cores and groups.
struct ParaSession {
    let epoch: UInt64
    let nodes: [UInt32]
    let indexOfNode: [Int32]
    let cores: Int
    let groups: [[Int]]
    let startNumber: Int
    let everyone: [UInt32]
    let host: HostConfiguration

    /// The session's grid topology over its para-validators (gossip-support's shuffle, here
    /// from a keyed stream per session).
    let grid: GridTopology
    let rowNeighbours: [[UInt32]]
    let columnNeighbours: [[UInt32]]

    init(epoch: UInt64, nodes: [UInt32], validators: Int, host: HostConfiguration, startNumber: Int,
         gridRng: inout Xoshiro256StarStar) {
        self.epoch = epoch
        self.nodes = nodes
        var idx = Array(repeating: Int32(-1), count: validators)
        for (i, n) in nodes.enumerated() { idx[Int(n)] = Int32(i) }
        indexOfNode = idx
        cores = Scheduling.coreCount(numCores: host.numCores, paraValidators: nodes.count, maxValidatorsPerCore: host.maxValidatorsPerCore)
        groups = Scheduling.groups(validators: nodes.count, cores: cores)
        self.startNumber = startNumber
        self.host = host
        everyone = nodes.sorted()
        var order = nodes
        if order.count > 1 {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(gridRng.nextBelow(UInt64(i + 1)))) }
        }
        grid = GridTopology(shuffling: order)
        // Each member's row and column neighbours, computed once per session (relays ask per copy).
        var rows: [[UInt32]] = [], columns: [[UInt32]] = []
        rows.reserveCapacity(nodes.count)
        columns.reserveCapacity(nodes.count)
        for n in nodes {
            rows.append(grid.rowNeighbours(of: n))
            columns.append(grid.columnNeighbours(of: n))
        }
        rowNeighbours = rows
        columnNeighbours = columns
    }

    /// Session member `vi`'s grid peers under `routing` (`GridTopology.peers`, cached).
    func gridPeers(_ vi: Int, _ routing: GridRouting, into out: inout [UInt32]) {
        switch routing {
        case .none: break
        case .gridX: out += rowNeighbours[vi]
        case .gridY: out += columnNeighbours[vi]
        case .gridXY: out += rowNeighbours[vi]; out += columnNeighbours[vi]
        case .all: out += nodes.lazy.filter { $0 != nodes[vi] }
        }
    }

    func index(of node: Int) -> Int? {
        node < indexOfNode.count && indexOfNode[node] >= 0 ? Int(indexOfNode[node]) : nil
    }

    func others(_ node: Int) -> LazyFilterSequence<[UInt32]> { everyone.lazy.filter { Int($0) != node } }
}

/// A parachain candidate and what happened to it.
struct Candidate {
    static let requested: Int64 = -2
    var para: Int32
    var core: Int32
    var seq: Int32
    var relayParent: BlockId
    var pov: Int32
    var exec: Int64
    var invalid: Bool
    var createdAt: SimTime
    var session: Int32
    var group: Int32
    var members: [UInt32] = []
    var votes: [UInt32] = []
    var known: [UInt64] = []
    var backers: [UInt32] = []
    var backedAt: SimTime = .never
    var includedAt: SimTime = .never
    var includedIn: [BlockId] = []
    var availableAt: SimTime = .never
    var availableIn: [BlockId] = []
    var approvedAt: SimTime = .never
    var approvers: [UInt32] = []
    /// Chunk arrival (ns) per session validator: -1 none, `requested` in flight.
    var chunks: [Int64] = []
    var disputeStartedAt: SimTime = .never
    var disputeVoters: [UInt32] = []
    var participating: [UInt32] = []
    var disputeValid = 0
    var disputeInvalid = 0
    var disputedInvalid = false
    var concludedAt: SimTime = .never
}

/// The inclusion pallet's state after one relay block.
struct BlockPara {
    var occupied: [Int32]
    var since: [UInt32]
    var nextSeq: [Int32]
    var included: [Int32] = []
    var enacted: [Int32] = []
    init(cores: Int, paras: Int) {
        occupied = Array(repeating: -1, count: cores)
        since = Array(repeating: 0, count: cores)
        nextSeq = Array(repeating: 0, count: paras)
    }
}

/// One node's approval state of one candidate under one block.
struct Track {
    var cand: Int32
    var entry: ApprovalChecking.Entry
    var approvals: [Bool]
    /// Validators whose assignment was imported (duplicates over the grid are ignored).
    var assigned: [Bool]
    /// The earliest tick an assignment was received (`Int.max`: none yet).
    var firstAssignmentTick = Int.max
    var approvalCount = 0
    var approved = false
    var ownTranche = -1
    var triggered = false
    /// A message changed it since the last evaluation.
    var dirty = true
    /// The tick at which time alone can change it (own tranche, no-show, approval delay).
    var nextCheck = 0
    init(cand: Int32, validators: Int) {
        self.cand = cand
        entry = ApprovalChecking.Entry(validators: validators)
        approvals = Array(repeating: false, count: validators)
        assigned = approvals
    }
}

/// One node's approval state of one block.
struct BlockApproval {
    var block: BlockId
    var tick: Int
    var session: Int
    var tracks: [Track] = []
    var approvedCount = 0
    var inProgress = 0
    var pending: [Int] = []
    var wakeAt = Int.max
    init(block: BlockId, tick: Int, session: Int) { self.block = block; self.tick = tick; self.session = session }
}

struct ParaRecords {
    var collations = 0
    var backed = 0
    var assignments = 0
    var approvalMessages = 0
    /// Approval-distribution messages originated, their first-hop copies, and the second-hop
    /// copies relayed (to inboxes).
    var distributed = 0
    var firstHopCopies = 0
    var relayedCopies = 0
    var noShows = 0
    var noShowsTolerated = 0
    var availabilityTimeouts = 0
    /// Collations built again because the relay chain left the fork they were built on.
    var forkRebuilds = 0
    /// Candidates pending availability dropped because a new session began.
    var droppedAtSessionChange = 0
    var disputes = 0
    var concludedInvalid = 0
    var reverted = 0
    var tranches = LogHistogram()
    var approvalLag = LogHistogram()
    var slashes: [(cand: Int32, validator: UInt32, offence: DisputeRules.Offence, at: SimTime)] = []
}

/// An approval-distribution copy on its way to (or waiting at) a node: arrival time (ns),
/// the peer that sent it, the message.
struct Reception {
    var at: Int64
    var from: UInt32
    var message: ParaMessage
}
