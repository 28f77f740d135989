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
        let r = g.gov.referenda
        var out = RunResults()
        func time(_ n: UInt32?) -> ResultValue { n.flatMap { g.time(ofBlock: $0) }.map { .integer($0) } ?? .null }
        func num(_ n: UInt32?) -> ResultValue { n.map { .int($0) } ?? .null }
        func planck(_ b: Balance) -> ResultValue { .text(String(b)) }
        func ratio(_ p: Perquintill) -> Double { Double(p.parts) / 1e18 }

        var referenda = ResultTable(name: "referenda", columns: [
            .init("referendum", .integer, "On-chain index (ReferendumCount at submission)"),
            .init("scenario_ref", .integer, "Position in the scenario's governance.referenda list"),
            .init("track", .text), .init("track_id", .integer), .init("call", .text, "Proposal, e.g. system.set_code(1003000)"),
            .init("submitted", .integer, "Block"), .init("submitted_at", .integer, "ns"),
            .init("deposit_placed", .integer, "Block the decision deposit was placed"),
            .init("queued", .integer, "Block it joined the track queue (track full), if it did"),
            .init("decision_started", .integer, "Block"), .init("decision_started_at", .integer, "ns"),
            .init("confirm_started", .integer, "Block confirming (last) started"),
            .init("confirm_aborts", .integer, "Times confirming stopped because the referendum stopped passing"),
            .init("ended", .integer, "Block of approval, rejection, timeout, cancel or kill"), .init("ended_at", .integer, "ns"),
            .init("outcome", .text, "approved, rejected, timed_out, cancelled, killed; ongoing at the end"),
            .init("enactment_scheduled", .integer, "Block the proposal is scheduled for"),
            .init("enacted", .integer, "Block the proposal was dispatched"), .init("enacted_at", .integer, "ns"),
            .init("ayes", .text, "Conviction-weighted ayes (planck) at the end or final"),
            .init("nays", .text, "Conviction-weighted nays (planck)"), .init("support", .text, "Support capital (planck)"),
            .init("approval", .integer, "Perbill parts"),
        ], key: ["referendum"])
        var submitted = 0, approved = 0, rejected = 0, timedOut = 0, ongoing = 0, enacted = 0
        for i in 0..<r.referendumCount {
            let t = r.timelines[Int(i)]
            let info = r.info(i)!
            let tally = info.ongoing?.tally ?? g.lastTally(i) ?? .empty
            let outcome = t.outcome ?? "ongoing"
            submitted += 1
            switch outcome {
            case "approved": approved += 1
            case "rejected": rejected += 1
            case "timed_out": timedOut += 1
            case "ongoing": ongoing += 1
            default: break
            }
            if t.enacted != nil { enacted += 1 }
            let scenarioRef = g.chainIndex.firstIndex(of: i)
            var call = info.ongoing?.proposal.description ?? ""
            if call.isEmpty, let ref = scenarioRef {
                for a in g.setup.actions { if case let .submit(s, _, _, c, _) = a.kind, s == ref { call = c.description; break } }
            }
            referenda.rows.append([
                .int(i), scenarioRef.map { .int($0) } ?? .null, .text(g.setup.tracks.track(id: t.track)?.name ?? "?"), .int(t.track),
                .text(call), .int(t.submitted), time(t.submitted), num(t.decisionDepositPlaced), num(t.queuedAt),
                num(t.decisionStarted), time(t.decisionStarted), num(t.confirmStarted), .int(t.confirmAborts),
                num(t.ended), time(t.ended), .text(outcome), num(t.enactmentScheduledFor), num(t.enacted), time(t.enacted),
                planck(tally.ayes), planck(tally.nays), planck(tally.support), .int(tally.approval.parts),
            ])
        }
        out.tables.append(referenda)

        var samples = ResultTable(name: "tally_samples", columns: [
            .init("block", .integer), .init("at", .integer, "ns"), .init("referendum", .integer),
            .init("state", .text, "ongoing or the outcome"),
            .init("ayes", .text, "planck, conviction-weighted"), .init("nays", .text, "planck, conviction-weighted"),
            .init("support", .text, "planck"),
            .init("approval", .integer, "Perbill parts: ayes / (ayes + nays)"),
            .init("support_fraction", .integer, "Perbill parts: support / active issuance"),
            .init("approval_threshold", .integer, "Perbill parts at the elapsed fraction of the decision period (null before deciding)"),
            .init("support_threshold", .integer, "Perbill parts (null before deciding)"),
            .init("passing", .integer, "1 if both thresholds are met (null before deciding)"),
        ], key: ["block", "referendum"])
        for s in g.samples {
            let passing: ResultValue
            if let a = s.approvalThreshold, let b = s.supportThreshold { passing = .int(s.approval >= a && s.support >= b ? 1 : 0) } else { passing = .null }
            samples.rows.append([
                .int(s.block), .integer(s.time), .int(s.referendum), .text(s.state),
                planck(s.tally.ayes), planck(s.tally.nays), planck(s.tally.support), .int(s.approval.parts), .int(s.support.parts),
                s.approvalThreshold.map { .int($0.parts) } ?? .null, s.supportThreshold.map { .int($0.parts) } ?? .null, passing,
            ])
        }
        out.tables.append(samples)

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

        var calls = ResultTable(name: "governance_calls", columns: [
            .init("seq", .integer, "Order of execution"), .init("block", .integer), .init("at", .integer, "ns"),
            .init("call", .text, "submit, place_decision_deposit, vote, remove_vote, delegate, cancel, kill, or dispatch <call> (enactment)"),
            .init("who", .integer, "Account index"), .init("account", .text, "Account name"),
            .init("scenario_ref", .integer, "Scenario referendum"), .init("result", .text, "ok or the error"),
        ], key: ["seq"])
        var failed = 0
        for (k, c) in g.calls.enumerated() {
            if c.result != "ok" { failed += 1 }
            calls.rows.append([.int(k), .int(c.block), .integer(c.time), .text(c.call), c.who.map { .int($0) } ?? .null,
                               c.who.map { Int($0) < g.setup.accountNames.count ? .text(g.setup.accountNames[Int($0)]) : .null } ?? .null,
                               c.referendum.map { .int($0) } ?? .null, .text(c.result)])
        }
        out.tables.append(calls)

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

        out.scalars = [
            ("referenda.submitted", Double(submitted)), ("referenda.approved", Double(approved)),
            ("referenda.rejected", Double(rejected)), ("referenda.timed_out", Double(timedOut)),
            ("referenda.ongoing", Double(ongoing)), ("referenda.enacted", Double(enacted)),
            ("governance.failed_calls", Double(failed)),
            ("spec_version", Double(g.specVersion(forBlock: g.lastExecuted))),
            ("runtime_upgrades", Double(g.upgrades.count)),
            ("staking.ideal_stake", ratio(stakingIdeal)),
        ]
        if let u = g.upgrades.last {
            out.scalars.append(("upgrade.block", Double(u.enactedBlock)))
            out.scalars.append(("upgrade.blocks_after", Double(g.lastExecuted >= u.enactedBlock ? g.lastExecuted - u.enactedBlock : 0)))
        }
        if let e = firstUpgradedEra, let k = rows.firstIndex(where: { $0.era == e }) {
            out.scalars.append(("inflation.upgrade_era", Double(e)))
            out.scalars.append(("inflation.staking_after", ratio(rows[k].stakingInflation)))
            out.scalars.append(("inflation.yield_after", ratio(rows[k].yield)))
            if k > 0 {
                out.scalars.append(("inflation.staking_before", ratio(rows[k - 1].stakingInflation)))
                out.scalars.append(("inflation.yield_before", ratio(rows[k - 1].yield)))
            }
        }
        for (k, idx) in g.chainIndex.prefix(4).enumerated() {
            guard let idx else { continue }
            let t = r.timelines[Int(idx)]
            guard let sub = g.time(ofBlock: t.submitted) else { continue }
            if t.outcome == "approved", let e = t.ended, let at = g.time(ofBlock: e) {
                out.scalars.append(("referendum.\(k).approved_after", Double(at - sub)))
            }
            if let e = t.enacted, let at = g.time(ofBlock: e) {
                out.scalars.append(("referendum.\(k).enacted_after", Double(at - sub)))
            }
        }
        return out
    }
}
