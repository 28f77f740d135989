import CanaryArithmetic
import CanaryEngine
import CanaryNPoS

/// One row of the `eras` table.
public struct EraRecord: Sendable, Equatable {
    public var era: EraIndex
    public var start: SimTime
    public var end: SimTime
    /// Issuance the era's payout was computed on (at its end, before minting).
    public var issuanceBefore: Balance
    public var issuanceAfter: Balance
    public var staked: Balance
    public var stakingRate: Perquintill
    /// Everything minted, annualised, over `issuanceBefore`.
    public var inflation: Perquintill
    /// The model's annual inflation to stakers.
    public var stakingInflation: Perquintill
    /// `to_stakers` annualised over the staked total.
    public var yield: Perquintill
    public var toStakers: Balance
    public var paid: Balance
    public var toTreasury: Balance
    /// Treasury balance after the era (and the slashes applied at its end).
    public var treasury: Balance
    public var validators: Int
    public var minBacking: Balance
    public var avgBacking: Balance
    public var score: ElectionScore?
    /// Whether this era's exposures came from a full election (false: re-applied split).
    public var freshElection: Bool
    public var blocks: Int
    public var primaryBlocks: Int
    /// Nominators with an active bond after the era's behaviour.
    public var nominators: Int
    public var slashed: Balance
    public var burned: Balance
    public init(era: EraIndex, start: SimTime, end: SimTime, issuanceBefore: Balance, issuanceAfter: Balance, staked: Balance, stakingRate: Perquintill, inflation: Perquintill, stakingInflation: Perquintill, yield: Perquintill, toStakers: Balance, paid: Balance, toTreasury: Balance, treasury: Balance, validators: Int, minBacking: Balance, avgBacking: Balance, score: ElectionScore?, freshElection: Bool, blocks: Int, primaryBlocks: Int, nominators: Int, slashed: Balance, burned: Balance) {
        self.era = era; self.start = start; self.end = end; self.issuanceBefore = issuanceBefore; self.issuanceAfter = issuanceAfter; self.staked = staked; self.stakingRate = stakingRate; self.inflation = inflation; self.stakingInflation = stakingInflation; self.yield = yield; self.toStakers = toStakers; self.paid = paid; self.toTreasury = toTreasury; self.treasury = treasury; self.validators = validators; self.minBacking = minBacking; self.avgBacking = avgBacking; self.score = score; self.freshElection = freshElection; self.blocks = blocks; self.primaryBlocks = primaryBlocks; self.nominators = nominators; self.slashed = slashed; self.burned = burned
    }
}

/// One row of the `payouts` table: one era and validator, or one era (`validator == nil`).
public struct PayoutRow: Sendable, Equatable {
    /// One row per validator of an era's payouts (they come grouped by validator, in exposure
    /// order): what the validator and its nominators got; `blocks` and `points` per validator
    /// from the caller.
    public static func perValidator(_ s: EraSummary, commission: [AccountID: Perbill],
                                    blocks: (AccountID) -> UInt32, points: (AccountID) -> UInt64) -> [PayoutRow] {
        var rows: [PayoutRow] = []
        var k = 0
        let ps = s.payouts
        while k < ps.count {
            let v = ps[k].validator
            var row = PayoutRow(era: s.era, validator: v, blocks: blocks(v), points: points(v), commission: commission[v],
                                toValidator: 0, toNominators: 0, payees: 0, rebonded: 0)
            while k < ps.count && ps[k].validator == v {
                if ps[k].who == v { row.toValidator += ps[k].amount } else { row.toNominators += ps[k].amount }
                if ps[k].rebonded { row.rebonded += ps[k].amount }
                row.payees += 1
                k += 1
            }
            rows.append(row)
        }
        return rows
    }

    public var era: EraIndex
    public var validator: AccountID?
    public var blocks: UInt32
    public var points: UInt64
    public var commission: Perbill?
    /// Commission plus own-stake reward.
    public var toValidator: Balance
    public var toNominators: Balance
    public var payees: Int
    public var rebonded: Balance
    public init(era: EraIndex, validator: AccountID?, blocks: UInt32, points: UInt64, commission: Perbill?, toValidator: Balance, toNominators: Balance, payees: Int, rebonded: Balance) {
        self.era = era; self.validator = validator; self.blocks = blocks; self.points = points; self.commission = commission; self.toValidator = toValidator; self.toNominators = toNominators; self.payees = payees; self.rebonded = rebonded
    }
}

extension StatisticalStakingModel {
    static func planck(_ b: Balance) -> ResultValue { .text(String(b)) }
    static func parts(_ p: Perquintill) -> ResultValue { .integer(Int64(p.parts)) }
    static func real(_ p: Perquintill) -> ResultValue { .real(Double(p.parts) / 1e18) }

