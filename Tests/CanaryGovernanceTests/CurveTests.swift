import Testing
@testable import CanaryGovernance

/// Curve constants as Kusama's metadata reports them (`referenda.tracks`): the values in
/// polkadot-fellows/runtimes `relay/kusama/src/governance/tracks.rs`, which match a Kusama metadata dump of the tracks
/// (factor / x_offset / y_offset as FixedI64 inner; linear as Perbill parts).
private let metadataConstants: [String: (app: [Int64], sup: [Int64])] = [
    "root": ([222_222_224, 333_333_335, 333_333_332], [1_000_000_000, 0, 500_000_000]),
    "whitelisted_caller": ([270_899_180, 389_830_523, 305_084_738], [8_650_766, 18_867_926, 41_509_433]),
    "wish_for_change": ([222_222_224, 333_333_335, 333_333_332], [1_000_000_000, 0, 500_000_000]),
    "staking_admin": ([607_142_857, 500_000_000, 1_000_000_000], [7_892_829, 15_544_040, -7_772_020]),
    "treasurer": ([222_222_224, 333_333_335, 333_333_332], [1_000_000_000, 0, 500_000_000]),
    "lease_admin": ([607_142_857, 500_000_000, 1_000_000_000], [7_892_829, 15_544_040, -7_772_020]),
    "fellowship_admin": ([607_142_857, 500_000_000, 1_000_000_000], [7_892_829, 15_544_040, -7_772_020]),
    "general_admin": ([222_222_224, 333_333_335, 333_333_332], [49_586_777, 90_909_091, -45_454_546]),
    "auction_admin": ([222_222_224, 333_333_335, 333_333_332], [49_586_777, 90_909_091, -45_454_546]),
    "referendum_canceller": ([607_142_857, 500_000_000, 1_000_000_000], [7_892_829, 15_544_040, -7_772_020]),
    "referendum_killer": ([607_142_857, 500_000_000, 1_000_000_000], [7_892_829, 15_544_040, -7_772_020]),
    "small_tipper": ([357_142_857, 500_000_000, 1_000_000_000], [1_620_729, 3_231_018, -1_615_509]),
    "big_tipper": ([357_142_857, 500_000_000, 1_000_000_000], [4_149_097, 8_230_453, -4_115_227]),
    "small_spender": ([607_142_857, 500_000_000, 1_000_000_000], [7_892_829, 15_544_040, -7_772_020]),
    "medium_spender": ([821_428_571, 500_000_000, 1_000_000_000], [14_377_233, 27_972_031, -13_986_016]),
    "big_spender": ([1_000_000_000, 500_000_000, 1_000_000_000], [28_326_977, 53_763_445, -26_881_723]),
]

