// Fixed-point fractions in [0, 1]: `sp_arithmetic::per_things`.

/// A fraction `parts / accuracy` in [0, 1] with Substrate's exact rounding (`sp_arithmetic::PerThing`).
///
/// Staking, inflation, slashing and election outputs are all expressed in these on chain; Canary
/// re-implements each operation with the same rounding mode Substrate picks for it, so results
/// agree to the last part and the last planck. Balances are passed as `UInt128`.
public protocol PerThing: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The integer type that holds the parts (`u32` for Perbill, `u64` for Perquintill, ...).
    associatedtype Inner: FixedWidthInteger & UnsignedInteger & Sendable
    /// Parts that make up one whole (10^9 for Perbill).
    static var accuracy: Inner { get }
    /// Short type name used in `description` (e.g. "Perbill").
    static var typeName: String { get }
    /// The raw parts (`deconstruct()` in Substrate).
    var parts: Inner { get }
    /// Builds from raw parts, clamping to `accuracy` (Substrate's `from_parts`).
    init(parts: Inner)
}

extension PerThing {
    @inlinable public static var zero: Self { Self(parts: 0) }
    @inlinable public static var one: Self { Self(parts: accuracy) }
    @inlinable public var isZero: Bool { parts == 0 }
    @inlinable public var isOne: Bool { parts == Self.accuracy }

    /// `accuracy` as a `UInt128`, for wide arithmetic.
    @inlinable public static var accuracy128: UInt128 { UInt128(accuracy) }

    /// `x` percent (`from_percent`), clamped to 100 %.
    @inlinable
    public static func fromPercent(_ x: UInt128) -> Self {
        let x = min(x, 100)
        return Self(parts: Inner(UInt128(accuracy) * x / 100))
    }

    /// `p / q` rounded by `rounding`; `nil` when `q == 0` or `p > q` (Substrate returns `Err`).
    ///
    /// Computed exactly as `accuracy * p / q` with a 256-bit intermediate (`multiply_rational`).
    @inlinable
    public static func fromRational(_ p: UInt128, _ q: UInt128, rounding: Rounding) -> Self? {
        if q == 0 || p > q { return nil }
        guard let parts = multiplyByRationalWithRounding(accuracy128, p, q, rounding) else { return nil }
        return Self(parts: Inner(parts))
    }

    /// `floor(accuracy * p / q)`. Saturates to `one` when `q == 0` **or `p > q`**, exactly as
    /// Substrate's `from_rational` does — callers that can see `p > q` must not rely on a ratio
    /// above one.
    @inlinable
    public static func fromRational(_ p: UInt128, _ q: UInt128) -> Self {
        fromRational(p, q, rounding: .down) ?? .one
    }

    /// `self * x` with the remainder part rounded by `rounding` (Substrate's `overflow_prune_mul`):
    /// `(x / acc) * parts + round((x % acc) * parts / acc)`, saturating. Splitting `x` first keeps
    /// the product inside 128 bits for any balance.
    @inlinable
    public func mul(_ x: UInt128, rounding: Rounding) -> UInt128 {
        let acc = Self.accuracy128
        let p = UInt128(parts)
        let remMul = (x % acc) * p  // < acc^2 <= 10^36 < 2^128
        var correction = remMul / acc
        if rounding.roundsUp(remainder: remMul % acc, divisor: acc) { correction += 1 }
        return (x / acc).saturatingMul(p).saturatingAdd(correction)
    }

    /// `self * x` rounded down (`mul_floor`).
    @inlinable public func mulFloor(_ x: UInt128) -> UInt128 { mul(x, rounding: .down) }
    /// `self * x` rounded up (`mul_ceil`).
    @inlinable public func mulCeil(_ x: UInt128) -> UInt128 { mul(x, rounding: .up) }

    /// `self * balance` as Substrate's `Mul<N> for PerThing`: rounding to nearest, half-way down.
    @inlinable
    public static func * (lhs: Self, rhs: UInt128) -> UInt128 { lhs.mul(rhs, rounding: .nearestPrefDown) }

    /// `balance * self`, the same as `self * balance`.
    @inlinable
    public static func * (lhs: UInt128, rhs: Self) -> UInt128 { rhs.mul(lhs, rounding: .nearestPrefDown) }

