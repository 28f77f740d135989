import Foundation
import Testing
import CanaryEngine
@testable import CanaryConsensus

func small(_ edit: (inout BabeConfig) -> Void = { _ in }) -> BabeConfig {
    var c = BabeConfig.kusama
    c.peers = 4
    c.blockSize = 32 * 1024
    edit(&c)
    return c
}

func rows(_ r: RunResults, _ table: String) -> [[ResultValue]] { r.table(table)?.rows ?? [] }

func intValue(_ v: ResultValue) -> Int64? { if case .integer(let i) = v { return i } else { return nil } }

@Suite struct BabeModelTests {
    @Test func producesAConvergedChainWithKusamaShares() {
        let (sim, r) = BabeSimulation.run(config: small(), validators: 60, seed: 11, duration: .minutes(60))
        let slots = r.scalar("slots")!
        #expect(slots == 600)
        #expect(r.scalar("converged") == 1)
        // Every slot has a designated secondary author who is online: no empty slots.
        #expect(r.scalar("slots.empty_share") == 0)
        #expect(r.scalar("best_height")! >= 590 && r.scalar("best_height")! <= 600)
        #expect(abs(r.scalar("slots.primary_share")! - 0.25) < 0.07)
        #expect(r.scalar("blocks.produced")! > r.scalar("best_height")!)
        #expect(r.scalar("forks")! > 50)
        #expect(r.scalar("reorgs")! > 0)
        #expect(r.scalar("reorg.max_depth")! >= 1)
        #expect(r.scalar("offences.babe_equivocation") == 0)
        #expect(r.scalar("epoch") == 0)
        let bt = r.distribution("block_time")!
        #expect(bt.total == UInt64(r.scalar("best_height")! - 1))
        #expect(abs(Double(bt.quantile(0.5)!) - 6e9) < 6e9 * 0.002)   // histogram buckets: 0.1%
        let delay = r.distribution("block_import_delay")!
        #expect(delay.quantile(0.5)! > 250_000_000 && delay.quantile(0.99)! < 3_000_000_000)
        // Blocks table: the canonical chain has best_height rows, all imported by everyone.
        let blocks = rows(r, "blocks")
        #expect(blocks.count == Int(r.scalar("blocks.produced")!))
        let canonical = blocks.filter { $0[10] == .integer(1) }
        #expect(canonical.count == Int(r.scalar("best_height")!))
        let lastCanonical = canonical.dropLast(2)   // the newest may still be propagating
        #expect(lastCanonical.allSatisfy { $0[11] == .integer(59) })
        #expect(sim.model.tree.count == blocks.count + 1)
    }

    @Test func primaryAndSecondaryCompetitionMatchesExpectation() {
        // 30 validators, 5 offline; 2000 slots.
        let n = 30
        let cfg = small { $0.offline = [0, 5, 10, 15, 20]; $0.epochLength = 200 }
        let (sim, r) = BabeSimulation.run(config: cfg, validators: n, seed: 5, duration: .minutes(200))
        let p = BabeThreshold.probability(sim.model.threshold)
        let m = Double(n - 5)
        // A primary and a secondary compete iff the designated author is online and has no
        // primary claim itself, and one of the other m-1 online validators has one.
        let others: Double = 1 - pow(1 - p, m - 1)
        let expected: Double = (m / Double(n)) * (1 - p) * others
        let share = r.scalar("slots.primary_and_secondary_share")!
        #expect(abs(share - expected) < 0.03, "competing share \(share) vs expected \(expected)")
        // Every slot whose designated secondary author is online has a block; the others are
        // empty unless an online validator wins a primary.
        let slotRows = rows(r, "slots")
        #expect(slotRows.count == 2000)
        var onlineSlots = 0, emptyOffline = 0, offlineSlots = 0
        for row in slotRows {
            let blocks = intValue(row[1])! + intValue(row[2])!
            if row[6] == .integer(1) {
                onlineSlots += 1
                #expect(blocks >= 1, "slot \(row[0]) has an online secondary author but no block")
            } else {
                offlineSlots += 1
                if blocks == 0 { emptyOffline += 1 }
            }
        }
        #expect(onlineSlots > 1500 && offlineSlots > 200)
        // Empty share among offline-author slots: P(no online primary) = (1-p)^m.
        let emptyExpected = pow(1 - p, m)
        #expect(abs(Double(emptyOffline) / Double(offlineSlots) - emptyExpected) < 0.08)
        #expect(r.scalar("converged") == 1)
        #expect(r.scalar("epoch")! >= 9)   // epochs of 200 slots turned over
    }

