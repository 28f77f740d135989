import CanaryArithmetic
import CanaryEngine
import CanaryChain
import CanaryNPoS
import CanaryStaking

/// An era ended by a block (its payout and what changed).
public struct EraResult: Sendable {
    public var block: BlockId, number: UInt32, startNumber: UInt32
    public var startMillis: UInt64, endMillis: UInt64
    public var summary: EraSummary
    public var yield: Perquintill
    public var treasury: Balance
    public var blocks: Int
    public var primaryBlocks: Int
    public var points: [(AccountID, UInt32)]
    public var commission: [AccountID: Perbill]
    public var eraBlocks: [UInt32]
    public var nominators: Int
    public var setChanged: Bool
    public var newSetSize: Int
}

/// An election run by a block (at the start of an era's last session; genesis: block 0).
public struct ElectionRecord: Sendable {
    public var block: BlockId, number: UInt32
    /// The era whose validators it elected.
    public var era: EraIndex
    public var session: UInt64
    public var winners: [UInt32]
    public var score: ElectionScore?
    /// Winners not in the set active when it ran.
    public var changed: Int
}

/// An offence reported on chain by a block.
public struct OffenceRecord: Sendable {
    public var block: BlockId, number: UInt32
    public var era: EraIndex
    public var report: OffenceReport
    /// Slash fraction and the era it applies in (nil: the offender was not in the active set).
    public var fraction: Perbill?
    public var applyAt: EraIndex?
}

/// A broken invariant (a bug in the simulator or a model) found while executing `block`.
public struct RuntimeViolation: Sendable {
    public var block: BlockId
    public var era: EraIndex
    public var violation: InvariantViolation
}

/// What the runtime recorded, per executing block (every fork).
public struct RuntimeRecords: Sendable {
    public var eras: [EraResult] = []
    public var elections: [ElectionRecord] = []
    public var offences: [OffenceRecord] = []
    public var violations: [RuntimeViolation] = []
}

extension RelayRuntime {
    public static let metrics: [MetricDefinition] = [
        MetricDefinition("eras", .count, "Eras completed (statistical staking; at full fidelity: on the canonical chain)."),
        MetricDefinition("elections", .count, "Elections run (the genesis one included; at full fidelity: on the canonical chain)."),
        MetricDefinition("validator_set.changes", .count, "Era transitions on the canonical chain whose active set differs from the previous era's."),
        MetricDefinition("invariants.violations", .count, "Broken runtime invariants (issuance conservation, balances sum, election/payout failures) on any fork."),
        MetricDefinition("slashes", .count, "Slash records applied (one per slashed staker; at full fidelity: on the canonical chain)."),
        MetricDefinition("validators.disabled", .count, "Distinct validators disabled by an offence reported on the canonical chain."),
        MetricDefinition("offences.reported", .count, "Offence reports included in canonical blocks."),
        MetricDefinition("blocks.rejected_disabled", .count, "Block imports rejected because the author was disabled."),
    ]

