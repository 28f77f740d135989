import CanaryEngine

/// A vote target: block id and its number.
public struct GrandpaTarget: Sendable, Equatable, Hashable {
    public var block: BlockId
    public var number: UInt32
    public init(_ block: BlockId, _ number: UInt32) { self.block = block; self.number = number }
}

/// A second, different vote by the same voter in one phase of one round.
public struct GrandpaEquivocation: Sendable, Equatable {
    public var round: UInt64
    public var phase: GrandpaPhase
    public var voter: Int
    public var first: BlockId
    public var second: BlockId
}

/// What importing one vote did.
public enum GrandpaImportOutcome: Sendable, Equatable {
    /// A first vote by this voter in this phase.
    case accepted
    /// The same vote again (ignored).
    case duplicate
    /// A second, different vote: the proof. The voter now counts for every block.
    case equivocation(GrandpaEquivocation)
    /// A third vote after an equivocation (ignored, as in the crate), or a vote for a block that
    /// does not descend from the round's base, or by an unknown voter.
    case ignored
}

/// The externally visible state of a round (finality-grandpa `RoundState`).
public struct GrandpaRoundState: Sendable, Equatable {
    public var prevoteGhost: GrandpaTarget?
    public var finalized: GrandpaTarget?
    public var estimate: GrandpaTarget?
    public var completable: Bool
    public init(prevoteGhost: GrandpaTarget? = nil, finalized: GrandpaTarget? = nil, estimate: GrandpaTarget? = nil, completable: Bool = false) {
        self.prevoteGhost = prevoteGhost; self.finalized = finalized; self.estimate = estimate; self.completable = completable
    }
    /// The state of a set's round 0: everything is the set's base block.
    public static func genesis(_ base: GrandpaTarget) -> GrandpaRoundState {
        GrandpaRoundState(prevoteGhost: base, finalized: base, estimate: base, completable: true)
    }
}

/// One GRANDPA round's vote tracking (finality-grandpa `src/round.rs`): the vote graph with
/// cumulative per-voter bits, participation, equivocations, prevote-GHOST, finalized block,
/// estimate and completability.
///
/// Per-voter state is in flat arrays indexed by voter (first and second vote per phase);
/// there is no dictionary per vote. Only the first two distinct votes of a voter in a phase
/// are kept; the second marks it an equivocator, whose weight then counts for every block.
public struct GrandpaRound {
    public let number: UInt64
    public let voters: GrandpaVoterSet
    public let base: GrandpaTarget
    public private(set) var graph: GrandpaVoteGraph<GrandpaVoteBits>
    /// First vote per voter (index `phase * n + voter`; `BlockTree.none` = none): the settled
    /// array plus `firstLog`, the first votes accepted since (`slot << 32 | block`, in order).
    /// Why a log: every node writes every voter's first vote, and at 1,000 voters the 8 KB
    /// array is cold at each write (a cache miss per vote reception, about a tenth of a
    /// 1,000-validator run, docs/performance.md); appends touch one warm line. The log is
    /// settled into the array when a vote must be looked up (a voter's second vote: duplicate
    /// or equivocation) and the array is allocated then (empty: no vote settled yet).
    var settledFirst: [BlockId] = []
    var firstLog: [UInt64] = []
    /// Second vote per voter (same index): stays empty until the round's first equivocation.
    public private(set) var secondVote: [BlockId] = []
    /// Bit per (phase, voter): a first vote is recorded (`phase * wordsPerPhase + voter >> 6`).
    /// At 1,000 voters the first votes are 8 KB per round and node and mostly cold when a vote
    /// arrives; this 256-byte copy of "has one" answers the common case (a new vote) without
    /// loading it (docs/performance.md).
    var seenFirst: [UInt64]
    /// Participation per phase: weight of distinct voters seen (equivocators once).
    public private(set) var participation: (prevote: UInt64, precommit: UInt64) = (0, 0)
    /// Equivocators per phase, as bits (prevote words then precommit words).
    public private(set) var equivocators: [UInt64]
    public private(set) var equivocationWeight: (prevote: UInt64, precommit: UInt64) = (0, 0)
    /// Arrival order of accepted votes (phase, voter, block); equivocating second votes included
    /// (the crate's `historical_votes`). Kept only when `keepsHistory` (the default): nothing in
    /// the node stack reads it, and at 1,000 voters it is 32 KB per round and node, appended
    /// on every vote (voters pass `GrandpaConfig.keepVoteHistory`, off).
    public private(set) var history: [(phase: GrandpaPhase, voter: Int, block: BlockId)] = []
    public let keepsHistory: Bool
    public private(set) var state = GrandpaRoundState()