    /// Product of two fractions, `floor(a * b / accuracy)` (Substrate's `Mul for PerThing`).
    @inlinable
    public static func * (lhs: Self, rhs: Self) -> Self {
        Self(parts: Inner(UInt128(lhs.parts) * UInt128(rhs.parts) / accuracy128))
    }

    /// `lhs / rhs` as a fraction: `from_rational(lhs.parts, rhs.parts)` (floor; saturates to one
    /// when `rhs` is zero or smaller than `lhs`), Substrate's `Div for PerThing`.
    @inlinable
    public static func / (lhs: Self, rhs: Self) -> Self {
        fromRational(UInt128(lhs.parts), UInt128(rhs.parts))
    }

    /// `min(self + other, one)`.
    @inlinable
    public func saturatingAdd(_ other: Self) -> Self {
        let s = UInt128(parts) + UInt128(other.parts)
        return Self(parts: Inner(min(s, Self.accuracy128)))
    }

    /// `max(self - other, zero)`.
    @inlinable
    public func saturatingSub(_ other: Self) -> Self {
        Self(parts: parts > other.parts ? parts - other.parts : 0)
    }

    /// `self * self` via `from_rational(p², acc²)` (floor), as Substrate's `square()`.
    @inlinable
    public func square() -> Self {
        let p = UInt128(parts)
        let acc = Self.accuracy128
        return Self.fromRational(p * p, acc * acc)
    }

    /// `one - self` (Substrate's `left_from_one`).
    @inlinable public var complement: Self { Self(parts: Self.accuracy - parts) }

    @inlinable public static func < (lhs: Self, rhs: Self) -> Bool { lhs.parts < rhs.parts }

    /// Exact percentage for decimal accuracies (`Perbill(parts: 123456789)` → "12.3456789%");
    /// `parts/accuracy` for PerU16, whose fraction has no finite decimal form.
    public var description: String {
        var acc = Self.accuracy128
        var decimals = 0
        while acc > 1 && acc % 10 == 0 { acc /= 10; decimals += 1 }
        if acc != 1 { return "\(parts)/\(Self.accuracy)" }
        let fracDigits = decimals - 2
        let unit = pow10(fracDigits)
        let p = UInt128(parts)
        let whole = p / unit
        var frac = String(p % unit)
        if frac == "0" { return "\(whole)%" }
        frac = String(repeating: "0", count: fracDigits - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return "\(whole).\(frac)%"
    }
}

@usableFromInline
func pow10(_ k: Int) -> UInt128 {
    var r: UInt128 = 1
    for _ in 0..<max(k, 0) { r *= 10 }
    return r
}

/// Parts per billion (10^9), `u32` parts — the accuracy of staking payouts and commissions.
public struct Perbill: PerThing {
    public static let accuracy: UInt32 = 1_000_000_000
    public static let typeName = "Perbill"
    public let parts: UInt32
    @inlinable public init(parts: UInt32) { self.parts = min(parts, 1_000_000_000) }
}

/// Parts per quintillion (10^18), `u64` parts — the accuracy of inflation computations.
public struct Perquintill: PerThing {
    public static let accuracy: UInt64 = 1_000_000_000_000_000_000
    public static let typeName = "Perquintill"
    public let parts: UInt64
    @inlinable public init(parts: UInt64) { self.parts = min(parts, 1_000_000_000_000_000_000) }
}

/// Parts per million (10^6), `u32` parts — the accuracy of the reward curve.
public struct Permill: PerThing {
    public static let accuracy: UInt32 = 1_000_000
    public static let typeName = "Permill"
    public let parts: UInt32
    @inlinable public init(parts: UInt32) { self.parts = min(parts, 1_000_000) }
}

/// Whole percent (100), `u8` parts.
public struct Percent: PerThing {
    public static let accuracy: UInt8 = 100
    public static let typeName = "Percent"
    public let parts: UInt8
    @inlinable public init(parts: UInt8) { self.parts = min(parts, 100) }
}

/// Parts per 65535, `u16` parts — the accuracy of on-chain election solutions
/// (`NposCompactSolution24`).
public struct PerU16: PerThing {
    public static let accuracy: UInt16 = 65535
    public static let typeName = "PerU16"
    public let parts: UInt16
    @inlinable public init(parts: UInt16) { self.parts = min(parts, 65535) }
}
