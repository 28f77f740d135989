import CanaryArithmetic
import CanaryEconomics
import CanaryNPoS
@testable import CanaryStaking
import Testing

private let ksm: Balance = 1_000_000_000_000

/// A small network: `v` validators with 10,000 KSM self-bond each (commission 5%), `n` nominators
/// with 1,000–5,000 KSM each backing 3 validators chosen by index, plus 100,000 KSM unbonded holders.
private func network(validators v: Int = 10, nominators n: Int = 60, config: StakingConfig = {
    var c = StakingConfig.kusama
    c.validatorCount = 6
    return c
}()) throws -> (StakingState, [AccountID], [AccountID]) {
    var s = StakingState(config: config)
    var vals: [AccountID] = []
    var noms: [AccountID] = []
    for i in 0..<v {
        let id = s.createAccount(free: 20_000 * ksm)
        try s.bond(id, 10_000 * ksm + Balance(i) * ksm)
        try s.validate(id, commission: Perbill.fromPercent(5))
        vals.append(id)
    }
    for j in 0..<n {
        let id = s.createAccount(free: 6_000 * ksm)
        try s.bond(id, Balance(1_000 + (j * 37) % 4_000) * ksm)
        try s.nominate(id, [vals[j % v], vals[(j * 3 + 1) % v], vals[(j * 7 + 2) % v]])
        noms.append(id)
    }
    s.createAccount(free: 100_000 * ksm)
    return (s, vals, noms)
}

private func points(_ s: StakingState) -> [(AccountID, UInt32)] {
    // 20 points per block, an uneven but fixed split of 3,600 blocks.
    s.exposures.enumerated().map { (i, e) in (e.validator, UInt32(20 * (300 + 37 * i))) }
}

private func conserved(_ s: StakingState) -> Bool {
    s.accounts.reduce(s.treasury) { $0 + $1.total } == s.totalIssuance
}