    public init(number: UInt64, voters: GrandpaVoterSet, base: GrandpaTarget, keepsHistory: Bool = true) {
        self.number = number
        self.keepsHistory = keepsHistory
        self.voters = voters
        self.base = base
        graph = GrandpaVoteGraph(base: base.block, baseNumber: base.number, zero: GrandpaVoteBits(wordsPerPhase: voters.wordsPerPhase))
        seenFirst = Array(repeating: 0, count: 2 * voters.wordsPerPhase)
        equivocators = Array(repeating: 0, count: 2 * voters.wordsPerPhase)
    }

    public var threshold: UInt64 { voters.threshold }
    public var prevoteGhost: GrandpaTarget? { state.prevoteGhost }
    public var finalized: GrandpaTarget? { state.finalized }
    public var estimate: GrandpaTarget? { state.estimate }
    public var completable: Bool { state.completable }

    /// First vote per (phase, voter): index `phase * n + voter`; `BlockTree.none` = none.
    public var firstVote: [BlockId] {
        var settled = self
        settled.settleFirstVotes()
        return settled.settledFirst.isEmpty ? Array(repeating: BlockTree.none, count: 2 * voters.count) : settled.settledFirst
    }

    /// Writes `firstLog` into `settledFirst`.
    mutating func settleFirstVotes() {
        guard !firstLog.isEmpty else { return }
        if settledFirst.isEmpty { settledFirst = Array(repeating: BlockTree.none, count: 2 * voters.count) }
        for e in firstLog { settledFirst[Int(e >> 32)] = BlockId(truncatingIfNeeded: e) }
        firstLog.removeAll(keepingCapacity: true)
    }

    /// The vote of `voter` in `phase` (its first one), if any.
    public func vote(_ phase: GrandpaPhase, voter: Int) -> BlockId? {
        let slot = Int(phase.rawValue) * voters.count + voter
        for e in firstLog.reversed() where Int(e >> 32) == slot { return BlockId(truncatingIfNeeded: e) }
        guard !settledFirst.isEmpty else { return nil }
        let b = settledFirst[slot]
        return b == BlockTree.none ? nil : b
    }

    public func isEquivocator(_ phase: GrandpaPhase, voter: Int) -> Bool {
        !secondVote.isEmpty && secondVote[Int(phase.rawValue) * voters.count + voter] != BlockTree.none
    }

    /// Weight of a cumulative vote value in `phase`, equivocators counted on every block.
    @inlinable public func weight(_ v: GrandpaVoteBits, _ phase: GrandpaPhase) -> UInt64 {
        let off = Int(phase.rawValue) * voters.wordsPerPhase
        return voters.weight(v.words, off, or: equivocators, off)
    }

    public mutating func importPrevote<C: GrandpaChain>(_ voter: Int, _ block: BlockId, chain: C) -> GrandpaImportOutcome {
        let outcome = importVote(.prevote, voter, block, chain: chain)
        switch outcome {
        case .accepted, .equivocation: refresh(prevotesChanged: true)
        default: break
        }
        return outcome
    }

    /// Recomputes the prevote-GHOST (when prevotes changed) and `update()` after votes were
    /// imported with `importVote` alone: a batch of votes then costs one GHOST search instead of
    /// one per vote. The state is the same as after importing them one by one with
    /// `importPrevote`/`importPrecommit`: the GHOST only moves up as votes add weight (the old
    /// one is a valid search hint), and `update()` depends only on the GHOST and the votes.
    /// Returns whether the state changed.
    @discardableResult
    public mutating func refresh(prevotesChanged: Bool) -> Bool {
        let before = state
        let t = threshold
        if prevotesChanged && participation.prevote >= t {
            let hint = state.prevoteGhost.map { ($0.block, $0.number) }
            state.prevoteGhost = graph.findGhost(hint) { weight($0, .prevote) >= t }.map { GrandpaTarget($0.block, $0.number) }
        }
        update()
        return state != before
    }

    public mutating func importPrecommit<C: GrandpaChain>(_ voter: Int, _ block: BlockId, chain: C) -> GrandpaImportOutcome {
        let outcome = importVote(.precommit, voter, block, chain: chain)
        switch outcome {
        case .accepted, .equivocation: update()
        default: break
        }
        return outcome
    }

