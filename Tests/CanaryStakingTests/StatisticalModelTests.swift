import CanaryArithmetic
import CanaryEconomics
import CanaryEngine
@testable import CanaryStaking
import Testing

private let ksm: Balance = 1_000_000_000_000

/// A small population: 24 candidates for 12 seats, 300 nominators, 1 h eras of 6 s slots.
private func smallConfig(_ edit: (inout StakingSimulationConfig) -> Void = { _ in }) -> StakingSimulationConfig {
    var c = StakingSimulationConfig()
    c.eraDuration = .hours(1)
    c.activeValidators = 12
    c.nominators = 300
    c.issuance = 1_000_000 * ksm
    c.treasury = 10_000 * ksm
    c.selfBond = (100 * ksm)...(2_000 * ksm)
    c.nominatorWealth = (10 * ksm)...(10_000 * ksm)
    c.targets = 2...8
    c.electingVoters = 250
    c.bondingDuration = 4
    c.slashDeferDuration = 3
    c.electionEvery = 3
    c.behaviour.renominate = .fromPercent(5)
    edit(&c)
    return c
}

private func run(_ config: StakingSimulationConfig, eras: Int, seed: UInt64 = 7) -> StatisticalStakingModel {
    var m = StatisticalStakingModel(config: config, validators: 24, seed: seed)
    m.startFirstEra()
    for k in 1...eras { m.runEra(endingAt: config.eraDuration * Int64(k)) }
    return m
}

private func conserved(_ s: StakingState) -> Bool {
    s.accounts.reduce(s.treasury) { $0 + $1.total } == s.totalIssuance
}

@Suite("statistical staking model")
struct StatisticalModelTests {
    @Test("genesis holds exactly the configured issuance and treasury, at the configured staking rate")
    func genesis() {
        let c = smallConfig()
        let m = StatisticalStakingModel(config: c, validators: 24, seed: 1)
        #expect(m.state.totalIssuance == c.issuance)
        #expect(m.state.treasury == c.treasury)
        #expect(conserved(m.state))
        #expect(m.candidateIDs.count == 24 && m.nominatorIDs.count == 300)
        let bonded = m.state.accounts.reduce(Balance(0)) { $0 + $1.active }
        let rate = Double(bonded) / Double(c.issuance)
        #expect(abs(rate - 0.5) < 0.001, "genesis staking rate \(rate)")
        let wealth = m.nominatorIDs.map { m.state.account($0).total }
        #expect(wealth.max()! / wealth.min()! >= 100, "nominator wealth spans orders of magnitude")
        #expect(m.nominatorIDs.allSatisfy { (m.state.account($0).nominations?.count ?? 0) >= 2 })
    }

