// `sp_arithmetic::Rational128`: a fraction n/d of two u128 values, compared exactly.

/// A non-negative rational `numerator / denominator` with 128-bit parts (`sp_arithmetic::Rational128`).
///
/// sp-npos-elections keeps voter loads and candidate scores as these. Construction stores
/// `max(d, 1)` so a zero denominator never exists. Ordering is exact: equal denominators compare
/// numerators, otherwise the 256-bit cross products `n1*d2` and `n2*d1` are compared, so no rounding
/// can reorder two candidates.
public struct Rational128: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let numerator: UInt128
    public let denominator: UInt128

    /// `n / max(d, 1)` — Substrate's `Rational128::from`.
    @inlinable
    public init(_ numerator: UInt128, _ denominator: UInt128) {
        self.numerator = numerator
        self.denominator = denominator == 0 ? 1 : denominator
    }

    public static let zero = Rational128(0, 1)
    public static let one = Rational128(1, 1)

    /// `(n1 + n2) / d1`, saturating, **ignoring `other.denominator`**; returns `self` when
    /// `other.numerator == 0`.
    ///
    /// Substrate's `lazy_saturating_add`: it assumes both operands share a denominator (true for
    /// the election's DEN = u128::MAX loads), and the election's results depend on this exact
    /// behaviour, so it is reproduced rather than "fixed".
    @inlinable
    public func lazySaturatingAdd(_ other: Rational128) -> Rational128 {
        if other.numerator == 0 { return self }
        return Rational128(numerator.saturatingAdd(other.numerator), denominator)
    }

    /// `(n1 - n2) / d1`, saturating at zero, ignoring `other.denominator` (`lazy_saturating_sub`).
    @inlinable
    public func lazySaturatingSub(_ other: Rational128) -> Rational128 {
        if other.numerator == 0 { return self }
        return Rational128(numerator.saturatingSub(other.numerator), denominator)
    }

    /// The same value over `den`, numerator rounded to nearest (half-way down): Substrate's
    /// `to_den`. `nil` if the numerator would not fit in 128 bits.
    @inlinable
    public func toDenominator(_ den: UInt128) -> Rational128? {
        if den == denominator { return self }
        guard let n = multiplyByRationalWithRounding(numerator, den, denominator, .nearestPrefDown) else {
            return nil
        }
        return Rational128(n, den)
    }

    @inlinable
    public static func < (lhs: Rational128, rhs: Rational128) -> Bool {
        if lhs.denominator == rhs.denominator { return lhs.numerator < rhs.numerator }
        let a = lhs.numerator.multipliedFullWidth(by: rhs.denominator)
        let b = rhs.numerator.multipliedFullWidth(by: lhs.denominator)
        return a.high < b.high || (a.high == b.high && a.low < b.low)
    }

    /// Value equality (`1/2 == 2/4`), as Substrate's `PartialEq` which uses the same ordering.
    @inlinable
    public static func == (lhs: Rational128, rhs: Rational128) -> Bool {
        if lhs.denominator == rhs.denominator { return lhs.numerator == rhs.numerator }
        let a = lhs.numerator.multipliedFullWidth(by: rhs.denominator)
        let b = rhs.numerator.multipliedFullWidth(by: lhs.denominator)
        return a.high == b.high && a.low == b.low
    }

    public func hash(into hasher: inout Hasher) {
        // Equal values must hash equally: hash the reduced fraction.
        var a = numerator, b = denominator
        while b != 0 { (a, b) = (b, a % b) }
        let g = a == 0 ? 1 : a
        hasher.combine(numerator / g)
        hasher.combine(denominator / g)
    }

    public var description: String { "\(numerator)/\(denominator)" }
}
