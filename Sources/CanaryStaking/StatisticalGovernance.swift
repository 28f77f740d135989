import CanaryArithmetic
import CanaryEconomics
import CanaryEngine
import CanaryGovernance

// Governance at the statistical level (docs/governance.md, "Governance at the statistical level").
//
// Relay blocks sit on a regular grid: block n is authored in slot n at `n × slot` (every slot gets
// a block, no forks), so era e, ending at `end`, covers blocks `start/slot + 1 ... end/slot`.
// Before era e's payout the governance runtime executes every height of the era — skipping the
// heights where nothing can happen (`GovernanceRuntime.run(through:)`), so months stay fast.
// pallet-staking computes era e's payout in `end_era`, at the start of the first block of era e+1;
// a `set_code` dispatched in block N runs the new code from N+1, so an upgrade enacted in any
// block of era e (its last one included) sets the inflation parameters of era e's payout and of
// every later one. Parameters a version leaves unset are unchanged; successive upgrades apply in order.

/// The `GovernanceSetup` of `StakingSimulationConfig.governance` (an alias, so the config file
/// needs no `CanaryGovernance` import; `InflationParameters` exists in both modules).
public typealias StakingGovernanceSetup = GovernanceSetup

/// The governance runtime driven by `StatisticalStakingModel`, and what it did to inflation.
public struct StatisticalGovernance: Sendable {
    public private(set) var runtime: GovernanceRuntime
    public let slot: Int64
    /// Upgrades (`runtime.upgrades`) already merged into the staking inflation parameters.
    var applied = 0
    public private(set) var rows: [EraInflation] = []
    /// First era whose payout used inflation parameters set by a runtime upgrade.
    public private(set) var firstUpgradedEra: EraIndex?

    /// One row of `inflation_params`: the parameters an era's payout used.
    public struct EraInflation: Sendable, Equatable {
        public var era: EraIndex
        public var firstBlock: UInt32
        public var lastBlock: UInt32
        /// Spec version of the runtime that computes the payout (executes block `lastBlock + 1`).
        public var specVersion: UInt32
        public var params: CanaryEconomics.InflationParameters
        /// True for the era whose payout first used parameters an upgrade just set.
        public var changed: Bool
        public var stakingInflation: Perquintill = .zero
        public var yield: Perquintill = .zero
        public var toStakers: Balance = 0
    }

    public init(setup: GovernanceSetup, slot: SimTime) {
        self.slot = max(slot.nanoseconds, 1)
        runtime = GovernanceRuntime(setup: setup)
        runtime.useUniformSlots(self.slot)
    }

    /// Runs governance through the last block of the era ending at `end` and merges the
    /// inflation parameters of upgrades enacted so far into `inflation`.
    public mutating func runEra(_ era: EraIndex, start: SimTime, end: SimTime,
                                inflation: inout CanaryEconomics.InflationParameters) {
        let first = UInt32(clamping: start.nanoseconds / slot + 1)
        let last = UInt32(clamping: end.nanoseconds / slot)
        runtime.run(through: last)
        var changed = false
        while applied < runtime.upgrades.count {
            let u = runtime.upgrades[applied]
            applied += 1
            guard let p = runtime.setup.versions[u.version].inflation else { continue }
            if let v = p.idealStake { inflation.idealStake = v }
            if let v = p.minInflation { inflation.minInflation = v }
            if let v = p.maxInflation { inflation.maxInflation = v }
            if let v = p.falloff { inflation.falloff = v }
            changed = true
        }
        if changed && firstUpgradedEra == nil { firstUpgradedEra = era }
        rows.append(EraInflation(era: era, firstBlock: first, lastBlock: last,
                                 specVersion: runtime.specVersion(forBlock: last &+ 1), params: inflation, changed: changed))
    }

    /// Records the payout the era's parameters produced.
    mutating func recordPayout(stakingInflation: Perquintill, yield: Perquintill, toStakers: Balance) {
        guard !rows.isEmpty else { return }
        rows[rows.count - 1].stakingInflation = stakingInflation
        rows[rows.count - 1].yield = yield
        rows[rows.count - 1].toStakers = toStakers
    }

    // MARK: Results

    /// Metrics beyond the governance ones (`referenda.*`, `spec_version`, ... as in full mode).
    public static let metrics: [MetricDefinition] = [
        MetricDefinition("staking.ideal_stake", .ratio, "Inflation ideal staking rate in force for the last era's payout (statistical staking)."),
        MetricDefinition("inflation.upgrade_era", .count, "First era whose payout used inflation parameters set by a runtime upgrade (statistical governance)."),
        MetricDefinition("inflation.staking_before", .ratio, "Annual staking inflation of the last era paid under the old inflation parameters."),
        MetricDefinition("inflation.staking_after", .ratio, "Annual staking inflation of the first era paid under the upgraded parameters."),
        MetricDefinition("inflation.yield_before", .ratio, "Annualised staker yield of the last era paid under the old inflation parameters."),
        MetricDefinition("inflation.yield_after", .ratio, "Annualised staker yield of the first era paid under the upgraded parameters."),
    ]

