import ArgumentParser
import CanaryNPoS
import Foundation

/// `canary bench npos`: times a deterministic Kusama-size election (2,000 candidates, 22,500
/// voters with up to 24 targets, 1,000 seats) — seq-Phragmén with 10 balancing iterations, and
/// Phragmms. Build with `-c release`; timing is wall-clock and only happens here.
struct BenchNPoSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "npos",
        abstract: "Benchmark seq-Phragmén (+10 balancing iterations) and Phragmms on a Kusama-size snapshot.")

    @Option(help: "Seed of the synthetic snapshot.")
    var seed: UInt64 = 0

    @Option(name: .customLong("phragmms-balancing-iterations"),
            help: "Balancing iterations Phragmms runs after every round (0 = none; each iteration costs a full pass per round).")
    var phragmmsBalancingIterations: Int = 0

    @Flag(name: .customLong("skip-phragmms"), help: "Only time seq-Phragmén.")
    var skipPhragmms = false

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        let snap = ElectionSnapshot.synthetic(seed: seed)
        let edges = snap.edgeCount
        let clock = ContinuousClock()  // wall-clock ok

        let t0 = clock.now  // wall-clock ok
        let seq = try seqPhragmen(toElect: 1_000, candidates: snap.candidates, voters: snap.voters,
                                  balancing: BalancingConfig(iterations: 10, tolerance: 0))
        let seqSeconds = seconds(clock.now - t0)  // wall-clock ok
        let seqScore = try seq.score(voters: snap.voters)

        var mmsSeconds: Double?
        var mmsScore: ElectionScore?
        var mmsWinners = 0
        if !skipPhragmms {
            let t1 = clock.now  // wall-clock ok
            let mms = try phragmms(toElect: 1_000, candidates: snap.candidates, voters: snap.voters,
                                   balancing: phragmmsBalancingIterations > 0
                                       ? BalancingConfig(iterations: phragmmsBalancingIterations, tolerance: 0) : nil)
            mmsSeconds = seconds(clock.now - t1)  // wall-clock ok
            mmsScore = try mms.score(voters: snap.voters)
            mmsWinners = mms.winners.count
        }

        if json {
            var fields = [
                "\"candidates\": \(snap.candidates.count)",
                "\"voters\": \(snap.voters.count)",
                "\"edges\": \(edges)",
                "\"to_elect\": 1000",
                "\"seed\": \(seed)",
                "\"seq_phragmen_balancing_iterations\": 10",
                "\"seq_phragmen_seconds\": \(rounded(seqSeconds))",
                "\"seq_phragmen_edges_per_second\": \(Int(Double(edges) / seqSeconds))",
                "\"seq_phragmen_winners\": \(seq.winners.count)",
                "\"seq_phragmen_score\": [\"\(seqScore.minimalStake)\", \"\(seqScore.sumStake)\", \"\(seqScore.sumStakeSquared)\"]",
            ]
            if let mmsSeconds, let mmsScore {
                fields += [
                    "\"phragmms_balancing_iterations\": \(phragmmsBalancingIterations)",
                    "\"phragmms_seconds\": \(rounded(mmsSeconds))",
                    "\"phragmms_edges_per_second\": \(Int(Double(edges) / mmsSeconds))",
                    "\"phragmms_winners\": \(mmsWinners)",
                    "\"phragmms_score\": [\"\(mmsScore.minimalStake)\", \"\(mmsScore.sumStake)\", \"\(mmsScore.sumStakeSquared)\"]",
                ]
            } else {
                fields.append("\"phragmms_seconds\": null")
            }
            print("{\n  " + fields.joined(separator: ",\n  ") + "\n}")
            return
        }
        print("snapshot: \(snap.candidates.count) candidates, \(snap.voters.count) voters, \(edges) edges, to_elect 1000 (seed \(seed))")
        print("seq-phragmen + 10 balancing: \(rounded(seqSeconds)) s, \(Int(Double(edges) / seqSeconds)) edges/s, score \(seqScore)")
        if let mmsSeconds, let mmsScore {
            print("phragmms (balancing \(phragmmsBalancingIterations)/round): \(rounded(mmsSeconds)) s, \(Int(Double(edges) / mmsSeconds)) edges/s, \(mmsWinners) winners, score \(mmsScore)")
        }
        #if DEBUG
        print("note: debug build; run `swift build -c release` for meaningful figures")
        #endif
    }

    func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func rounded(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
