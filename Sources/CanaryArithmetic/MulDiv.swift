// Exact wide-integer multiply-then-divide, as `sp_arithmetic::helpers_128bit`.

/// How a division that does not come out even is rounded.
///
/// Mirrors `sp_arithmetic::per_things::Rounding`. Every money or ratio computation in Canary names
/// its rounding explicitly, because Substrate does: the same formula rounded differently drifts by
/// a planck or a part, and the simulator must agree with the chain to the last unit.
public enum Rounding: Sendable, Hashable, CaseIterable {
    /// Towards zero (floor for unsigned values).
    case down
    /// Towards infinity (ceiling for unsigned values).
    case up
    /// To the nearest integer; exactly half-way rounds down. Rounds up iff `remainder > c / 2`.
    case nearestPrefDown
    /// To the nearest integer; exactly half-way rounds up. Rounds up iff `remainder >= c/2 + c%2`.
    case nearestPrefUp

    /// Whether a quotient with this `remainder` for divisor `divisor` must be bumped by one.
    ///
    /// Written without `(c + 1) / 2` so that `divisor == UInt128.max` cannot overflow, exactly as
    /// Substrate's implementation avoids it.
    @inlinable
    public func roundsUp(remainder: UInt128, divisor: UInt128) -> Bool {
        switch self {
        case .down: return false
        case .up: return remainder > 0
        case .nearestPrefDown: return remainder > divisor / 2
        case .nearestPrefUp: return remainder >= divisor / 2 + divisor % 2
        }
    }
}

/// `a * b / c` computed exactly with a 256-bit intermediate and rounded by `rounding`.
///
/// Substrate's `multiply_by_rational_with_rounding`: the product never overflows (it is held in
/// 256 bits), so the only failures are `c == 0` and a final result that does not fit in 128 bits
/// (including the case where rounding up would push `UInt128.max` over). Returns `nil` then.
@inlinable
public func multiplyByRationalWithRounding(
    _ a: UInt128, _ b: UInt128, _ c: UInt128, _ rounding: Rounding
) -> UInt128? {
    if c == 0 { return nil }
    let product = a.multipliedFullWidth(by: b)
    // The quotient fits in 128 bits iff the high half is below the divisor.
    if product.high >= c { return nil }
    let (q, r): (UInt128, UInt128)
    if product.high == 0 {
        (q, r) = product.low.quotientAndRemainder(dividingBy: c)
    } else {
        (q, r) = c.dividingFullWidth((product.high, product.low))
    }
    if rounding.roundsUp(remainder: r, divisor: c) {
        if q == UInt128.max { return nil }
        return q + 1
    }
    return q
}

/// `floor(a * b / c)`, or `nil` when `c == 0` or the result exceeds `UInt128.max`.
@inlinable
public func multiplyByRationalDown(_ a: UInt128, _ b: UInt128, _ c: UInt128) -> UInt128? {
    multiplyByRationalWithRounding(a, b, c, .down)
}

/// `a / b` rounded by `rounding` (Substrate's `div_rounded`); `nil` when `b == 0`.
@inlinable
public func divideRounded(_ a: UInt128, _ b: UInt128, _ rounding: Rounding) -> UInt128? {
    if b == 0 { return nil }
    let (q, r) = a.quotientAndRemainder(dividingBy: b)
    return rounding.roundsUp(remainder: r, divisor: b) ? q + 1 : q
}

extension UInt128 {
    /// `self + other`, clamped to `UInt128.max` (Rust's `saturating_add`).
    @inlinable
    public func saturatingAdd(_ other: UInt128) -> UInt128 {
        let (v, o) = addingReportingOverflow(other)
        return o ? .max : v
    }

    /// `self - other`, clamped to zero (Rust's `saturating_sub`).
    @inlinable
    public func saturatingSub(_ other: UInt128) -> UInt128 {
        self > other ? self - other : 0
    }

    /// `self * other`, clamped to `UInt128.max` (Rust's `saturating_mul`).
    @inlinable
    public func saturatingMul(_ other: UInt128) -> UInt128 {
        let (v, o) = multipliedReportingOverflow(by: other)
        return o ? .max : v
    }
}
