import CanaryArithmetic

/// Milliseconds in a Julian year, `1000 * 3600 * 24 * 36525 / 100` (Substrate's `MILLISECONDS_PER_YEAR`).
public let julianYearMillis: UInt64 = 31_557_600_000

/// `ln(2)` in perquintillionths, as `pallet-staking-reward-fn` writes it.
let ln2Perquintill: UInt64 = 693_147_180_559_945_309

/// `pallet_staking_reward_fn::compute_inflation::<Perquintill>(stake, ideal_stake, falloff)`.
///
/// `I(x) = x / x_ideal` below the ideal stake, `2^((x_ideal - x) / d)` at or above it — a multiplier
/// in [0, 1] that callers scale between the minimum and maximum inflation. Exact to Substrate:
/// - below the ideal: `stake / ideal_stake` (PerThing division, floor);
/// - a falloff under 1% returns zero (Substrate logs an error and returns zero);
/// - otherwise the Taylor series of `e^{-(x - x_ideal)·ln2/d}` in big integers, every term floored
///   (`term_k = ⌊⌊⌊term_{k-1}·(x−x_ideal)·⌊ln2·ACC/d⌋ / k⌋ / ACC⌋ / ACC⌋`, at most 299 terms, stopping
///   at the first zero term), a negative or above-one sum giving zero.
public func computeInflation(stake: Perquintill, idealStake: Perquintill, falloff: Perquintill) -> Perquintill {
    if stake < idealStake {
        return stake / idealStake
    }
    if falloff < Perquintill.fromPercent(1) {
        return .zero
    }
    let accuracy = UInt64(Perquintill.accuracy)
    // `P::from_rational(LN2, Perquintill::ACCURACY)` is LN2 itself for Perquintill.
    let ln2 = UInt128(Perquintill.fromRational(UInt128(ln2Perquintill), UInt128(accuracy)).parts)
    let ln2DivD = ln2 * UInt128(accuracy) / UInt128(falloff.parts)
    let xMinusIdeal = UInt128(stake.parts - idealStake.parts)

    var lastTerm = BigUInt(accuracy)
    var sumPositive = true
    var sum = lastTerm
    for k in UInt64(1)..<300 {
        lastTerm = lastTerm
            .multiplied(by: xMinusIdeal)
            .multiplied(by: ln2DivD)
            .dividedFloor(by: k)
            .dividedFloor(by: accuracy)
            .dividedFloor(by: accuracy)
        if lastTerm.isZero { break }
        let termPositive = k % 2 == 0
        if sumPositive == termPositive {
            sum = sum + lastTerm
        } else if sum >= lastTerm {
            sum = sum - lastTerm
        } else {
            sumPositive.toggle()
            sum = lastTerm - sum
        }
    }
    if !sumPositive { return .zero }
    guard let value = sum.uint128, value <= UInt128(accuracy) else { return .zero }
    return Perquintill(parts: UInt64(value))
}

/// The fraction of a Julian year an era of `eraMillis` covers:
/// `Perquintill::from_rational(era_ms, 31_557_600_000)` (floor; saturates to one for eras over a year).
public func periodFraction(eraMillis: UInt64) -> Perquintill {
    Perquintill.fromRational(UInt128(eraMillis), UInt128(julianYearMillis))
}

/// Inputs of `polkadot_runtime_common::impls::relay_era_payout` (`EraPayoutParams`).
public struct EraPayoutParams: Equatable, Sendable {
    public var totalStaked: UInt128
    /// Usually the total issuance (Kusama AH: `total_issuance`; the pre-AHM relay subtracted NIS funds).
    public var totalStakable: UInt128
    public var idealStake: Perquintill
    public var maxAnnualInflation: Perquintill
    public var minAnnualInflation: Perquintill
    public var falloff: Perquintill
    public var periodFraction: Perquintill
    /// Subtracted from `idealStake` when set (the legacy parachain-auction reservation).
    public var legacyAuctionProportion: Perquintill?

    public init(totalStaked: UInt128, totalStakable: UInt128, idealStake: Perquintill,
                maxAnnualInflation: Perquintill, minAnnualInflation: Perquintill, falloff: Perquintill,
                periodFraction: Perquintill, legacyAuctionProportion: Perquintill? = nil) {
        self.totalStaked = totalStaked
        self.totalStakable = totalStakable
        self.idealStake = idealStake
        self.maxAnnualInflation = maxAnnualInflation
        self.minAnnualInflation = minAnnualInflation
        self.falloff = falloff
        self.periodFraction = periodFraction
        self.legacyAuctionProportion = legacyAuctionProportion
    }
}

/// Output of `relayEraPayout`, with the intermediate ratios for reporting.
public struct RelayEraPayout: Equatable, Sendable {
    /// `compute_inflation(stake, ideal, falloff)`.
    public var adjustment: Perquintill
    /// `min + (max − min) × adjustment`: the annual inflation paid to stakers.
    public var stakingInflation: Perquintill
    /// `Perquintill::from_rational(total_staked, total_stakable)`.
    public var stake: Perquintill
    /// The ideal stake after the optional auction adjustment.
    public var idealStake: Perquintill
    public var toStakers: UInt128
    public var toTreasury: UInt128
}

/// `relay_era_payout(params) -> (to_stakers, to_treasury)`, exactly as the relay runtimes compute it:
/// ```
/// delta        = max − min                                 (saturating)
/// ideal        = ideal_stake − auction_proportion          (saturating)
/// stake        = Perquintill::from_rational(staked, stakable)
/// adjustment   = compute_inflation(stake, ideal, falloff)
/// staking_infl = min + delta × adjustment                  (PerQ×PerQ floor, saturating)
/// max_payout   = (period × max) × stakable                 (floor, then ×Balance NearestPrefDown)
/// to_stakers   = (period × staking_infl) × stakable
/// to_treasury  = max_payout − to_stakers                   (saturating)
/// ```
/// What is minted per era is always `period × max × stakable`; the stake ratio only moves the split.
public func relayEraPayout(_ p: EraPayoutParams) -> RelayEraPayout {
    let delta = p.maxAnnualInflation.saturatingSub(p.minAnnualInflation)
    let ideal = p.idealStake.saturatingSub(p.legacyAuctionProportion ?? .zero)
    let stake = Perquintill.fromRational(p.totalStaked, p.totalStakable)
    let adjustment = computeInflation(stake: stake, idealStake: ideal, falloff: p.falloff)
    let stakingInflation = p.minAnnualInflation.saturatingAdd(delta * adjustment)
    let maxPayout = (p.periodFraction * p.maxAnnualInflation) * p.totalStakable
    let toStakers = (p.periodFraction * stakingInflation) * p.totalStakable
    let toTreasury = maxPayout > toStakers ? maxPayout - toStakers : 0
    return RelayEraPayout(adjustment: adjustment, stakingInflation: stakingInflation, stake: stake,
                          idealStake: ideal, toStakers: toStakers, toTreasury: toTreasury)
}

/// The legacy auction reservation of the relay runtimes: `from_rational(min(paras, 60), 200)`
/// (Kusama; Polkadot used 300). Up to 30% of the issuance.
public func legacyAuctionProportion(auctionedSlots: UInt64, divisor: UInt64 = 200) -> Perquintill {
    Perquintill.fromRational(UInt128(min(auctionedSlots, 60)), UInt128(divisor))
}
