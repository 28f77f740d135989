import Testing
@testable import CanaryArithmetic

/// Reference long division, bit by bit, on a 256-bit value held as two UInt128 halves — independent
/// of the `dividingFullWidth` path the library uses.
private func slowMulDiv(_ a: UInt128, _ b: UInt128, _ c: UInt128) -> (q: UInt128?, r: UInt128) {
    let p = a.multipliedFullWidth(by: b)
    var rem: UInt128 = 0
    var qHigh: UInt128 = 0, qLow: UInt128 = 0
    for i in (0..<256).reversed() {
        let bit: UInt128 = i >= 128 ? (p.high &>> UInt128(i - 128)) & 1 : (p.low &>> UInt128(i)) & 1
        let carry = rem &>> 127
        rem = (rem &<< 1) | bit
        var take = false
        if carry == 1 || rem >= c { rem = rem &- c; take = true }
        qHigh = (qHigh &<< 1) | (qLow &>> 127)
        qLow = (qLow &<< 1) | (take ? 1 : 0)
    }
    return (qHigh == 0 ? qLow : nil, rem)
}

private struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func wide() -> UInt128 {
        // Mix magnitudes so both the 128-bit and the 256-bit paths are exercised.
        let bits = Int(next() % 129)
        let v = UInt128(next()) << 64 | UInt128(next())
        return bits == 128 ? v : v & ((1 << UInt128(bits)) - 1)
    }
}

@Suite struct MulDivTests {
    @Test func basicRounding() {
        #expect(multiplyByRationalWithRounding(5, 1, 2, .down) == 2)
        #expect(multiplyByRationalWithRounding(5, 1, 2, .up) == 3)
        #expect(multiplyByRationalWithRounding(5, 1, 2, .nearestPrefDown) == 2)
        #expect(multiplyByRationalWithRounding(5, 1, 2, .nearestPrefUp) == 3)
        #expect(multiplyByRationalWithRounding(7, 2, 3, .nearestPrefDown) == 5)  // 4.67
        #expect(multiplyByRationalWithRounding(7, 1, 3, .nearestPrefUp) == 2)    // 2.33
        #expect(multiplyByRationalWithRounding(7, 1, 3, .up) == 3)
    }

    @Test func edges() {
        let m = UInt128.max
        #expect(multiplyByRationalWithRounding(1, 1, 0, .down) == nil)
        #expect(multiplyByRationalWithRounding(m, m, m, .down) == m)
        #expect(multiplyByRationalWithRounding(m, 2, 1, .down) == nil)
        #expect(multiplyByRationalWithRounding(m, m - 1, m, .up) == m - 1)
        #expect(multiplyByRationalWithRounding(m, 1, 1, .up) == m)
        // Exact quotient MAX with a remainder: rounding up must fail, not wrap.
        #expect(multiplyByRationalWithRounding(m, 3, 3, .down) == m)
        // Odd divisor at the top of the range: half-way tests must not overflow.
        #expect(multiplyByRationalWithRounding(m / 2 + 1, 1, m, .nearestPrefUp) == 1)
        #expect(multiplyByRationalWithRounding(m / 2 + 1, 1, m, .nearestPrefDown) == 1)
        #expect(multiplyByRationalWithRounding(m / 2, 1, m, .nearestPrefDown) == 0)
        #expect(multiplyByRationalWithRounding(m / 2, 1, m, .nearestPrefUp) == 0)
    }

    @Test func matchesBitwiseLongDivision() {
        var rng = SplitMix(state: 42)
        for _ in 0..<3000 {
            let a = rng.wide(), b = rng.wide()
            var c = rng.wide()
            if c == 0 { c = 1 }
            let (q, r) = slowMulDiv(a, b, c)
            let down = multiplyByRationalWithRounding(a, b, c, .down)
            #expect(down == q)
            if let q {
                let up = multiplyByRationalWithRounding(a, b, c, .up)
                #expect(up == (r == 0 ? q : (q == .max ? nil : q + 1)))
                let nd = multiplyByRationalWithRounding(a, b, c, .nearestPrefDown)
                #expect(nd == (r > c / 2 ? (q == .max ? nil : q + 1) : q))
            }
        }
    }
}