@Suite("Curves")
struct CurveTests {
    @Test("Root curves: make_reciprocal(4, 28, 80%, 50%, 100%) and make_linear(28, 28, 0%, 50%)")
    func rootConstants() {
        let app = Curve.makeReciprocal(delay: 4, period: 28, level: .percent(80), floor: .percent(50), ceil: .percent(100))
        #expect(app == .reciprocal(factor: FixedI64(inner: 222_222_224), xOffset: FixedI64(inner: 333_333_335),
                                   yOffset: FixedI64(inner: 333_333_332)))
        let sup = Curve.makeLinear(length: 28, period: 28, floor: .percent(0), ceil: .percent(50))
        #expect(sup == .linearDecreasing(length: .one, floor: .zero, ceil: Perbill(parts: 500_000_000)))
    }

    @Test("Every Kusama track's curve constants match the chain metadata", arguments: Kusama.tracks)
    func kusamaConstants(track: TrackInfo) throws {
        let expected = try #require(metadataConstants[track.name])
        #expect(track.minApproval.constants.map(\.value) == expected.app)
        #expect(track.minSupport.constants.map(\.value) == expected.sup)
    }

    @Test("16 tracks with the reference table's ids, periods, max_deciding and deposits")
    func kusamaTable() {
        let t = TrackTable.kusama.tracks
        #expect(t.map(\.id) == [0, 1, 2, 10, 11, 12, 13, 14, 15, 20, 21, 30, 31, 32, 33, 34])
        #expect(t.map(\.maxDeciding) == [1, 100, 10, 10, 10, 10, 10, 10, 10, 1_000, 1_000, 200, 100, 50, 50, 50])
        #expect(t.map(\.preparePeriod) == [1_200, 300, 1_200, 1_200, 1_200, 1_200, 1_200, 1_200, 1_200, 1_200, 1_200,
                                           10, 100, 2_400, 2_400, 2_400])
        #expect(t.map(\.decisionPeriod) == [201_600, 201_600, 201_600, 201_600, 201_600, 201_600, 201_600, 201_600,
                                            201_600, 100_800, 201_600, 100_800, 100_800, 201_600, 201_600, 201_600])
        #expect(t.map(\.confirmPeriod) == [14_400, 100, 14_400, 1_800, 28_800, 1_800, 1_800, 1_800, 1_800, 1_800,
                                           1_800, 100, 600, 7_200, 14_400, 28_800])
        #expect(t.map(\.minEnactmentPeriod) == [14_400, 100, 100, 100, 14_400, 100, 100, 100, 100, 100, 100,
                                                10, 100, 14_400, 14_400, 14_400])
        // Metadata (planck): root 100 GRAND, whitelisted 10 GRAND, staking admin 5 GRAND, small tipper 1 QUID.
        #expect(t[0].decisionDeposit == 3_333_333_333_300_000)
        #expect(t[1].decisionDeposit == 333_333_333_330_000)
        #expect(t[3].decisionDeposit == 166_666_666_665_000)
        #expect(t[11].decisionDeposit == 33_333_333_333)
        #expect(t[15].decisionDeposit == 13_333_333_333_200)
        #expect(TrackTable.kusama.trackFor(.stakingAdmin)?.id == 10)
        #expect(TrackTable.kusama.trackFor(ProposalOrigin("fellows")) == nil)
    }

    /// Thresholds in the reference table (§2.3), in percent with the precision printed there.
    /// Each entry: hours after deciding starts, approval %, support %, digits after the point.
    static let referenceTable: [(track: String, points: [(hours: UInt32, app: Double, sup: Double)])] = [
        ("root", [(0, 100, 50), (1, 99.4, 49.85), (24, 88.2, 46.43), (48, 80.0, 42.86), (96, 69.2, 35.71),
                  (168, 60.0, 25.0), (240, 54.5, 14.29), (336, 50, 0)]),
        ("wish_for_change", [(0, 100, 50), (24, 88.2, 46.43), (168, 60.0, 25.0), (336, 50, 0)]),
        ("treasurer", [(0, 100, 50), (24, 88.2, 46.43), (168, 60.0, 25.0), (336, 50, 0)]),
        ("whitelisted_caller", [(0, 100, 50), (1, 99.5, 43.75), (24, 89.2, 13.73), (48, 81.4, 9.50), (96, 70.6, 6.99),
                                (168, 61.0, 5.82), (240, 55.0, 5.33), (336, 50, 5.0)]),
        ("staking_admin", [(0, 100, 50), (1, 99.8, 41.84), (24, 94.1, 8.30), (48, 88.2, 4.21), (96, 76.5, 1.84),
                           (168, 58.8, 0.75), (240, 50, 0.30), (336, 50, 0)]),
        ("lease_admin", [(24, 94.1, 8.30), (96, 76.5, 1.84)]),
        ("fellowship_admin", [(24, 94.1, 8.30), (96, 76.5, 1.84)]),
        ("small_spender", [(24, 94.1, 8.30), (96, 76.5, 1.84)]),
        ("referendum_killer", [(24, 94.1, 8.30), (96, 76.5, 1.84)]),
        ("general_admin", [(0, 100, 50), (1, 99.4, 48.27), (24, 88.2, 26.0), (48, 80.0, 16.67), (96, 69.2, 8.62),
                           (168, 60.0, 3.85), (240, 54.5, 1.61), (336, 50, 0)]),
        ("auction_admin", [(24, 88.2, 26.0), (168, 60.0, 3.85)]),
        ("referendum_canceller", [(0, 100, 50), (1, 99.5, 35.94), (24, 88.2, 4.21), (48, 76.5, 1.84),
                                  (96, 52.9, 0.57), (168, 50, 0)]),
        ("small_tipper", [(0, 100, 50), (1, 99.2, 17.49), (24, 80.0, 0.95), (48, 60.0, 0.40), (96, 50, 0.12), (168, 50, 0)]),
        ("big_tipper", [(0, 100, 50), (1, 99.2, 28.84), (24, 80.0, 2.33), (48, 60.0, 1.00), (96, 50, 0.30), (168, 50, 0)]),
        ("medium_spender", [(0, 100, 50), (1, 99.8, 45.06), (24, 95.7, 13.07), (48, 91.3, 7.02), (96, 82.6, 3.18),
                            (168, 69.6, 1.32), (240, 56.5, 0.54), (336, 50, 0)]),
        ("big_spender", [(0, 100, 50), (1, 99.9, 47.24), (24, 96.4, 19.94), (48, 92.9, 11.72), (96, 85.7, 5.66),
                         (168, 75.0, 2.43), (240, 64.3, 1.00), (336, 50, 0)]),
    ]

    @Test("Thresholds at given times match the reference table for every Kusama track")
    func thresholdsMatchReference() throws {
        #expect(Set(Self.referenceTable.map(\.track)) == Set(Kusama.tracks.map(\.name)))
        for (name, points) in Self.referenceTable {
            let track = try #require(TrackTable.kusama.track(named: name))
            for p in points {
                let (app, sup) = track.thresholds(elapsed: p.hours * Kusama.hours)
                // The table prints approval to 0.1 % and support to 0.01 %: allow half a printed unit
                // (approval 0.05 % = 500_000 parts; support 0.005 % = 50_000 parts) plus one part.
                let appExpected = Int64((p.app * 10_000_000).rounded())
                let supExpected = Int64((p.sup * 10_000_000).rounded())
                #expect(abs(Int64(app.parts) - appExpected) <= 500_001, "\(name) approval at \(p.hours)h: \(app.parts)")
                #expect(abs(Int64(sup.parts) - supExpected) <= 50_001, "\(name) support at \(p.hours)h: \(sup.parts)")
            }
        }
    }

    @Test("Exact thresholds, evaluated by hand from the upstream formulas")
    func exactThresholds() throws {
        let root = try #require(TrackTable.kusama.track(named: "root"))
        // 1 day of 14: x = floor(1e9 * 14400 / 201600) = 71_428_571.
        #expect(Curve.elapsedFraction(elapsed: 14_400, period: 201_600) == Perbill(parts: 71_428_571))
        // Approval: floor(222222224e9 / (71428571 + 333333335)) + 333333332.
        #expect(root.thresholds(elapsed: 14_400).approval == Perbill(parts: 882_352_942))
        // Support: 5e8 - floor(71428571 * 5e8 / 1e9).
        #expect(root.thresholds(elapsed: 14_400).support == Perbill(parts: 464_285_715))
        #expect(root.thresholds(elapsed: 28_800).approval == Perbill(parts: 800_000_001))
        #expect(root.thresholds(elapsed: 100_800) == (Perbill(parts: 600_000_000), Perbill(parts: 250_000_000)))
        // Past the end the curves stay at their floors.
        // floor(222222224e9 / 1333333335) + 333333332: the reciprocal ends one part below 50 %.
        #expect(root.thresholds(elapsed: 201_600) == (Perbill(parts: 499_999_999), Perbill.zero))
        #expect(root.thresholds(elapsed: 500_000) == (Perbill(parts: 499_999_999), Perbill.zero))
        let wl = try #require(TrackTable.kusama.track(named: "whitelisted_caller"))
        #expect(wl.thresholds(elapsed: 14_400) == (Perbill(parts: 892_388_454), Perbill(parts: 137_313_437)))
        #expect(wl.thresholds(elapsed: 600) == (Perbill(parts: 994_734_815), Perbill(parts: 437_532_142)))
        let sa = try #require(TrackTable.kusama.track(named: "staking_admin"))
        #expect(sa.thresholds(elapsed: 28_800) == (Perbill(parts: 882_352_942), Perbill(parts: 42_056_074)))
        #expect(sa.thresholds(elapsed: 100_800) == (Perbill(parts: 588_235_295), Perbill(parts: 7_537_688)))
    }

    @Test("SteppedDecreasing as upstream's stepped_decreasing_works asserts")
    func stepped() {
        let pc = { (x: UInt128) in Perbill.fromPercent(x) }
        let less = { (p: Perbill) in Perbill(parts: p.parts - 1) }
        let c = Curve.steppedDecreasing(begin: pc(80), end: pc(30), step: pc(10), period: pc(15))
        #expect(c.threshold(at: pc(0)) == pc(80))
        #expect(c.threshold(at: less(pc(15))) == pc(80))
        #expect(c.threshold(at: pc(15)) == pc(70))
        #expect(c.threshold(at: less(pc(30))) == pc(70))
        #expect(c.threshold(at: pc(30)) == pc(60))
        #expect(c.threshold(at: pc(45)) == pc(50))
        #expect(c.threshold(at: pc(60)) == pc(40))
        #expect(c.threshold(at: less(pc(75))) == pc(40))
        #expect(c.threshold(at: pc(75)) == pc(30))
        #expect(c.threshold(at: pc(100)) == pc(30))
        #expect(c.delay(for: pc(100)) == pc(0))
        #expect(c.delay(for: pc(80)) == pc(0))
        #expect(c.delay(for: less(pc(80))) == pc(15))
        #expect(c.delay(for: pc(70)) == pc(15))
        #expect(c.delay(for: less(pc(70))) == pc(30))
        #expect(c.delay(for: pc(50)) == pc(45))
        #expect(c.delay(for: less(pc(50))) == pc(60))
        #expect(c.delay(for: pc(30)) == pc(75))
        #expect(c.delay(for: less(pc(30))) == pc(100))
        #expect(c.delay(for: pc(0)) == pc(100))
    }

    @Test("delay(for:) gives an x at which the value passes, for every Kusama reciprocal curve (upstream invariant)")
    func delayInvariant() {
        let curves = Kusama.tracks.flatMap { [$0.minApproval, $0.minSupport] }.filter {
            if case .reciprocal = $0 { return true } else { return false }
        }
        #expect(curves.count == 19)
        for curve in curves {
            var y: UInt32 = 0
            while y <= 1_000_000_000 {
                let value = Perbill(parts: y)
                let d = curve.delay(for: value)
                #expect(d.isOne || curve.passing(x: d, y: value), "\(curve) y=\(y) delay=\(d.parts)")
                y += 969_697
            }
        }
    }

    @Test("Reciprocal delay quirk: a value above the curve's start answers `one` (never), as upstream")
    func reciprocalDelayAboveCeiling() {
        // SUP_SMALL_TIPPER starts at 50 %: for y = 60 %, K/(y - T) - S is negative, and upstream's
        // `try_into_perthing().ok()` turns that into Perbill::one.
        #expect(Kusama.supSmallTipper.delay(for: Perbill.fromPercent(60)) == .one)
        // floor(1620729e9 / 3231018) - 1615509: the curve starts a hair above 50 %.
        #expect(Kusama.supSmallTipper.threshold(at: .zero) == Perbill(parts: 500_000_080))
        // 100 % approval on root: ceil(222222224e9 / 666666668) - 333333335 = 1 part.
        #expect(Kusama.appRoot.delay(for: .one) == Perbill(parts: 1))
        // 4 % support on small_tipper: ceil(1620729e9 / 41615509) - 3231018, just after x = 1/28.
        #expect(Kusama.supSmallTipper.delay(for: Perbill.fromPercent(4)) == Perbill(parts: 35_714_295))
    }

    @Test("Linear delay: ceil_div(ceil - y, ceil - floor) * length")
    func linearDelay() {
        let c = Kusama.appStakingAdmin  // 100% -> 50% at 17/28
        #expect(c.delay(for: .one) == .zero)
        #expect(c.delay(for: Perbill(parts: 499_999_999)) == .one)  // below the floor: never
        #expect(c.delay(for: Perbill(parts: 500_000_000)) == Perbill(parts: 607_142_857))
        // 75%: half way, (0.5 rounded up) * 607142857 truncated.
        #expect(c.delay(for: Perbill(parts: 750_000_000)) == Perbill(parts: 303_571_428))
        // The truncating product can land one part early: upstream's delay is not an exact inverse
        // for linear curves shorter than the period (ceil_div gives 999272696, * length truncates).
        let y = Perbill(parts: 500_363_652)
        #expect(c.delay(for: y) == Perbill(parts: 606_701_279))
        #expect(c.threshold(at: Perbill(parts: 606_701_279)) == Perbill(parts: 500_363_653))
        #expect(!c.passing(x: c.delay(for: y), y: y))
    }

    @Test("FixedI64 const arithmetic rounds as sp_arithmetic")
    func fixedArithmetic() {
        // from_rational(x, 100) and 4/28 nearest-prefer-down.
        #expect(FixedI64.percent(80).inner == 800_000_000)
        #expect(FixedI64.fromRational(4, 28).inner == 142_857_143)
        #expect(FixedI64.fromRational(1, 3).inner == 333_333_333)
        #expect(FixedI64.fromRational(2, 3).inner == 666_666_667)
        // Division: nearest, half-way towards -inf; negative results round magnitude up on ties.
        let one = FixedI64.one, two = FixedI64.fromU32(2), three = FixedI64.fromU32(3)
        #expect(one.div(three).inner == 333_333_333)
        #expect(one.neg().div(three).inner == -333_333_333)
        #expect(FixedI64(inner: 1).div(two).inner == 0)
        #expect(FixedI64(inner: -1).div(two).inner == -1)
        #expect(FixedI64(inner: 3).div(two).inner == 1)
        // Low / High rounding for the threshold and delay divisions.
        #expect(one.checkedRoundingDiv(three, .high)?.inner == 333_333_334)
        #expect(one.neg().checkedRoundingDiv(three, .low)?.inner == -333_333_334)
        #expect(one.checkedRoundingDiv(.zero, .low) == nil)
        // sqrt(2) = 1.414213562 (floor).
        #expect(two.sqrt().inner == 1_414_213_562)
        #expect(FixedI64(inner: 250_000_000).sqrt().inner == 500_000_000)
        #expect(FixedI64(inner: -5).trySqrt() == nil)
        // Perbill conversions saturate / clamp.
        #expect(FixedI64(inner: -1).intoPerbill() == .zero)
        #expect(FixedI64(inner: 1_000_000_001).intoClampedPerbill() == .one)
        #expect(FixedI64(inner: 1_000_000_001).tryIntoPerbill() == nil)
        #expect(FixedI64(inner: -7_772_020).description == "-0.007772020")
        #expect(isqrt(UInt128(UInt64.max) * UInt128(UInt64.max)) == UInt128(UInt64.max))
        #expect(isqrt(99) == 9)
    }
}