    /// `referenda`, `tally_samples`, `runtime_versions`, `governance_calls` (the columns of full
    /// mode's tables), `inflation_params`, and the metrics.
    public func results(stakingIdeal: Perquintill) -> RunResults {
        let g = runtime
        var out = g.commonResults(head: g.lastExecuted)
        func time(_ n: UInt32?) -> ResultValue { n.flatMap { g.time(ofBlock: $0) }.map { .integer($0) } ?? .null }
        func num(_ n: UInt32?) -> ResultValue { n.map { .int($0) } ?? .null }
        func planck(_ b: Balance) -> ResultValue { .text(String(b)) }
        func ratio(_ p: Perquintill) -> Double { Double(p.parts) / 1e18 }


        // runtime_versions: full mode's columns; at the statistical level block n is in slot n and
        // migrations do not stall production (stall_slots is null: not modelled).
        var versions = ResultTable(name: "runtime_versions", columns: [
            .init("spec_version", .integer), .init("previous_spec_version", .integer),
            .init("enacted_block", .integer, "Block whose execution dispatched set_code (runs the old code); 0 for genesis"),
            .init("enacted_at", .integer, "ns"),
            .init("first_block", .integer, "First block executed by this runtime"),
            .init("first_block_at", .integer, "ns (statistical level: first_block × slot)"),
            .init("first_block_slot", .integer, "Slot of the first block (statistical level: = first_block)"),
            .init("referendum", .integer, "Referendum that enacted it"),
            .init("migration_time", .integer, "ns (recorded; not modelled at the statistical level)"),
            .init("import_time", .integer, "ns per import under this runtime (null: unchanged)"),
            .init("proposal_time", .integer, "ns per proposal under this runtime (null: unchanged)"),
            .init("inflation", .text, "Inflation parameters it sets (empty: unchanged)"),
            .init("not_upgraded", .integer, "Validators whose client cannot execute it"),
            .init("stall_slots", .integer, "Null at the statistical level (every slot gets a block)"),
        ], key: ["enacted_block"])
        versions.rows.append([.int(g.setup.genesisSpecVersion), .null, .int(0), .int(0), .int(0), .int(0), .int(0), .null,
                              .int(0), .null, .null, .text(""), .int(0), .null])
        for u in g.upgrades {
            let v = g.setup.versions[u.version]
            let reached = u.firstBlock <= g.lastExecuted
            versions.rows.append([
                .int(u.specVersion), .int(u.previousSpecVersion), .int(u.enactedBlock), .integer(u.enactedAt), .int(u.firstBlock),
                reached ? .integer(Int64(u.firstBlock) * slot) : .null, reached ? .int(u.firstBlock) : .null,
                u.referendum.map { .int($0) } ?? .null, .integer(v.migrationTime),
                v.importTime.map { .integer($0) } ?? .null, v.proposalTime.map { .integer($0) } ?? .null,
                .text(v.inflation?.summary ?? ""), .int(v.notUpgraded.count), .null,
            ])
        }
        out.tables.append(versions)


        var params = ResultTable(name: "inflation_params", columns: [
            .init("era", .integer, "Era index"),
            .init("first_block", .integer, "First relay block of the era"), .init("last_block", .integer, "Last relay block of the era"),
            .init("spec_version", .integer, "Runtime computing the era's payout (executes last_block + 1)"),
            .init("ideal_stake", .real, "Ideal staking rate the payout used"), .init("ideal_stake_parts", .integer, "Perquintill parts"),
            .init("min_inflation_parts", .integer, "Perquintill parts"), .init("max_inflation_parts", .integer, "Perquintill parts"),
            .init("falloff_parts", .integer, "Perquintill parts"),
            .init("changed", .integer, "1 for the first era paid with parameters an upgrade just set"),
            .init("staking_inflation", .real, "Annual inflation to stakers of the era's payout"),
            .init("staking_inflation_parts", .integer, "Perquintill parts"),
            .init("yield", .real, "Annualised staker yield"), .init("to_stakers", .text, "planck"),
        ], key: ["era"])
        for row in rows {
            params.rows.append([
                .int(row.era), .int(row.firstBlock), .int(row.lastBlock), .int(row.specVersion),
                .real(ratio(row.params.idealStake)), .int(row.params.idealStake.parts), .int(row.params.minInflation.parts),
                .int(row.params.maxInflation.parts), .int(row.params.falloff.parts), .int(row.changed ? 1 : 0),
                .real(ratio(row.stakingInflation)), .int(row.stakingInflation.parts), .real(ratio(row.yield)), planck(row.toStakers),
            ])
        }
        out.tables.append(params)

        out.scalars.append(("staking.ideal_stake", ratio(stakingIdeal)))
        if let e = firstUpgradedEra, let k = rows.firstIndex(where: { $0.era == e }) {
            out.scalars.append(("inflation.upgrade_era", Double(e)))
            out.scalars.append(("inflation.staking_after", ratio(rows[k].stakingInflation)))
            out.scalars.append(("inflation.yield_after", ratio(rows[k].yield)))
            if k > 0 {
                out.scalars.append(("inflation.staking_before", ratio(rows[k - 1].stakingInflation)))
                out.scalars.append(("inflation.yield_before", ratio(rows[k - 1].yield)))
            }
        }
        return out
    }
}
