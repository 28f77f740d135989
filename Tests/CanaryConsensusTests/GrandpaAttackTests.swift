import Testing
import CanaryEngine
@testable import CanaryConsensus

/// The attack GRANDPA cannot survive (colluders above 1/3 across a partition) and its control
/// (colluders at most 1/3). Ten validators: threshold 10 - 3 = 7; nine: 9 - 2 = 7.
@Suite struct GrandpaAttackTests {
    static func run(validators: Int, colluders: [UInt32], halves: [[UInt32]]?, seed: UInt64 = 3,
                    duration: SimTime = .minutes(6)) -> (Simulation<BabeGrandpaModel>, RunResults) {
        var c = BabeGrandpaConfig()
        c.babe.peers = 4
        c.babe.blockSize = 32 * 1024
        c.collude = colluders
        let faults = halves.map { [TimedFault(at: .minutes(1), fault: .partition($0, bridges: colluders))] } ?? []
        var s = BabeGrandpaModel.simulation(config: c, validators: validators, seed: seed, faults: faults, duration: duration)
        _ = s.run()
        return (s, s.model.results(at: s.ctx.now))
    }

    static func conflicting(_ m: BabeGrandpaModel, _ a: Int, _ b: Int) -> Bool {
        !m.tree.isAncestor(m.finalized[a], of: m.finalized[b]) && !m.tree.isAncestor(m.finalized[b], of: m.finalized[a])
    }

    @Test func collusionAboveAThirdFinalizesBothForks() {
        // 3 + 4 = 7 votes on each side: each half finalizes its own fork.
        let (s, r) = Self.run(validators: 10, colluders: [6, 7, 8, 9], halves: [[0, 1, 2], [3, 4, 5]])
        let m = s.model
        #expect(r.scalar("safety_violations")! >= 1)
        #expect((r.table("grandpa_safety_violations")?.rows.count ?? 0) >= 1)
        for a in 0..<3 { for b in 3..<6 { let c = Self.conflicting(m, a, b); #expect(c, "nodes \(a) and \(b)") } }
        // The colluders relayed no blocks: no block of one half was imported by the other.
        let fa = m.finalized[0], fb = m.finalized[3]
        #expect(!m.views.hasImported(3, fa) && !m.views.hasImported(0, fb))
        #expect(m.sides == [[0, 1, 2], [3, 4, 5]])
    }

    @Test func collusionAtAThirdCannotBreakSafety() {
        // 3 + 3 = 6 < 7 on each side: neither half finalizes after the split.
        let (s, r) = Self.run(validators: 9, colluders: [6, 7, 8], halves: [[0, 1, 2], [3, 4, 5]])
        let m = s.model
        #expect(r.scalar("safety_violations") == 0)
        for a in 0..<3 { for b in 3..<6 { let c = Self.conflicting(m, a, b); #expect(!c, "nodes \(a) and \(b)") } }
        // Both forks grew well past the finalized block.
        for n in [0, 3] {
            #expect(m.tree.number[Int(m.views.best[n])] > m.tree.number[Int(m.finalized[n])] + 10)
        }
    }

    @Test func collusionAboveAThirdWithTwoThirdsOnOneSideKeepsSafety() {
        // 100-validator control shape, scaled: honest 4 + 3, colluders 3 of 10 (threshold 7):
        // the larger half reaches 7 and finalizes, the smaller one (6) cannot.
        let (s, r) = Self.run(validators: 10, colluders: [7, 8, 9], halves: [[0, 1, 2, 3], [4, 5, 6]])
        let m = s.model
        #expect(r.scalar("safety_violations") == 0)
        #expect(m.tree.number[Int(m.finalized[0])] > m.tree.number[Int(m.finalized[4])] + 5)
    }

    @Test func colludersWithoutAPartitionAreHonestVoters() {
        let (s, r) = Self.run(validators: 10, colluders: [6, 7, 8, 9], halves: nil, duration: .minutes(4))
        let m = s.model
        #expect(r.scalar("safety_violations") == 0)
        #expect(m.sides.count == 1)
        let best = r.scalar("best_height")!, fin = r.scalar("finalized_height")!
        #expect(fin >= best - 5 && fin >= 10, "finalized \(fin) best \(best)")
    }
}
