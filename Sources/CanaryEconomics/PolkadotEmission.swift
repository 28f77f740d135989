import CanaryArithmetic

/// Polkadot's emission models after the NPoS curve (reference §2.4). Both ignore the staked amount;
/// both split each era's emission 85% stakers / 15% treasury (ref 1139).

/// Ref 1139 (fellows #471): a fixed yearly emission of `rate × fixedIssuance`, per era
/// `FixedU128::from_rational(era_ms, year_ms) × yearly`, 15% of it to the treasury.
public struct PolkadotFixedEmission: Equatable, Sendable {
    /// TI at the referendum: 15,011,657,390,566,252,333 planck.
    public var fixedTotalIssuance: UInt128
    /// 8% (`FixedU128::from_rational(8, 100)`).
    public var yearlyRate: FixedU128
    /// 15% (`FixedU128::from_rational(15, 100)`).
    public var treasuryShare: FixedU128

    public static let polkadot = PolkadotFixedEmission(
        fixedTotalIssuance: 15_011_657_390_566_252_333,
        yearlyRate: .fromRational(8, 100),
        treasuryShare: .fromRational(15, 100)
    )

    public init(fixedTotalIssuance: UInt128, yearlyRate: FixedU128, treasuryShare: FixedU128) {
        self.fixedTotalIssuance = fixedTotalIssuance
        self.yearlyRate = yearlyRate
        self.treasuryShare = treasuryShare
    }

    public var yearlyEmission: UInt128 { yearlyRate.saturatingMulInt(fixedTotalIssuance) }

    /// `(to_stakers, to_treasury)` for an era of `eraMillis`.
    public func eraPayout(eraMillis: UInt64) -> (toStakers: UInt128, toTreasury: UInt128) {
        let relativeEraLen = FixedU128.fromRational(UInt128(eraMillis), UInt128(julianYearMillis))
        let eraEmission = relativeEraLen.saturatingMulInt(yearlyEmission)
        let toTreasury = treasuryShare.saturatingMulInt(eraEmission)
        return (eraEmission - toTreasury, toTreasury)
    }
}

/// `SteppedCurve` with a `RemainingPct` step (fellows `stepped_curve.rs`, from polkadot-sdk #9556):
/// every `period` after `start`, the value moves `pct` of the remaining distance toward `target`.
public struct SteppedCurve: Equatable, Sendable {
    public var start: FixedU128
    public var initialValue: FixedU128
    public var target: FixedU128
    public var pct: Perbill
    public var period: FixedU128

    public init(start: FixedU128, initialValue: FixedU128, target: FixedU128, pct: Perbill, period: FixedU128) {
        self.start = start
        self.initialValue = initialValue
        self.target = target
        self.pct = pct
        self.period = period
    }

    /// `evaluate(point)`: `target ∓ |target − initial| × (1 − pct)^full_periods`.
    public func evaluate(_ point: FixedU128) -> FixedU128 {
        if point <= start || period.isZero { return initialValue }
        let numPeriods = (FixedU128(inner: point.inner - start.inner)).checkedDiv(period) ?? .max
        let whole = numPeriods.integerPart
        let numPeriodsU32 = whole > UInt128(UInt32.max) ? UInt32.max : UInt32(whole)
        if numPeriodsU32 == 0 { return initialValue }
        let ratio = FixedU128.one.saturatingSub(.fromPerbill(pct))
        let scale = ratio.saturatingPow(numPeriodsU32)
        if initialValue >= target {
            return target.saturatingAdd(initialValue.saturatingSub(target).saturatingMul(scale))
        } else {
            return target.saturatingSub(target.saturatingSub(initialValue).saturatingMul(scale))
        }
    }

    /// `last_step_size(point)`: the size of the step taken at the start of `point`'s period (0 before the first).
    public func lastStepSize(_ point: FixedU128) -> FixedU128 {
        if point <= start || period.isZero { return .zero }
        let numPeriods = FixedU128(inner: point.inner - start.inner).checkedDiv(period) ?? .max
        if numPeriods < .one { return .zero }
        let prevPoint = start.saturatingAdd(numPeriods.saturatingSub(.one).saturatingMul(period))
        let currPoint = start.saturatingAdd(numPeriods.saturatingMul(period))
        let prev = evaluate(prevPoint)
        let curr = evaluate(currPoint)
        return curr >= prev ? curr.saturatingSub(prev) : prev.saturatingSub(curr)
    }
}

