import Testing
import CanaryArithmetic
import CanaryEngine
import CanaryChain
import CanaryConsensus
import CanaryStaking
@testable import CanaryRuntime

/// The runtime under the real BABE + GRANDPA node stack (small and short).
@Suite struct NodeStackTests {
    static func runtime(validators: Int, seats: Int, slashDefer: UInt32 = 1) -> RelayRuntime {
        var s = StakingSimulationConfig()
        s.activeValidators = seats
        s.slashDeferDuration = slashDefer
        s.bondingDuration = 2
        s.nominators = 60
        s.targets = 2...6
        var c = RelayRuntimeConfig(staking: s, validators: validators, seed: 4)
        c.sessionsPerEra = 2
        return RelayRuntime(config: c)
    }

    static func config(epochLength: UInt64 = 10, equivocators: [UInt32] = []) -> BabeGrandpaConfig {
        var c = BabeGrandpaConfig()
        c.babe.peers = 4
        c.babe.blockSize = 16 * 1024
        c.babe.epochLength = epochLength
        c.babe.equivocators = equivocators
        return c
    }

    @Test func disabledAuthorsBlocksAreRejectedAndTheOffenderIsSlashed() throws {
        let n = 10
        var sim = Simulation(model: BabeGrandpaModel(config: Self.config(epochLength: 20, equivocators: [3]), validators: n, seed: 4,
                                                      endTime: .minutes(8), runtime: Self.runtime(validators: n, seats: n)),
                             network: .threeContinents, nodeRegion: (0..<n).map { UInt16($0 % 3) }, seed: 4, faults: [],
                             endTime: .minutes(8))
        _ = sim.run()
        let m = sim.model
        let rt = try #require(m.babe.runtime as? RelayRuntime)
        let head = m.babe.canonicalHead
        // Reported on the canonical chain, disabled from that block on until its era ended.
        let report = try #require(rt.records.offences.first { m.tree.isAncestor($0.block, of: head) && $0.report.offender == 3 })
        #expect(report.report.kind == .babeEquivocation)
        #expect(m.babe.rejectedDisabled > 0)
        // No block of the disabled author on the canonical chain while it was disabled.
        var x = head
        while x != BlockTree.genesis {
            let parent = m.tree.parent[Int(x)]
            if m.tree.author[Int(x)] == 3 { #expect(!rt.isDisabled(3, parent: parent), "block \(x) by a disabled author") }
            x = parent
        }
        // (3k/n)^2 = (3/10)^2 = 9%, applied slash_defer (1) era later.
        let r = rt.results(head: head, tree: m.tree, rejectedDisabled: m.babe.rejectedDisabled)
        #expect((r.scalar("slashes") ?? 0) >= 1 && r.scalar("validators.disabled") == 1)
        #expect(report.fraction == Perbill(parts: 90_000_000) && report.applyAt == report.era + 1)
        #expect(r.scalar("invariants.violations") == 0)
        #expect(r.scalar("safety_violations") == nil)   // GRANDPA's metrics come from the model
        let grandpa = m.results(at: sim.ctx.now)
        #expect(grandpa.scalar("safety_violations") == 0)
    }

    @Test func theElectedSetDrivesBabeAndGrandpa() throws {
        let n = 16
        var sim = Simulation(model: BabeGrandpaModel(config: Self.config(), validators: n, seed: 8,
                                                      endTime: .minutes(5), runtime: Self.runtime(validators: n, seats: 10)),
                             network: .threeContinents, nodeRegion: (0..<n).map { UInt16($0 % 3) }, seed: 8, faults: [],
                             endTime: .minutes(5))
        let genesis = (sim.model.babe.runtime as! RelayRuntime).genesisAuthorities
        #expect(genesis.count == 10)
        // The genesis GRANDPA voter set is the first election's winners.
        #expect(sim.model.voters[0].voters.nodes == genesis)
        _ = sim.run()
        let m = sim.model
        // Only authorities of the block's epoch authored.
        let rt = try #require(m.babe.runtime as? RelayRuntime)
        for b in 1..<m.tree.count {
            let parent = m.tree.parent[b]
            guard rt.state(parent) != nil, let st = m.tree.state(BlockId(b)) else { continue }
            #expect(rt.authorities(epoch: st.epochIndex, parent: parent, in: m.tree).contains(m.tree.author[b]))
        }
        let r = m.results(at: sim.ctx.now)
        #expect((r.scalar("finalized_height") ?? 0) > 20)
        #expect(r.scalar("safety_violations") == 0)
    }
}

extension RunResults {
    func scalar(_ name: String) -> Double? { scalars.first { $0.name == name }?.value }
}