    public mutating func importVote<C: GrandpaChain>(_ phase: GrandpaPhase, _ voter: Int, _ block: BlockId, chain: C) -> GrandpaImportOutcome {
        guard voter >= 0 && voter < voters.count else { return .ignored }
        let slot = Int(phase.rawValue) * voters.count + voter
        let wpp = voters.wordsPerPhase
        let seenWord = Int(phase.rawValue) * wpp + voter >> 6, seenBit = UInt64(1) << UInt64(voter & 63)
        if seenFirst[seenWord] & seenBit == 0 {
            guard graph.insert(block, chain: chain, apply: { $0.set(phase, voter: voter, wordsPerPhase: wpp) }) else { return .ignored }
            seenFirst[seenWord] |= seenBit
            firstLog.append(UInt64(slot) << 32 | UInt64(block))
            if phase == .prevote { participation.prevote += voters.weights[voter] } else { participation.precommit += voters.weights[voter] }
            if keepsHistory { history.append((phase, voter, block)) }
            return .accepted
        }
        settleFirstVotes()
        let first = settledFirst[slot]
        if first == block { return .duplicate }
        if secondVote.isEmpty { secondVote = Array(repeating: BlockTree.none, count: 2 * voters.count) }
        guard secondVote[slot] == BlockTree.none else { return .ignored }
        secondVote[slot] = block
        let word = Int(phase.rawValue) * voters.wordsPerPhase + voter >> 6
        equivocators[word] |= 1 << UInt64(voter & 63)
        if phase == .prevote { equivocationWeight.prevote += voters.weights[voter] } else { equivocationWeight.precommit += voters.weights[voter] }
        if keepsHistory { history.append((phase, voter, block)) }
        return .equivocation(GrandpaEquivocation(round: number, phase: phase, voter: voter, first: first, second: block))
    }

    /// Imports votes of `voters` (in order) for one `block` in one `phase`: the same outcomes and
    /// state as `importVote` for each in turn, but the votes that are first votes of their voter
    /// walk the vote graph once together (one pass over the block's ancestry for the whole
    /// run instead of one per vote). A voter that already voted in this phase (or twice in the
    /// run) goes through `importVote` alone, after the run so far. `outcome` is called per vote.
    public mutating func importVotes<C: GrandpaChain>(_ phase: GrandpaPhase, _ voterList: ArraySlice<Int>, _ block: BlockId,
                                                      chain: C, outcome: (GrandpaImportOutcome) -> Void) {
        let wpp = voters.wordsPerPhase
        // The run's new voters, as a mask and in order, on the stack: two heap arrays per run
        // were a measurable share of flood delivery (a run is a few votes).
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: wpp) { mask in
        withUnsafeTemporaryAllocation(of: Int.self, capacity: voterList.count) { pending in
            mask.initialize(repeating: 0)
            var count = 0
            func flush() {
                guard count > 0 else { return }
                defer { count = 0; mask.update(repeating: 0) }
                guard graph.insert(block, chain: chain, apply: { $0.set(phase, mask: UnsafeBufferPointer(mask), wordsPerPhase: wpp) }) else {
                    for _ in 0..<count { outcome(.ignored) }
                    return
                }
                let base = Int(phase.rawValue) * voters.count, seenBase = Int(phase.rawValue) * wpp
                var weight: UInt64 = 0
                for v in pending[0..<count] {
                    seenFirst[seenBase + v >> 6] |= UInt64(1) << UInt64(v & 63)
                    firstLog.append(UInt64(base + v) << 32 | UInt64(block))
                    weight += voters.weights[v]
                    if keepsHistory { history.append((phase, v, block)) }
                    outcome(.accepted)
                }
                if phase == .prevote { participation.prevote += weight } else { participation.precommit += weight }
            }
            let seenBase = Int(phase.rawValue) * wpp
            for v in voterList {
                guard v >= 0 && v < voters.count else { flush(); outcome(.ignored); continue }
                let w = v >> 6, bit = UInt64(1) << UInt64(v & 63)
                if seenFirst[seenBase + w] & bit == 0 && mask[w] & bit == 0 {
                    mask[w] |= bit
                    pending[count] = v
                    count += 1
                } else {
                    flush()
                    outcome(importVote(phase, v, block, chain: chain))
                }
            }
            flush()
        }
        }
    }

    /// `Round::update`: finalized block, estimate and completability from the votes so far.
    mutating func update() {
        let t = threshold
        guard participation.prevote >= t, let g = state.prevoteGhost else { return }
        let currentPrecommits = participation.precommit
        if currentPrecommits >= t {
            state.finalized = graph.findAncestor(g.block, g.number) { weight($0, .precommit) >= t }.map { GrandpaTarget($0.block, $0.number) }
        }
        guard currentPrecommits >= t else {
            state.estimate = g
            return
        }
        let total = voters.totalWeight
        let tolerated = total - t
        let additionalEquivocations = tolerated > equivocationWeight.precommit ? tolerated - equivocationWeight.precommit : 0
        let remaining = total - currentPrecommits
        let possible: (GrandpaVoteBits) -> Bool = { v in
            let precommitted = self.weight(v, .precommit)
            let others = currentPrecommits > precommitted ? currentPrecommits - precommitted : 0
            return precommitted + remaining + min(others, additionalEquivocations) >= t
        }
        let est = graph.findAncestor(g.block, g.number, possible).map { GrandpaTarget($0.block, $0.number) }
        state.estimate = est
        if let e = est {
            if e != g {
                state.completable = true
            } else {
                let deeper = graph.findGhost((e.block, e.number), possible)
                state.completable = deeper.map { $0.block == g.block && $0.number == g.number } ?? true
            }
        } else {
            state.completable = false
        }
    }

    /// Precommits justifying `target` (a commit's content): every first vote (and the second
    /// vote of an equivocator) for `target` or a descendant, in voter order.
    public func precommits<C: GrandpaChain>(justifying target: GrandpaTarget, chain: C) -> [GrandpaSignedVote] {
        var out: [GrandpaSignedVote] = []
        let n = voters.count
        let seconds = !secondVote.isEmpty
        let firstVote = self.firstVote
        func add(_ v: Int, _ b: BlockId) {
            if b != BlockTree.none && chain.isEqualOrDescendant(b, of: target.block) {
                out.append(GrandpaSignedVote(voter: UInt32(v), block: b, number: chain.number(of: b)))
            }
        }
        for v in 0..<n {
            add(v, firstVote[n + v])
            if seconds { add(v, secondVote[n + v]) }
        }
        return out
    }

    /// All votes of one phase, first votes then equivocating second votes, in voter order.
    public func votes<C: GrandpaChain>(_ phase: GrandpaPhase, chain: C) -> [GrandpaSignedVote] {
        var out: [GrandpaSignedVote] = []
        let n = voters.count, off = Int(phase.rawValue) * n
        let firstVote = self.firstVote
        for v in 0..<n where firstVote[off + v] != BlockTree.none {
            out.append(GrandpaSignedVote(voter: UInt32(v), block: firstVote[off + v], number: chain.number(of: firstVote[off + v])))
        }
        for v in 0..<n where !secondVote.isEmpty && secondVote[off + v] != BlockTree.none {
            out.append(GrandpaSignedVote(voter: UInt32(v), block: secondVote[off + v], number: chain.number(of: secondVote[off + v])))
        }
        return out
    }
}

