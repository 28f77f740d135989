/// BABE's primary-slot threshold, computed without floating point.
///
/// Substrate (`sc_consensus_babe::authorship::calculate_primary_threshold`) computes
/// `p = 1f64 - (1f64 - c).powf(theta)` and returns `floor(2^128 * p)` exactly. For
/// `c <= 1/2` the power `y = (1 - c)^theta` lies in [1/2, 1), where doubles are spaced
/// 2^-53 apart, and `1 - y` is exact (Sterbenz), so the result is `(2^53 - Y) * 2^75` with
/// `Y = round(2^53 * y)` — *if* `powf` rounds correctly. Here `Y` is found with exact big
/// integer arithmetic: `Y` is the integer with `(2Y-1)/2^54 <= y < (2Y+1)/2^54`, i.e.
/// `c1 * (2Y-1)^n <= (c1-c0) * 2^(54n) < c1 * (2Y+1)^n` for equal weights (`theta = 1/n`).
/// The floating-point guess only picks where the search starts; the comparison decides.
///
/// This reproduces the reference value for n = 1000 (97879056834606603158816597907341312)
/// bit for bit. Against the true real threshold `floor(2^128 (1 - (1-c)^(1/n)))` the
/// difference is below 2^74 (half a double ulp of `y`, scaled), a relative error under
/// 2e-13 of the threshold. Substrate's `theta` is `fl(1/n)` rather than `1/n`; that moves
/// `y` by under 0.001 ulp, so the two agree unless `y` falls that close to a rounding
/// boundary (not the case for any n tested, 1...1000 in the tests' vectors).
public enum BabeThreshold {
    /// The threshold for one of `authorities` equal-weight authorities with `c = c0/c1`.
    public static func primary(c0: UInt64, c1: UInt64, authorities n: Int) -> UInt128 {
        precondition(n >= 1 && c1 > 0 && c0 <= c1 && 2 * c0 <= c1, "c must be in [0, 1/2]")
        if c0 == 0 { return 0 }
        let target = BigNat(c1 - c0).shiftedLeft(by: 54 * n)   // (c1-c0) * 2^(54n)
        // rhs(k) = c1 * k^n, with k = 2Y±1.
        func below(_ k: UInt64) -> Bool { BigNat(k).power(n).times(c1) <= target }
        let guessDouble = Double(c1 - c0) / Double(c1)
        var y = UInt64((pow(guessDouble, 1.0 / Double(n)) * 0x1p53).rounded())
        y = min(max(y, 1 << 52), 1 << 53)
        // Move until (2Y-1) is below and (2Y+1) is above.
        while !below(2 * y - 1) { y -= 1 }
        while below(2 * y + 1) { y += 1 }
        return UInt128((1 << 53) - y) << 75
    }

    /// Probability represented by a threshold, for reports only.
    public static func probability(_ t: UInt128) -> Double { Double(t) / 0x1p128 }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal arbitrary-precision natural number (little-endian 64-bit limbs): enough for the
/// threshold check (powers of ~54-bit numbers to the n-th).
struct BigNat: Comparable {
    var limbs: [UInt64]

    init(_ v: UInt64) { limbs = [v]; normalize() }
    init(limbs: [UInt64]) { self.limbs = limbs; normalize() }

    mutating func normalize() { while let l = limbs.last, l == 0 { limbs.removeLast() } }

    func times(_ other: BigNat) -> BigNat {
        if limbs.isEmpty || other.limbs.isEmpty { return BigNat(0) }
        var out = [UInt64](repeating: 0, count: limbs.count + other.limbs.count)
        for i in 0..<limbs.count {
            var carry: UInt64 = 0
            let a = limbs[i]
            if a == 0 { continue }
            for j in 0..<other.limbs.count {
                let (hi, lo) = a.multipliedFullWidth(by: other.limbs[j])
                let (s1, o1) = lo.addingReportingOverflow(out[i + j])
                let (s2, o2) = s1.addingReportingOverflow(carry)
                out[i + j] = s2
                carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            out[i + other.limbs.count] = carry
        }
        return BigNat(limbs: out)
    }

    func times(_ k: UInt64) -> BigNat { times(BigNat(k)) }

    func power(_ e: Int) -> BigNat {
        var result = BigNat(1), base = self, e = e
        while e > 0 {
            if e & 1 == 1 { result = result.times(base) }
            e >>= 1
            if e > 0 { base = base.times(base) }
        }
        return result
    }

    func shiftedLeft(by bits: Int) -> BigNat {
        if limbs.isEmpty { return self }
        let words = bits / 64, r = bits % 64
        var out = [UInt64](repeating: 0, count: words)
        var carry: UInt64 = 0
        for l in limbs {
            out.append(r == 0 ? l : (l << UInt64(r)) | carry)
            carry = r == 0 ? 0 : l >> UInt64(64 - r)
        }
        if carry != 0 { out.append(carry) }
        return BigNat(limbs: out)
    }

    static func < (a: BigNat, b: BigNat) -> Bool {
        if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
        var i = a.limbs.count - 1
        while i >= 0 {
            if a.limbs[i] != b.limbs[i] { return a.limbs[i] < b.limbs[i] }
            i -= 1
        }
        return false
    }
}
