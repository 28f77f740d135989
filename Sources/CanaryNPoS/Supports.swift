// Assignment conversions and `to_supports`.
import CanaryArithmetic

/// `assignment_ratio_to_staked`: each non-zero ratio times the voter's stake (`PerThing * N`,
/// rounding half-way down). The amounts may not add up to the stake exactly.
public func assignmentRatioToStaked<ID: ElectionID, P: PerThing>(
    _ assignments: [Assignment<ID, P>], stakeOf: (ID) -> ExtendedBalance
) -> [StakedAssignment<ID>] {
    assignments.map { a in
        let stake = stakeOf(a.voter)
        return StakedAssignment(voter: a.voter, distribution: a.distribution.compactMap { s in
            s.ratio.isZero ? nil : .init(target: s.target, stake: s.ratio * stake)
        })
    }
}

/// `assignment_ratio_to_staked_normalized`: as `assignmentRatioToStaked`, then each voter's
/// amounts normalized to exactly its stake. This is what the election provider and staking use to
/// build exposures from a solution, so supports built from it are the on-chain ones.
public func assignmentRatioToStakedNormalized<ID: ElectionID, P: PerThing>(
    _ assignments: [Assignment<ID, P>], stakeOf: (ID) -> ExtendedBalance
) throws -> [StakedAssignment<ID>] {
    var staked = assignmentRatioToStaked(assignments, stakeOf: stakeOf)
    for i in staked.indices {
        let target = stakeOf(staked[i].voter)
        guard let n = normalize(staked[i].distribution.map(\.stake), to: target) else {
            throw NPoSError.arithmetic("staked assignment of voter \(staked[i].voter) cannot be normalized")
        }
        for k in n.indices { staked[i].distribution[k].stake = n[k] }
    }
    return staked
}

/// `to_supports`: per target, the total and each voter's amount in assignment order; targets in
/// ascending id order (Substrate collects them in a `BTreeMap`). Targets with no stake from
/// anyone do not appear.
public func toSupports<ID: ElectionID>(_ assignments: [StakedAssignment<ID>]) -> [Support<ID>] {
    var position: [ID: Int] = [:]
    var supports: [Support<ID>] = []
    for a in assignments {
        for s in a.distribution {
            let i: Int
            if let p = position[s.target] {
                i = p
            } else {
                i = supports.count
                position[s.target] = i
                supports.append(Support(target: s.target, total: 0, voters: []))
            }
            supports[i].total = supports[i].total.saturatingAdd(s.stake)
            supports[i].voters.append(.init(voter: a.voter, stake: s.stake))
        }
    }
    supports.sort { $0.target < $1.target }
    return supports
}

extension ElectionResult {
    /// The supports staking would derive from this result: ratios × stake, normalized per voter,
    /// then `toSupports`. `voters` gives the stakes (the election's own input).
    public func supports(voters: [NPoSVoter<ID>]) throws -> [Support<ID>] {
        var stake: [ID: ExtendedBalance] = [:]
        for v in voters where stake[v.id] == nil { stake[v.id] = ExtendedBalance(v.stake) }
        return toSupports(try assignmentRatioToStakedNormalized(assignments) { stake[$0] ?? 0 })
    }

    /// The score of `supports(voters:)`.
    public func score(voters: [NPoSVoter<ID>]) throws -> ElectionScore {
        ElectionScore.evaluate(try supports(voters: voters))
    }
}