/// A vote inside a commit or catch-up message (the signature is implied).
public struct GrandpaSignedVote: Sendable, Equatable {
    public var voter: UInt32
    public var block: BlockId
    public var number: UInt32
    public init(voter: UInt32, block: BlockId, number: UInt32) { self.voter = voter; self.block = block; self.number = number }
}

/// Result of `GrandpaCommitValidation.validate` (finality-grandpa `CommitValidationResult`).
public struct GrandpaCommitValidation: Sendable, Equatable {
    /// The precommit-GHOST of the commit's precommits when it equals the target (the commit is
    /// valid and finalizes it), else nil.
    public var ghost: GrandpaTarget?
    public var numPrecommits = 0
    public var numDuplicatedPrecommits = 0
    public var numEquivocations = 0
    public var numInvalidVoters = 0
    public var isValid: Bool { ghost != nil }

    /// finality-grandpa `validate_commit`: every precommit must be for the lowest precommit
    /// target or a descendant of it; precommits of unknown voters are ignored; the commit is
    /// valid iff the precommit-GHOST of its precommits (with supermajority) is the target.
    public static func validate<C: GrandpaChain>(target: GrandpaTarget, precommits: [GrandpaSignedVote],
                                                 voters: GrandpaVoterSet, chain: C) -> GrandpaCommitValidation {
        var r = GrandpaCommitValidation()
        let valid = precommits.filter { Int($0.voter) < voters.count }
        r.numInvalidVoters = precommits.count - valid.count
        guard let lowest = valid.min(by: { $0.number < $1.number }) else { return r }
        // All precommits must descend from the lowest one (and hence form one chain prefix).
        guard valid.allSatisfy({ chain.isEqualOrDescendant($0.block, of: lowest.block) }) else { return r }
        r.numPrecommits = precommits.count
        let base = GrandpaTarget(lowest.block, lowest.number)
        var round = GrandpaRound(number: 0, voters: voters, base: base, keepsHistory: false)
        for p in valid {
            switch round.importVote(.precommit, Int(p.voter), p.block, chain: chain) {
            case .accepted: break
            case .duplicate: r.numDuplicatedPrecommits += 1
            case .equivocation: r.numEquivocations += 1
            case .ignored: break
            }
        }
        let t = voters.threshold
        let ghost = round.graph.findGhost(nil) { round.weight($0, .precommit) >= t }
        if let g = ghost, g.block == target.block, g.number == target.number {
            r.ghost = target
        }
        return r
    }
}
