import Foundation
import CanaryEngine
import CanaryScenario

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
}

/// Runs a scenario into a store: the one pipeline behind `canary run` and the tests.
public enum ScenarioRunner {
    /// - Parameters:
    ///   - wallClock: seconds from an arbitrary origin, supplied by the caller so that simulation
    ///     code never reads the clock itself (only speed reporting uses it; no result does).
    ///   - shouldStop: polled regularly; true interrupts the run, which is stored as incomplete.
    public static func run(_ scenario: Scenario, store: ResultStore, file: String?, fileHash: String?,
                           parameters: String, wallClock: () -> Double = { 0 },
                           shouldStop: () -> Bool = { false },
                           progress: (RunProgress) -> Void = { _ in }) throws -> RunOutcome {
        let recorder = try store.beginRun(scenario: scenario, file: file, fileHash: fileHash, parameters: parameters)
        let start = wallClock()
        var sim = scenario.makeSimulation()
        let step = scenario.sampleInterval
        var t = SimTime.zero
        var interrupted = false
        sample(&sim, recorder)
        while t < scenario.duration && !interrupted {
            t = min(t + step, scenario.duration)
            let reached = sim.run(until: t, checkEvery: 1 << 16) { now, events in
                progress(RunProgress(simulated: now, total: scenario.duration, events: events))
                return !shouldStop()
            }
            if !reached || shouldStop() { interrupted = true; break }
            sample(&sim, recorder)
            progress(RunProgress(simulated: t, total: scenario.duration, events: sim.ctx.events))
        }
        let wall = wallClock() - start
        if interrupted {
            try recorder.markIncomplete(events: sim.ctx.events, simulated: sim.ctx.now)
            return RunOutcome(runId: recorder.runId, status: .incomplete, digest: nil, results: [],
                              events: sim.ctx.events, simulated: sim.ctx.now, wallSeconds: wall)
        }
        var produced = sim.ctx.network.results(classes: GossipTrafficModel.messageClasses, regions: scenario.network.regions)
        produced.scalars += [("events", Double(sim.ctx.events)), ("simulated_seconds", sim.ctx.now.seconds)]
        try recorder.store(produced)
        let results = try recorder.evaluate(scenario.expectations)
        let passed = results.allSatisfy(\.passed)
        let digest = try recorder.finish(passed: passed, events: sim.ctx.events, simulated: sim.ctx.now, wallSeconds: wall)
        return RunOutcome(runId: recorder.runId, status: passed ? .complete : .failed, digest: digest, results: results,
                          events: sim.ctx.events, simulated: sim.ctx.now, wallSeconds: wall)
    }

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
