import CanaryEngine
import CanaryStaking
import CanaryConsensus
import CanaryGovernance
import CanaryRuntime
import CanaryParachains

/// How much of the chain runs message by message (DESIGN.md, fidelity levels).
public enum ConsensusMode: String, Sendable, CaseIterable {
    case full, statistical
}

/// A decoded, validated scenario: everything a run needs, with no unresolved names.
public struct Scenario: Sendable {
    public var name: String
    public var description: String?
    public var seed: UInt64
    public var duration: SimTime
    public var network: NetworkConfig
    /// Region index of every validator (contiguous blocks per region, in region order).
    public var validatorRegions: [UInt16]
    public var traffic: GossipTrafficModel.Config
    /// Which protocols run (nil: synthetic traffic only).
    public var consensus: ConsensusMode?
    /// BABE constants and fault roles (`consensus:` section; Kusama's by default).
    public var babe: BabeConfig = .kusama
    /// GRANDPA on top of BABE (`consensus.finality: grandpa`, the default in full mode).
    public var grandpa: BabeGrandpaConfig?
    /// Staking population and behaviour (`staking:` section).
    public var staking: StakingSimulationConfig?
    /// The full-fidelity runtime (`staking:` in `consensus: full`): sessions, eras, elections,
    /// payouts, offences and slashing executed per block.
    public var runtime: RelayRuntimeConfig?
    /// OpenGov and runtime upgrades (`governance:` section; at full fidelity run by `runtime`, at
    /// the statistical level by `staking.governance`).
    public var governance: GovernanceSetup?
    /// Parachains on the node stack (`parachains:` section).
    public var parachains: ParachainsConfig?
    /// The timeline, sorted by time (ties keep file order).
    public var events: [TimedFault]
    public var expectations: [Expectation]

    public var validatorCount: Int { validatorRegions.count }

    public init(name: String, description: String? = nil, seed: UInt64, duration: SimTime, network: NetworkConfig,
                validatorRegions: [UInt16], traffic: GossipTrafficModel.Config, events: [TimedFault],
                expectations: [Expectation]) {
        self.name = name; self.description = description; self.seed = seed; self.duration = duration
        self.network = network; self.validatorRegions = validatorRegions; self.traffic = traffic
        self.events = events; self.expectations = expectations
    }

    /// Splits `count` validators over regions in proportion to `weights` (largest remainder,
    /// ties to the earlier region), as contiguous index blocks in region order.
    public static func assignRegions(count: Int, weights: [UInt64]) -> [UInt16] {
        let total = weights.reduce(0, +)
        guard total > 0, count > 0 else { return Array(repeating: 0, count: max(count, 0)) }
        var shares = weights.map { Int(UInt64(count) * $0 / total) }
        var remainders = weights.enumerated().map { (i: $0.offset, r: UInt64(count) * $0.element % total) }
        remainders.sort { $0.r != $1.r ? $0.r > $1.r : $0.i < $1.i }
        var missing = count - shares.reduce(0, +)
        for entry in remainders where missing > 0 {
            shares[entry.i] += 1
            missing -= 1
        }
        var out: [UInt16] = []
        out.reserveCapacity(count)
        for (r, k) in shares.enumerated() { out.append(contentsOf: repeatElement(UInt16(r), count: k)) }
        return out
    }
}

extension Scenario {
    /// The simulation this scenario describes (synthetic gossip traffic until the consensus
    /// layers replace it).
    public func makeSimulation() -> Simulation<GossipTrafficModel> {
        makeSimulation(GossipTrafficModel(config: traffic, nodes: validatorCount))
    }

    /// A simulation of `model` over this scenario's network, seed, timeline and duration.
    public func makeSimulation<M: SimulationModel>(_ model: M) -> Simulation<M> {
        Simulation(model: model, network: network, nodeRegion: validatorRegions, seed: seed, faults: events, endTime: duration)
    }

    /// Interval between time-series samples: about 500 samples per run, at least 1 s.
    public var sampleInterval: SimTime {
        let raw = duration.nanoseconds / 500
        let second: Int64 = 1_000_000_000
        return .ns(Swift.max(second, (raw / second) * second))
    }
}
