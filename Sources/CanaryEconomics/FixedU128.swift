import CanaryArithmetic

/// `sp_arithmetic::FixedU128` (18 decimals, `UInt128` inner), only the operations the Polkadot
/// emission models use, with Substrate's rounding:
/// - `fromRational(a, b)` (the inherent const fn): NearestPrefDown;
/// - `checkedDiv`, `saturatingMul`, `saturatingMulInt`: round down (`SignedRounding::Minor`, unsigned);
/// - `saturatingPow`: binary exponentiation with `saturatingMul` at every step.
/// Not a per-thing: the project's per-things live in CanaryArithmetic.
public struct FixedU128: Comparable, Hashable, Sendable, CustomStringConvertible {
    public static let div: UInt128 = 1_000_000_000_000_000_000
    public var inner: UInt128

    public init(inner: UInt128) { self.inner = inner }

    public static let zero = FixedU128(inner: 0)
    public static let one = FixedU128(inner: div)
    public static let max = FixedU128(inner: .max)

    /// `saturating_from_integer`.
    public static func integer(_ n: UInt128) -> FixedU128 {
        let (v, o) = n.multipliedReportingOverflow(by: div)
        return FixedU128(inner: o ? .max : v)
    }

    /// The inherent `FixedU128::from_rational(a, b)`: `round_NearestPrefDown(a * DIV / b)`.
    /// Precondition `b != 0` (Substrate panics).
    public static func fromRational(_ a: UInt128, _ b: UInt128) -> FixedU128 {
        precondition(b != 0, "FixedU128.fromRational: division by zero")
        guard let v = multiplyByRationalWithRounding(div, a, b, .nearestPrefDown) else {
            preconditionFailure("FixedU128.fromRational: overflow")
        }
        return FixedU128(inner: v)
    }

    /// `FixedU128::from_perbill`: `from_rational(parts, 10^9)` via the trait (rounds down; exact anyway).
    public static func fromPerbill(_ p: Perbill) -> FixedU128 {
        FixedU128(inner: UInt128(p.parts) * 1_000_000_000)
    }

    public var isZero: Bool { inner == 0 }

    public func saturatingAdd(_ o: FixedU128) -> FixedU128 {
        let (v, ov) = inner.addingReportingOverflow(o.inner)
        return FixedU128(inner: ov ? .max : v)
    }

    public func saturatingSub(_ o: FixedU128) -> FixedU128 {
        FixedU128(inner: inner > o.inner ? inner - o.inner : 0)
    }

    /// `checked_mul` rounding down; saturates to max on overflow.
    public func saturatingMul(_ o: FixedU128) -> FixedU128 {
        FixedU128(inner: multiplyByRationalWithRounding(inner, o.inner, FixedU128.div, .down) ?? .max)
    }

    /// `checked_div` rounding down; nil when dividing by zero or on overflow.
    public func checkedDiv(_ o: FixedU128) -> FixedU128? {
        guard o.inner != 0 else { return nil }
        return multiplyByRationalWithRounding(inner, FixedU128.div, o.inner, .down).map(FixedU128.init(inner:))
    }

    /// `saturating_pow` (binary exponentiation, as Substrate does it).
    public func saturatingPow(_ exp: UInt32) -> FixedU128 {
        if exp == 0 { return .one }
        let msbPos = 32 - exp.leadingZeroBitCount
        var result = FixedU128.one
        var powVal = self
        for i in 0..<msbPos {
            if (UInt32(1) << UInt32(i)) & exp != 0 { result = result.saturatingMul(powVal) }
            powVal = powVal.saturatingMul(powVal)
        }
        return result
    }

    /// `saturating_mul_int`: `floor(inner * n / DIV)`, saturating.
    public func saturatingMulInt(_ n: UInt128) -> UInt128 {
        multiplyByRationalWithRounding(inner, n, FixedU128.div, .down) ?? .max
    }

    /// Integer part (`into_inner() / DIV`).
    public var integerPart: UInt128 { inner / FixedU128.div }

    public static func < (a: FixedU128, b: FixedU128) -> Bool { a.inner < b.inner }

    public var description: String {
        let frac = String(inner % FixedU128.div)
        return "\(inner / FixedU128.div).\(String(repeating: "0", count: 18 - frac.count))\(frac)"
    }
}
