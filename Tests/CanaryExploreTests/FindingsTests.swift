import Testing
import Foundation
import CanaryEngine
import CanaryScenario
@testable import CanaryConsensus
@testable import CanaryExplore
import CanaryRuntime

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

/// runtime-restart-prune-crash: a node restarting after a crash claimed a slot on its old best
/// block, finalized past it (a commit) before its block was done, and the pruning that followed
/// removed the parent's state: authoring trapped. The node now drops a proposal whose parent no
/// longer descends from its finalized block, as Substrate's block import would refuse it.
@Suite struct PruneCrashFindingTests {
    @Test func aProposalOnAParentFinalizedPastIsDropped() throws {
        let text = try String(contentsOf: root.appendingPathComponent("Scenarios/explore/findings/runtime-restart-prune-crash.yaml"), encoding: .utf8)
        let s = try ScenarioDecoder.decode(yaml: text, file: "runtime-restart-prune-crash.yaml")
        let model = BabeGrandpaModel(config: s.grandpa!, validators: s.validatorCount, seed: s.seed, endTime: s.duration,
                                     runtime: RelayRuntime(config: s.runtime!))
        var sim = s.makeSimulation(model)
        _ = sim.run()   // trapped at 7m500ms before the fix
        #expect(sim.model.babe.abandonedProposals >= 1)
        // Every block in the tree descends from a block with a state when it was authored:
        // nothing was built below a node's finality, and finality went on.
        #expect(sim.model.tree.number[Int(sim.model.finalized[4])] > 70)
    }
}

/// The runtime's invariants under explore (Scenarios/explore/runtime-small.yaml).
@Suite struct RuntimeCheckerTests {
    @Test func runtimeBaseChecksIssuanceEveryEraAndEveryBlockAgain() throws {
        let c = try loadBase("Scenarios/explore/runtime-small.yaml")
        #expect(c.hasRuntime)
        let names = Explorer().invariantNames(for: c)
        #expect(names.contains("staking.issuance-conservation") && names.contains("runtime.same-state"))
        let text = try String(contentsOf: root.appendingPathComponent("Scenarios/explore/runtime-small.yaml"), encoding: .utf8)
        let s = try ScenarioDecoder.decode(yaml: text, file: "runtime-small.yaml")
        let runtime = RelayRuntime(config: s.runtime!)
        let model = BabeGrandpaModel(config: s.grandpa!, validators: s.validatorCount, seed: s.seed, endTime: s.duration, runtime: runtime)
        var sim = s.makeSimulation(model)
        var issuance = EraIssuanceChecker(), same = SameRuntimeStateChecker()
        var t = SimTime.zero
        let end = SimTime.minutes(4) + .seconds(30)   // two eras closed
        while t < end {
            t = t + .seconds(5)
            _ = sim.run(until: t)
            let o = GrandpaObservation(model: sim.model, isUp: sim.ctx.network.isUp)
            #expect(issuance.check(o, at: t) == nil)
            #expect(same.check(o, at: t) == nil)
        }
        // Two eras closed and were checked; every block was executed a second time.
        #expect(issuance.erasSeen >= 2)
        #expect(same.blocksSeen == sim.model.tree.count && sim.model.tree.count > 40)
    }

    @Test func fingerprintsTellStatesApart() throws {
        let text = try String(contentsOf: root.appendingPathComponent("Scenarios/explore/runtime-small.yaml"), encoding: .utf8)
        let s = try ScenarioDecoder.decode(yaml: text, file: "runtime-small.yaml")
        let runtime = RelayRuntime(config: s.runtime!)
        let genesis = runtime.state(0)!
        #expect(genesis.fingerprint == runtime.state(0)!.fingerprint)
        var points = genesis
        points.eraPoints[3] += 20
        #expect(points.fingerprint != genesis.fingerprint)
        var authorities = genesis
        authorities.nextAuthorities.removeLast()
        #expect(authorities.fingerprint != genesis.fingerprint)
        var disabled = genesis
        disabled.disabled = [5]
        #expect(disabled.fingerprint != genesis.fingerprint)
    }
}