    public static let erasColumns: [ResultTable.Column] = [
        .init("era", .integer, "Era index (0 = the first)."),
        .init("start_time", .integer, "Simulated start of the era, ns."),
        .init("end_time", .integer, "Simulated end of the era, ns."),
        .init("total_issuance", .text, "Issuance the era payout is computed on (planck, decimal)."),
        .init("issuance_after", .text, "Issuance after the era's mint and slashes (planck)."),
        .init("total_staked", .text, "ErasTotalStake: the era's exposures (planck)."),
        .init("staking_rate", .real, "total_staked / total_issuance."),
        .init("staking_rate_parts", .integer, "The same, exact, in Perquintill parts (10^18 = 100%)."),
        .init("inflation", .real, "Everything minted this era, annualised, over total_issuance."),
        .init("inflation_parts", .integer, "The same in Perquintill parts."),
        .init("staking_inflation", .real, "Annual inflation to stakers as the model computes it."),
        .init("staking_inflation_parts", .integer, "The same in Perquintill parts."),
        .init("yield", .real, "to_stakers annualised over total_staked."),
        .init("yield_parts", .integer, "The same in Perquintill parts."),
        .init("to_stakers", .text, "The era payout to stakers (planck)."),
        .init("paid_to_stakers", .text, "What was actually paid (to_stakers minus rounding dust and validators without points)."),
        .init("to_treasury", .text, "The era's remainder minted to the treasury (planck)."),
        .init("treasury", .text, "Treasury balance after the era (planck)."),
        .init("validators", .integer, "Active validators."),
        .init("min_backing", .text, "Smallest exposure total (planck)."),
        .init("avg_backing", .text, "Mean exposure total, floor (planck)."),
        .init("score_minimal_stake", .text, "Score of the election that chose the era's validators: minimal stake."),
        .init("score_sum_stake", .text, "... sum of stakes."),
        .init("score_sum_stake_squared", .text, "... sum of squared stakes."),
        .init("fresh_election", .integer, "1 if the era's exposures come from a full election, 0 if re-applied from the last one."),
        .init("blocks", .integer, "Blocks authored (every slot)."),
        .init("primary_blocks", .integer, "Of which in slots with a primary claim."),
        .init("nominators", .integer, "Nominators with an active bond after the era's behaviour."),
        .init("slashed", .text, "Slashes applied at the era's end (planck)."),
        .init("burned", .text, "Of which burned (planck)."),
    ]

    public static func erasTable(_ eras: [EraRecord]) -> ResultTable {
        var t = ResultTable(name: "eras", columns: erasColumns, key: ["era"])
        t.rows.reserveCapacity(eras.count)
        for e in eras {
            t.rows.append([
                .int(e.era), .time(e.start), .time(e.end), planck(e.issuanceBefore), planck(e.issuanceAfter),
                planck(e.staked), real(e.stakingRate), parts(e.stakingRate), real(e.inflation), parts(e.inflation),
                real(e.stakingInflation), parts(e.stakingInflation), real(e.yield), parts(e.yield),
                planck(e.toStakers), planck(e.paid), planck(e.toTreasury), planck(e.treasury), .int(e.validators),
                planck(e.minBacking), planck(e.avgBacking),
                e.score.map { planck($0.minimalStake) } ?? .null, e.score.map { planck($0.sumStake) } ?? .null,
                e.score.map { planck($0.sumStakeSquared) } ?? .null,
                .int(e.freshElection ? 1 : 0), .int(e.blocks), .int(e.primaryBlocks), .int(e.nominators),
                planck(e.slashed), planck(e.burned),
            ])
        }
        return t
    }

    public static let payoutsColumns: [ResultTable.Column] = [
        .init("era", .integer, "Era paid."),
        .init("validator", .integer, "Validator account, or -1 for a row that aggregates the whole era (payouts: era)."),
        .init("commission_parts", .integer, "Validator commission in Perbill parts (NULL on era rows)."),
        .init("blocks", .integer, "Blocks authored in the era."),
        .init("points", .integer, "Era reward points (20 per block)."),
        .init("to_validator", .text, "Commission plus own-stake reward (planck)."),
        .init("to_nominators", .text, "Paid to its nominators (planck)."),
        .init("total", .text, "to_validator + to_nominators (planck)."),
        .init("payees", .integer, "Payments made (one per staker and exposure page)."),
        .init("rebonded", .text, "Of the total, re-bonded (planck)."),
    ]

    public static func payoutsTable(_ rows: [PayoutRow]) -> ResultTable {
        var t = ResultTable(name: "payouts", columns: payoutsColumns, key: ["era", "validator"])
        t.rows.reserveCapacity(rows.count)
        for p in rows {
            t.rows.append([
                .int(p.era), p.validator.map { .int($0) } ?? .integer(-1), p.commission.map { .int($0.parts) } ?? .null,
                .int(p.blocks), .int(p.points), planck(p.toValidator), planck(p.toNominators),
                planck(p.toValidator + p.toNominators), .int(p.payees), planck(p.rebonded),
            ])
        }
        return t
    }

    public static let slashesColumns: [ResultTable.Column] = [
        .init("applied_era", .integer, "Era at whose start the slash was applied."),
        .init("offence_era", .integer, "Era of the offence."),
        .init("validator", .integer, "Offending validator."),
        .init("who", .integer, "Slashed staker (the validator or one of its nominators)."),
        .init("fraction_parts", .integer, "Slash fraction in Perbill parts."),
        .init("amount", .text, "Amount taken (planck)."),
    ]

    /// The `invariant_violations` table: (era, block or nil, violation), in the order found.
    public static func violationsTable(_ rows: [(era: EraIndex, block: UInt32?, violation: InvariantViolation)]) -> ResultTable {
        var t = ResultTable(name: "invariant_violations", columns: [
            .init("idx", .integer), .init("era", .integer), .init("block", .integer, "Block whose execution found it (full fidelity)"),
            .init("invariant", .text), .init("at", .integer, "ns"), .init("detail", .text),
        ], key: ["idx"])
        for (i, v) in rows.enumerated() {
            t.rows.append([.int(i), .int(v.era), v.block.map { .int($0) } ?? .null, .text(v.violation.invariant),
                           .time(v.violation.time), .text(v.violation.detail)])
        }
        return t
    }

    public static func slashesTable(_ rows: [SlashRecord]) -> ResultTable {
        var t = ResultTable(name: "slashes", columns: slashesColumns, key: ["applied_era", "offence_era", "validator", "who"])
        for s in rows {
            t.rows.append([.int(s.appliedEra), .int(s.offenceEra), .int(s.validator), .int(s.who),
                           .int(s.fraction.parts), planck(s.amount)])
        }
        return t
    }
}