@Suite struct NormalizeTests {
    // All ASSERTED in sp-arithmetic `normalize_tests`.
    @Test func bump() {
        #expect(normalize([8, 9, 7, 10] as [UInt32], to: 40) == [10, 10, 10, 10])
        #expect(normalize([7, 7, 7, 7] as [UInt32], to: 40) == [10, 10, 10, 10])
        #expect(normalize([7, 7, 7, 10] as [UInt32], to: 40) == [11, 11, 8, 10])
        #expect(normalize([7, 8, 7, 10] as [UInt32], to: 40) == [11, 8, 11, 10])
        #expect(normalize([7, 7, 8, 10] as [UInt32], to: 40) == [11, 11, 8, 10])
        #expect(normalize([8, 11, 9, 10] as [UInt32], to: 40) == [10, 11, 9, 10])
        #expect(normalize([10, 7, 10, 10] as [UInt32], to: 40) == [10, 10, 10, 10])
        #expect(normalize([10, 10, 7, 10] as [UInt32], to: 40) == [10, 10, 10, 10])
        #expect(normalize([10, 10, 10, 7] as [UInt32], to: 40) == [10, 10, 10, 10])
    }

    @Test func reduce() {
        #expect(normalize([12, 11, 13, 10] as [UInt32], to: 40) == [10, 10, 10, 10])
        #expect(normalize([13, 13, 13, 13] as [UInt32], to: 40) == [10, 10, 10, 10])
        #expect(normalize([13, 13, 13, 10] as [UInt32], to: 40) == [12, 9, 9, 10])
        #expect(normalize([13, 12, 13, 10] as [UInt32], to: 40) == [9, 12, 9, 10])
        #expect(normalize([13, 13, 12, 10] as [UInt32], to: 40) == [9, 9, 12, 10])
        #expect(normalize([1, 100, 100] as [UInt8], to: 10) == [1, 9, 0])
        #expect(normalize([1, 8, 9] as [UInt8], to: 1) == [0, 1, 0])
    }

    @Test func allWidths() {
        #expect(normalize([8, 9, 7, 10] as [UInt8], to: 40) == [10, 10, 10, 10])
        #expect(normalize([8, 9, 7, 10] as [UInt16], to: 40) == [10, 10, 10, 10])
        #expect(normalize([8, 9, 7, 10] as [UInt64], to: 40) == [10, 10, 10, 10])
        #expect(normalize([8, 9, 7, 10] as [UInt128], to: 40) == [10, 10, 10, 10])
    }

    @Test func errors() {
        #expect(normalize([UInt8](repeating: 1, count: 255), to: 10) != nil)
        #expect(normalize([UInt8](repeating: 1, count: 256), to: 10) == nil)
        #expect(normalize([] as [UInt32], to: 10) == [])
    }

    @Test func perThings() {
        let p33 = Perbill.fromPercent(33)
        #expect(normalize([p33, p33, p33], to: .one)?.map(\.parts) == [333_333_334, 333_333_333, 333_333_333])
        let v = [Perbill.fromPercent(20), .fromPercent(15), .fromPercent(30)]
        #expect(normalize(v, to: .one)?.map(\.parts) == [316_666_668, 383_333_332, 300_000_000])
        let u = PerU16.fromPercent(40)
        #expect(normalize([u, u, u], to: .one)?.map(\.parts) == [21845, 21845, 21845])
    }

    @Test func alwaysHitsTarget() {
        var rng = SplitMix(state: 7)
        for _ in 0..<500 {
            let n = Int(rng.next() % 24) + 1
            let input = (0..<n).map { _ in rng.next() % 1_000 }
            let target = rng.next() % 30_000
            let out = normalize(input, to: target)
            #expect(out?.reduce(0, +) == target)
        }
    }
}

@Suite struct PerThingTests {
    @Test func fromRationalRounding() {
        // Substrate doc examples of `from_rational_with_rounding`.
        #expect(Percent.fromRational(984, 1000, rounding: .nearestPrefUp)?.parts == 98)
        #expect(Percent.fromRational(985, 1000, rounding: .nearestPrefDown)?.parts == 98)
        #expect(Percent.fromRational(985, 1000, rounding: .nearestPrefUp)?.parts == 99)
        #expect(Percent.fromRational(986, 1000, rounding: .nearestPrefDown)?.parts == 99)
        #expect(Percent.fromRational(981, 1000, rounding: .up)?.parts == 99)
        #expect(Percent.fromRational(1001, 1000, rounding: .up) == nil)
        #expect(Percent.fromRational(190, 400).parts == 47)
    }

    @Test func fromRationalSaturatesToOne() {
        #expect(Perbill.fromRational(1, 0) == .one)
        #expect(Perbill.fromRational(1, 1) == .one)
        #expect(Perbill.fromRational(3, 2) == .one)
        #expect(Perbill.fromRational(0, 5) == .zero)
        #expect(Perbill.fromRational(1, 3).parts == 333_333_333)
        #expect(Perbill.fromRational(2, 3).parts == 666_666_666)
        #expect(PerU16.fromRational(1, 2).parts == 32767)
    }

