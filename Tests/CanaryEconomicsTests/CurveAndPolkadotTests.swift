import CanaryArithmetic
import Foundation
@testable import CanaryEconomics
import Testing

@Suite("legacy reward curve")
struct RewardCurveTests {
    /// The curve of polkadot-sdk `frame/staking/src/inflation.rs` tests (ideal 50%).
    let testCurve = try! PiecewiseLinearCurve.build(.init(minInflation: 25_000, maxInflation: 100_000,
                                                          idealStake: 500_000, falloff: 50_000, maxPieceCount: 40))

    /// polkadot-sdk `inflation.rs` `npos_curve_is_sensible` (all ASSERTED upstream).
    @Test("npos_curve_is_sensible payouts")
    func nposCurveIsSensible() {
        let year: UInt64 = 365 * 24 * 60 * 60 * 1000
        #expect(testCurve.totalPayout(staked: 0, total: 100_000, eraMillis: year).maximum == 9_993)
        let cases: [(UInt128, UInt128)] = [(0, 2_498), (5_000, 3_248), (25_000, 6_246), (40_000, 8_494),
                                           (50_000, 9_993), (60_000, 4_379), (75_000, 2_733),
                                           (95_000, 2_513), (100_000, 2_505)]
        for (staked, expected) in cases {
            #expect(testCurve.totalPayout(staked: staked, total: 100_000, eraMillis: year).payout == expected, "staked \(staked)")
        }
        let day: UInt64 = 24 * 60 * 60 * 1000
        #expect(testCurve.totalPayout(staked: 25_000, total: 100_000, eraMillis: day).payout == 17)
        #expect(testCurve.totalPayout(staked: 50_000, total: 100_000, eraMillis: day).payout == 27)
        #expect(testCurve.totalPayout(staked: 75_000, total: 100_000, eraMillis: day).payout == 7)
        let sixHours: UInt64 = 6 * 60 * 60 * 1000
        #expect(testCurve.totalPayout(staked: 25_000, total: 100_000, eraMillis: sixHours).payout == 4)
        #expect(testCurve.totalPayout(staked: 50_000, total: 100_000, eraMillis: sixHours).payout == 7)
        #expect(testCurve.totalPayout(staked: 75_000, total: 100_000, eraMillis: sixHours).payout == 2)
        let hour: UInt64 = 60 * 60 * 1000
        #expect(testCurve.totalPayout(staked: 2_500_000_000_000_000_000_000_000_000,
                                      total: 5_000_000_000_000_000_000_000_000_000, eraMillis: hour).payout
                == 57_038_500_000_000_000_000_000)
    }

    /// reward-curve `log.rs` tests.
    @Test("integer log2 in millionths")
    func log2() {
        #expect(PiecewiseLinearCurve.log2Millionths(1_000_000, 1_000_000) == 0)
        #expect(abs(Int(PiecewiseLinearCurve.log2Millionths(1_000_000, 1)) - 19_931_568) < 100)
        // `test_log`: within 6 millionths of the float value, on a grid (coarser than upstream's).
        for pi in stride(from: 1, through: 1000, by: 37) {
            for qi in stride(from: 1, through: pi, by: 13) {
                let p = UInt32(1_000_000 * pi / 1000), q = UInt32(1_000_000 * qi / 1000)
                let expected = Foundation.log2(Double(p) / Double(q)) * 1_000_000
                #expect(abs(Double(PiecewiseLinearCurve.log2Millionths(p, q)) - expected.rounded()) <= 6, "p \(p) q \(q)")
            }
        }
    }

    /// The macro's generated `reward_curve_precision` and `reward_curve_piece_count` tests for Kusama's
    /// curve (test_precision 5000 millionths), on a sample of points.
    @Test("Kusama curve is within the macro's test precision and piece count")
    func kusamaCurvePrecision() throws {
        let curve = try PiecewiseLinearCurve.build(.kusama)
        #expect(curve.points.count - 1 <= 40)
        #expect(curve.points.first?.x == .zero && curve.points.last?.x == .one)
        #expect(curve.maximum == Perbill(parts: 100_000_000))
        let (i0, iIdealX, xIdeal, d) = (0.025, 0.1, 0.75, 0.05)
        func iNpos(_ x: Double) -> Double {
            x <= xIdeal ? i0 + x * (iIdealX / xIdeal - i0 / xIdeal)
                        : i0 + (iIdealX - i0) * Foundation.pow(2.0, (xIdeal - x) / d)
        }
        for base: UInt128 in [1_000_000, UInt128(UInt32.max)] {
            let checks: UInt128 = 2_000
            for i in 0...checks {
                let n = i * base / checks
                let floatRes = (iNpos(Double(n) / Double(base)) * Double(base)).rounded()
                let intRes = Double(curve.valueTimesDenominator(n, base))
                let err = abs(floatRes - intRes) * 1_000_000 / floatRes
                #expect(err <= 5_000, "n \(n) base \(base)")
            }
        }
    }

    @Test("the macro's bounds are enforced")
    func bounds() {
        #expect(throws: EconomicsInputError.self) {
            try PiecewiseLinearCurve.build(.init(minInflation: 25_000, maxInflation: 100_000, idealStake: 950_000, falloff: 50_000))
        }
        #expect(throws: EconomicsInputError.self) {
            try PiecewiseLinearCurve.build(.init(minInflation: 25_000, maxInflation: 100_000, idealStake: 750_000, falloff: 5_000))
        }
    }

    @Test("ConvertCurve sends the rest of the maximum to the treasury")
    func legacyModel() throws {
        var p = InflationParameters.kusama
        p.model = .legacyCurve
        let issuance: UInt128 = 17_016_510_054_564_053_390
        let r = try p.eraPayout(totalStaked: issuance * 3 / 4, totalIssuance: issuance, eraMillis: julianYearMillis)
        #expect(r.total == Perbill(parts: 100_000_000) * issuance)
        #expect(r.toTreasury == 0)
    }
}