    @Test func partitionForksAndHeals() {
        let n = 40
        let groupA = (0..<UInt32(n / 2)).map { $0 }
        let faults = [TimedFault(at: .minutes(5), fault: .partition([groupA])),
                      TimedFault(at: .minutes(15), fault: .heal)]
        let (sim, r) = BabeSimulation.run(config: small(), validators: n, seed: 3, faults: faults, duration: .minutes(20))
        #expect(r.scalar("converged") == 1)
        // During the partition both halves built chains of ~100 slots: the loser retracts many.
        #expect(r.scalar("reorg.max_depth")! >= 20)
        #expect(r.scalar("blocks.orphaned")! >= 40)
        let deep = rows(r, "reorgs").filter { intValue($0[2])! >= 20 }
        #expect(!deep.isEmpty)
        // The nodes that switched are (about) one half.
        #expect(deep.map { Int(intValue($0[3])!) }.reduce(0, +) >= n / 2 - 2)
        #expect(sim.model.converged(at: sim.endTime))
    }

    @Test func notConvergedWhileStillPartitioned() {
        let faults = [TimedFault(at: .minutes(2), fault: .partition([(0..<10).map { UInt32($0) }]))]
        let (_, r) = BabeSimulation.run(config: small(), validators: 20, seed: 3, faults: faults, duration: .minutes(6))
        #expect(r.scalar("converged") == 0)
        #expect(r.scalar("converged.strict") == 0)
    }

    @Test func crashedNodesCatchUpAfterRestart() {
        let crashed: [UInt32] = [1, 2, 3, 4, 5, 6]
        let faults = [TimedFault(at: .minutes(2), fault: .crash(crashed)),
                      TimedFault(at: .minutes(10), fault: .restart(crashed))]
        let (sim, r) = BabeSimulation.run(config: small(), validators: 30, seed: 8, faults: faults, duration: .minutes(12))
        #expect(r.scalar("converged") == 1)
        let head = sim.model.canonicalHead
        let settled = sim.model.tree.ancestor(of: head, atNumber: sim.model.tree.number[Int(head)] - 2)
        for v in crashed {
            #expect(sim.model.views.hasImported(v, settled))
            #expect(sim.model.views.best[Int(v)] != settled || head == settled)
        }
        // While they were down, slots designated to them had no secondary block.
        #expect(r.scalar("slots.empty_share")! > 0)
    }

    @Test func equivocationsAreDetected() {
        let cfg = small { $0.equivocators = [7] }
        let (sim, r) = BabeSimulation.run(config: cfg, validators: 20, seed: 21, duration: .minutes(30))
        let offences = rows(r, "offences")
        #expect(!offences.isEmpty)
        #expect(r.scalar("offences.babe_equivocation") == Double(offences.count))
        for o in offences {
            #expect(o[1] == .integer(7))
            let a = BlockId(intValue(o[3])!), b = BlockId(intValue(o[4])!)
            #expect(sim.model.tree.author[Int(a)] == 7 && sim.model.tree.author[Int(b)] == 7)
            #expect(sim.model.tree.slot[Int(a)] == sim.model.tree.slot[Int(b)])
            #expect(intValue(o[7])! >= 10)   // most honest nodes saw both
        }
        // Every slot in which 7 authored has two blocks from it and one offence.
        let authoredSlots = Set((1..<sim.model.tree.count).filter { sim.model.tree.author[$0] == 7 }.map { sim.model.tree.slot[$0] })
        #expect(authoredSlots.count == offences.count)
        #expect(r.scalar("converged") == 1)
    }

