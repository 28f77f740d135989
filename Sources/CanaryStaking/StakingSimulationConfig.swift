import CanaryEngine

/// What a scenario's `staking:` section asks for: the genesis of a staking population and how
/// it behaves over time. Decoded by `CanaryScenario` (StakingSection.swift), run by
/// `StatisticalStakingModel`.
public struct StakingSimulationConfig: Sendable {
    public var eraDuration: SimTime = .hours(6)
    public init() {}
}