@Suite("staking: payouts, issuance, slashing, unbonding")
struct StakingTests {
    @Test("an era's payouts add up exactly to the era payout")
    func payoutsAddUp() throws {
        var (s, _, _) = try network()
        try s.startFirstEra()
        #expect(s.exposures.count == 6)
        for _ in 0..<3 {
            let before = s.totalIssuance
            let summary = try s.endEra(points: points(s))
            let paid = summary.payouts.reduce(Balance(0)) { $0 + $1.amount }
            #expect(paid == summary.paidToStakers)
            #expect(paid + summary.unpaidRemainder == summary.payout.toStakers + summary.overpaid)
            #expect(summary.overpaid == 0)
            // Perbill rounding loses at most one part per billion (plus one planck) per payee and per
            // validator share; nothing else goes unpaid when every validator has points.
            let perPayee = summary.payout.toStakers / 1_000_000_000 + 1
            #expect(summary.unpaidRemainder <= Balance(summary.payouts.count + 2 * summary.validators) * perPayee)
            #expect(summary.totalIssuanceAfter == before + summary.paidToStakers + summary.toTreasury)
            #expect(summary.payout.toStakers + summary.toTreasury
                    == (periodFraction(eraMillis: 6 * 3_600_000) * Perquintill.fromPercent(10)) * before)
            #expect(conserved(s))
        }
    }

    @Test("nearest rounding of validator shares can pay a planck more than the era payout, and it is accounted")
    func overpaidAccounted() throws {
        // Three validators with points 1:1:3 get exact shares 0.2, 0.2, 0.6 of the era payout; if the payout
        // is 3 planck those are 0.6, 0.6, 1.8, which round to 1, 1, 2.
        let e = Exposure(total: 10, own: 10, others: [])
        let shares = [(1, UInt64(1)), (2, 1), (3, 3)].flatMap {
            validatorPayouts(era: 0, validator: AccountID($0.0), exposure: e, commission: .zero, points: $0.1,
                             totalPoints: 5, eraPayout: 3, pageSize: 512)
        }
        #expect(shares.map(\.amount) == [1, 1, 2])
    }

    @Test("points from authored blocks: 20 each")
    func authoredPoints() {
        let p = StakingState.points(authoredBlocks: [5, 3, 5, 9, 5])
        #expect(p.map(\.0) == [3, 5, 9] && p.map(\.1) == [20, 60, 20])
    }

    @Test("issuance after N eras = genesis + minted − burned")
    func issuanceAccounting() throws {
        var config = StakingConfig.kusama
        config.validatorCount = 6
        config.slashDestination = .burn
        config.slashDeferDuration = 2
        var (s, vals, _) = try network(config: config)
        s.fundTreasury(1_000 * ksm)
        try s.startFirstEra()
        let genesis = s.totalIssuance
        var minted: Balance = 0, burned: Balance = 0
        for era in 0..<8 {
            if era == 1 { s.reportOffence(offenders: [s.exposures[0].validator], fraction: .fromPercent(10)) }
            let summary = try s.endEra(points: points(s))
            minted += summary.paidToStakers + summary.toTreasury
            burned += summary.burned
        }
        #expect(burned > 0)
        #expect(s.totalIssuance == genesis + minted - burned)
        #expect(s.totalIssuance == s.genesisIssuance + s.minted - s.burned)
        #expect(conserved(s))
        _ = vals
    }

    @Test("equivocation slash fraction min((3k/n)², 1)")
    func slashFractions() {
        #expect(equivocationSlashFraction(offenders: 1, validatorSetSize: 1_000) == Perbill(parts: 9_000))
        #expect(equivocationSlashFraction(offenders: 10, validatorSetSize: 1_000) == Perbill(parts: 900_000))
        #expect(equivocationSlashFraction(offenders: 100, validatorSetSize: 1_000) == Perbill(parts: 90_000_000))
        #expect(equivocationSlashFraction(offenders: 333, validatorSetSize: 1_000) == Perbill(parts: 998_001_000))
        #expect(equivocationSlashFraction(offenders: 334, validatorSetSize: 1_000) == .one)
        #expect(equivocationSlashFraction(offenders: 1, validatorSetSize: 3) == .one)
        #expect(equivocationSlashFraction(offenders: 0, validatorSetSize: 1_000) == .zero)
    }

    @Test("slashes wait 27 eras, hit own and nominated stake, and go to the treasury")
    func deferredSlash() throws {
        var (s, _, _) = try network()
        try s.startFirstEra()
        _ = try s.endEra(points: points(s))  // era 0 → 1
        let offender = s.exposures[1].validator
        let exposure = s.exposures[1].exposure
        let offenceEra = s.currentEra
        let fraction = equivocationSlashFraction(offenders: 1, validatorSetSize: UInt32(s.exposures.count))
        #expect(fraction == Perbill.fromRational(3, 6).square() && fraction == .fromPercent(25))
        s.reportEquivocation(offenders: [offender])
        // A second, smaller report in the same era does not add up.
        s.reportOffence(offenders: [offender], fraction: .fromPercent(1))
        #expect(s.pendingSlashes.count == 1)
        for _ in 0..<26 {
            let summary = try s.endEra(points: points(s))
            #expect(summary.slashes.isEmpty)
        }
        #expect(s.currentEra == offenceEra + 26)
        let treasuryBefore = s.treasury
        let issuanceBefore = s.totalIssuance
        let summary = try s.endEra(points: points(s))
        #expect(s.currentEra == offenceEra + 27)
        let expected = [(offender, exposure.own)] + exposure.others.map { ($0.who, $0.value) }
        #expect(summary.slashes.count == expected.count)
        for (record, (who, exposed)) in zip(summary.slashes, expected) {
            #expect(record.who == who && record.offenceEra == offenceEra && record.appliedEra == offenceEra + 27)
            #expect(record.amount == Perbill.fromPercent(25) * exposed)
        }
        let slashed = summary.slashes.reduce(Balance(0)) { $0 + $1.amount }
        #expect(s.treasury == treasuryBefore + summary.toTreasury + slashed)
        #expect(s.totalIssuance == issuanceBefore + summary.paidToStakers + summary.toTreasury)
        #expect(s.pendingSlashes.isEmpty && conserved(s))
    }

    @Test("unbonded funds unlock after exactly 28 eras")
    func unbondingTiming() throws {
        var (s, _, noms) = try network()
        try s.startFirstEra()
        _ = try s.endEra(points: points(s))
        let who = noms[0]
        let freeBefore = s.account(who).free
        let unbondEra = s.currentEra
        #expect(try s.unbond(who, 300 * ksm) == 300 * ksm)
        #expect(s.account(who).unlocking == [UnlockChunk(value: 300 * ksm, era: unbondEra + 28)])
        for _ in 0..<27 {
            _ = try s.endEra(points: points(s))
            #expect(try s.withdrawUnbonded(who) == 0)
        }
        #expect(s.currentEra == unbondEra + 27)
        _ = try s.endEra(points: points(s))
        #expect(try s.withdrawUnbonded(who) == 300 * ksm)
        #expect(s.account(who).free == freeBefore + 300 * ksm && s.account(who).unlocking.isEmpty)
        #expect(conserved(s))
    }

    @Test("re-bonded rewards grow the bond, stash rewards the free balance")
    func rebond() throws {
        var (s, _, noms) = try network()
        try s.setPayee(noms[1], .stash)
        try s.startFirstEra()
        let staked0 = s.account(noms[0]).active, free0 = s.account(noms[0]).free
        let staked1 = s.account(noms[1]).active, free1 = s.account(noms[1]).free
        let summary = try s.endEra(points: points(s))
        let r0 = summary.payouts.filter { $0.who == noms[0] }.reduce(Balance(0)) { $0 + $1.amount }
        let r1 = summary.payouts.filter { $0.who == noms[1] }.reduce(Balance(0)) { $0 + $1.amount }
        #expect(r0 > 0 && r1 > 0)
        #expect(s.account(noms[0]).active == staked0 + r0 && s.account(noms[0]).free == free0)
        #expect(s.account(noms[1]).active == staked1 && s.account(noms[1]).free == free1 + r1)
    }

    @Test("exposures come from the election and the era's total stake")
    func election() throws {
        var (s, vals, _) = try network()
        try s.startFirstEra()
        let voters = s.electionSnapshot().voters
        #expect(s.exposures.map(\.validator) == s.exposures.map(\.validator).sorted())
        for e in s.exposures {
            #expect(e.exposure.own == s.account(e.validator).active)  // a validator's self-vote goes all to itself
            #expect(e.exposure.total == e.exposure.own + e.exposure.others.reduce(0) { $0 + $1.value })
            #expect(vals.contains(e.validator))
        }
        // Every elected voter's stake is fully distributed (normalized assignments).
        let elected = Set(s.exposures.map(\.validator))
        for v in voters where v.targets.contains(where: { elected.contains($0) }) && !elected.contains(v.id) {
            let assigned = s.exposures.flatMap(\.exposure.others).filter { $0.who == v.id }.reduce(Balance(0)) { $0 + $1.value }
            #expect(assigned == Balance(v.stake))
        }
        #expect(s.eraTotalStake == s.exposures.reduce(0) { $0 + $1.exposure.total })
    }
}