    @Test func noEquivocatorNoOffence() {
        let (_, r) = BabeSimulation.run(config: small(), validators: 20, seed: 21, duration: .minutes(10))
        #expect(r.scalar("offences.babe_equivocation") == 0)
        #expect(rows(r, "offences").isEmpty)
    }

    @Test func deterministicPerSeed() {
        func run(_ seed: UInt64) -> RunResults {
            BabeSimulation.run(config: small(), validators: 25, seed: seed,
                               faults: [TimedFault(at: .minutes(3), fault: .partition([[0, 1, 2, 3, 4, 5]])),
                                        TimedFault(at: .minutes(6), fault: .heal)],
                               duration: .minutes(10)).results
        }
        let a = run(4), b = run(4), c = run(5)
        for name in ["blocks", "slots", "reorgs", "offences"] {
            #expect(rows(a, name) == rows(b, name), "table \(name)")
        }
        #expect(a.scalars.map { $0.name } == b.scalars.map { $0.name })
        #expect(a.scalars.map { $0.value } == b.scalars.map { $0.value })
        #expect(a.distributions.map { $0.histogram } == b.distributions.map { $0.histogram })
        #expect(rows(a, "blocks") != rows(c, "blocks"))
    }

    @Test func offlineValidatorsNeverAuthorOrImport() {
        let cfg = small { $0.offline = [2, 4] }
        let (sim, _) = BabeSimulation.run(config: cfg, validators: 12, seed: 2, duration: .minutes(10))
        let m = sim.model
        #expect((1..<m.tree.count).allSatisfy { m.tree.author[$0] != 2 && m.tree.author[$0] != 4 })
        #expect(m.views.best[2] == BlockTree.genesis && m.views.best[4] == BlockTree.genesis)
        #expect(m.views.imported.count(row: 2) == 1)
        #expect(m.liveNodes.count == 10)
    }

