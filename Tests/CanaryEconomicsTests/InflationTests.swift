import CanaryArithmetic
@testable import CanaryEconomics
import Testing

private let kusamaStaked: UInt128 = 8_085_567_183_241_128_549
private let kusamaIssuance: UInt128 = 17_016_510_054_564_053_390
private let sixHours: UInt64 = 6 * 60 * 60 * 1000

@Suite("compute_inflation and relay_era_payout")
struct InflationTests {
    @Test("every compute_inflation vector")
    func computeInflationVectors() throws {
        let file = try Vectors.load("economics/compute_inflation.json")
        let cases = try #require(file["cases"] as? [[String: Any]])
        #expect(!cases.isEmpty)
        for c in cases {
            let got = computeInflation(
                stake: Perquintill(parts: Vectors.u64(c["stake"])),
                idealStake: Perquintill(parts: Vectors.u64(c["ideal_stake"])),
                falloff: Perquintill(parts: Vectors.u64(c["falloff"])))
            #expect(got.parts == Vectors.u64(c["expected"]), "case \(c)")
        }
    }

    @Test("every relay_era_payout vector")
    func relayEraPayoutVectors() throws {
        let file = try Vectors.load("economics/relay_era_payout.json")
        let params = try #require(file["params"] as? [String: Any])
        let cases = try #require(file["cases"] as? [[String: Any]])
        #expect(!cases.isEmpty)
        for c in cases {
            let expected = try #require(c["expected"] as? [String: Any])
            let r = relayEraPayout(EraPayoutParams(
                totalStaked: Vectors.u128(c["total_staked"]),
                totalStakable: Vectors.u128(c["total_stakable"]),
                idealStake: Perquintill(parts: Vectors.u64(params["ideal_stake"])),
                maxAnnualInflation: Perquintill(parts: Vectors.u64(params["max_inflation"])),
                minAnnualInflation: Perquintill(parts: Vectors.u64(params["min_inflation"])),
                falloff: Perquintill(parts: Vectors.u64(params["falloff"])),
                periodFraction: Perquintill(parts: Vectors.u64(c["period_fraction"]))))
            #expect(r.toStakers == Vectors.u128(expected["to_stakers"]), "case \(c)")
            #expect(r.toTreasury == Vectors.u128(expected["to_treasury"]), "case \(c)")
        }
    }

    /// fellows/runtimes asset-hub-kusama `staking::tests::inflation_sanity_check` (active era 8546).
    @Test("real Kusama era: 8,085,567.18 KSM staked of 17,016,510.05 KSM, 6 h")
    func realKusamaEra() throws {
        let r = try InflationParameters.kusama.eraPayout(
            totalStaked: kusamaStaked, totalIssuance: kusamaIssuance, eraMillis: sixHours)
        #expect(r.toStakers == 844_606_070_970_705)
        #expect(r.toTreasury == 320_110_565_207_524)
        // `impl_experimental_inflation_info`: annual issuance `total * 36525 * 4 / 100` of TI.
        #expect(annualised(r.total, eraMillis: sixHours, of: kusamaIssuance).parts == 99_999_999_999_999_249)
        #expect(r.total * 36525 * 4 / 100 == r.total * UInt128(julianYearMillis) / UInt128(sixHours))
    }

    @Test("the same era through EraPayoutParams with amounts parsed from KSM strings")
    func realKusamaEraParsed() throws {
        let staked = try EconomicsParsing.amount("8,085,567.183241128549 KSM")
        let issued = try EconomicsParsing.amount("17016510.054564053390KSM")
        #expect(staked == kusamaStaked && issued == kusamaIssuance)
        let r = relayEraPayout(EraPayoutParams(
            totalStaked: staked, totalStakable: issued,
            idealStake: try EconomicsParsing.ratio("75%"), maxAnnualInflation: try EconomicsParsing.ratio("0.1"),
            minAnnualInflation: try EconomicsParsing.ratio("25/1000"), falloff: try EconomicsParsing.ratio("5%"),
            periodFraction: periodFraction(eraMillis: try EconomicsParsing.durationMillis("6h"))))
        #expect(r.toStakers == 844_606_070_970_705 && r.toTreasury == 320_110_565_207_524)
    }

