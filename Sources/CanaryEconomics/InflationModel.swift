import CanaryArithmetic

/// Which emission rule pays an era.
public enum InflationModel: String, CaseIterable, Codable, Sendable {
    /// `relay_era_payout` with `compute_inflation` (Kusama today; Polkadot before ref 1139).
    case kusama
    /// Polkadot ref 1139: fixed yearly emission, 85% stakers / 15% treasury.
    case polkadotFixed = "polkadot-fixed"
    /// Polkadot ref 1710: stepped emission toward a 2.1 B DOT cap.
    case polkadotStepped = "polkadot-stepped"
    /// The legacy piecewise-linear reward curve (pallet-staking-reward-curve, 40 pieces).
    case legacyCurve = "legacy-curve"
}

/// Every knob of the inflation models; the defaults are Kusama's.
public struct InflationParameters: Equatable, Sendable {
    public var model: InflationModel
    /// Kusama: `Perquintill::from_rational(25, 1000)` = 2.5%.
    public var minInflation: Perquintill
    /// Kusama: 10%.
    public var maxInflation: Perquintill
    /// Kusama: 75%.
    public var idealStake: Perquintill
    /// Kusama: 5%.
    public var falloff: Perquintill
    /// Optional legacy auction reservation subtracted from the ideal stake (Kusama AH: none).
    public var legacyAuctionProportion: Perquintill?
    /// Pieces of the legacy curve (40 on Kusama).
    public var legacyCurvePieces: UInt32
    /// Polkadot ref 1139 constants.
    public var polkadotFixed: PolkadotFixedEmission
    /// Polkadot ref 1710 constants.
    public var polkadotStepped: PolkadotSteppedEmission

    public init(model: InflationModel = .kusama,
                minInflation: Perquintill = Perquintill.fromRational(25, 1000),
                maxInflation: Perquintill = .fromPercent(10),
                idealStake: Perquintill = .fromPercent(75),
                falloff: Perquintill = .fromPercent(5),
                legacyAuctionProportion: Perquintill? = nil,
                legacyCurvePieces: UInt32 = 40,
                polkadotFixed: PolkadotFixedEmission = .polkadot,
                polkadotStepped: PolkadotSteppedEmission = .polkadot) {
        self.model = model
        self.minInflation = minInflation
        self.maxInflation = maxInflation
        self.idealStake = idealStake
        self.falloff = falloff
        self.legacyAuctionProportion = legacyAuctionProportion
        self.legacyCurvePieces = legacyCurvePieces
        self.polkadotFixed = polkadotFixed
        self.polkadotStepped = polkadotStepped
    }

    /// Kusama's parameters (min 2.5%, max 10%, ideal 75%, falloff 5%).
    public static let kusama = InflationParameters()

    /// The reward-curve macro parameters these ratios correspond to (Perquintill → millionths, floor).
    public var legacyCurveParameters: PiecewiseLinearCurve.Parameters {
        func millionths(_ p: Perquintill) -> UInt32 { UInt32(p.parts / 1_000_000_000_000) }
        return .init(minInflation: millionths(minInflation), maxInflation: millionths(maxInflation),
                     idealStake: millionths(idealStake), falloff: millionths(falloff),
                     maxPieceCount: legacyCurvePieces)
    }
}

/// One era's payout under any model.
public struct EraPayoutResult: Equatable, Sendable {
    public var model: InflationModel
    /// `compute_inflation`'s multiplier (kusama model only).
    public var adjustment: Perquintill?
    /// Annual inflation paid to stakers as a fraction of the stakable issuance: `min + Δ·adjustment`
    /// (kusama), the curve's value (legacy-curve), or `to_stakers` annualised (Polkadot models).
    public var stakingInflation: Perquintill
    public var toStakers: UInt128
    public var toTreasury: UInt128
    /// Everything minted this era.
    public var total: UInt128 { toStakers + toTreasury }
}

extension InflationParameters {
    /// The payout of one era of `eraMillis` with `totalStaked` of `totalIssuance` at stake.
    /// `relayBlock` is the era's relay-chain block (only the stepped Polkadot model reads it;
    /// default: its first step).
    public func eraPayout(totalStaked: UInt128, totalIssuance: UInt128, eraMillis: UInt64,
                          relayBlock: UInt32? = nil) throws -> EraPayoutResult {
        switch model {
        case .kusama:
            let r = relayEraPayout(EraPayoutParams(
                totalStaked: totalStaked, totalStakable: totalIssuance, idealStake: idealStake,
                maxAnnualInflation: maxInflation, minAnnualInflation: minInflation, falloff: falloff,
                periodFraction: periodFraction(eraMillis: eraMillis),
                legacyAuctionProportion: legacyAuctionProportion))
            return EraPayoutResult(model: model, adjustment: r.adjustment, stakingInflation: r.stakingInflation,
                                   toStakers: r.toStakers, toTreasury: r.toTreasury)
        case .legacyCurve:
            let curve = try PiecewiseLinearCurve.build(legacyCurveParameters)
            let (stakers, treasury) = curve.eraPayout(staked: totalStaked, total: totalIssuance, eraMillis: eraMillis)
            let annual = curve.valueTimesDenominator(totalStaked, totalIssuance)
            return EraPayoutResult(model: model, adjustment: nil,
                                   stakingInflation: Perquintill.fromRational(annual, totalIssuance),
                                   toStakers: stakers, toTreasury: treasury)
        case .polkadotFixed:
            let (stakers, treasury) = polkadotFixed.eraPayout(eraMillis: eraMillis)
            return EraPayoutResult(model: model, adjustment: nil,
                                   stakingInflation: annualised(stakers, eraMillis: eraMillis, of: totalIssuance),
                                   toStakers: stakers, toTreasury: treasury)
        case .polkadotStepped:
            let block = relayBlock ?? polkadotStepped.startBlock
            let (stakers, treasury) = polkadotStepped.eraPayout(eraMillis: eraMillis, atRelayBlock: block)
            return EraPayoutResult(model: model, adjustment: nil,
                                   stakingInflation: annualised(stakers, eraMillis: eraMillis, of: totalIssuance),
                                   toStakers: stakers, toTreasury: treasury)
        }
    }
}

/// `amount` per era of `eraMillis`, scaled to a Julian year, as a fraction of `issuance`
/// (`Perquintill::from_rational(amount · year / era, issuance)`, floor). For a 6 h era this is the
/// runtimes' `total * 36525 * 4 / 100` of `impl_experimental_inflation_info`.
public func annualised(_ amount: UInt128, eraMillis: UInt64, of issuance: UInt128) -> Perquintill {
    guard eraMillis > 0, issuance > 0 else { return .zero }
    let yearly = multiplyByRationalWithRounding(amount, UInt128(julianYearMillis), UInt128(eraMillis), .down) ?? .max
    return Perquintill.fromRational(yearly, issuance)
}
