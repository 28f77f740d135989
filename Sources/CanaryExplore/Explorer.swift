import Foundation
import CanaryEngine
import CanaryConsensus
import CanaryScenario
import CanaryRuntime

/// Runs cases with invariant checkers: the engine of `canary explore` and `canary shrink`.
public struct Explorer {
    /// Liveness bound: finality must resume within this after the last fault.
    public var recovery: SimTime = .minutes(3)
    /// Optional strict invariant: finality lag at most this many blocks (`--max-finality-lag`).
    public var maxFinalityLag: UInt32?
    /// Simulated time between check points.
    public var checkEvery: SimTime = .seconds(5)
    /// Extra checkers supplied by the caller (tests use deliberately broken ones).
    public var extraCheckers: (ExploreCase) -> [AnyInvariantChecker<GrandpaObservation>] = { _ in [] }

    public init() {}

    /// The result of one run.
    public struct Outcome: Sendable {
        public var violations: [InvariantViolation]
        public var events: UInt64
        /// Set when the case's YAML does not decode (e.g. a shrink step made it invalid).
        public var invalid: String?
        public var failed: Bool { !violations.isEmpty }
    }

    /// The checkers for `c`: safety always, liveness after the last fault, the runtime's
    /// (issuance conservation, the same state for the same block) when the scenario has a
    /// `staking:` section, and the optional lag bound.
    public func checkers(for c: ExploreCase) -> [AnyInvariantChecker<GrandpaObservation>] {
        var list = [AnyInvariantChecker(FinalitySafetyChecker()),
                    AnyInvariantChecker(FinalityResumesChecker(quietFrom: c.quietFrom, bound: recovery, connectedAtEnd: c.connectedAtEnd))]
        if c.hasRuntime {
            list += [AnyInvariantChecker(EraIssuanceChecker()), AnyInvariantChecker(SameRuntimeStateChecker())]
        }
        if let lag = maxFinalityLag { list.append(AnyInvariantChecker(FinalityLagChecker(maxLag: lag))) }
        return list + extraCheckers(c)
    }

    /// Names of the invariants checked for `c` (for reports).
    public func invariantNames(for c: ExploreCase) -> [String] { checkers(for: c).map(\.name) }

    /// Renders `c` to YAML, decodes it and runs it with the checkers.
    public func run(_ c: ExploreCase, file: String = "<explore>") -> Outcome {
        let text = c.yaml()
        let scenario: Scenario
        do { scenario = try ScenarioDecoder.decode(yaml: text, file: file) } catch {
            return Outcome(violations: [], events: 0, invalid: error.description)
        }
        return run(scenario, checkers: checkers(for: c))
    }

    /// Runs a decoded scenario (consensus full with GRANDPA) with `checkers`.
    public func run(_ scenario: Scenario, checkers: [AnyInvariantChecker<GrandpaObservation>]) -> Outcome {
        guard scenario.consensus == .full, let config = scenario.grandpa else {
            return Outcome(violations: [], events: 0, invalid: "explore needs consensus.mode full with finality grandpa")
        }
        // The chain's runtime when the scenario has one, as `canary run` builds it.
        let runtime = scenario.runtime.map(RelayRuntime.init(config:))
        let model = BabeGrandpaModel(config: config, validators: scenario.validatorCount, seed: scenario.seed,
                                     endTime: scenario.duration, runtime: runtime)
        var sim = scenario.makeSimulation(model)
        var set = CheckerSet(checkers)
        var t = SimTime.zero
        while t < scenario.duration {
            t = min(t + checkEvery, scenario.duration)
            _ = sim.run(until: t)
            set.check(GrandpaObservation(model: sim.model, isUp: sim.ctx.network.isUp), at: t)
        }
        set.finish(GrandpaObservation(model: sim.model, isUp: sim.ctx.network.isUp), at: scenario.duration)
        return Outcome(violations: set.violations, events: sim.ctx.events, invalid: nil)
    }
}
