/// A minimal arbitrary-precision unsigned integer, used where Substrate itself uses
/// `sp_arithmetic::biguint::BigUint` (the Taylor series of `compute_inflation`, whose
/// intermediate products reach ~2^280 for Perquintill with a 1% falloff).
///
/// Only the operations that code needs: add, subtract, compare, multiply by a word or a
/// `UInt128`, floor-divide by a word. Limbs are little-endian `UInt64`; the value is kept
/// normalized (no leading zero limbs), so `==` is structural equality.
struct BigUInt: Equatable, Comparable, CustomStringConvertible, Sendable {
    private(set) var limbs: [UInt64]

    init(_ value: UInt128) {
        limbs = [UInt64(truncatingIfNeeded: value), UInt64(truncatingIfNeeded: value >> 64)]
        normalize()
    }

    init(_ value: UInt64) {
        limbs = value == 0 ? [] : [value]
    }

    private init(limbs: [UInt64]) {
        self.limbs = limbs
        normalize()
    }

    static let zero = BigUInt(UInt64(0))

    var isZero: Bool { limbs.isEmpty }

    /// The value as `UInt128` if it fits, else nil.
    var uint128: UInt128? {
        switch limbs.count {
        case 0: return 0
        case 1: return UInt128(limbs[0])
        case 2: return UInt128(limbs[1]) << 64 | UInt128(limbs[0])
        default: return nil
        }
    }

    private mutating func normalize() {
        while let last = limbs.last, last == 0 { limbs.removeLast() }
    }

    static func < (lhs: BigUInt, rhs: BigUInt) -> Bool {
        if lhs.limbs.count != rhs.limbs.count { return lhs.limbs.count < rhs.limbs.count }
        var i = lhs.limbs.count - 1
        while i >= 0 {
            if lhs.limbs[i] != rhs.limbs[i] { return lhs.limbs[i] < rhs.limbs[i] }
            i -= 1
        }
        return false
    }

    static func + (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        let n = max(lhs.limbs.count, rhs.limbs.count)
        var out = [UInt64](repeating: 0, count: n + 1)
        var carry: UInt64 = 0
        for i in 0..<n {
            let a = i < lhs.limbs.count ? lhs.limbs[i] : 0
            let b = i < rhs.limbs.count ? rhs.limbs[i] : 0
            let (s1, o1) = a.addingReportingOverflow(b)
            let (s2, o2) = s1.addingReportingOverflow(carry)
            out[i] = s2
            carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        out[n] = carry
        return BigUInt(limbs: out)
    }

    /// `lhs - rhs`; precondition `lhs >= rhs`.
    static func - (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        precondition(lhs >= rhs, "BigUInt subtraction underflow")
        var out = lhs.limbs
        var borrow: UInt64 = 0
        for i in 0..<out.count {
            let b = i < rhs.limbs.count ? rhs.limbs[i] : 0
            let (d1, o1) = out[i].subtractingReportingOverflow(b)
            let (d2, o2) = d1.subtractingReportingOverflow(borrow)
            out[i] = d2
            borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
        }
        return BigUInt(limbs: out)
    }

    /// `self * m` for a single word.
    func multiplied(by m: UInt64) -> BigUInt {
        if m == 0 || isZero { return .zero }
        var out = [UInt64](repeating: 0, count: limbs.count + 1)
        var carry: UInt64 = 0
        for i in 0..<limbs.count {
            let (hi, lo) = limbs[i].multipliedFullWidth(by: m)
            let (s, o) = lo.addingReportingOverflow(carry)
            out[i] = s
            carry = hi &+ (o ? 1 : 0)
        }
        out[limbs.count] = carry
        return BigUInt(limbs: out)
    }

    /// `self * m` for a `UInt128`.
    func multiplied(by m: UInt128) -> BigUInt {
        let lo = multiplied(by: UInt64(truncatingIfNeeded: m))
        let hiWord = UInt64(truncatingIfNeeded: m >> 64)
        if hiWord == 0 { return lo }
        let hi = multiplied(by: hiWord)
        return lo + BigUInt(limbs: [0] + hi.limbs)
    }

    /// Floor division by a non-zero word.
    func dividedFloor(by d: UInt64) -> BigUInt {
        precondition(d != 0, "BigUInt division by zero")
        if isZero { return self }
        var out = [UInt64](repeating: 0, count: limbs.count)
        var rem: UInt64 = 0
        var i = limbs.count - 1
        while i >= 0 {
            let (q, r) = d.dividingFullWidth((rem, limbs[i]))
            out[i] = q
            rem = r
            i -= 1
        }
        return BigUInt(limbs: out)
    }

    var description: String {
        if isZero { return "0" }
        var digits: [String] = []
        var v = self
        let chunk: UInt64 = 10_000_000_000_000_000_000
        while !v.isZero {
            let q = v.dividedFloor(by: chunk)
            let r = v - q.multiplied(by: chunk)
            let word = r.limbs.first ?? 0
            digits.append(String(word))
            v = q
        }
        var s = digits.removeLast()
        for d in digits.reversed() { s += String(repeating: "0", count: 19 - d.count) + d }
        return s
    }
}