    @Test("issuance after N eras is genesis + minted − burned, and every planck is owned")
    func issuanceAccounting() {
        let m = run(smallConfig { $0.equivocationChance = .fromPercent(30); $0.slashDestination = .burn }, eras: 30)
        let s = m.state
        #expect(m.eras.count == 30)
        #expect(s.totalIssuance == s.genesisIssuance + s.minted - s.burned)
        #expect(conserved(s))
        #expect(s.burned > 0, "some slashes were drawn and burned")
        #expect(!m.slashRows.isEmpty)
        let mintedByRows = m.eras.reduce(Balance(0)) { $0 + $1.paid + $1.toTreasury }
        #expect(mintedByRows == s.minted)
        for (a, b) in zip(m.eras, m.eras.dropFirst()) { #expect(a.issuanceAfter == b.issuanceBefore) }
        #expect(m.eras.last!.issuanceAfter == s.totalIssuance)
    }

    @Test("every slot gets a block: points per era sum to 20 × slots")
    func pointsPerEra() {
        let m = run(smallConfig(), eras: 8)
        for e in m.eras {
            #expect(e.blocks == 600)
            let rows = m.payoutRows.filter { $0.era == e.era }
            #expect(rows.reduce(UInt64(0)) { $0 + $1.points } == 20 * 600)
            #expect(rows.reduce(UInt32(0)) { $0 + $1.blocks } == 600)
            #expect(rows.reduce(Balance(0)) { $0 + $1.toValidator + $1.toNominators } == e.paid)
        }
    }

    @Test("same seed, same eras; another seed, other eras")
    func determinism() {
        let c = smallConfig()
        let a = run(c, eras: 10, seed: 5), b = run(c, eras: 10, seed: 5), d = run(c, eras: 10, seed: 6)
        #expect(a.eras == b.eras)
        #expect(a.payoutRows == b.payoutRows)
        #expect(a.state.totalIssuance == b.state.totalIssuance)
        #expect(a.eras != d.eras)
    }

    @Test("elections run every N eras; in between, exposures follow the bonds exactly")
    func electionCadence() {
        let m = run(smallConfig { $0.electionEvery = 4 }, eras: 12)
        #expect(m.elections == 1 + 3)
        #expect(m.eras.map(\.freshElection) == [true, false, false, false, true, false, false, false, true, false, false, false])
        // Re-applied exposures hold exactly the current bonds of the voters they name.
        let s = m.state
        for (v, e) in s.exposures {
            #expect(e.total == e.others.reduce(e.own) { $0 + $1.value })
            #expect(e.own == s.account(v).active || s.account(v).active == 0 || e.own == 0)
        }
        var exposed = [Balance](repeating: 0, count: s.accounts.count)
        for (v, e) in s.exposures {
            exposed[Int(v)] += e.own
            for b in e.others { exposed[Int(b.who)] += b.value }
        }
        for id in m.template.voters { #expect(exposed[Int(id)] == s.account(id).active) }
    }

    @Test("re-exposing unchanged bonds reproduces the election's exposures")
    func reexposeIdentity() throws {
        var m = StatisticalStakingModel(config: smallConfig(), validators: 24, seed: 3)
        m.startFirstEra()
        var s = m.state
        let elected = s.exposures.map { "\($0.validator):\($0.exposure)" }
        s.reexpose(ElectionTemplate(s))
        #expect(s.exposures.map { "\($0.validator):\($0.exposure)" } == elected)
    }

    @Test("BABE draw: a quarter of slots are primary, authors uniform, every slot one block")
    func authorship() {
        var rng = Xoshiro256StarStar(seed: 11)
        let (blocks, primary) = StatisticalStakingModel.drawAuthorship(slots: 200_000, validators: 50, primary: (1, 4), &rng)
        #expect(blocks.reduce(0, +) == 200_000)
        let share = Double(primary) / 200_000
        #expect(abs(share - 0.25) < 0.005, "primary share \(share)")  // σ ≈ 0.001
        // Multinomial(200000, 1/50): mean 4000, σ ≈ 63.
        #expect(blocks.allSatisfy { abs(Int($0) - 4_000) < 400 })
        var rng2 = Xoshiro256StarStar(seed: 11)
        let (_, half) = StatisticalStakingModel.drawAuthorship(slots: 200_000, validators: 50, primary: (1, 2), &rng2)
        #expect(abs(Double(half) / 200_000 - 0.5) < 0.005)
    }

    @Test("yield-reactive nominators: stake flows in when the yield beats their target, out when it does not")
    func yieldDirection() {
        func rates(_ target: UInt32) -> (first: Double, last: Double) {
            let m = run(smallConfig {
                $0.behaviour.targetYield = Perbill(parts: target)
                $0.behaviour.yieldSpread = .zero
                $0.behaviour.flow = .fromPercent(5)
                $0.initialStakingRate = .fromPercent(40)
            }, eras: 24)
            let r = m.eras.map { Double($0.stakingRate.parts) / 1e18 }
            return (r[1], r.last!)
        }
        let eager = rates(10_000_000)        // wants 1%: the yield (~20%) is above it
        let reluctant = rates(900_000_000)   // wants 90%: never met
        #expect(eager.last > eager.first + 0.1, "\(eager)")
        #expect(reluctant.last < reluctant.first - 0.1, "\(reluctant)")
    }

    @Test("without behaviour, stake grows only by re-bonded rewards")
    func noBehaviour() {
        let m = run(smallConfig { $0.behaviour.enabled = false; $0.behaviour.renominate = .zero }, eras: 6)
        let staked = m.eras.map(\.staked)
        for (a, b) in zip(staked, staked.dropFirst()) { #expect(b >= a) }
    }

    @Test("the 64-bit fast paths equal the generic Perbill arithmetic")
    func fastPaths() {
        var rng = Xoshiro256StarStar(seed: 99)
        let edge: [UInt128] = [0, 1, 2, 499_999_999, 500_000_000, 500_000_001, 999_999_999, 1_000_000_000,
                               UInt128(UInt64.max) - 1, UInt128(UInt64.max)]
        var cases: [(UInt128, UInt128)] = []
        for a in edge { for b in edge { cases.append((a, b)) } }
        for _ in 0..<20_000 {
            let q = UInt128(rng.next() >> rng.nextBelow(64))
            cases.append((q == 0 ? 0 : UInt128(rng.nextBelow(UInt64(q))), q))
        }
        for (p, q) in cases {
            #expect(perbillFromRational(p, q) == Perbill.fromRational(p, q))
            let f = Perbill(parts: UInt32(rng.nextBelow(1_000_000_001)))
            #expect(perbillMul(f, q) == f * q)
            #expect(perbillMul(.one, p) == Perbill.one * p)
            if q > 0 {
                // The 64.64 multiplier is floor(p·2^64/q): applying it to x < 2^64 loses less than one.
                let x = UInt128(rng.next())
                let exact = multiplyByRationalDown(x, p, q)!
                let got = FixedRatio(p, q).apply(x)
                #expect(got == exact || got + 1 == exact)
                #expect(FixedRatio(q, q).apply(x) == x)
            }
        }
        // Above 64 bits the generic path is taken.
        let big = UInt128(UInt64.max) * 3
        #expect(perbillMul(Perbill(parts: 333_333_333), big) == Perbill(parts: 333_333_333) * big)
        #expect(perbillFromRational(big / 2, big) == Perbill.fromRational(big / 2, big))
    }

    @Test("result tables: one eras row per era with exact decimal planck strings")
    func tables() {
        let m = run(smallConfig { $0.payoutsDetail = .era }, eras: 5)
        let r = m.results(at: .hours(5))
        let eras = r.tables.first { $0.name == "eras" }!
        #expect(eras.rows.count == 5)
        #expect(eras.rows.allSatisfy { $0.count == eras.columns.count })
        let col = eras.columns.firstIndex { $0.name == "total_issuance" }!
        #expect(eras.rows[0][col] == .text(String(m.eras[0].issuanceBefore)))
        let payouts = r.tables.first { $0.name == "payouts" }!
        #expect(payouts.rows.count == 5)
        #expect(payouts.rows.allSatisfy { $0[1] == .integer(-1) })
        let names = Set(r.scalars.map(\.name))
        // Governance metrics appear only when the scenario has a governance section.
        let governance = Set(StatisticalGovernance.metrics.map(\.name))
        for d in StatisticalStakingModel.metrics where !governance.contains(d.name) {
            #expect(names.contains(d.name), "metric \(d.name) missing")
        }
        #expect(governance.allSatisfy { !names.contains($0) })
        #expect(r.scalars.first { $0.name == "eras" }?.value == 5)
    }
}