@Suite("Polkadot emission models")
struct PolkadotEmissionTests {
    let dot: UInt128 = 10_000_000_000
    let day: UInt64 = 24 * 60 * 60 * 1000

    /// fellows relay/polkadot ref 1139 tests: a 1-day era pays ≈279,477 DOT to stakers and ≈49,320 DOT
    /// to the treasury (±0.1%), whatever is staked.
    @Test("fixed yearly emission")
    func fixedEmission() throws {
        let m = PolkadotFixedEmission.polkadot
        #expect(m.yearlyEmission == 1_200_932_591_245_300_186)
        let (s, t) = m.eraPayout(eraMillis: day)
        #expect(relativeDiff(s, 279_477 * dot) < 0.001)
        #expect(relativeDiff(t, 49_320 * dot) < 0.001)
        #expect(t == FixedU128.fromRational(15, 100).saturatingMulInt(s + t))
        var p = InflationParameters.kusama
        p.model = .polkadotFixed
        let a = try p.eraPayout(totalStaked: 1, totalIssuance: 10 * dot, eraMillis: day)
        let b = try p.eraPayout(totalStaked: 9 * dot, totalIssuance: 10 * dot, eraMillis: day)
        #expect(a.toStakers == b.toStakers && a.toTreasury == b.toTreasury && a.toStakers == s)
    }

    /// fellows asset-hub-polkadot staking tests (ref 1710).
    @Test("stepped emission: ≈153,000 DOT a day from March 2026")
    func steppedDaily() {
        let m = PolkadotSteppedEmission.polkadot
        let (s, t) = m.eraPayout(eraMillis: day, atRelayBlock: 30_349_908)
        #expect(relativeDiff(s + t, 153_000 * dot) < 0.005)
        #expect(t == FixedU128.fromRational(15, 100).saturatingMulInt(s + t))
    }

    @Test("stepped emission: two-year periods follow TI_{k+1} = TI_k + 26.28% (cap − TI_k)")
    func steppedPeriods() {
        let m = PolkadotSteppedEmission.polkadot
        let twoYears = 2 * PolkadotSteppedEmission.relayBlocksPerYear
        var ti = m.initialIssuance
        var block: UInt32 = 30_349_908
        for _ in 0..<3 {
            let (s, t) = m.eraPayout(eraMillis: day, atRelayBlock: block)
            let periodEmission = Perbill(parts: 262_800_000) * (m.cap - ti)
            let approx = (Double(s) + Double(t)) * 365.25 * 2
            #expect(abs(approx - Double(periodEmission)) / Double(periodEmission) < 0.00001)
            ti += periodEmission
            block += twoYears
        }
    }