    @Test("compute_inflation edge cases follow the Rust code paths")
    func computeInflationEdges() {
        let q = { (p: UInt64) in Perquintill(parts: p * 10_000_000_000_000_000) }  // percent
        // Falloff below 1% returns zero above the ideal, but not below it (the early return comes first).
        #expect(computeInflation(stake: q(80), idealStake: q(75), falloff: Perquintill(parts: 9_999_999_999_999_999)) == .zero)
        #expect(computeInflation(stake: q(50), idealStake: q(75), falloff: .zero) == Perquintill.fromRational(2, 3))
        // A 1% falloff is allowed; 100% stake with ideal 0 decays to ~2^-100 (= 0 at this accuracy).
        #expect(computeInflation(stake: .one, idealStake: .zero, falloff: q(1)) == .zero)
        // Exactly one falloff above the ideal: 2^-1 within the series' rounding.
        let half = computeInflation(stake: q(60), idealStake: q(50), falloff: q(10))
        #expect(half.parts >= 499_999_999_999_999_900 && half.parts <= 500_000_000_000_000_100)
        // Two falloffs: 1/4.
        let quarter = computeInflation(stake: q(70), idealStake: q(50), falloff: q(10))
        #expect(quarter.parts >= 249_999_999_999_999_900 && quarter.parts <= 250_000_000_000_000_100)
        // Monotone non-increasing above the ideal.
        var last = UInt64.max
        for s in stride(from: UInt64(75), through: 100, by: 1) {
            let v = computeInflation(stake: q(s), idealStake: q(75), falloff: q(5)).parts
            #expect(v <= last)
            last = v
        }
    }

    @Test("period fraction of a Julian year")
    func periodFractions() throws {
        #expect(periodFraction(eraMillis: julianYearMillis) == .one)
        #expect(periodFraction(eraMillis: 2 * julianYearMillis) == .one)  // saturates
        #expect(periodFraction(eraMillis: sixHours).parts == 684_462_696_783_025)
        #expect(periodFraction(eraMillis: 24 * 3_600_000).parts == 2_737_850_787_132_101)
        #expect(try EconomicsParsing.durationMillis("8766h") == julianYearMillis)
    }

    @Test("total minted per era is period × max × issuance whatever the stake")
    func mintIndependentOfStake() throws {
        let issuance: UInt128 = 17_000_000 * 1_000_000_000_000
        let expected = (periodFraction(eraMillis: sixHours) * Perquintill.fromPercent(10)) * issuance
        for pct: UInt128 in [0, 10, 30, 47, 60, 75, 80, 95, 100] {
            let r = try InflationParameters.kusama.eraPayout(totalStaked: issuance * pct / 100, totalIssuance: issuance, eraMillis: sixHours)
            #expect(r.total == expected, "staked \(pct)%")
            if pct == 75 { #expect(r.toTreasury == 0 && r.adjustment == .one) }
        }
    }

    @Test("an ideal of 60% pays the maximum at 60% and splits the same mint elsewhere")
    func idealSixty() throws {
        var params = InflationParameters.kusama
        params.idealStake = try EconomicsParsing.ratio("60%")
        let issuance: UInt128 = 1_000_000_000_000_000_000
        let atIdeal = try params.eraPayout(totalStaked: issuance * 60 / 100, totalIssuance: issuance, eraMillis: julianYearMillis)
        #expect(atIdeal.adjustment == .one && atIdeal.stakingInflation == .fromPercent(10))
        #expect(atIdeal.toStakers == issuance / 10 && atIdeal.toTreasury == 0)
        // 30% staked is half the ideal: adjustment 1/2, staking inflation 2.5% + 7.5%/2 = 6.25%.
        let half = try params.eraPayout(totalStaked: issuance * 30 / 100, totalIssuance: issuance, eraMillis: julianYearMillis)
        #expect(half.adjustment?.parts == 500_000_000_000_000_000)
        #expect(half.stakingInflation.parts == 62_500_000_000_000_000)
        #expect(half.toStakers == issuance / 10_000 * 625 && half.toTreasury == issuance / 10_000 * 375)
    }

    @Test("legacy auction proportion lowers the ideal stake")
    func auctionProportion() {
        #expect(legacyAuctionProportion(auctionedSlots: 60) == .fromPercent(30))
        #expect(legacyAuctionProportion(auctionedSlots: 100) == .fromPercent(30))
        let r = relayEraPayout(EraPayoutParams(
            totalStaked: 45, totalStakable: 100, idealStake: .fromPercent(75),
            maxAnnualInflation: .fromPercent(10), minAnnualInflation: Perquintill.fromRational(25, 1000),
            falloff: .fromPercent(5), periodFraction: .one, legacyAuctionProportion: .fromPercent(30)))
        #expect(r.idealStake == .fromPercent(45) && r.adjustment == .one && r.toStakers == 10 && r.toTreasury == 0)
    }
}