    @Test func metricsListCoversTheResults() {
        let (_, r) = BabeSimulation.run(config: small(), validators: 10, seed: 1, duration: .minutes(2))
        let declared = Set(BabeModel.metrics.map { $0.name })
        for s in r.scalars { #expect(declared.contains(s.name), "undeclared scalar \(s.name)") }
        for d in r.distributions { #expect(declared.contains(d.name), "undeclared distribution \(d.name)") }
        #expect(declared.count == r.scalars.count + r.distributions.count)
    }
}

@Suite struct BabeFinalityHookTests {
    @Test func finalizeRestrictsForkChoiceAndPrunes() {
        let (sim, _) = BabeSimulation.run(config: small(), validators: 10, seed: 9, duration: .minutes(10))
        var m = sim.model
        let head = m.canonicalHead
        let target = m.tree.ancestor(of: head, atNumber: 70)
        for v in 0..<10 {
            let ok = m.finalize(node: UInt32(v), block: target, at: sim.endTime)
            #expect(ok)
        }
        #expect(m.views.finalized.allSatisfy { $0 == target })
        #expect(m.tree.prunedBelow == 70)
        #expect(m.tree.state(m.tree.ancestor(of: head, atNumber: 69)) == nil)
        #expect(m.tree.state(target) != nil)
        // Finalizing a block off the node's finalized chain is refused.
        let sibling = (1..<m.tree.count).map { BlockId($0) }.first { m.tree.number[Int($0)] <= 70 && !m.tree.isAncestor($0, of: target) }
        if let s = sibling {
            let ok = m.finalize(node: 0, block: s, at: sim.endTime)
            #expect(!ok)
        }
        // Finalizing a fork that is not on the best chain moves the best block onto it.
        let fork = (1..<m.tree.count).map { BlockId($0) }.first {
            m.tree.number[Int($0)] > 70 && m.tree.isAncestor(target, of: $0) && !m.tree.isAncestor($0, of: m.views.best[3]) && m.views.hasImported(3, $0)
        }
        if let f = fork {
            let before = m.views.best[3]
            let ok = m.finalize(node: 3, block: f, at: sim.endTime)
            #expect(ok)
            #expect(m.views.best[3] != before)
            #expect(m.tree.isAncestor(f, of: m.views.best[3]))
        } else {
            Issue.record("no fork above the finalized block to test with")
        }
    }
}

/// Clock skew and slow nodes (timeline `clock_skew` / `slow`) change what BABE does.
@Suite struct BabeTimedConditionTests {
    /// A node whose clock is behind authors its blocks that much later in real time; one far
    /// ahead authors blocks of slots that have not begun for the others, who refuse them.
    @Test func skewedClocksShiftAuthoringAndFutureBlocksAreRefused() {
        let n = 12
        let behind = [TimedFault(at: .zero, fault: .clockSkew(.seconds(-3), nodes: [5]))]
        let (sim, _) = BabeSimulation.run(config: small(), validators: n, seed: 4, faults: behind, duration: .minutes(20))
        let t = sim.model.tree
        var authored = 0
        for b in 1..<t.count where t.author[b] == 5 {
            authored += 1
            // Produced 3 s after its slot's real start plus the proposal time.
            #expect(t.producedAt[b] == .seconds(6) * Int64(t.slot[b]) + .seconds(3) + .ms(500))
        }
        #expect(authored > 0)
        #expect(sim.model.rejectedFuture == 0)

        let ahead = [TimedFault(at: .zero, fault: .clockSkew(.seconds(13), nodes: [5]))]
        let (sim2, r2) = BabeSimulation.run(config: small(), validators: n, seed: 4, faults: ahead, duration: .minutes(20))
        let t2 = sim2.model.tree
        let own = (1..<t2.count).filter { t2.author[$0] == 5 }
        #expect(!own.isEmpty)
        // Its blocks carry the slot its clock shows: 2 or 3 slots after the real one.
        for b in own {
            let realSlot = UInt64((t2.producedAt[b] - .ms(500)).nanoseconds / 6_000_000_000)
            #expect(t2.slot[b] >= realSlot + 2)
        }
        #expect(sim2.model.rejectedFuture > 0)
        #expect(r2.scalar("blocks.rejected_future")! > 0)
    }

    /// A slow node imports and authors `factor` times slower.
    @Test func slowNodesImportAndAuthorSlower() {
        let faults = [TimedFault(at: .zero, fault: .slow(8, nodes: [3]))]
        let (sim, _) = BabeSimulation.run(config: small(), validators: 12, seed: 4, faults: faults, duration: .minutes(20))
        let t = sim.model.tree
        var authored = 0
        for b in 1..<t.count where t.author[b] == 3 {
            authored += 1
            #expect(t.producedAt[b] == .seconds(6) * Int64(t.slot[b]) + .ms(500) * 8)
        }
        #expect(authored > 0)
        // Node 3 imports each block 8 × 250 ms after it arrives: the slowest import of every
        // block it imported takes over 2 s, which no node at normal speed comes near.
        func slowestImports(_ s: Simulation<BabeModel>) -> [Int64] {
            (1..<s.model.tree.count).filter { s.model.tree.author[$0] != 3 && s.model.views.hasImported(3, BlockId($0)) }
                .map { s.model.importDelays[$0].max() ?? 0 }
        }
        let slow = slowestImports(sim)
        #expect(!slow.isEmpty && slow.allSatisfy { $0 >= 2_000_000_000 })
        let (plain, _) = BabeSimulation.run(config: small(), validators: 12, seed: 4, duration: .minutes(20))
        #expect(slowestImports(plain).allSatisfy { $0 < 2_000_000_000 })
    }
}
