import CanaryArithmetic
import CanaryEngine
import CanaryGovernance
@testable import CanaryStaking
import Testing

private let ksm: CanaryStaking.Balance = 1_000_000_000_000

/// 1 h eras of 6 s slots: era e covers relay blocks 600·e + 1 ... 600·(e + 1).
private func config(_ governance: GovernanceSetup?) -> StakingSimulationConfig {
    var c = StakingSimulationConfig()
    c.eraDuration = .hours(1)
    c.activeValidators = 12
    c.nominators = 300
    c.issuance = 1_000_000 * ksm
    c.treasury = 10_000 * ksm
    c.initialStakingRate = .fromPercent(40)
    c.selfBond = (100 * ksm)...(2_000 * ksm)
    c.nominatorWealth = (10 * ksm)...(10_000 * ksm)
    c.targets = 2...8
    c.electingVoters = 250
    c.electionEvery = 3
    c.governance = governance
    return c
}

/// A Root referendum for spec 1003000 (inflation ideal 60%), enacted at block `enactAt`
/// (`DispatchTime.at`), with short periods: prepare 10, decision 600, confirm 50, min enactment
/// 50 blocks. A whale holding 60% of the active issuance votes aye in block 2, so it is approved
/// long before `enactAt`. `aye: false` makes it a nay: rejected, never enacted.
private func setup(enactAt: UInt32, aye: Bool = true) -> GovernanceSetup {
    var root = TrackTable.kusama.track(named: "root")!
    root.preparePeriod = 10; root.decisionPeriod = 600; root.confirmPeriod = 50; root.minEnactmentPeriod = 50
    let tracks = try! TrackTable([root])
    let v = RuntimeVersion(specVersion: 1_003_000, inflation: .init(idealStake: .fromPercent(60)))
    return GovernanceSetup(
        tracks: tracks, activeIssuance: 1_000_000 * ksm, balances: [600_000 * ksm, 1_000 * ksm],
        accountNames: ["whale", "proposer"], genesisSpecVersion: 1_002_006, versions: [v],
        actions: [
            GovernanceAction(.block(1), .submit(ref: 0, who: 1, origin: .root, call: .setCode(specVersion: 1_003_000), enactment: .at(enactAt))),
            GovernanceAction(.block(1), .placeDecisionDeposit(ref: 0, who: 1)),
            GovernanceAction(.block(2), .vote(ref: 0, who: 0, vote: .standard(aye: aye, conviction: .locked1x, balance: 600_000 * ksm))),
        ],
        sampleEvery: 100, referendumCount: 1)
}

private func run(_ c: StakingSimulationConfig, eras: Int) -> StatisticalStakingModel {
    var m = StatisticalStakingModel(config: c, validators: 24, seed: 11)
    m.startFirstEra()
    for k in 1...eras { m.runEra(endingAt: c.eraDuration * Int64(k)) }
    return m
}

private func scalar(_ r: RunResults, _ name: String) -> Double? { r.scalars.first { $0.name == name }?.value }

@Suite("statistical governance")
struct StatisticalGovernanceTests {
    @Test("an upgrade enacted in era 1 sets the ideal of era 1's payout and later ones; era 0 is paid as without governance")
    func upgradeAppliesFromThePayoutAfterEnactment() {
        let plain = run(config(nil), eras: 4)
        let gov = run(config(setup(enactAt: 900)), eras: 4)
        let g = try! #require(gov.governance)
        #expect(g.runtime.upgrades.map(\.enactedBlock) == [900])
        #expect(g.firstUpgradedEra == 1)
        #expect(g.rows.map(\.params.idealStake) == [.fromPercent(75), .fromPercent(60), .fromPercent(60), .fromPercent(60)])
        #expect(g.rows.map(\.specVersion) == [1_002_006, 1_003_000, 1_003_000, 1_003_000])
        #expect(g.rows.map(\.changed) == [false, true, false, false])
        #expect(g.rows.map(\.lastBlock) == [600, 1200, 1800, 2400])
        #expect(gov.state.config.inflation.idealStake == .fromPercent(60))
        // Era 0: same payout as without governance. Era 1: below the ideal, a lower ideal pays
        // stakers more (min + (max − min)·x/ideal) at the same staking rate.
        #expect(gov.eras[0] == plain.eras[0])
        #expect(gov.eras[1].stakingRate == plain.eras[1].stakingRate)
        #expect(gov.eras[1].toStakers > plain.eras[1].toStakers)
        #expect(gov.eras[1].stakingInflation > plain.eras[1].stakingInflation)
        #expect(plain.state.config.inflation.idealStake == .fromPercent(75))

        let r = gov.results(at: .hours(4))
        #expect(scalar(r, "spec_version") == 1_003_000)
        #expect(scalar(r, "referenda.approved") == 1)
        #expect(scalar(r, "staking.ideal_stake") == 0.6)
        #expect(scalar(r, "inflation.upgrade_era") == 1)
        #expect(scalar(r, "inflation.staking_after")! > scalar(r, "inflation.staking_before")!)
        let names = r.tables.map(\.name)
        for t in ["referenda", "tally_samples", "runtime_versions", "governance_calls", "inflation_params"] { #expect(names.contains(t)) }
        let params = r.tables.first { $0.name == "inflation_params" }!
        #expect(params.rows.count == 4)
    }

    @Test("era boundary: set_code in the era's last block applies to that era's payout, one block later to the next")
    func eraBoundary() {
        let last = run(config(setup(enactAt: 1200)), eras: 3).governance!
        #expect(last.runtime.upgrades.map(\.enactedBlock) == [1200])
        #expect(last.firstUpgradedEra == 1)
        let next = run(config(setup(enactAt: 1201)), eras: 3).governance!
        #expect(next.runtime.upgrades.map(\.enactedBlock) == [1201])
        #expect(next.firstUpgradedEra == 2)
        #expect(next.rows[1].params.idealStake == .fromPercent(75))
    }

    @Test("without governance, or with a referendum that is rejected, staking is unchanged")
    func nothingChangesWithoutAnUpgrade() {
        let plain = run(config(nil), eras: 4)
        #expect(plain.governance == nil)
        let r = plain.results(at: .hours(4))
        #expect(!r.tables.contains { ["inflation_params", "referenda", "runtime_versions"].contains($0.name) })
        #expect(scalar(r, "spec_version") == nil && scalar(r, "staking.ideal_stake") == nil)

        let rejected = run(config(setup(enactAt: 900, aye: false)), eras: 4)
        let g = rejected.governance!
        #expect(g.runtime.upgrades.isEmpty)
        #expect(g.firstUpgradedEra == nil)
        #expect(g.runtime.gov.referenda.timelines[0].outcome == "rejected")
        #expect(rejected.eras == plain.eras)
        #expect(rejected.payoutRows == plain.payoutRows)
        #expect(rejected.state.totalIssuance == plain.state.totalIssuance)
    }

    @Test("skipping idle blocks executes the same governance as executing every block")
    func skippingMatchesEveryBlock() {
        var skip = GovernanceRuntime(setup: setup(enactAt: 900))
        skip.useUniformSlots(6_000_000_000)
        skip.run(through: 1800)
        var every = GovernanceRuntime(setup: setup(enactAt: 900))
        for n in UInt32(1)...1800 { every.execute(block: n, at: Int64(n) * 6_000_000_000) }
        #expect(skip.upgrades == every.upgrades)
        #expect(skip.calls == every.calls)
        #expect(skip.samples == every.samples)
        #expect(skip.events == every.events)
        #expect(skip.lastExecuted == 1800)
    }
}
