import CanaryEngine

/// A signed prevote or precommit as gossiped: set, round, voter index in the set, target.
public struct GrandpaVoteMessage: Sendable, Equatable {
    public var setId: UInt64
    public var round: UInt64
    public var phase: GrandpaPhase
    public var voter: UInt32
    public var target: GrandpaTarget
    public init(setId: UInt64, round: UInt64, phase: GrandpaPhase, voter: UInt32, target: GrandpaTarget) {
        self.setId = setId; self.round = round; self.phase = phase; self.voter = voter; self.target = target
    }
}

/// A commit: the finalized target of a round and the precommits justifying it.
public struct GrandpaCommit: Sendable, Equatable {
    public var setId: UInt64
    public var round: UInt64
    public var target: GrandpaTarget
    public var precommits: [GrandpaSignedVote]
    public init(setId: UInt64, round: UInt64, target: GrandpaTarget, precommits: [GrandpaSignedVote]) {
        self.setId = setId; self.round = round; self.target = target; self.precommits = precommits
    }
}

/// A catch-up response: a completed round's votes and base.
public struct GrandpaCatchUp: Sendable, Equatable {
    public var setId: UInt64
    public var round: UInt64
    public var base: GrandpaTarget
    public var prevotes: [GrandpaSignedVote]
    public var precommits: [GrandpaSignedVote]
    public init(setId: UInt64, round: UInt64, base: GrandpaTarget, prevotes: [GrandpaSignedVote], precommits: [GrandpaSignedVote]) {
        self.setId = setId; self.round = round; self.base = base; self.prevotes = prevotes; self.precommits = precommits
    }
}

/// Messages between GRANDPA voters.
public enum GrandpaMessage: Sendable, Equatable {
    case vote(GrandpaVoteMessage)
    /// The round's primary proposes the previous round's estimate.
    case propose(setId: UInt64, round: UInt64, voter: UInt32, target: GrandpaTarget)
    case commit(GrandpaCommit)
    /// "I am at `round`": asks the peer for its last completed round.
    case catchUpRequest(setId: UInt64, round: UInt64)
    case catchUp(GrandpaCatchUp)
    /// Between colluding voters only (`GrandpaRole.collude`): `message` belongs to the colluders'
    /// voter instance for partition side `side` (their private coordination channel).
    indirect case colluding(side: UInt8, GrandpaMessage)

    /// Message class index (see `GrandpaVoter.messageClasses`).
    public var cls: Int {
        switch self {
        case .vote, .propose: 0
        case .commit: 1
        case .catchUpRequest, .catchUp: 2
        case .colluding(_, let m): m.cls
        }
    }
}

/// Wire sizes (bytes) of GRANDPA messages, for the network model's bandwidth accounting.
public struct GrandpaMessageSizes: Sendable, Equatable {
    /// A signed vote: hash 32 + number 4 + round 8 + set id 8 + ed25519 signature 64 + id 32, plus framing.
    public var vote = 150
    /// Fixed part of a commit or catch-up message.
    public var header = 64
    /// Per signed vote inside a commit or catch-up (target 36 + signature 64 + id 32).
    public var signedVote = 132
    public var request = 24
    public init() {}

    public func size(_ m: GrandpaMessage) -> Int {
        switch m {
        case .vote, .propose: vote
        case .commit(let c): header + signedVote * c.precommits.count
        case .catchUpRequest: request
        case .catchUp(let c): header + 36 + signedVote * (c.prevotes.count + c.precommits.count)
        case .colluding(_, let m): size(m)
        }
    }
}

/// Timers a voter asks its host to schedule.
public enum GrandpaTimerKind: UInt16, Sendable, CaseIterable {
    /// 2T after the round start.
    case prevote = 0
    /// 4T after the round start.
    case precommit = 1
    /// Random in [0, 2T) after a round completes: broadcast a commit unless one was seen.
    case commit = 2
    /// A round that is not completing: re-send this voter's votes (models gossip re-propagation).
    case rebroadcast = 3
}