    /// Tables and metrics of the canonical chain ending at `head` (violations: every fork).
    public func results(head: BlockId, tree: BlockTree, rejectedDisabled: Int) -> RunResults {
        var canonical = [Bool](repeating: false, count: tree.count)
        var x = head
        while x != BlockTree.none { canonical[Int(x)] = true; x = tree.parent[Int(x)] }
        func onChain(_ b: BlockId) -> Bool { Int(b) < canonical.count && canonical[Int(b)] }
        var r = RunResults()
        let eras = records.eras.filter { onChain($0.block) }
        var eraRows: [EraRecord] = []
        var payoutRows: [PayoutRow] = []
        var slashRows: [SlashRecord] = []
        for e in eras {
            let s = e.summary
            eraRows.append(EraRecord(
                era: s.era, start: .ms(Int64(e.startMillis)), end: .ms(Int64(e.endMillis)),
                issuanceBefore: s.totalIssuanceBefore, issuanceAfter: s.totalIssuanceAfter, staked: s.totalStaked,
                stakingRate: s.stakingRate, inflation: s.annualInflation, stakingInflation: s.payout.stakingInflation,
                yield: e.yield, toStakers: s.payout.toStakers, paid: s.paidToStakers, toTreasury: s.toTreasury,
                treasury: e.treasury, validators: s.validators, minBacking: s.minBacking, avgBacking: s.avgBacking,
                score: s.electionScore, freshElection: true, blocks: e.blocks, primaryBlocks: e.primaryBlocks, nominators: e.nominators,
                slashed: s.slashes.reduce(Balance(0)) { $0 + $1.amount }, burned: s.burned))
            slashRows += s.slashes
            payoutRows += PayoutRow.perValidator(s, commission: e.commission,
                                                 blocks: { Int($0) < e.eraBlocks.count ? e.eraBlocks[Int($0)] : 0 },
                                                 points: { v in UInt64(e.points.first { $0.0 == v }?.1 ?? 0) })
        }
        r.tables.append(StatisticalStakingModel.erasTable(eraRows))
        r.tables.append(StatisticalStakingModel.payoutsTable(payoutRows))
        r.tables.append(StatisticalStakingModel.slashesTable(slashRows))

        let elections = records.elections.filter { onChain($0.block) }
        var et = ResultTable(name: "elections", columns: [
            .init("block", .integer), .init("number", .integer), .init("era", .integer, "Era whose validators it elected"),
            .init("session", .integer), .init("winners", .integer), .init("changed", .integer, "Winners not in the active set when it ran"),
            .init("minimal_stake", .text, "ElectionScore.minimal_stake (planck)"), .init("sum_stake", .text, "planck"),
        ], key: ["block"])
        for e in elections {
            et.rows.append([.int(e.block), .int(e.number), .int(e.era), .int(e.session), .int(e.winners.count), .int(e.changed),
                            .text(e.score.map { String($0.minimalStake) } ?? ""), .text(e.score.map { String($0.sumStake) } ?? "")])
        }
        r.tables.append(et)

        let offences = records.offences.filter { onChain($0.block) }
        var ot = ResultTable(name: "offence_reports", columns: [
            .init("block", .integer, "Block that reported it"), .init("number", .integer), .init("era", .integer, "Era of the report"),
            .init("kind", .text, "babe_equivocation | grandpa_equivocation"), .init("offender", .integer),
            .init("time_slot", .integer, "BABE slot, or GRANDPA set_id << 32 | round"), .init("detected_at", .integer, "ns"),
            .init("slash_fraction", .integer, "Perbill parts (null: offender not active)"), .init("apply_era", .integer, "Era the slash applies in"),
        ], key: ["block", "kind", "offender", "time_slot"])
        for o in offences {
            ot.rows.append([.int(o.block), .int(o.number), .int(o.era),
                            .text(Self.offenceName(o.report.kind)),
                            .int(o.report.offender), .integer(Int64(bitPattern: o.report.timeSlot)), .time(o.report.detectedAt),
                            o.fraction.map { .int($0.parts) } ?? .null, o.applyAt.map { .int($0) } ?? .null])
        }
        r.tables.append(ot)

        r.tables.append(StatisticalStakingModel.violationsTable(records.violations.map { ($0.era, $0.block, $0.violation) }))

        var disabled: [UInt32] = []
        for o in offences where o.fraction != nil { disabled.sortedInsert(o.report.offender) }
        let headState = state(head)
        func ratio(_ p: Perquintill) -> Double { Double(p.parts) / 1e18 }
        r.scalars += [
            ("eras", Double(eras.count)),
            ("elections", Double(elections.count)),
            ("validator_set.changes", Double(eras.filter(\.setChanged).count)),
            ("invariants.violations", Double(records.violations.count)),
            ("slashes", Double(slashRows.count)),
            ("validators.disabled", Double(disabled.count)),
            ("offences.reported", Double(offences.count)),
            ("blocks.rejected_disabled", Double(rejectedDisabled)),
            ("staking.final_rate", eras.last.map { ratio($0.summary.stakingRate) } ?? 0),
        ]
        if let st = headState {
            r.scalars.append(("issuance.final", Double(st.staking.totalIssuance)))
            r.scalars.append(("treasury.final", Double(st.staking.treasury)))
        }
        return r
    }
}

extension RelayRuntime {
    static func offenceName(_ k: OffenceReport.Kind) -> String {
        switch k {
        case .babeEquivocation: "babe_equivocation"
        case .grandpaEquivocation: "grandpa_equivocation"
        case .disputeForInvalidBacked: "dispute_for_invalid_backed"
        case .disputeForInvalidApproved: "dispute_for_invalid_approved"
        }
    }
}
