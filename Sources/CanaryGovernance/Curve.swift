// pallet-referenda `Curve` (types.rs): thresholds over the decision period, and the const-fn
// constructors that compute the runtime's curve constants.

/// A decreasing threshold curve over x ∈ [0, 1], the elapsed fraction of the decision period
/// (`pallet_referenda::Curve`). y is the approval or support a referendum needs at x.
public enum Curve: Sendable, Hashable {
    /// Starts at `(0, ceil)`, falls linearly to `(length, floor)`, then stays at `floor`.
    case linearDecreasing(length: Perbill, floor: Perbill, ceil: Perbill)
    /// Starts at `begin`, steps down by `step` every `period`, never below `end`.
    case steppedDecreasing(begin: Perbill, end: Perbill, step: Perbill, period: Perbill)
    /// `factor / (x + xOffset) + yOffset`, clamped to [0, 1].
    case reciprocal(factor: FixedI64, xOffset: FixedI64, yOffset: FixedI64)

    // MARK: Constructors (const fns in the runtime)

    /// `Curve::make_linear(length, period, floor, ceil)`: the curve reaches `floor` at
    /// x = length / period.
    public static func makeLinear(length: UInt128, period: UInt128, floor: FixedI64, ceil: FixedI64) -> Curve {
        .linearDecreasing(
            length: FixedI64.fromRational(length, period).intoPerbill(),
            floor: floor.intoPerbill(),
            ceil: ceil.intoPerbill())
    }

    /// `Curve::make_reciprocal(delay, period, level, floor, ceil)`: a reciprocal curve through
    /// `(0, ceil)` and `(1, floor)` that is at `level` at x = delay / period.
    ///
    /// The factor is found by the runtime's binary search over FixedI64 inner values in [0, 1],
    /// with every intermediate rounded as the const fns round, so the constants match the chain's
    /// metadata to the last unit.
    public static func makeReciprocal(delay: UInt128, period: UInt128, level: FixedI64,
                                      floor: FixedI64, ceil: FixedI64) -> Curve {
        let delayX = FixedI64.fromRational(delay, period).intoPerbill()
        typealias Bound = (factor: FixedI64, curve: Curve, distance: FixedI64)
        let maxDistance = FixedI64(inner: Int64.max)
        var lower: Bound = (.fromU32(0), reciprocalFromParts(factor: .fromU32(0), floor: floor, ceil: ceil), maxDistance)
        var upper: Bound = (.fromU32(1), reciprocalFromParts(factor: .fromU32(1), floor: floor, ceil: ceil), maxDistance)
        let two = FixedI64.fromU32(2)
        while upper.factor.sub(lower.factor).inner > 1 {
            let factor = lower.factor.add(upper.factor).div(two)
            let curve = reciprocalFromParts(factor: factor, floor: floor, ceil: ceil)
            let curveLevel = FixedI64.fromPerbill(curve.constThreshold(delayX))
            if curveLevel.inner > level.inner {
                upper = (factor, curve, curveLevel.sub(level))
            } else {
                lower = (factor, curve, level.sub(curveLevel))
            }
        }
        return lower.distance.inner < upper.distance.inner ? lower.curve : upper.curve
    }

    /// `Curve::reciprocal_from_parts`: the offsets that put the curve through (0, ceil) and (1, floor).
    public static func reciprocalFromParts(factor: FixedI64, floor: FixedI64, ceil: FixedI64) -> Curve {
        let delta = ceil.sub(floor)
        let xOffset = posQuadSolution(a: delta, b: delta, c: factor.neg())
        let yOffset = floor.sub(factor.div(FixedI64.fromU32(1).add(xOffset)))
        return .reciprocal(factor: factor, xOffset: xOffset, yOffset: yOffset)
    }

    /// `pos_quad_solution`: `(-b + sqrt(b² - 4ac)) / 2a` with const-fn rounding at each step.
    static func posQuadSolution(a: FixedI64, b: FixedI64, c: FixedI64) -> FixedI64 {
        let two = FixedI64.fromU32(2), four = FixedI64.fromU32(4)
        return b.neg().add(b.mul(b).sub(four.mul(a).mul(c)).sqrt()).div(two.mul(a))
    }

    // MARK: Evaluation