/// What a voter wants done (the host performs it, in order).
public enum GrandpaOutput: Sendable {
    /// Send to every voter of the current set (except self).
    case broadcast(GrandpaMessage)
    case send(GrandpaMessage, to: UInt32)
    case timer(at: SimTime, kind: GrandpaTimerKind, setId: UInt64, round: UInt64)
    /// The voter finalized `target` (in `round` of its set; `viaCommit` when from a commit or
    /// catch-up rather than its own round).
    case finalized(GrandpaTarget, round: UInt64, viaCommit: Bool)
    /// An equivocation detected in an incoming vote (the offence report).
    case equivocation(GrandpaEquivocation, setId: UInt64)
    /// The voter moved on from `round` (completed normally, or skipped by a catch-up).
    case roundCompleted(round: UInt64, startedAt: SimTime, state: GrandpaRoundState, caughtUp: Bool)
}

/// Behaviour of a voter.
public enum GrandpaRole: UInt8, Sendable, Equatable, CaseIterable {
    case honest = 0
    /// Follows the protocol but never sends a vote, proposal, commit or catch-up.
    case withhold = 1
    /// Casts two different votes in every phase it votes in.
    case equivocate = 2
    /// Votes (prevote and precommit) for the highest block off the honest target's chain, when
    /// one exists.
    case minorityFork = 3
    /// Colludes with the other `collude` voters against a partition: runs one honest voter
    /// instance per partition side, each fed only that side's messages and sending only to that
    /// side, so it votes (prevotes, precommits, commits) for each side's fork separately. The
    /// routing is the host's (`BabeGrandpaModel`); inside each instance the voter is honest.
    case collude = 4

    public var name: String {
        switch self {
        case .honest: "honest"
        case .withhold: "withhold"
        case .equivocate: "equivocate"
        case .minorityFork: "minority-fork"
        case .collude: "collude"
        }
    }
}

/// A node's block view as its voter uses it (`select_chain` and the chain backend).
public protocol GrandpaEnvironment: GrandpaChain {
    /// The node's best block.
    var bestBlock: BlockId { get }
    /// The best block containing `base` (Substrate `finality_target`), nil if the node does
    /// not know `base`.
    func bestContaining(_ base: BlockId) -> BlockId?
    /// For `minorityFork` voters: the highest known block above `base` not on `avoid`'s chain.
    func minorityFork(base: BlockId, avoid: BlockId) -> BlockId?
}

/// A fixed chain as every node's view (tests, pure-GRANDPA runs): best = the highest block.
public struct GrandpaFixedEnvironment: GrandpaEnvironment {
    public var chain: GrandpaTestChain
    public var best: BlockId
    public init(chain: GrandpaTestChain, best: BlockId? = nil) {
        self.chain = chain
        self.best = best ?? chain.bestDescendant(of: GrandpaTestChain.genesis)
    }
    public func number(of b: BlockId) -> UInt32 { chain.number(of: b) }
    public func parent(of b: BlockId) -> BlockId { chain.parent(of: b) }
    public var bestBlock: BlockId { best }
    public func bestContaining(_ base: BlockId) -> BlockId? {
        if chain.isEqualOrDescendant(best, of: base) { return best }
        return chain.bestDescendant(of: base)
    }
    public func minorityFork(base: BlockId, avoid: BlockId) -> BlockId? {
        var pick: BlockId? = nil
        for i in 0..<chain.count {
            let b = BlockId(i)
            guard chain.isEqualOrDescendant(b, of: base), b != base,
                  !chain.isEqualOrDescendant(b, of: avoid), !chain.isEqualOrDescendant(avoid, of: b) else { continue }
            if pick == nil || chain.number(of: b) > chain.number(of: pick!) { pick = b }
        }
        return pick
    }
}
