import Testing
import Foundation
import CanaryEngine
@testable import CanaryConsensus

/// Timing probe (not part of the normal run): `GRANDPA_PROBE=300 swift test -c release ... --filter GrandpaProbe`
/// runs N validators with BABE + GRANDPA for one simulated hour and prints lag and speed.
@Suite struct GrandpaProbeTests {
    static let validators = Int(ProcessInfo.processInfo.environment["GRANDPA_PROBE"] ?? "") ?? 0

    @Test(.enabled(if: validators > 0)) func probe() {
        var c = BabeGrandpaConfig()
        c.babe.peers = 8
        let start = Date()
        var s = BabeGrandpaModel.simulation(config: c, validators: Self.validators, seed: 1, duration: .hours(1))
        _ = s.run()
        let wall = Date().timeIntervalSince(start)
        let r = s.model.results(at: s.ctx.now)
        for n in ["best_height", "finalized_height", "rounds_per_minute", "grandpa.commits", "grandpa.rounds", "safety_violations"] {
            print(n, r.scalars.first { $0.name == n }!.value)
        }
        func d(_ n: String) -> LogHistogram { r.distributions.first { $0.name == n }!.histogram }
        let l = d("finality_lag_blocks"), sec = d("finality_lag_seconds"), rd = d("grandpa.round_duration")
        print("lag blocks p50/p90/p99", l.quantile(0.5)!, l.quantile(0.9)!, l.quantile(0.99)!)
        print("lag s p50/p90/p99", Double(sec.quantile(0.5)!) / 1e9, Double(sec.quantile(0.9)!) / 1e9, Double(sec.quantile(0.99)!) / 1e9)
        print("round duration p50", Double(rd.quantile(0.5)!) / 1e9, "events", s.ctx.events)
        print("wall seconds", wall)
        #expect(r.scalars.first { $0.name == "safety_violations" }!.value == 0)
    }
}
