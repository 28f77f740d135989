import Foundation
import CanaryEngine
import CanaryScenario
import CanaryStaking
import CanaryConsensus
import CanaryRuntime
import CanaryParachains

/// Progress of a run, reported every few hundred thousand events.
public struct RunProgress: Sendable {
    public var simulated: SimTime
    public var total: SimTime
    public var events: UInt64
    public var fraction: Double { total.nanoseconds == 0 ? 1 : Double(simulated.nanoseconds) / Double(total.nanoseconds) }
}

/// What a finished (or interrupted) run produced.
public struct RunOutcome: Sendable {
    public enum Status: String, Sendable { case complete, failed, incomplete }
    public var runId: Int64
    public var status: Status
    public var digest: String?
    public var results: [ExpectationResult]
    public var events: UInt64
    public var simulated: SimTime
    public var wallSeconds: Double
    /// Peak resident memory of this process while the run went (bytes; nil where it cannot be
    /// measured): a host measurement, not a result (`process.peak_rss_bytes`).
    public var peakResidentBytes: UInt64? = nil
}

public enum ScenarioRunnerError: Error, CustomStringConvertible {
    case noModel(String)
    public var description: String {
        switch self { case .noModel(let name): "scenario \(name): no registered model builds it" }
    }
}

/// Runs a scenario into a store: the one pipeline behind `canary run` and the tests.
public enum ScenarioRunner {
    /// - Parameters:
    ///   - wallClock: seconds from an arbitrary origin, supplied by the caller so that simulation
    ///     code never reads the clock itself (only speed reporting uses it; no result does).
    ///   - shouldStop: polled regularly; true interrupts the run, which is stored as incomplete.
    public static func run(_ scenario: Scenario, store: ResultStore, file: String?, fileHash: String?,
                           parameters: String, wallClock: @escaping () -> Double = { 0 },
                           shouldStop: @escaping () -> Bool = { false },
                           progress: @escaping (RunProgress) -> Void = { _ in }) throws -> RunOutcome {
        let recorder = try store.beginRun(scenario: scenario, file: file, fileHash: fileHash, parameters: parameters)
        let session = Session(scenario: scenario, recorder: recorder, wallClock: wallClock, shouldStop: shouldStop, progress: progress)
        guard let factory = factories.first(where: { $0.builds(scenario) }) else {
            throw ScenarioRunnerError.noModel(scenario.name)
        }
        return try factory.run(scenario, session)
    }

    /// How each simulation is built and run, beside the models' registrations
    /// (`ModelRegistry` in CanaryScenario: sections and metrics). The first factory that builds
    /// a scenario runs it; a new model adds its entry here.
    struct Factory: Sendable {
        let name: String
        let builds: @Sendable (Scenario) -> Bool
        let run: @Sendable (Scenario, Session) throws -> RunOutcome
    }

    static let factories: [Factory] = [
        Factory(name: "statistical staking", builds: { $0.consensus == .statistical }) { scenario, session in
            let model = StatisticalStakingModel(config: scenario.staking ?? StakingSimulationConfig(),
                                                validators: scenario.validatorCount, seed: scenario.seed)
            return try session.execute(scenario.makeSimulation(model), classes: StatisticalStakingModel.messageClasses)
        },
        Factory(name: "node stack with parachains", builds: { $0.consensus == .full && $0.grandpa != nil && $0.parachains != nil }) { scenario, session in
            let runtime = scenario.runtime.map(RelayRuntime.init(config:))
            let stack = BabeGrandpaModel(config: scenario.grandpa!, validators: scenario.validatorCount, seed: scenario.seed,
                                         endTime: scenario.duration, runtime: runtime)
            let para = scenario.parachains!
            let model = ParachainNodeModel(stack: stack, config: para, seed: scenario.seed)
            let regions = ParachainNodeModel.nodeRegions(validatorRegions: scenario.validatorRegions, config: para,
                                                         regions: scenario.network.regions.count)
            let sim = Simulation(model: model, network: scenario.network, nodeRegion: regions, seed: scenario.seed,
                                 faults: scenario.events, endTime: scenario.duration)
            return try session.execute(sim, classes: ParachainNodeModel.messageClasses) { runtimeResults($0.stack.babe) }
        },
        Factory(name: "BABE + GRANDPA node stack", builds: { $0.consensus == .full && $0.grandpa != nil }) { scenario, session in
            let runtime = scenario.runtime.map(RelayRuntime.init(config:))
            let model = BabeGrandpaModel(config: scenario.grandpa!, validators: scenario.validatorCount, seed: scenario.seed,
                                         endTime: scenario.duration, runtime: runtime)
            return try session.execute(scenario.makeSimulation(model), classes: BabeGrandpaModel.messageClasses) {
                runtimeResults($0.babe)
            }
        },
        Factory(name: "BABE", builds: { $0.consensus == .full }) { scenario, session in
            var model = BabeModel(config: scenario.babe, validators: scenario.validatorCount, seed: scenario.seed)
            model.runtime = scenario.runtime.map(RelayRuntime.init(config:))
            return try session.execute(scenario.makeSimulation(model), classes: BabeModel.messageClasses) { runtimeResults($0) }
        },
        Factory(name: "synthetic traffic", builds: { $0.consensus == nil }) { scenario, session in
            try session.execute(scenario.makeSimulation(), classes: GossipTrafficModel.messageClasses)
        },
    ]

