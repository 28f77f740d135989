// `ElectionScore`, its evaluation from supports and Substrate's comparisons.
import CanaryArithmetic

/// The quality of an election outcome (`sp_npos_elections::ElectionScore`), most significant
/// first: `minimalStake` (maximize), `sumStake` (maximize), `sumStakeSquared` (minimize).
///
/// `<` is Substrate's `Ord`: lexicographic with the third component reversed, so `a < b` means
/// "`b` is the better solution".
public struct ElectionScore: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var minimalStake: ExtendedBalance
    public var sumStake: ExtendedBalance
    public var sumStakeSquared: ExtendedBalance

    public init(minimalStake: ExtendedBalance, sumStake: ExtendedBalance, sumStakeSquared: ExtendedBalance) {
        self.minimalStake = minimalStake
        self.sumStake = sumStake
        self.sumStakeSquared = sumStakeSquared
    }

    /// `[minimal, sum, squared]`, the order of the vectors' `score` field.
    public var components: [ExtendedBalance] { [minimalStake, sumStake, sumStakeSquared] }

    /// Scores the supports as Substrate's `EvaluateSupport::evaluate`: minimum total
    /// (`UInt128.max` when there are none), sum and sum of squares, all saturating.
    public static func evaluate<ID>(_ supports: [Support<ID>]) -> ElectionScore {
        var minimal = ExtendedBalance.max
        var sum: ExtendedBalance = 0
        var squared: ExtendedBalance = 0
        for s in supports {
            sum = sum.saturatingAdd(s.total)
            squared = squared.saturatingAdd(s.total.saturatingMul(s.total))
            if s.total < minimal { minimal = s.total }
        }
        return ElectionScore(minimalStake: minimal, sumStake: sum, sumStakeSquared: squared)
    }

    public static func < (a: ElectionScore, b: ElectionScore) -> Bool {
        // [a.min, a.sum, b.sq] < [b.min, b.sum, a.sq], lexicographically.
        if a.minimalStake != b.minimalStake { return a.minimalStake < b.minimalStake }
        if a.sumStake != b.sumStake { return a.sumStake < b.sumStake }
        return b.sumStakeSquared < a.sumStakeSquared
    }

    /// `true` iff `self` is better than `other` by more than `threshold` of `other`, per component in
    /// order of significance (`strict_threshold_better`, which `is_score_better` also implements):
    /// better by more than the threshold in `minimalStake`; or within it there (and not lower) and
    /// better by more than it in `sumStake`; or within it in both (and not lower) and lower by more
    /// than it in `sumStakeSquared`. The margin is `threshold.mulCeil(other_i)`, so a zero
    /// threshold is a strict comparison. This is what stops a solution that is only marginally
    /// better from replacing a queued one.
    public func strictThresholdBetter<P: PerThing>(than other: ElectionScore, threshold: P) -> Bool {
        let this = components, that = other.components
        var ge = [Bool](), ord = [Int]()
        for i in 0..<3 {
            ge.append(this[i] >= that[i])
            ord.append(Self.thresholdCompare(this[i], that[i], threshold.mulCeil(that[i])))
        }
        if ord[0] > 0 { return true }
        if ge[0] && ord[0] == 0 && ord[1] > 0 { return true }
        if ge[0] && ord[0] == 0 && ge[1] && ord[1] == 0 && ord[2] < 0 { return true }
        return false
    }

    /// Substrate's `ThresholdOrd::tcmp`: +1 if `a > b + t`, -1 if `a < b - t`, else 0 (saturating;
    /// plain comparison when `t == 0`).
    @usableFromInline
    static func thresholdCompare(_ a: UInt128, _ b: UInt128, _ t: UInt128) -> Int {
        if t == 0 { return a == b ? 0 : (a > b ? 1 : -1) }
        let upper = b.saturatingAdd(t)
        let lower = b.saturatingSub(t)
        if upper <= lower { return a == b ? 0 : (a > b ? 1 : -1) }
        if a > lower && a > upper { return 1 }
        if a < lower && a < upper { return -1 }
        return 0
    }

    public var description: String { "[\(minimalStake), \(sumStake), \(sumStakeSquared)]" }
}

/// `is_score_better(this, that, epsilon)`: the same rule as `strictThresholdBetter`.
public func isScoreBetter<P: PerThing>(_ this: ElectionScore, _ that: ElectionScore, epsilon: P) -> Bool {
    this.strictThresholdBetter(than: that, threshold: epsilon)
}
