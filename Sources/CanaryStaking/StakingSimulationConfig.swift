import CanaryArithmetic
import CanaryEconomics
import CanaryEngine

/// What a scenario's `staking:` section asks for: the genesis of a staking population and how
/// it behaves over time. Decoded by `CanaryScenario` (StakingSection.swift), run by
/// `StatisticalStakingModel`. Every default is documented in docs/economics.md (`staking:`).
public struct StakingSimulationConfig: Sendable, Equatable {
    // MARK: chain
    /// Era length (Kusama 6 h = 6 sessions of 1 h).
    public var eraDuration: SimTime = .hours(6)
    /// BABE slot length (6 s); every slot of an era gets a block (finality assumed).
    public var slotDuration: SimTime = .seconds(6)
    /// BABE `c`: probability that a slot has at least one primary claim, as a fraction
    /// `numerator/denominator` (Kusama 1/4).
    public var primaryProbability: (numerator: UInt64, denominator: UInt64) = (1, 4)
    /// Era reward points per authored block (`PointsPerBlock`, 20).
    public var pointsPerBlock: UInt32 = 20
    /// Seats (`ValidatorCount`). Nil: the candidate count, at most 1,000.
    public var activeValidators: Int? = nil
    /// Electing-voter snapshot bound (`MaxElectingVoters`, Kusama 12,500).
    public var electingVoters: Int = 12_500
    /// Max nominations (24).
    public var maxNominations: Int = 24
    public var bondingDuration: EraIndex = 28
    public var slashDeferDuration: EraIndex = 27
    public var slashDestination: SlashDestination = .treasury
    /// Inflation model and its parameters (Kusama's by default).
    public var inflation: InflationParameters = .kusama
    /// Relay block number at the first era (for `polkadot-stepped`); advances one per slot.
    public var relayBlockStart: UInt32 = 30_349_908

    // MARK: genesis
    /// Total issuance at genesis (planck). Default 17,000,000 KSM.
    public var issuance: Balance = 17_000_000 * 1_000_000_000_000
    /// Treasury at genesis (planck), part of the issuance. Default 500,000 KSM.
    public var treasury: Balance = 500_000 * 1_000_000_000_000
    /// Staking rate at genesis: validators' self-bonds plus nominators' bonds over the issuance.
    public var initialStakingRate: Perquintill = .fromPercent(50)
    /// Share of the issuance held by nominators (bonded or free); the rest, less the treasury and
    /// self-bonds, sits in one holder account that never stakes.
    public var nominatorShare: Perquintill = .fromPercent(80)
    /// Validator self-bond range (planck), drawn log-uniformly by octaves.
    public var selfBond: ClosedRange<Balance> = (10 * 1_000_000_000_000)...(10_000 * 1_000_000_000_000)
    /// Validator commission range, drawn uniformly in Perbill parts.
    public var commission: ClosedRange<UInt32> = 0...100_000_000
    /// Nominator accounts at genesis.
    public var nominators: Int = 20_000
    /// Relative wealth of nominators: drawn log-uniformly by octaves in this range, then scaled
    /// (exactly, floor) so that all nominators together hold `nominatorShare` of the issuance.
    public var nominatorWealth: ClosedRange<Balance> = (1 * 1_000_000_000_000)...(100_000 * 1_000_000_000_000)
    /// Number of targets per nominator, drawn uniformly in this range (capped at the candidates).
    public var targets: ClosedRange<Int> = 8...24
    /// Share of stakers whose rewards are re-bonded (`Payee::Staked`); the rest are paid free.
    public var rebondShare: Perbill = .one

    // MARK: behaviour (see YieldBehaviour)
    public var behaviour = YieldBehaviour()

    // MARK: offences
    /// Probability per era that one active validator (uniformly drawn) equivocates; slashed
    /// `min((3k/n)², 1)` with k = 1, deferred `slashDeferDuration` eras.
    public var equivocationChance: Perbill = .zero