    @Test("stepped emission is constant within a period, vanishes, and is capped")
    func steppedProperties() {
        let m = PolkadotSteppedEmission.polkadot
        let years = PolkadotSteppedEmission.relayBlocksPerYear
        let start = m.eraPayout(eraMillis: day, atRelayBlock: 30_349_908)
        let end = m.eraPayout(eraMillis: day, atRelayBlock: 30_349_908 + 2 * years - 1)
        #expect(start.toStakers + start.toTreasury == end.toStakers + end.toTreasury)
        let in80 = m.eraPayout(eraMillis: day, atRelayBlock: 30_349_908 + 80 * years)
        #expect(in80.toStakers + in80.toTreasury < dot)
        let in500 = m.eraPayout(eraMillis: day, atRelayBlock: 30_349_908 + 500 * years)
        #expect(in500.toStakers + in500.toTreasury == 0)
        let anomalous = m.eraPayout(eraMillis: 36_525 * day, atRelayBlock: 30_349_908)
        #expect(anomalous.toStakers + anomalous.toTreasury == m.maxEraEmission)
        // TI stays below the cap over 250 periods (`ti_is_asymptotic_to_desired_value`).
        var ti = m.initialIssuance
        var block: UInt32 = 30_349_908
        for _ in 0..<250 {
            let (s, t) = m.eraPayout(eraMillis: day, atRelayBlock: block)
            ti += (s + t) * 7305 / 10
            block += 2 * years
        }
        #expect(ti > m.cap - dot && ti < m.cap)
        // Before the first step (the curve starts two years before it) nothing is emitted.
        #expect(m.eraPayout(eraMillis: day, atRelayBlock: 30_349_908 - 1).toStakers == 0)
    }

    /// fellows `stepped_curve.rs` unit tests.
    @Test("SteppedCurve evaluate and last_step_size")
    func steppedCurve() {
        func f(_ n: UInt128) -> FixedU128 { .integer(n) }
        let c1 = SteppedCurve(start: f(100), initialValue: f(50), target: f(100), pct: .fromPercent(10), period: f(10))
        #expect(c1.evaluate(f(50)) == f(50) && c1.evaluate(f(99)) == f(50) && c1.evaluate(f(100)) == f(50))
        let c2 = SteppedCurve(start: .zero, initialValue: f(100), target: f(200), pct: .fromPercent(50), period: .zero)
        #expect(c2.evaluate(f(1_000_000)) == f(100))
        let c3 = SteppedCurve(start: f(100), initialValue: f(80), target: f(50), pct: .fromPercent(20), period: f(10))
        #expect(c3.evaluate(f(109)) == f(80) && c3.evaluate(f(110)) == f(74))
        let c4 = SteppedCurve(start: .zero, initialValue: f(100), target: f(200), pct: .fromPercent(50), period: f(1))
        #expect(c4.evaluate(.fromRational(5, 10)) == f(100))
        #expect(c4.evaluate(f(1)) == f(150) && c4.evaluate(f(2)) == f(175))
        #expect(c4.evaluate(f(3)) == .fromRational(1875, 10) && c4.evaluate(f(4)) == .fromRational(19375, 100))
        let c5 = SteppedCurve(start: .zero, initialValue: f(200), target: f(100), pct: .fromPercent(50), period: f(1))
        #expect(c5.evaluate(f(1)) == f(150) && c5.evaluate(f(2)) == f(125) && c5.evaluate(f(3)) == .fromRational(1125, 10))
        let c6 = SteppedCurve(start: f(100), initialValue: f(50), target: f(100), pct: .fromPercent(20), period: f(10))
        #expect(c6.lastStepSize(f(105)) == .zero && c6.lastStepSize(f(109)) == .zero)
        #expect(c6.lastStepSize(f(110)) == f(10) && c6.lastStepSize(f(115)) == f(10) && c6.lastStepSize(f(120)) == f(8))
        let c7 = SteppedCurve(start: .zero, initialValue: .zero, target: f(100), pct: .fromPercent(50), period: f(1))
        #expect(c7.lastStepSize(f(1)) == f(50) && c7.lastStepSize(f(2)) == f(25) && c7.lastStepSize(f(3)) == .fromRational(125, 10))
        let v10 = c7.evaluate(f(10)), v20 = c7.evaluate(f(20))
        #expect(v10 < f(100) && v10 > f(99) && v20 < f(100) && v20 > v10)
    }

    private func relativeDiff(_ a: UInt128, _ b: UInt128) -> Double {
        abs(Double(a) - Double(b)) / Double(b)
    }
}

