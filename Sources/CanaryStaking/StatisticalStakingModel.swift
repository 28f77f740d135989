import CanaryEngine

/// `consensus: statistical`: eras of staking driven by the engine, with block authorship drawn
/// from the BABE slot-lottery distribution instead of simulated block production.
public struct StatisticalStakingModel: SimulationModel, ResultProducing {
    public typealias Message = UInt8
    public static let messageClasses: [String] = []
    public static let metrics: [MetricDefinition] = []

    public let config: StakingSimulationConfig
    public let validators: Int
    public let seed: UInt64

    public init(config: StakingSimulationConfig, validators: Int, seed: UInt64) {
        self.config = config
        self.validators = validators
        self.seed = seed
    }

    public mutating func start(_ ctx: inout SimContext<UInt8>) {}
    public mutating func timer(_ event: Event, _ ctx: inout SimContext<UInt8>) {}
    public mutating func receive(_ message: UInt8, from: UInt32, at node: UInt32, _ ctx: inout SimContext<UInt8>) {}
    public func results(at end: SimTime) -> RunResults { RunResults() }
}
