import Testing
import CanaryEngine
@testable import CanaryConsensus

/// GRANDPA over BABE in one simulation (`BabeGrandpaModel`).
@Suite struct GrandpaBabeTests {
    static func config(_ edit: (inout BabeGrandpaConfig) -> Void = { _ in }) -> BabeGrandpaConfig {
        var c = BabeGrandpaConfig()
        c.babe.peers = 4
        c.babe.blockSize = 32 * 1024
        edit(&c)
        return c
    }
    static func run(_ c: BabeGrandpaConfig, validators: Int = 30, seed: UInt64 = 1, faults: [TimedFault] = [],
                    duration: SimTime = .minutes(10)) -> (Simulation<BabeGrandpaModel>, RunResults) {
        var s = BabeGrandpaModel.simulation(config: c, validators: validators, seed: seed, faults: faults, duration: duration)
        _ = s.run()
        return (s, s.model.results(at: s.ctx.now))
    }

    @Test func healthyNetworkFinalizesTwoToThreeBlocksBehind() {
        let (s, r) = Self.run(Self.config())
        let best = r.scalar("best_height")!
        let fin = r.scalar("finalized_height")!
        #expect(best >= 95)
        #expect(fin >= best - 5, "finalized \(fin) best \(best)")
        #expect(r.scalar("safety_violations") == 0)
        let lag = r.distribution("finality_lag_blocks")!
        #expect(lag.quantile(0.5)! >= 1 && lag.quantile(0.5)! <= 3, "median lag \(lag.quantile(0.5)!)")
        let secs = r.distribution("finality_lag_seconds")!
        #expect(secs.quantile(0.5)! > 6_000_000_000 && secs.quantile(0.5)! < 30_000_000_000)
        #expect(r.scalar("rounds_per_minute")! > 5)
        #expect(r.scalar("grandpa.offences") == 0)
        // Every node's finalized block is on its best chain.
        let m = s.model
        for n in 0..<30 { #expect(m.tree.isAncestor(m.finalized[n], of: m.views.best[n])) }
        // Tables.
        #expect((r.table("grandpa_finality")?.rows.count ?? 0) >= Int(fin))
        #expect((r.table("grandpa_rounds")?.rows.count ?? 0) > 50)
        // One network carries both protocols: blocks and votes are counted on the same links.
        let net = s.ctx.network.results(classes: BabeGrandpaModel.messageClasses, regions: s.ctx.network.config.regions)
        #expect((net.scalar("messages.block.sent") ?? 0) > 0 && (net.scalar("messages.grandpa-vote.sent") ?? 0) > 0)
        #expect(net.scalar("messages.sent") == BabeGrandpaModel.messageClasses.reduce(0) { $0 + (net.scalar("messages.\($1).sent") ?? 0) })
        #expect(r.tables.allSatisfy { !$0.name.hasPrefix("babe_") })
        #expect(r.tables.filter { $0.name == "blocks" }.count == 1)
    }

    /// `canary explore`'s shrunk finding (Scenarios/explore/findings/grandpa-restart-stall.yaml):
    /// a voter that restarts far behind must be answered with a catch-up even when the other
    /// voters have dropped every background round (their estimates finalized), else finality
    /// stalls for good with every node up.
    @Test func restartedVotersCatchUpAfterTheirPeersDroppedTheirBackgroundRounds() {
        let faults = [TimedFault(at: .seconds(36), fault: .crash([0])), TimedFault(at: .seconds(113), fault: .restart([0])),
                      TimedFault(at: .seconds(151), fault: .crash([1])), TimedFault(at: .minutes(5), fault: .restart([1]))]
        var c = BabeGrandpaConfig()
        c.babe.peers = 3
        var s = BabeGrandpaModel.simulation(config: c, validators: 4, seed: 17, faults: faults, duration: .minutes(8))
        _ = s.run()
        let r = s.model.results(at: s.ctx.now)
        #expect(r.scalar("grandpa.catch_ups")! >= 1)
        let best = r.scalar("best_height")!, fin = r.scalar("finalized_height.min")!
        #expect(fin >= best - 5, "finality stalled: finalized \(fin), best \(best)")
    }

    @Test func finalityStallsWithAThirdOfflineAndRecovers() {
        let down = (0..<11).map { UInt32($0 * 2 + 1) }   // 11 of 30 > 1/3 (threshold 21)
        let faults = [TimedFault(at: .minutes(2), fault: .crash(down)), TimedFault(at: .minutes(6), fault: .restart(down))]
        var s = BabeGrandpaModel.simulation(config: Self.config(), validators: 30, seed: 2, faults: faults, duration: .minutes(10))
        _ = s.run(until: .minutes(2) + .seconds(20))
        let atCrash = s.model.tree.number[Int(s.model.finalized[0])]
        _ = s.run(until: .minutes(6))
        let beforeRestart = s.model.tree.number[Int(s.model.finalized[0])]
        let bestAtRestart = s.model.tree.number[Int(s.model.views.best[0])]
        #expect(beforeRestart <= atCrash + 1, "finality advanced while stalled: \(atCrash) -> \(beforeRestart)")
        #expect(bestAtRestart > beforeRestart + 30)   // BABE continued
        _ = s.run()
        let r = s.model.results(at: s.ctx.now)
        let after = s.model.tree.number[Int(s.model.finalized[0])]
        #expect(after >= bestAtRestart, "finality did not resume: \(after) vs best at restart \(bestAtRestart)")
        #expect(r.scalar("safety_violations") == 0)
        // The returning nodes finalize too.
        #expect(s.model.tree.number[Int(s.model.finalized[1])] >= bestAtRestart)
    }

    @Test func partitionWithoutSupermajorityResumesAfterHeal() {
        let a = (0..<15).map { UInt32($0) }
        let faults = [TimedFault(at: .minutes(2), fault: .partition([a])), TimedFault(at: .minutes(5), fault: .heal)]
        let (s, r) = Self.run(Self.config(), seed: 3, faults: faults, duration: .minutes(9))
        #expect(r.scalar("safety_violations") == 0)
        let best = r.scalar("best_height")!
        #expect(r.scalar("finalized_height")! >= best - 6, "no recovery after heal")
        #expect(s.model.records.lagBlocks.maxValue > 20)   // it did stall
    }

    @Test func equivocatorsBelowAThirdAreReportedAndSafetyHolds() {
        let c = Self.config { $0.equivocate = [3, 8, 13]; $0.withhold = [20, 21] }
        let (s, r) = Self.run(c, seed: 4, duration: .minutes(5))
        #expect(r.scalar("safety_violations") == 0)
        #expect(r.scalar("grandpa.offences")! > 10)
        let offenders = Set(s.model.records.offences.map(\.offender))
        #expect(offenders == [3, 8, 13])
        #expect(r.scalar("finalized_height")! >= r.scalar("best_height")! - 6)
    }

    @Test func minorityForkVotersBelowAThird() {
        let c = Self.config { $0.minorityFork = [1, 2, 3, 4, 5, 6] }
        let (_, r) = Self.run(c, seed: 5, duration: .minutes(5))
        #expect(r.scalar("safety_violations") == 0)
        #expect(r.scalar("finalized_height")! >= r.scalar("best_height")! - 6)
    }

    @Test func standardSetChangeOnFinality() {
        let c = Self.config { $0.setChanges = [GrandpaSetChange(signalNumber: 20, delay: 0, voters: (0..<25).map { UInt32($0) })] }
        let (s, r) = Self.run(c, seed: 6, duration: .minutes(6))
        #expect(r.scalar("grandpa.set_id") == 1)
        #expect(s.model.voters[0].setId == 1)
        #expect(s.model.voters[29].voterIndex == nil)
        let change = s.model.records.setChanges.first!
        #expect(change.number == 20)
        #expect(r.scalar("finalized_height")! > 40)
        #expect(r.scalar("safety_violations") == 0)
    }

    @Test func deterministic() {
        func digest() -> [String] {
            let c = Self.config { $0.equivocate = [2] }
            let (_, r) = Self.run(c, seed: 8, faults: [TimedFault(at: .minutes(1), fault: .crash([5])), TimedFault(at: .minutes(2), fault: .restart([5]))],
                                  duration: .minutes(3))
            return r.scalars.map { "\($0.name)=\($0.value)" } + r.tables.flatMap { t in t.rows.map { "\(t.name):\($0)" } }
        }
        let a = digest(), b = digest()
        #expect(a.count > 100)
        #expect(a == b)
    }
}