    // MARK: fidelity
    /// Run the full election every N eras (1 = every era, as the chain). Nil: the statistical
    /// default `StakingSimulationConfig.statisticalElectionEvery`.
    public var electionEvery: Int? = nil
    /// Also re-elect early when the electing stake moved by more than this share since the last
    /// election (nil: never early).
    public var reelectOnDrift: Perbill? = nil
    /// Granularity of the `payouts` table.
    public var payoutsDetail: PayoutsDetail = .validator

    // MARK: governance
    /// OpenGov and runtime upgrades at the statistical level (a scenario's `governance:`
    /// section): run before each era's payout; upgrades' inflation parameters apply to the
    /// payouts computed after their enactment (`StatisticalGovernance`). Nil: no governance.
    public var governance: StakingGovernanceSetup? = nil

    /// Statistical default of `electionEvery`: 28 eras (7 days of 6 h eras, the bonding duration).
    public static let statisticalElectionEvery = 28

    public enum PayoutsDetail: String, Sendable, CaseIterable, Equatable {
        /// One row per era and validator (points, blocks, what the validator and its nominators got).
        case validator
        /// One row per era.
        case era
    }

    public init() {}

    public static func == (a: Self, b: Self) -> Bool {
        a.eraDuration == b.eraDuration && a.slotDuration == b.slotDuration
            && a.primaryProbability == b.primaryProbability && a.pointsPerBlock == b.pointsPerBlock
            && a.activeValidators == b.activeValidators && a.electingVoters == b.electingVoters
            && a.maxNominations == b.maxNominations && a.bondingDuration == b.bondingDuration
            && a.slashDeferDuration == b.slashDeferDuration && a.slashDestination == b.slashDestination
            && a.inflation == b.inflation && a.relayBlockStart == b.relayBlockStart && a.issuance == b.issuance
            && a.treasury == b.treasury && a.initialStakingRate == b.initialStakingRate
            && a.nominatorShare == b.nominatorShare && a.selfBond == b.selfBond && a.commission == b.commission
            && a.nominators == b.nominators && a.nominatorWealth == b.nominatorWealth && a.targets == b.targets
            && a.rebondShare == b.rebondShare && a.behaviour == b.behaviour
            && a.equivocationChance == b.equivocationChance && a.electionEvery == b.electionEvery
            && a.reelectOnDrift == b.reelectOnDrift && a.payoutsDetail == b.payoutsDetail
            && a.governance == b.governance
    }
}

/// The yield-reactive rule (docs/economics.md, "Behaviour"). Every era, after the payout, the
/// era's annualised staking yield `y = to_stakers · (year / era) / total_staked` is compared with
/// each nominator's reservation yield `r_i` (drawn once at genesis, uniformly in
/// `[target − spread, target + spread]`, in Perbill parts):
/// - `y > r_i`: the nominator bonds `min(free, flow × wealth)` more (joining, with fresh targets,
///   if it was not nominating);
/// - `y < r_i`: it unbonds `min(active, flow × wealth)`, and chills (leaves) when nothing stays
///   bonded; unbonded funds come back after the bonding duration;
/// where `wealth` is everything the nominator owns and `flow` the rate limit per era.
/// Independently, each nominator re-nominates (fresh targets) with probability `renominate` per
/// era, and at once when one of its targets stopped validating; each validator candidate chills
/// with probability `validatorLeave` per era and a chilled one comes back with `validatorReturn`.
public struct YieldBehaviour: Sendable, Equatable {
    /// Off: stakes move only by re-bonded rewards.
    public var enabled: Bool = true
    /// Centre of the reservation yields (annual).
    public var targetYield: Perbill = .fromPercent(15)
    /// Half-width of the reservation yields.
    public var yieldSpread: Perbill = .fromPercent(5)
    /// Share of its wealth a nominator moves in or out per era at most.
    public var flow: Perbill = .fromPercent(1)
    /// Per-era probability that a nominator picks fresh targets.
    public var renominate: Perbill = Perbill(parts: 2_000_000)
    /// Per-era probability that a validator candidate chills.
    public var validatorLeave: Perbill = .zero
    /// Per-era probability that a chilled candidate validates again.
    public var validatorReturn: Perbill = .zero
    public init() {}
}
