// Signed fixed point with 9 decimals: `sp_arithmetic::FixedI64`, as pallet-referenda's curves use it.

/// A signed decimal fixed-point number `inner / 10^9` (Substrate's `FixedI64`).
///
/// Only the operations the referenda curves need are implemented, each with the rounding Substrate
/// uses for it. The const-fn operations (`mul`, `div`, `sqrt`, `fromRational`, `intoPerbill`) are
/// the ones `make_linear` / `make_reciprocal` run at compile time; they trap on overflow like the
/// Rust const fns panic.
public struct FixedI64: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The raw value: `inner / 10^9` is the number.
    public var inner: Int64

    /// 10^9, the denominator (`DIV`).
    public static let div: Int64 = 1_000_000_000
    static let div128: UInt128 = 1_000_000_000

    /// Rounding for a signed result (`sp_arithmetic::SignedRounding`).
    public enum SignedRounding: Sendable, Hashable {
        /// Towards positive infinity.
        case high
        /// Towards negative infinity.
        case low
        /// Nearest; half-way towards positive infinity.
        case nearestPrefHigh
        /// Nearest; half-way towards negative infinity.
        case nearestPrefLow
        /// Away from zero.
        case major
        /// Towards zero.
        case minor
        /// Nearest; half-way away from zero.
        case nearestPrefMajor
        /// Nearest; half-way towards zero.
        case nearestPrefMinor

        /// The unsigned rounding of the magnitude that gives this signed rounding
        /// (`Rounding::from_signed`).
        public func unsigned(negative: Bool) -> Rounding {
            switch (self, negative) {
            case (.low, true), (.major, _), (.high, false): return .up
            case (.high, true), (.minor, _), (.low, false): return .down
            case (.nearestPrefMajor, _), (.nearestPrefHigh, false), (.nearestPrefLow, true): return .nearestPrefUp
            case (.nearestPrefMinor, _), (.nearestPrefLow, false), (.nearestPrefHigh, true): return .nearestPrefDown
            }
        }
    }

    @inlinable public init(inner: Int64) { self.inner = inner }

    public static let zero = FixedI64(inner: 0)
    public static let one = FixedI64(inner: div)

    /// `n` as a fixed-point number (`from_u32`).
    public static func fromU32(_ n: UInt32) -> FixedI64 { FixedI64(inner: Int64(n) * div) }

    /// `a / b` rounded by `rounding` (`from_rational_with_rounding`; `from_rational` is
    /// nearest, half-way down). Traps on `b == 0` or overflow, like the const fn panics.
    public static func fromRational(_ a: UInt128, _ b: UInt128, rounding: Rounding = .nearestPrefDown) -> FixedI64 {
        precondition(b != 0, "attempt to divide by zero in from_rational")
        guard let v = multiplyByRationalWithRounding(div128, a, b, rounding), let r = fromMagnitude(v, negative: false) else {
            preconditionFailure("overflow in from_rational")
        }
        return r
    }

    /// `x percent`, as Kusama's `tracks.rs` writes it: `from_rational(x, 100)`.
    public static func percent(_ x: UInt128) -> FixedI64 { fromRational(x, 100) }

    /// A `Perbill` as a fixed-point number (`from_perbill`, and `From<Perbill>`): exact.
    public static func fromPerbill(_ p: Perbill) -> FixedI64 { FixedI64(inner: Int64(p.parts)) }

    /// Saturating conversion into a `Perbill` (`into_perbill`): ≤ 0 → zero, ≥ 1 → one.
    public func intoPerbill() -> Perbill {
        if inner <= 0 { return .zero }
        if inner >= Self.div { return .one }
        // multiply_by_rational_with_rounding(inner, 10^9, DIV, NearestPrefDown) == inner.
        return Perbill(parts: UInt32(inner))
    }

    /// Clamped conversion (`into_clamped_perthing::<Perbill>`): < 0 → zero, > 1 → one.
    public func intoClampedPerbill() -> Perbill {
        if inner < 0 { return .zero }
        if inner > Self.div { return .one }
        return Perbill.fromRational(UInt128(inner), Self.div128)
    }

    /// `try_into_perthing::<Perbill>`: `nil` outside [0, 1].
    public func tryIntoPerbill() -> Perbill? {
        if inner < 0 || inner > Self.div { return nil }
        return Perbill.fromRational(UInt128(inner), Self.div128)
    }

    /// `-self` (const `neg`).
    public func neg() -> FixedI64 { FixedI64(inner: 0 - inner) }
    /// `self + rhs` (const `add`; traps on overflow).
    public func add(_ rhs: FixedI64) -> FixedI64 { FixedI64(inner: inner + rhs.inner) }
    /// `self - rhs` (const `sub`; traps on overflow).
    public func sub(_ rhs: FixedI64) -> FixedI64 { FixedI64(inner: inner - rhs.inner) }

    public static func + (l: FixedI64, r: FixedI64) -> FixedI64 { l.add(r) }
    public static func - (l: FixedI64, r: FixedI64) -> FixedI64 { l.sub(r) }
    public static prefix func - (x: FixedI64) -> FixedI64 { x.neg() }
    public static func < (l: FixedI64, r: FixedI64) -> Bool { l.inner < r.inner }

    /// Magnitude and sign, as Substrate's `I129`.
    var magnitude: UInt128 { UInt128(inner.magnitude) }
    var isNegative: Bool { inner < 0 }

    /// Rebuilds from a magnitude and sign (`from_i129`); `nil` when it does not fit.
    static func fromMagnitude(_ value: UInt128, negative: Bool) -> FixedI64? {
        if negative {
            if value == UInt128(Int64.max) + 1 { return FixedI64(inner: Int64.min) }
            guard value <= UInt128(Int64.max) else { return nil }
            return FixedI64(inner: -Int64(value))
        }
        guard value <= UInt128(Int64.max) else { return nil }
        return FixedI64(inner: Int64(value))
    }

    /// `self * rhs` with the given rounding (`const_checked_mul_with_rounding`).
    public func checkedMul(_ rhs: FixedI64, rounding: SignedRounding = .nearestPrefLow) -> FixedI64? {
        let negative = isNegative != rhs.isNegative
        guard let v = multiplyByRationalWithRounding(magnitude, rhs.magnitude, Self.div128,
                                                     rounding.unsigned(negative: negative)) else { return nil }
        return Self.fromMagnitude(v, negative: negative)
    }

    /// `self / rhs` with the given rounding (`checked_rounding_div`); `nil` for a zero divisor
    /// or overflow.
    public func checkedRoundingDiv(_ rhs: FixedI64, _ rounding: SignedRounding) -> FixedI64? {
        if rhs.inner == 0 { return nil }
        let negative = isNegative != rhs.isNegative
        guard let v = multiplyByRationalWithRounding(magnitude, Self.div128, rhs.magnitude,
                                                     rounding.unsigned(negative: negative)) else { return nil }
        return Self.fromMagnitude(v, negative: negative)
    }

    /// Const `mul`: nearest, half-way towards negative infinity. Traps on overflow.
    public func mul(_ rhs: FixedI64) -> FixedI64 {
        guard let r = checkedMul(rhs) else { preconditionFailure("attempt to multiply with overflow") }
        return r
    }

    /// Const `div`: nearest, half-way towards negative infinity. Traps on zero or overflow.
    public func div(_ rhs: FixedI64) -> FixedI64 {
        guard let r = checkedRoundingDiv(rhs, .nearestPrefLow) else {
            preconditionFailure("attempt to divide with overflow or NaN")
        }
        return r
    }

    /// Square root (`try_sqrt`): `floor(sqrt(inner * DIV))`, or `sqrt(inner) * sqrt(DIV)` when the
    /// product overflows 128 bits. `nil` for negative input.
    public func trySqrt() -> FixedI64? {
        if inner == 0 { return .zero }
        if inner < 1 { return nil }
        let v = UInt128(inner)
        let (vd, overflow) = v.multipliedReportingOverflow(by: Self.div128)
        let r = overflow ? isqrt(v) * isqrt(Self.div128) : isqrt(vd)
        guard r <= UInt128(Int64.max) else { return nil }
        return FixedI64(inner: Int64(r))
    }

    /// Const `sqrt`: traps on negative input.
    public func sqrt() -> FixedI64 {
        guard let r = trySqrt() else { preconditionFailure("sqrt overflow or negative input") }
        return r
    }

    /// Decimal rendering with 9 fractional digits, e.g. `-0.007772020`.
    public var description: String {
        let sign = inner < 0 ? "-" : ""
        let m = inner.magnitude
        let frac = String(m % 1_000_000_000)
        return "\(sign)\(m / 1_000_000_000).\(String(repeating: "0", count: 9 - frac.count))\(frac)"
    }
}

/// `floor(sqrt(n))` for a 128-bit unsigned integer (`helpers_128bit::sqrt`).
func isqrt(_ n: UInt128) -> UInt128 {
    if n < 2 { return n }
    // Newton's iteration from an over-estimate converges monotonically to the floor.
    let bits = UInt128.bitWidth - n.leadingZeroBitCount
    var x: UInt128 = 1 << ((bits + 1) / 2)
    while true {
        let y = (x + n / x) / 2
        if y >= x { return x }
        x = y
    }
}
