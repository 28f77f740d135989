import CanaryArithmetic

/// The legacy NPoS reward curve: `pallet-staking-reward-curve`'s `build!` macro (points computed
/// at compile time in millionths, integer log2 by Taylor series) and `sp_runtime::curve::PiecewiseLinear`
/// evaluation, plus pallet-staking's legacy `compute_total_payout`.
public struct PiecewiseLinearCurve: Equatable, Sendable {
    /// `(x, y)` points as Perbill, x ascending.
    public var points: [(x: Perbill, y: Perbill)]
    /// The largest y (the curve's `maximum`).
    public var maximum: Perbill

    public init(points: [(x: Perbill, y: Perbill)], maximum: Perbill) {
        self.points = points
        self.maximum = maximum
    }

    public static func == (a: PiecewiseLinearCurve, b: PiecewiseLinearCurve) -> Bool {
        a.maximum == b.maximum && a.points.count == b.points.count
            && zip(a.points, b.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }

    /// Parameters of the `curve!` macro, all in millionths (except the piece count).
    public struct Parameters: Equatable, Sendable {
        public var minInflation: UInt32
        public var maxInflation: UInt32
        public var idealStake: UInt32
        public var falloff: UInt32
        public var maxPieceCount: UInt32

        public init(minInflation: UInt32, maxInflation: UInt32, idealStake: UInt32, falloff: UInt32, maxPieceCount: UInt32 = 40) {
            self.minInflation = minInflation
            self.maxInflation = maxInflation
            self.idealStake = idealStake
            self.falloff = falloff
            self.maxPieceCount = maxPieceCount
        }

        /// Kusama's (and early Polkadot's) `REWARD_CURVE`: 2.5%, 10%, 75%, 5%, 40 pieces.
        public static let kusama = Parameters(minInflation: 25_000, maxInflation: 100_000, idealStake: 750_000, falloff: 50_000)

        /// The macro's bounds: min in (0, 1e6], max in (min, 1e6], ideal in [0.1e6, 0.9e6],
        /// falloff in [0.01e6, 1e6], pieces in [2, 1000].
        public func validate() throws {
            func check(_ ok: Bool, _ what: String) throws { if !ok { throw EconomicsInputError("reward curve: \(what)") } }
            try check(minInflation > 0 && minInflation <= 1_000_000, "min inflation must be in (0, 100%]")
            try check(maxInflation > minInflation && maxInflation <= 1_000_000, "max inflation must be in (min, 100%]")
            try check(idealStake >= 100_000 && idealStake <= 900_000, "ideal stake must be in [10%, 90%]")
            try check(falloff >= 10_000 && falloff <= 1_000_000, "falloff must be in [1%, 100%]")
            try check(maxPieceCount >= 2 && maxPieceCount <= 1_000, "piece count must be in [2, 1000]")
        }
    }

    /// The curve the macro builds for these parameters (throws when the macro would refuse them).
    public static func build(_ p: Parameters) throws -> PiecewiseLinearCurve {
        try p.validate()
        let pts = computePoints(p)
        var maxY: UInt32 = 0
        for (_, y) in pts { maxY = Swift.max(maxY, y) }
        let (m, o) = maxY.multipliedReportingOverflow(by: 1_000)
        let maximum = o ? 1_000_000_000 : m
        return PiecewiseLinearCurve(
            points: pts.map { (x: Perbill(parts: $0.0 * 1_000), y: Perbill(parts: $0.1 * 1_000)) },
            maximum: Perbill(parts: maximum)
        )
    }

    /// `compute_points` of the macro, in millionths.
    static func computePoints(_ input: Parameters) -> [(UInt32, UInt32)] {
        let i0 = input.minInflation
        let iIdealTimesXIdeal = input.maxInflation
        let xIdeal = input.idealStake
        let d = input.falloff
        func opposite(_ y: UInt32) -> UInt32 {
            if y == i0 { return UInt32.max }
            let log = log2Millionths(iIdealTimesXIdeal - i0, y - i0)
            let term = UInt32(UInt64(d) * UInt64(log) / 1_000_000)
            return xIdeal + term
        }
        var points: [(UInt32, UInt32)] = [(0, i0), (xIdeal, iIdealTimesXIdeal)]
        let maxLength = (input.maxInflation - input.minInflation + 1_000_000 - xIdeal) / (input.maxPieceCount - 1)
        var deltaY = maxLength
        var y = input.maxInflation
        while deltaY != 0 {
            let nextY = y &- deltaY
            if nextY <= input.minInflation || deltaY > y {
                deltaY = deltaY > 0 ? deltaY - 1 : 0
                continue
            }
            let nextX = opposite(nextY)
            if nextX - points[points.count - 1].0 > maxLength {
                deltaY = deltaY > 0 ? deltaY - 1 : 0
                continue
            }
            if nextX >= 1_000_000 {
                let prev = points[points.count - 1]
                let dy = UInt32(UInt64(nextX - 1_000_000) * UInt64(prev.1 - nextY) / UInt64(nextX - prev.0))
                points.append((1_000_000, nextY + dy))
                return points
            }
            points.append((nextX, nextY))
            y = nextY
        }
        points.append((1_000_000, i0))
        return points
    }

    /// `log2(p/q)` in millionths, `p >= q`, both ≤ 1e6 (reward-curve `log.rs`).
    static func log2Millionths(_ p: UInt32, _ q: UInt32) -> UInt32 {
        precondition(p >= q && p <= 1_000_000 && q <= 1_000_000 && q > 0)
        if p == q { return 0 }
        var n: UInt32 = 0
        while p < (UInt32(1) << n) * q || p >= (UInt32(1) << (n + 1)) * q {
            n += 1
            precondition(n < 32)
        }
        let yNum = UInt128(p - (UInt32(1) << n) * q)
        let yDen = UInt128(p + (UInt32(1) << n) * q)
        var res = n * 1_000_000
        var k: UInt32 = 0
        while true {
            let term: UInt128
            if k == 0 {
                term = 2_885_390 * yNum / yDen
            } else {
                var r = 2_885_390 * (yNum * yNum * yNum) / (yDen * yDen * yDen)
                if k > 1 {
                    for _ in 1..<k { r = r * (yNum * yNum) / (yDen * yDen) }
                }
                r /= UInt128(2 * k + 1)
                term = r
            }
            if term == 0 { break }
            res += UInt32(term)
            k += 1
        }
        return res
    }

    /// `calculate_for_fraction_times_denominator(n, d)` = `f(n/d) · d` by linear interpolation.
    public func valueTimesDenominator(_ numerator: UInt128, _ d: UInt128) -> UInt128 {
        let n = Swift.min(numerator, d)
        guard !points.isEmpty else { return 0 }
        guard let nextIndex = points.firstIndex(where: { n < $0.x * d }) else {
            return points[points.count - 1].y * d
        }
        if nextIndex == 0 { return points[0].y * d }
        let prev = points[nextIndex - 1]
        let next = points[nextIndex]
        let prevXd = prev.x * d
        let prevYd = prev.y * d
        let value = n > prevXd ? n - prevXd : prevXd - n
        let dyParts = next.y.parts > prev.y.parts ? next.y.parts - prev.y.parts : prev.y.parts - next.y.parts
        let dxParts = next.x.parts > prev.x.parts ? next.x.parts - prev.x.parts : 0
        let deltaY = Self.multiplyByRationalSaturating(value, UInt32(dyParts), UInt32(dxParts))
        if (n > prevXd) == (next.y.parts > prev.y.parts) {
            let (s, o) = prevYd.addingReportingOverflow(deltaY)
            return o ? .max : s
        } else {
            return prevYd > deltaY ? prevYd - deltaY : 0
        }
    }

    /// `value * p / q` without overflow: `(value / q) * p + (value % q) * p / q`, saturating.
    static func multiplyByRationalSaturating(_ value: UInt128, _ p: UInt32, _ q: UInt32) -> UInt128 {
        let q = UInt128(Swift.max(q, 1))
        let (divPart, o) = (value / q).multipliedReportingOverflow(by: UInt128(p))
        let remPart = (value % q) * UInt128(p) / q
        if o { return .max }
        let (s, o2) = divPart.addingReportingOverflow(remPart)
        return o2 ? .max : s
    }

    /// pallet-staking's legacy `inflation::compute_total_payout(curve, staked, total, era_ms)`:
    /// `portion = Perbill::from_rational(era_ms, year_ms)`; payout = `portion × f(staked/total)·total`;
    /// maximum = `portion × (maximum × total)`.
    public func totalPayout(staked: UInt128, total: UInt128, eraMillis: UInt64) -> (payout: UInt128, maximum: UInt128) {
        let portion = Perbill.fromRational(UInt128(eraMillis), UInt128(julianYearMillis))
        let payout = portion * valueTimesDenominator(staked, total)
        let maximum = portion * (self.maximum * total)
        return (payout, maximum)
    }

    /// `ConvertCurve::era_payout`: `(payout, maximum − payout)` (stakers, remainder to treasury).
    public func eraPayout(staked: UInt128, total: UInt128, eraMillis: UInt64) -> (toStakers: UInt128, toTreasury: UInt128) {
        let (payout, maximum) = totalPayout(staked: staked, total: total, eraMillis: eraMillis)
        return (payout, maximum > payout ? maximum - payout : 0)
    }
}
