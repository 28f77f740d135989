import ArgumentParser
import Foundation
import CanaryEngine
import CanaryConsensus
import CanaryScenario
import CanaryStore

/// `canary bench grandpa`: the node stack (BABE + GRANDPA) at a given size, timed: wall seconds
/// per simulated hour, events per second and nanoseconds per GRANDPA vote reception — the
/// figures of docs/performance.md.
struct BenchGrandpaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grandpa",
        abstract: "BABE + GRANDPA at scale: wall time per simulated hour, events/s, ns per vote reception. Build with -c release.",
        discussion: """
        Runs every validator as a BABE author and GRANDPA voter on the three-continent network \
        (100 Mbps upload) for --duration, and prints the wall time, the rate, the vote receptions \
        (new + duplicate copies) with CPU and wall nanoseconds per reception, and the finality \
        reached. Compare --gossip polite (Substrate's polite gossip, the default) with --gossip \
        direct (every vote to every node) and --gossip flood (each vote's spread over the \
        polite-gossip relay graph computed once: one arrival per node), and --batch 0s (one event per vote copy) with the \
        default 1ms vote batches.
        """
    )

    @Option(help: "Validators (every one a GRANDPA voter).")
    var validators: Int = 300

    @Option(help: "Simulated duration, e.g. 2m.")
    var duration: String = "2m"

    @Option(help: "polite, direct or flood (polite gossip with each vote's spread computed once).")
    var gossip: String = "polite"

    @Option(help: "Arrival bucket of GRANDPA vote batches (consensus.grandpa_batch), e.g. 1ms, 100us; 0s: off.")
    var batch: String = "1ms"

    @Option(help: "Seed.")
    var seed: UInt64 = 1

    @Flag(help: "Print one JSON object on stdout.")
    var json = false

    func run() throws {
        guard validators >= 4, validators <= Limits.fullValidatorsValue else {
            throw CLIError.badInput("--validators must be between 4 and \(Limits.fullValidatorsValue) (limit 'full-validators')")
        }
        guard let d = SimTime(parsing: duration), d > .zero, d <= .seconds(86_400 * 7) else {
            throw CLIError.badInput("--duration: expected a positive duration of at most 7d such as 2m, found '\(duration)'")
        }
        guard let mode = GrandpaGossipMode(rawValue: gossip) else {
            throw CLIError.badInput("--gossip: expected polite, direct or flood, found '\(gossip)'")
        }
        guard let bucket = SimTime(parsing: batch), bucket >= .zero, bucket <= Limits.voteBatchValue else {
            throw CLIError.badInput("--batch: expected a duration from 0s to 100ms such as 1ms, found '\(batch)' (limit 'grandpa-batch')")
        }
        var config = BabeGrandpaConfig()
        config.gossip.mode = mode
        config.voteBatch = bucket
        let clock = WallClock()
        let cpu0 = processCPUSeconds()
        var sim = BabeGrandpaModel.simulation(config: config, validators: validators, seed: seed, duration: d)
        _ = sim.run()
        let wall = clock.seconds
        let cpu = processCPUSeconds() - cpu0
        let results = sim.model.results(at: d)
        func scalar(_ name: String) -> Double { results.scalars.first { $0.0 == name }?.1 ?? 0 }
        let receptions: Double
        if mode == .flood {
            receptions = scalar("grandpa.flood.receptions")
        } else if mode == .polite {
            receptions = scalar("grandpa.gossip.new_votes") + scalar("grandpa.gossip.vote_duplicates")
        } else {
            receptions = Double(sim.ctx.network.classStats[BabeGrandpaModel.layout.grandpa.firstClass].delivered)
        }
        let events = Double(sim.ctx.events)
        let newVotes = mode == .polite ? scalar("grandpa.gossip.new_votes") : receptions
        let batches = scalar("grandpa.vote_batches")
        let perHour = wall * 3600 / d.seconds
        let lag = results.distributions.first { $0.0 == "finality_lag_blocks" }?.1
        let rss = ProcessMemory.current()?.peakResidentBytes ?? 0
        let build = buildKind
        if json {
            let obj: [String: Any] = [
                "validators": validators, "simulated_seconds": d.seconds, "gossip": mode.rawValue, "build": build,
                "wall_seconds": wall, "wall_seconds_per_simulated_hour": perHour, "events": events,
                "cpu_seconds": cpu, "cpu_seconds_per_simulated_hour": cpu * 3600 / d.seconds,
                "events_per_second": events / wall, "vote_receptions": receptions, "new_vote_receptions": newVotes,
                "vote_batch_ns": bucket.nanoseconds, "vote_batches": batches,
                "ns_per_vote_reception": receptions > 0 ? wall * 1e9 / receptions : 0,
                "cpu_ns_per_vote_reception": receptions > 0 ? cpu * 1e9 / receptions : 0,
                "cpu_ns_per_new_vote_reception": newVotes > 0 ? cpu * 1e9 / newVotes : 0,
                "finalized_height": scalar("finalized_height"), "finality_lag_blocks_p50": Double(lag?.quantile(0.5) ?? 0),
                "rounds_per_minute": scalar("rounds_per_minute"), "peak_rss_bytes": rss,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("grandpa: \(validators) validators, \(duration) simulated, gossip \(mode.rawValue), vote batch \(bucket) (\(build) build)")
            print(String(format: "  wall          %.2f s  (%.1f s per simulated hour)", wall, perHour))
            print(String(format: "  cpu           %.2f s  (%.1f s per simulated hour)", cpu, cpu * 3600 / d.seconds))
            print(String(format: "  events        %.0f  (%.2f M events/s)", events, events / wall / 1e6))
            print(String(format: "  vote copies   %.0f received, %.0f new, in %.0f batches", receptions, newVotes, batches))
            print(String(format: "  per reception %.0f ns CPU (%.0f ns wall); %.0f ns CPU per new reception",
                         receptions > 0 ? cpu * 1e9 / receptions : 0, receptions > 0 ? wall * 1e9 / receptions : 0,
                         newVotes > 0 ? cpu * 1e9 / newVotes : 0))
            print(String(format: "  finality      height %.0f, p50 lag %.0f blocks, %.1f rounds/min", scalar("finalized_height"),
                         Double(lag?.quantile(0.5) ?? 0), scalar("rounds_per_minute")))
            print(String(format: "  peak RSS      %.0f MB", Double(rss) / 1e6))
        }
    }
}
