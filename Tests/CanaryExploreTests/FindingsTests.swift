import Testing
import Foundation
import CanaryEngine
import CanaryScenario
@testable import CanaryConsensus
@testable import CanaryExplore

/// Regression tests of the GRANDPA liveness failures `canary explore` found, on their shrunk
/// reproducers (Scenarios/explore/findings/, docs/reliability.md "Findings").
@Suite struct FindingsTests {
    static func simulate(_ relative: String) throws -> Simulation<BabeGrandpaModel> {
        let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
        let s = try ScenarioDecoder.decode(yaml: text, file: relative)
        let model = BabeGrandpaModel(config: s.grandpa!, validators: s.validatorCount, seed: s.seed, endTime: s.duration)
        var sim = s.makeSimulation(model)
        _ = sim.run()
        return sim
    }

    /// grandpa-fork-block-wait: nodes that restart after the others imported a fork block never
    /// get it from BABE's best-chain sync; the catch-up and votes naming it waited for good and
    /// finality stayed at #5. The until-imported queue now requests such a block from a peer
    /// after 15 s (Substrate's `set_sync_fork_request`), so the restarted nodes catch up.
    @Test func restartedNodesFetchTheForkBlocksTheirMessagesWaitFor() throws {
        let sim = try Self.simulate("Scenarios/explore/findings/grandpa-fork-block-wait.yaml")
        let m = sim.model
        #expect(m.records.forkSyncRequests >= 1)
        // Every node, the four restarted ones included, finalizes close to the best block.
        let best = m.tree.number[Int(m.views.best[0])]
        for n in 0..<m.validators {
            let fin = m.tree.number[Int(m.finalized[n])]
            #expect(fin + 6 >= best, "node \(n) finalized #\(fin), best #\(best)")
        }
        #expect(m.records.violations.isEmpty)
    }
}
