// Public types of the NPoS election (`sp-npos-elections`), with Canary's Swift names.
import CanaryArithmetic

/// A voter's stake as the election sees it (`VoteWeight = u64` in Substrate).
public typealias VoteWeight = UInt64
/// Internal election arithmetic (`ExtendedBalance = u128`).
public typealias ExtendedBalance = UInt128

/// What the election needs to know about an account id: equality (to build edges), an order (the
/// supports are returned sorted by target, as Substrate's `BTreeMap` does) and sendability.
public typealias ElectionID = Hashable & Comparable & Sendable

/// One voter of an election: its stake and the candidates it approves, in its own order.
///
/// Targets that are not candidates are ignored and duplicate targets count once, as in
/// Substrate's `setup_inputs`; a voter left with no valid target takes no part.
public struct NPoSVoter<ID: ElectionID>: Sendable, Hashable {
    public var id: ID
    public var stake: VoteWeight
    public var targets: [ID]
    public init(id: ID, stake: VoteWeight, targets: [ID]) {
        self.id = id
        self.stake = stake
        self.targets = targets
    }
}

/// Post-processing by "star balancing" (`sp_npos_elections::BalancingConfig`): at most
/// `iterations` passes over all voters, stopping early once no voter moved more than `tolerance`.
public struct BalancingConfig: Sendable, Hashable {
    public var iterations: Int
    public var tolerance: ExtendedBalance
    public init(iterations: Int, tolerance: ExtendedBalance = 0) {
        self.iterations = iterations
        self.tolerance = tolerance
    }
}

/// An elected candidate, its final backing (in `ExtendedBalance`, before per-thing rounding) and
/// the round (0-based) in which it was elected.
public struct Winner<ID: ElectionID>: Sendable, Hashable {
    public var id: ID
    public var backedStake: ExtendedBalance
    public var round: Int
    public init(id: ID, backedStake: ExtendedBalance, round: Int) {
        self.id = id
        self.backedStake = backedStake
        self.round = round
    }
}

/// A voter's stake split as fractions of its whole stake: the form an election solution takes.
/// The ratios of one assignment sum to exactly `P.one`.
public struct Assignment<ID: ElectionID, P: PerThing>: Sendable, Hashable {
    public struct Share: Sendable, Hashable {
        public var target: ID
        public var ratio: P
        public init(target: ID, ratio: P) {
            self.target = target
            self.ratio = ratio
        }
    }
    public var voter: ID
    public var distribution: [Share]
    public init(voter: ID, distribution: [Share]) {
        self.voter = voter
        self.distribution = distribution
    }
}

/// A voter's stake split in absolute amounts (`StakedAssignment`).
public struct StakedAssignment<ID: ElectionID>: Sendable, Hashable {
    public struct Share: Sendable, Hashable {
        public var target: ID
        public var stake: ExtendedBalance
        public init(target: ID, stake: ExtendedBalance) {
            self.target = target
            self.stake = stake
        }
    }
    public var voter: ID
    public var distribution: [Share]
    public init(voter: ID, distribution: [Share]) {
        self.voter = voter
        self.distribution = distribution
    }
}

/// Backing of one winner: its total and each voter's part, in assignment order (`Support`).
public struct Support<ID: ElectionID>: Sendable, Hashable {
    public struct Backer: Sendable, Hashable {
        public var voter: ID
        public var stake: ExtendedBalance
        public init(voter: ID, stake: ExtendedBalance) {
            self.voter = voter
            self.stake = stake
        }
    }
    public var target: ID
    public var total: ExtendedBalance
    public var voters: [Backer]
    public init(target: ID, total: ExtendedBalance, voters: [Backer]) {
        self.target = target
        self.total = total
        self.voters = voters
    }
}

/// Output of `seqPhragmen` / `phragmms`: winners in election order and per-voter assignments in
/// voter input order (`ElectionResult`).
public struct ElectionResult<ID: ElectionID, P: PerThing>: Sendable, Hashable {
    public var winners: [Winner<ID>]
    public var assignments: [Assignment<ID, P>]
    public init(winners: [Winner<ID>], assignments: [Assignment<ID, P>]) {
        self.winners = winners
        self.assignments = assignments
    }
}

/// Why an election could not produce a result. Substrate's only failure is a normalization that
/// cannot fit its sum; with `u64` stakes this cannot happen, but it is reported, never ignored.
public enum NPoSError: Error, Sendable, Hashable, CustomStringConvertible {
    case arithmetic(String)
    public var description: String {
        switch self {
        case .arithmetic(let why): return "arithmetic error in the election: \(why)"
        }
    }
}