    /// The y the curve demands at x (`Curve::threshold`).
    public func threshold(at x: Perbill) -> Perbill {
        switch self {
        case let .linearDecreasing(length, floor, ceil):
            // ceil - (min(x, length) / length rounded down) * (ceil - floor), product truncated.
            let fraction = Perbill.fromRational(UInt128(Swift.min(x, length).parts), UInt128(length.parts),
                                                rounding: .down) ?? .one
            return ceil.saturatingSub(fraction * ceil.saturatingSub(floor))
        case let .steppedDecreasing(begin, end, step, period):
            let steps = x.parts / period.parts
            let drop = Perbill(parts: step.parts.multipliedReportingOverflow(by: steps).overflow
                               ? UInt32.max : step.parts &* steps)
            return Swift.max(begin.saturatingSub(Swift.min(drop, begin)), end)
        case let .reciprocal(factor, xOffset, yOffset):
            guard let yp = factor.checkedRoundingDiv(FixedI64.fromPerbill(x).add(xOffset), .low) else { return .one }
            return yp.add(yOffset).intoClampedPerbill()
        }
    }

    /// The partial evaluation the const constructor uses (`const_threshold`, reciprocal only).
    func constThreshold(_ x: Perbill) -> Perbill {
        guard case let .reciprocal(factor, xOffset, yOffset) = self else {
            preconditionFailure("const_threshold cannot be used on this curve")
        }
        guard let yp = factor.checkedRoundingDiv(FixedI64.fromPerbill(x).add(xOffset), .low) else { return .one }
        return yp.add(yOffset).intoPerbill()
    }

    /// The smallest x at which `y` passes (`Curve::delay`); `one` when it never does. Upstream
    /// quirks are kept: e.g. a reciprocal whose inverse is negative also answers `one`.
    public func delay(for y: Perbill) -> Perbill {
        switch self {
        case let .linearDecreasing(length, floor, ceil):
            if y < floor { return .one }
            if y > ceil { return .zero }
            let f = Perbill.fromRational(UInt128(ceil.saturatingSub(y).parts), UInt128(ceil.saturatingSub(floor).parts),
                                         rounding: .up) ?? .one
            return f * length
        case let .steppedDecreasing(begin, end, step, period):
            if y < end { return .one }
            let lessEpsilon = step.parts == 0 ? 0 : step.parts - 1
            let numerator = Perbill(parts: begin.saturatingSub(Swift.min(y, begin)).parts + lessEpsilon)
            let n = numerator.parts / step.parts
            let (p, o) = period.parts.multipliedReportingOverflow(by: n)
            return Perbill(parts: o ? UInt32.max : p)
        case let .reciprocal(factor, xOffset, yOffset):
            guard let term = factor.checkedRoundingDiv(FixedI64.fromPerbill(y).sub(yOffset), .high),
                  let x = term.sub(xOffset).tryIntoPerbill() else { return .one }
            return x
        }
    }

    /// Whether `y` meets the curve at `x` (`Curve::passing`).
    public func passing(x: Perbill, y: Perbill) -> Bool { y >= threshold(at: x) }

    /// Curve kind name as in metadata: `LinearDecreasing`, `SteppedDecreasing`, `Reciprocal`.
    public var kindName: String {
        switch self {
        case .linearDecreasing: return "LinearDecreasing"
        case .steppedDecreasing: return "SteppedDecreasing"
        case .reciprocal: return "Reciprocal"
        }
    }

    /// The curve's constants as (name, integer) pairs in declaration order: Perbill parts for
    /// linear/stepped, FixedI64 inner values for reciprocal.
    public var constants: [(name: String, value: Int64)] {
        switch self {
        case let .linearDecreasing(length, floor, ceil):
            return [("length", Int64(length.parts)), ("floor", Int64(floor.parts)), ("ceil", Int64(ceil.parts))]
        case let .steppedDecreasing(begin, end, step, period):
            return [("begin", Int64(begin.parts)), ("end", Int64(end.parts)),
                    ("step", Int64(step.parts)), ("period", Int64(period.parts))]
        case let .reciprocal(factor, xOffset, yOffset):
            return [("factor", factor.inner), ("x_offset", xOffset.inner), ("y_offset", yOffset.inner)]
        }
    }

    /// The elapsed fraction of a decision period, as `is_passing` computes it:
    /// `Perbill::from_rational(min(elapsed, period), period)` (rounded down).
    public static func elapsedFraction(elapsed: BlockNumber, period: BlockNumber) -> Perbill {
        Perbill.fromRational(UInt128(Swift.min(elapsed, period)), UInt128(period))
    }
}
