import ArgumentParser
import Foundation
import CanaryEngine
import CanaryScenario

/// `canary bench engine`: events per second through the full event loop.
struct BenchEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Event-loop throughput with ~100k pending events (hold model). Build with -c release.",
        discussion: "Each event pops from the queue, passes the liveness check and model dispatch, and schedules its successor 0-2 ms later."
    )

    @Option(help: "Events kept pending in the queue.")
    var pending: Int = 100_000

    @Option(help: "Events to process.")
    var events: UInt64 = 20_000_000

    @Option(help: "Repetitions; the best is reported.")
    var repeats: Int = 3

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() throws {
        guard pending > 0, events > 0, repeats > 0 else { throw CLIError.badInput("--pending, --events and --repeats must be positive") }
        guard pending <= Limits.benchPendingValue else { throw CLIError.badInput("--pending \(pending) is out of \(Limits.benchPending): \(Limits.benchPending.reason)") }
        var best = Double.infinity
        var last: EngineBenchmarkResult?
        for _ in 0..<repeats {
            let clock = WallClock()
            last = EngineBenchmark.run(pending: pending, events: events)
            best = min(best, clock.seconds)
        }
        let result = last!
        let rate = Double(result.events) / best
        let build = buildKind
        if json {
            let obj: [String: Any] = ["events_per_second": rate, "events": result.events, "pending": pending,
                                      "seconds": best, "build": build, "checksum": String(result.checksum)]
            print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(String(format: "engine: %llu events with %d pending in %.3f s (best of %d, %@ build)", result.events, pending, best, repeats, build))
            print(String(format: "        %.2f M events/second", rate / 1e6))
        }
    }
}