    /// The runtime's tables and metrics on the canonical chain (none without a runtime).
    static func runtimeResults(_ babe: BabeModel) -> RunResults {
        guard let rt = babe.runtime as? RelayRuntime else { return RunResults() }
        var r = rt.config.staking == nil ? RunResults()
            : rt.results(head: babe.canonicalHead, tree: babe.tree, rejectedDisabled: babe.rejectedDisabled)
        r.merge(rt.governanceResults(head: babe.canonicalHead, tree: babe.tree))
        return r
    }

    /// One run of one model: the chunked loop with samples, then results, expectations, digest.
    struct Session {
        let scenario: Scenario
        let recorder: RunRecorder
        let wallClock: () -> Double
        let shouldStop: () -> Bool
        let progress: (RunProgress) -> Void

        func execute<M: SimulationModel & ResultProducing>(_ initial: Simulation<M>, classes: [String],
                                                           extra: (M) -> RunResults = { _ in RunResults() }) throws -> RunOutcome {
            var sim = initial
            let start = wallClock()
            let step = scenario.sampleInterval
            var t = SimTime.zero
            var interrupted = false
            ScenarioRunner.sample(&sim, recorder)
            while t < scenario.duration && !interrupted {
                t = min(t + step, scenario.duration)
                // Sub-steps of at most `drainInterval`: rows that became final go to the store
                // after each (a killed run keeps them; the model holds only rows that can still
                // change, whatever the sample interval). Chunking does not change the run.
                var reached = true
                var sub = sim.ctx.now
                while sub < t && reached {
                    sub = min(sub + ScenarioRunner.drainInterval, t)
                    reached = sim.run(until: sub, checkEvery: 1 << 16) { now, events in
                        progress(RunProgress(simulated: now, total: scenario.duration, events: events))
                        recorder.tick(simulated: now)
                        return !shouldStop()
                    }
                    try recorder.storeRows(sim.model.drainFinishedRows())
                }
                if !reached || shouldStop() { interrupted = true; break }
                ScenarioRunner.sample(&sim, recorder)
                progress(RunProgress(simulated: t, total: scenario.duration, events: sim.ctx.events))
            }
            let wall = wallClock() - start
            if interrupted {
                try recorder.markIncomplete(events: sim.ctx.events, simulated: sim.ctx.now)
                return RunOutcome(runId: recorder.runId, status: .incomplete, digest: nil, results: [],
                                  events: sim.ctx.events, simulated: sim.ctx.now, wallSeconds: wall,
                                  peakResidentBytes: recorder.peakResident)
            }
            var produced = sim.ctx.network.results(classes: classes, regions: scenario.network.regions)
            produced.merge(sim.model.results(at: sim.ctx.now))
            produced.merge(extra(sim.model))
            produced.scalars += [("events", Double(sim.ctx.events)), ("simulated_seconds", sim.ctx.now.seconds)]
            try recorder.store(produced)
            // A broken invariant fails the run even when the scenario does not ask about it.
            var expectations = scenario.expectations
            if produced.scalars.contains(where: { $0.name == "invariants.violations" }),
               !expectations.contains(where: { $0.metric == "invariants.violations" }),
               case .success(let implicit) = Expectation.parse("invariants.violations == 0") {
                expectations.append(implicit)
            }
            let results = try recorder.evaluate(expectations)
            let passed = results.allSatisfy(\.passed)
            let digest = try recorder.finish(passed: passed, events: sim.ctx.events, simulated: sim.ctx.now, wallSeconds: wall)
            return RunOutcome(runId: recorder.runId, status: passed ? .complete : .failed, digest: digest, results: results,
                              events: sim.ctx.events, simulated: sim.ctx.now, wallSeconds: wall,
                              peakResidentBytes: recorder.peakResident)
        }
    }

    /// Simulated time between two hand-overs of finished rows to the store.
    public static let drainInterval = SimTime.seconds(30)

    static func sample<M>(_ sim: inout Simulation<M>, _ recorder: RunRecorder) {
        let net = sim.ctx.network
        let now = sim.ctx.now
        let delivered = net.classStats.reduce(UInt64(0)) { $0 + $1.delivered }
        recorder.record(time: now, name: "messages.delivered", node: nil, value: Double(delivered))
        recorder.record(time: now, name: "messages.in_flight", node: nil, value: Double(net.inFlight))
        recorder.record(time: now, name: "nodes.up", node: nil, value: Double(net.isUp.lazy.filter { $0 }.count))
        recorder.record(time: now, name: "events", node: nil, value: Double(sim.ctx.events))
    }
}