    @Test func periodFractionDerived() {
        // Reference §2.2 (DERIVED): 6 h and 24 h eras as Perquintill of a Julian year.
        #expect(Perquintill.fromRational(21_600_000, 31_557_600_000).parts == 684_462_696_783_025)
        #expect(Perquintill.fromRational(86_400_000, 31_557_600_000).parts == 2_737_850_787_132_101)
    }

    @Test func multiplyBalance() {
        #expect(Percent.fromRational(5, 100) * 100 == 5)
        #expect(Perbill.fromPercent(80).parts == 800_000_000)
        let half = Perbill(parts: 500_000_000)
        #expect(half * 3 == 1)          // 1.5 rounds half-way down
        #expect(Perbill(parts: 500_000_001) * 3 == 2)
        #expect(half.mulFloor(3) == 1)
        #expect(half.mulCeil(3) == 2)
        #expect(half.mulCeil(4) == 2)
        #expect(Perbill.one * UInt128.max == UInt128.max)
        #expect(Perbill.zero * UInt128.max == 0)
        // Large balance: (x / acc) * parts + correction.
        let x: UInt128 = 1_234_567_890_123_456_789_012_345
        #expect(Perbill(parts: 1) * x == 1_234_567_890_123_457)
        #expect(Perbill(parts: 1).mulFloor(x) == 1_234_567_890_123_456)
    }

    @Test func perThingProduct() {
        #expect(Perbill.fromPercent(50) * Perbill.fromPercent(50) == Perbill.fromPercent(25))
        #expect((Perbill(parts: 333_333_333) * Perbill(parts: 333_333_333)).parts == 111_111_110)
        #expect(Perquintill.one * Perquintill(parts: 7) == Perquintill(parts: 7))
        #expect(Perbill.fromPercent(30) / Perbill.fromPercent(60) == Perbill.fromPercent(50))
        #expect(Perbill.fromPercent(60) / Perbill.fromPercent(30) == .one)
    }

    @Test func saturating() {
        #expect(Perbill.fromPercent(70).saturatingAdd(.fromPercent(50)) == .one)
        #expect(Perbill.fromPercent(30).saturatingSub(.fromPercent(50)) == .zero)
        #expect(Perbill.fromPercent(30).saturatingAdd(.fromPercent(50)) == .fromPercent(80))
        #expect(Perbill(parts: 2_000_000_000) == .one)
        #expect(Perbill.fromPercent(30).complement == .fromPercent(70))
    }

    @Test func squareForSlashing() {
        // Reference §3.5: from_rational(3k, n).square() with k = 1, n = 1000 → 9000 parts.
        #expect(Perbill.fromRational(3, 1000).square().parts == 9000)
        #expect(Perbill.fromRational(1, 2).square() == .fromPercent(25))
        #expect(Perbill.fromRational(400, 1000).square().parts == 160_000_000)
    }

    @Test func descriptions() {
        #expect(Perbill(parts: 123_456_789).description == "12.3456789%")
        #expect(Perbill.fromPercent(50).description == "50%")
        #expect(Percent(parts: 7).description == "7%")
        #expect(Perquintill(parts: 1).description == "0.0000000000000001%")
        #expect(PerU16(parts: 3).description == "3/65535")
    }
}

@Suite struct Rational128Tests {
    @Test func ordering() {
        #expect(Rational128(1, 2) < Rational128(2, 3))
        #expect(Rational128(2, 4) == Rational128(1, 2))
        #expect(Rational128(5, 0) == Rational128(5, 1))
        let m = UInt128.max
        #expect(Rational128(m, m) == Rational128(1, 1))
        #expect(Rational128(m - 1, m) < Rational128(1, 1))
        #expect(Rational128(m, 1) > Rational128(m - 1, 1))
        #expect(Rational128(m / 3, m) < Rational128(m / 2, m))
    }

    @Test func lazyOps() {
        // The second operand's denominator is ignored, as in Substrate.
        #expect(Rational128(1, 10).lazySaturatingAdd(Rational128(1, 3)) == Rational128(2, 10))
        #expect(Rational128(1, 10).lazySaturatingAdd(Rational128(0, 3)).denominator == 10)
        #expect(Rational128(UInt128.max, 7).lazySaturatingAdd(Rational128(5, 7)).numerator == UInt128.max)
        #expect(Rational128(3, 10).lazySaturatingSub(Rational128(5, 10)) == Rational128(0, 10))
    }

    @Test func toDen() {
        #expect(Rational128(1, 3).toDenominator(10) == Rational128(3, 10))
        #expect(Rational128(2, 3).toDenominator(10)?.numerator == 7)
        #expect(Rational128(1, 2).toDenominator(1)?.numerator == 0)  // half-way rounds down
        #expect(Rational128(UInt128.max, 1).toDenominator(2) == nil)
    }
}
