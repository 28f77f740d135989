import CanaryEngine
import CanaryStaking
import CanaryConsensus
import CanaryRuntime
import CanaryParachains

/// One model of the simulator as scenario files see it: the top-level sections it reads, the
/// metrics it produces, and when it runs. Every model registers here, in its own entry:
/// the decoder refuses a section that no model of the scenario reads (a `file:line:column`
/// error, never silently ignored), and the metric catalog (`canary metrics`, expectations) is
/// the union of the registered metrics. How a model is built and run is registered beside it
/// in CanaryStore (`ScenarioRunner.factories`).
public struct ModelRegistration: Sendable {
    public let name: String
    /// Top-level sections the model reads (`name`, `description`, `seed`, `duration`,
    /// `validators` and `expect` belong to every scenario).
    public let sections: [String]
    public let metrics: [MetricDefinition]
    /// Whether the model runs in a scenario with this consensus mode and these sections.
    public let runs: @Sendable (_ mode: ConsensusMode?, _ finality: Bool, _ sections: Set<String>) -> Bool

    public init(name: String, sections: [String], metrics: [MetricDefinition],
                runs: @escaping @Sendable (_ mode: ConsensusMode?, _ finality: Bool, _ sections: Set<String>) -> Bool) {
        self.name = name; self.sections = sections; self.metrics = metrics; self.runs = runs
    }
}

public enum ModelRegistry {
    /// Sections every scenario has, whatever runs.
    public static let common: Set<String> = ["name", "description", "seed", "duration", "validators", "expect"]

    public static let all: [ModelRegistration] = [
        ModelRegistration(name: "network", sections: ["network", "events"],
                          metrics: Network<GossipTrafficModel.Message>.metrics(classes: GossipTrafficModel.messageClasses)
                              + Network<GossipTrafficModel.Message>.metrics(classes: BabeModel.messageClasses)
                              + Network<GossipTrafficModel.Message>.metrics(classes: BabeGrandpaModel.messageClasses),
                          runs: { mode, _, _ in mode != .statistical }),
        ModelRegistration(name: "synthetic traffic", sections: ["traffic"], metrics: [],
                          runs: { mode, _, _ in mode == nil }),
        ModelRegistration(name: "BABE", sections: ["consensus"], metrics: BabeModel.metrics,
                          runs: { mode, _, _ in mode == .full }),
        ModelRegistration(name: "GRANDPA", sections: ["consensus"], metrics: BabeGrandpaModel.metrics,
                          runs: { mode, finality, _ in mode == .full && finality }),
        ModelRegistration(name: "parachains", sections: ["parachains"], metrics: ParachainNodeModel.metrics + ParachainNodeModel.sessionMetrics,
                          runs: { mode, finality, s in mode == .full && finality && s.contains("parachains") }),
        ModelRegistration(name: "statistical staking", sections: ["consensus", "staking", "governance"],
                          metrics: StatisticalStakingModel.metrics, runs: { mode, _, _ in mode == .statistical }),
        ModelRegistration(name: "runtime", sections: ["staking", "governance"],
                          metrics: RelayRuntime.metrics + RelayRuntime.governanceMetrics,
                          runs: { mode, _, s in mode == .full && (s.contains("staking") || s.contains("governance")) }),
        // Measured by the store layer around every run (not simulation: left out of the digest).
        ModelRegistration(name: "process", sections: [], metrics: [
            MetricDefinition("process.peak_rss_bytes", .count, "Peak resident memory of the process that ran the scenario (bytes, Linux VmHWM), sampled at wall-clock intervals by the store; host-dependent, so not part of the run digest"),
        ], runs: { _, _, _ in true }),
    ]

    /// The models that run for a scenario with these properties.
    public static func running(mode: ConsensusMode?, finality: Bool, sections: Set<String>) -> [ModelRegistration] {
        all.filter { $0.runs(mode, finality, sections) }
    }

    /// Which mode's models read `section` (for error messages).
    static func readers(of section: String) -> String {
        let names = all.filter { $0.sections.contains(section) }.map(\.name)
        return names.isEmpty ? "no model" : names.joined(separator: ", ")
    }
}