/// Ref 1710 "Hard Pressure" (fellows #898): total issuance approaches a 2.1 B DOT cap in two-year
/// steps; each step's emission is `BI_ANNUAL_RATE × (cap − TI at the step start)`, half of it per
/// year, paid per era as `FixedU128::from_rational(era_ms, year_ms) × yearly`, capped at
/// `MAX_ERA_EMISSION`, 15% to the treasury. Time is the relay-chain block number.
public struct PolkadotSteppedEmission: Equatable, Sendable {
    /// `MARCH_2026_TI` = 16,743,421,533,310,057,487 planck.
    public var initialIssuance: UInt128
    /// `HARD_CAP_TARGET` = 2,100,000,000 DOT.
    public var cap: UInt128
    /// `BI_ANNUAL_RATE` = Perbill 262,800,000 (26.28% of the remaining distance per step).
    public var stepRate: Perbill
    /// `HARD_CAP_START` = relay block 30,349,908 (≈ 14 March 2026).
    public var startBlock: UInt32
    /// `2 × RC_YEARS` = 2 × 5,259,600 relay blocks (6 s blocks, Julian years).
    public var stepBlocks: UInt32
    /// `MAX_ERA_EMISSION` = 7 × 328,797 DOT.
    public var maxEraEmission: UInt128
    /// 15%.
    public var treasuryShare: FixedU128

    public static let dotUnits: UInt128 = 10_000_000_000
    /// Relay blocks per Julian year at 6 s (`YEARS = DAYS * 36525 / 100`).
    public static let relayBlocksPerYear: UInt32 = 14_400 * 36_525 / 100

    public static let polkadot = PolkadotSteppedEmission(
        initialIssuance: 16_743_421_533_310_057_487,
        cap: 2_100_000_000 * dotUnits,
        stepRate: Perbill(parts: 262_800_000),
        startBlock: 30_349_908,
        stepBlocks: 2 * relayBlocksPerYear,
        maxEraEmission: 328_797 * dotUnits * 7,
        treasuryShare: .fromRational(15, 100)
    )

    public init(initialIssuance: UInt128, cap: UInt128, stepRate: Perbill, startBlock: UInt32,
                stepBlocks: UInt32, maxEraEmission: UInt128, treasuryShare: FixedU128) {
        self.initialIssuance = initialIssuance
        self.cap = cap
        self.stepRate = stepRate
        self.startBlock = startBlock
        self.stepBlocks = stepBlocks
        self.maxEraEmission = maxEraEmission
        self.treasuryShare = treasuryShare
    }

    /// The curve starts one step before `startBlock`, so its first step lands on `startBlock`.
    public var curve: SteppedCurve {
        let startPoint = startBlock >= stepBlocks ? startBlock - stepBlocks : 0
        return SteppedCurve(
            start: .integer(UInt128(startPoint)),
            initialValue: .integer(initialIssuance),
            target: .integer(cap),
            pct: stepRate,
            period: .integer(UInt128(stepBlocks))
        )
    }

    /// `yearly_after_hard_cap(relay_block)`: half of the current two-year step.
    public func yearlyEmission(atRelayBlock block: UInt32) -> UInt128 {
        let twoYear = curve.lastStepSize(.integer(UInt128(block))).integerPart
        return FixedU128.fromRational(1, 2).saturatingMulInt(twoYear)
    }

    /// `(to_stakers, to_treasury)` for an era of `eraMillis` ending at relay block `block`.
    public func eraPayout(eraMillis: UInt64, atRelayBlock block: UInt32) -> (toStakers: UInt128, toTreasury: UInt128) {
        let relativeEraLen = FixedU128.fromRational(UInt128(eraMillis), UInt128(julianYearMillis))
        let eraEmission = min(relativeEraLen.saturatingMulInt(yearlyEmission(atRelayBlock: block)), maxEraEmission)
        let toTreasury = treasuryShare.saturatingMulInt(eraEmission)
        return (eraEmission - toTreasury, toTreasury)
    }

    /// The relay block reached `millis` after `startBlock` with 6 s blocks (saturating).
    public func relayBlock(millisAfterStart millis: UInt64) -> UInt32 {
        let blocks = UInt64(startBlock) + millis / 6_000
        return blocks > UInt64(UInt32.max) ? UInt32.max : UInt32(blocks)
    }
}
