import ArgumentParser
import Foundation
import CanaryEngine
import CanaryScenario
import CanaryStore

/// `canary run`: scenario file → simulation → SQLite → exit code.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario and store its results in SQLite.",
        discussion: """
        Exit codes: 0 all expectations hold, 1 an expectation failed, 2 bad input, \
        130 interrupted (the run is kept in the database, marked incomplete).

        Progress (simulated time, % done, sim-seconds per wall-second, wall time left at \
        that speed) goes to stderr: --progress auto (the default) draws one self-overwriting \
        line when stderr is a terminal and nothing otherwise; line always draws it; log \
        prints a plain "progress: ..." line every --progress-every seconds of wall time \
        (60), the first as the run starts, for runs whose stderr is a log file (nohup, CI, a \
        cluster job); off prints none.
        """
    )

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @Option(help: "SQLite file for the results (created if missing; several runs can share it).")
    var db: String = "results.sqlite"

    @Option(parsing: .unconditional, help: "Override the scenario's seed (0 to 2^64-1).")
    var seed: UInt64?

    @Option(help: "Override the scenario's duration, e.g. 10m, 2h.")
    var duration: String?

    @Flag(help: "Print one JSON object on stdout instead of the summary table.")
    var json = false

    @Option(help: "Progress on stderr: auto (a line on a terminal, else none), line, log (a plain line every --progress-every seconds) or off.")
    var progress: String = "auto"

    @Option(help: "Seconds of wall time between --progress log lines.")
    var progressEvery: Double = 60

    /// `--progress` and `--progress-every`, checked.
    func progressMode() throws -> ProgressMode {
        guard progressEvery.isFinite, progressEvery >= 0 else {
            throw CLIError.badInput("--progress-every: expected a number of seconds, 0 or more, found \(progressEvery)")
        }
        switch progress {
        case "auto": return isatty(2) != 0 && !json ? .line : .off
        case "line": return .line
        case "log": return .log(every: progressEvery)
        case "off": return .off
        default: throw CLIError.badInput("--progress: expected auto, line, log or off, found '\(progress)'")
        }
    }

    func run() throws {
        let progressMode = try progressMode()
        var overrides = ScenarioDecoder.Overrides(seed: seed)
        if let d = duration {
            guard let t = SimTime(parsing: d), t > .zero else {
                throw CLIError.badInput("--duration: expected a duration longer than 0s such as 10m or 2h, found '\(d)'")
            }
            guard t <= Limits.runDurationValue else {
                throw CLIError.badInput("--duration \(t) is out of \(Limits.runDuration)")
            }
            overrides.duration = t
        }
        let scenario: Scenario
        do { scenario = try ScenarioDecoder.load(path: self.scenario, overrides: overrides) } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
        let fileHash = FileManager.default.contents(atPath: self.scenario).map { SHA256.hex(SHA256.hash($0)) }
        let store: ResultStore
        do { store = try ResultStore(path: db) } catch {
            throw CLIError.badInput("cannot open database \(db): \(error)")
        }
        store.build = .current
        for id in store.recoveredRuns {
            FileHandle.standardError.write(Data("note: run \(id) in \(db) was interrupted (its process is gone); marked incomplete\n".utf8))
        }
        Interrupt.install()
        let progress = ProgressLine(mode: progressMode)
        let clock = WallClock()
        let outcome = try ScenarioRunner.run(
            scenario, store: store, file: self.scenario, fileHash: fileHash,
            parameters: parametersJSON(scenario),
            wallClock: { clock.seconds }, // wall-clock ok: speed reporting only
            shouldStop: { Interrupt.requested },
            progress: { progress.update($0, wall: clock.seconds) }
        )
        progress.finish()
        if let text = FileManager.default.contents(atPath: self.scenario).map({ String(decoding: $0, as: UTF8.self) }) {
            try? store.setScenarioText(text, run: outcome.runId)
        }
        if json {
            print(try outcomeJSON(scenario, outcome, store: store))
        } else {
            printSummary(scenario, outcome)
        }
        switch outcome.status {
        case .complete: return
        case .failed: throw ExitCode(1)
        case .incomplete:
            FileHandle.standardError.write(Data("interrupted: run \(outcome.runId) kept in \(db) as incomplete\n".utf8))
            throw ExitCode(130)
        }
    }

    func parametersJSON(_ s: Scenario) -> String {
        let obj: [String: Any] = [
            "seed": String(s.seed), "duration": s.duration.description, "validators": s.validatorCount,
            "regions": s.network.regions, "upload_bps": s.network.uploadBitsPerSecond, "loss": s.network.loss,
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self)
    }

    func outcomeJSON(_ s: Scenario, _ o: RunOutcome, store: ResultStore) throws -> String {
        // Every metric of the run: scalars as numbers, distributions as {p50, p90, p99, mean,
        // max, count}; times in seconds.
        var metrics: [String: Any] = [:]
        func scale(_ name: String) -> Double { MetricCatalog.find(name)?.unit == .duration ? 1e-9 : 1 }
        for (name, value) in try store.scalars(run: o.runId) { metrics[name] = value * scale(name) }
        for (name, d) in try store.distributionSummaries(run: o.runId) {
            let k = scale(name)
            metrics[name] = ["p50": d.p50 * k, "p90": d.p90 * k, "p99": d.p99 * k, "mean": d.mean * k, "max": d.max * k, "count": d.count]
        }
        let obj: [String: Any] = [
            "metrics": metrics,
            "scenario": s.name,
            "run_id": o.runId,
            "database": db,
            "seed": String(s.seed),
            "digest": o.digest ?? NSNull(),
            "status": o.status.rawValue,
            "simulated_seconds": o.simulated.seconds,
            "wall_seconds": o.wallSeconds,
            "events": o.events,
            "speed": o.wallSeconds > 0 ? o.simulated.seconds / o.wallSeconds : 0,
            "peak_rss_bytes": o.peakResidentBytes.map { NSNumber(value: $0) } ?? NSNull(),
            "expectations": o.results.map { r -> [String: Any] in
                ["expectation": r.expectation.text, "passed": r.passed,
                 "observed": r.observed ?? NSNull(), "observed_text": r.expectation.format(r.observed)]
            },
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self)
    }

    func printSummary(_ s: Scenario, _ o: RunOutcome) {
        print("scenario   \(s.name)  (seed \(s.seed), \(s.validatorCount) validators, \(s.duration))")
        print("run        #\(o.runId) in \(db): \(o.status.rawValue)")
        print(String(format: "simulated  %@ in %.2f s wall (%.0f× real time), %llu events (%.2f M events/s)",
                     o.simulated.description, o.wallSeconds, o.wallSeconds > 0 ? o.simulated.seconds / o.wallSeconds : 0,
                     o.events, o.wallSeconds > 0 ? Double(o.events) / o.wallSeconds / 1e6 : 0))
        if let m = o.peakResidentBytes { print(String(format: "memory     %.1f MB peak resident (process.peak_rss_bytes)", Double(m) / 1e6)) }
        if let d = o.digest { print("digest     \(d)") }
        if !o.results.isEmpty {
            print("")
            let width = max(11, o.results.map(\.expectation.text.count).max() ?? 0)
            print("  " + "expectation".padding(toLength: width, withPad: " ", startingAt: 0) + "  result  observed")
            for r in o.results {
                print("  " + r.expectation.text.padding(toLength: width, withPad: " ", startingAt: 0)
                      + "  " + (r.passed ? "pass  " : "FAIL  ") + "  " + r.expectation.format(r.observed))
            }
        }
    }
}

/// Errors the CLI reports as bad input (exit code 2) with a one-line message.
enum CLIError: Error, CustomStringConvertible {
    case badInput(String)
    var description: String { if case .badInput(let m) = self { return m }; return "" }
}
