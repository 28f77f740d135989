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
        /// Digest of what the run did (`Explorer.digest`): equal for equal runs.
        public var digest: String = ""
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
        return Outcome(violations: set.violations, events: sim.ctx.events, invalid: nil, digest: Self.digest(sim))
    }

    /// SHA-256 over what a run did: the events processed, every block (parent, slot, author,
    /// kind, production time), every node's best and finalized block and completed rounds,
    /// GRANDPA's counters, the network's counters per message class and per node, and the
    /// runtime's post-state fingerprint of node 0's best block. Two runs of one case that
    /// processed their events differently (another order, another random draw) differ in it;
    /// `canary explore --check-determinism` compares it across processes and builds.
    public static func digest(_ sim: Simulation<BabeGrandpaModel>) -> String {
        var h = SHA256()
        let m = sim.model, t = m.tree
        h.update(sim.ctx.events)
        h.update(UInt64(t.count))
        for b in 0..<t.count {
            h.update(UInt64(t.parent[b])); h.update(t.slot[b]); h.update(UInt64(t.author[b]))
            h.update(UInt64(t.kind[b].rawValue)); h.update(UInt64(bitPattern: t.producedAt[b].nanoseconds))
        }
        for n in 0..<m.validators {
            h.update(UInt64(m.views.best[n])); h.update(UInt64(m.finalized[n])); h.update(UInt64(m.records.roundsCompleted[n]))
        }
        h.update(UInt64(m.records.commits)); h.update(UInt64(m.records.catchUpRequests))
        h.update(UInt64(m.records.waitedForImport)); h.update(UInt64(m.records.forkSyncRequests))
        for c in sim.ctx.network.classStats {
            h.update(c.sent); h.update(c.delivered); h.update(c.droppedLoss); h.update(c.droppedPartition)
            h.update(c.droppedCrash); h.update(c.bytesDelivered)
        }
        for n in sim.ctx.network.traffic { h.update(n.sent); h.update(n.received); h.update(n.bytesSent); h.update(n.dropped) }
        if let rt = m.babe.runtime as? RelayRuntime, let st = rt.state(m.views.best[0]) { h.update(st.fingerprint.value) }
        return SHA256.hex(h.finalize())
    }
}
