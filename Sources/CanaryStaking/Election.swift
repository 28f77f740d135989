import CanaryArithmetic
import CanaryNPoS

/// The election seam: given candidates and voters (self-votes included), return the winners'
/// supports. The default runs sequential Phragmén from `CanaryNPoS`, as Kusama's miner does.
public protocol ElectionProvider: Sendable {
    func elect(toElect: Int, candidates: [AccountID], voters: [NPoSVoter<AccountID>]) throws
        -> (supports: [Support<AccountID>], score: ElectionScore)
}

/// `SequentialPhragmen<AccountId, PerU16, ()>` (Kusama's OCW miner: PerU16 solution, no balancing by
/// default), with exposures derived as the runtime does: ratios × stake, normalized per voter, then
/// summed per target. Winners with zero backing are dropped.
public struct SeqPhragmenElection: ElectionProvider {
    public var balancing: BalancingConfig?
    public init(balancing: BalancingConfig? = nil) { self.balancing = balancing }

    public func elect(toElect: Int, candidates: [AccountID], voters: [NPoSVoter<AccountID>]) throws
        -> (supports: [Support<AccountID>], score: ElectionScore)
    {
        try exposures(of: seqPhragmen(toElect: toElect, candidates: candidates, voters: voters,
                                      balancing: balancing, accuracy: PerU16.self), voters: voters)
    }
}

/// Phragmms (`sp_npos_elections::phragmms`) with PerU16 assignments and optional balancing, as an
/// election provider; exposures derived as for `SeqPhragmenElection`.
public struct PhragmmsElection: ElectionProvider {
    public var balancing: BalancingConfig?
    public init(balancing: BalancingConfig? = nil) { self.balancing = balancing }

    public func elect(toElect: Int, candidates: [AccountID], voters: [NPoSVoter<AccountID>]) throws
        -> (supports: [Support<AccountID>], score: ElectionScore)
    {
        try exposures(of: phragmms(toElect: toElect, candidates: candidates, voters: voters,
                                   balancing: balancing, accuracy: PerU16.self), voters: voters)
    }
}

/// The winners' supports as the runtime derives exposures from a solution: ratios × stake,
/// normalized per voter, summed per target; winners with zero backing are dropped.
func exposures(of result: ElectionResult<AccountID, PerU16>, voters: [NPoSVoter<AccountID>]) throws
    -> (supports: [Support<AccountID>], score: ElectionScore)
{
    let winners = Set(result.winners.filter { $0.backedStake > 0 }.map(\.id))
    let supports = try result.supports(voters: voters).filter { winners.contains($0.target) && $0.total > 0 }
    return (supports, ElectionScore.evaluate(supports))
}