@Suite("staking: the payout split")
struct PayoutSplitTests {
    let exposure = Exposure(total: 1_000 * ksm, own: 250 * ksm,
                            others: [.init(who: 7, value: 500 * ksm), .init(who: 8, value: 250 * ksm)])

    @Test("commission 0%: everyone is paid pro rata")
    func commissionZero() {
        let p = validatorPayouts(era: 0, validator: 1, exposure: exposure, commission: .zero, points: 1, totalPoints: 4,
                                 eraPayout: 4_000_000, pageSize: 512)
        #expect(p.map(\.who) == [1, 7, 8])
        #expect(p.map(\.amount) == [250_000, 500_000, 250_000])
    }

    @Test("commission 100%: the validator takes everything, nominators nothing")
    func commissionFull() {
        let p = validatorPayouts(era: 0, validator: 1, exposure: exposure, commission: .one, points: 1, totalPoints: 4,
                                 eraPayout: 4_000_000, pageSize: 512)
        #expect(p.map(\.amount) == [1_000_000, 0, 0])
    }

    @Test("commission 10% with rounding: Perbill × balance rounds half down")
    func commissionTen() {
        // part = 1/3 → 333,333,333 parts; total = 333,333,333 × 1,000,001 / 1e9 = 333,333.66.. → 333,334.
        let p = validatorPayouts(era: 0, validator: 1, exposure: exposure, commission: .fromPercent(10), points: 1,
                                 totalPoints: 3, eraPayout: 1_000_001, pageSize: 512)
        // commission 33,333.4 → 33,333; leftover 300,001; validator 25% of it = 75,000.25 → 75,000 + 33,333.
        #expect(p.map(\.amount) == [108_333, 150_000, 75_000])
        #expect(p.reduce(0) { $0 + $1.amount } <= 333_334)
    }

    @Test("no points, no payout")
    func noPoints() {
        #expect(validatorPayouts(era: 0, validator: 1, exposure: exposure, commission: .zero, points: 0, totalPoints: 4,
                                 eraPayout: 4_000_000, pageSize: 512).isEmpty)
    }

    @Test("pages of 512: every nominator is paid, commission spread over pages")
    func paging() {
        let others = (0..<1_030).map { Exposure.Backer(who: AccountID(100 + $0), value: Balance(1 + $0 % 7) * ksm) }
        let total = others.reduce(Balance(0)) { $0 + $1.value } + 10_000 * ksm
        let e = Exposure(total: total, own: 10_000 * ksm, others: others)
        #expect(e.pageCount(size: 512) == 3)
        let p = validatorPayouts(era: 3, validator: 1, exposure: e, commission: .fromPercent(20), points: 1, totalPoints: 1,
                                 eraPayout: 900 * ksm, pageSize: 512)
        #expect(p.count == 1_030 + 3)
        #expect(p.filter { $0.who == 1 }.map(\.page) == [0, 1, 2])
        #expect(Set(p.filter { $0.who != 1 }.map(\.who)).count == 1_030)
        let sum = p.reduce(Balance(0)) { $0 + $1.amount }
        #expect(sum <= 900 * ksm && 900 * ksm - sum <= Balance(p.count) * (900 * ksm / 1_000_000_000 + 1))
        let commissionPaid = p.filter { $0.who == 1 }.reduce(Balance(0)) { $0 + $1.amount }
            - Perbill.fromRational(10_000 * ksm, total) * (900 * ksm - Perbill.fromPercent(20) * (900 * ksm))
        #expect(commissionPaid <= 180 * ksm && 180 * ksm - commissionPaid <= 3 * (180 * ksm / 1_000_000_000 + 1))
    }
}
