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
        let result = try seqPhragmen(toElect: toElect, candidates: candidates, voters: voters,
                                     balancing: balancing, accuracy: PerU16.self)
        let winners = Set(result.winners.filter { $0.backedStake > 0 }.map(\.id))
        let supports = try result.supports(voters: voters).filter { winners.contains($0.target) && $0.total > 0 }
        return (supports, ElectionScore.evaluate(supports))
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
        let result = try phragmms(toElect: toElect, candidates: candidates, voters: voters,
                                  balancing: balancing, accuracy: PerU16.self)
        let winners = Set(result.winners.filter { $0.backedStake > 0 }.map(\.id))
        let supports = try result.supports(voters: voters).filter { winners.contains($0.target) && $0.total > 0 }
        return (supports, ElectionScore.evaluate(supports))
    }
}
