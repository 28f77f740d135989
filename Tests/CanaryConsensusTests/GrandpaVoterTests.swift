import Testing
import CanaryEngine
@testable import CanaryConsensus

/// finality-grandpa `src/voter/mod.rs` situations against `GrandpaVoter`, over the engine's
/// network with `GrandpaFixedChainModel`.
@Suite struct GrandpaVoterTests {
    static func chain() -> GrandpaTestChain {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C", "D", "E"])
        return c
    }
    /// The crate's test environment: no voting rules.
    static var crateConfig: GrandpaConfig {
        var c = GrandpaConfig.kusama
        c.gossipDuration = .ms(500)
        c.beforeBestBy = 0
        c.threeQuartersRule = false
        return c
    }

    static func sim(_ model: GrandpaFixedChainModel, nodes: Int, seed: UInt64 = 1, faults: [TimedFault] = [],
                    end: SimTime = .seconds(30)) -> Simulation<GrandpaFixedChainModel> {
        Simulation(model: model, network: GrandpaFixedChainModel.network(), nodeRegion: Array(repeating: 0, count: nodes),
                   seed: seed, faults: faults, endTime: end)
    }

    @Test func talkingToMyself() {
        let c = Self.chain()
        let model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(nodes: [0], weights: [100]), nodes: 1,
                                           config: Self.crateConfig, seed: 1)
        var s = Self.sim(model, nodes: 1, end: .seconds(5))
        _ = s.run()
        #expect(s.model.finalized(0) == GrandpaTarget(c["E"], 6))
        #expect(s.model.finalizations.first?.round == 1)
        // Round 1 completed and later rounds keep going.
        #expect(s.model.voters[0].currentRound >= 2)
        // broadcast_commit: a lone voter broadcasts its commit (to nobody, but it is sent).
        #expect(s.model.commitsSent >= 1)
    }

    @Test func finalizingAtFaultThreshold() {
        let c = Self.chain()
        var roles = Array(repeating: GrandpaRole.honest, count: 10)
        for i in 7..<10 { roles[i] = .withhold }
        let model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(count: 10), nodes: 10,
                                           config: Self.crateConfig, roles: roles, seed: 2)
        var s = Self.sim(model, nodes: 10, end: .seconds(10))
        _ = s.run()
        for n in 0..<7 { #expect(s.model.finalized(UInt32(n)) == GrandpaTarget(c["E"], 6)) }
        // exposing_voter_state: threshold 7, best round moved on after finalization.
        #expect(s.model.voters[0].voters.threshold == 7)
        #expect(s.model.voters[0].currentRound >= 2)
    }

    @Test func stallsBelowThreshold() {
        let c = Self.chain()
        var roles = Array(repeating: GrandpaRole.honest, count: 10)
        for i in 6..<10 { roles[i] = .withhold }
        let model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(count: 10), nodes: 10,
                                           config: Self.crateConfig, roles: roles, seed: 2)
        var s = Self.sim(model, nodes: 10, end: .seconds(20))
        _ = s.run()
        #expect(s.model.finalizations.isEmpty)
        #expect(s.model.voters[0].currentRound == 1)
    }

    @Test func roundTimingFollowsTimers() {
        // With T = 1 s and 50 ms latency, honest voters prevote at 2T and precommit when the
        // round becomes completable (after the 4T timer of the others): round 1 lasts ~4T.
        let c = Self.chain()
        let model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(count: 4), nodes: 4, config: .kusama, seed: 3)
        var s = Self.sim(model, nodes: 4, end: .seconds(60))
        _ = s.run()
        let r1 = s.model.completedRounds.filter { $0.round == 1 }
        #expect(r1.count == 4)
        for r in r1 {
            let d = (r.at - r.startedAt).nanoseconds
            #expect(d >= 4_000_000_000 && d < 4_200_000_000, "round 1 took \(d) ns")
        }
        // Kusama voting rules: best E(6), base genesis(1): min(6 - 2, 1 + ceil(3/4 * 5)) = 4 -> C.
        let first = s.model.finalizations.filter { $0.node == 0 }.first!
        #expect(first.target == GrandpaTarget(c["C"], 4))
        // Later rounds reach the best - 2 limit and stop there.
        #expect(s.model.finalized(0) == GrandpaTarget(c["C"], 4))
        #expect(s.model.voters[0].currentRound > 5)
    }

    @Test func broadcastCommitOnlyIfNewer() {
        // A lone voter that already saw a commit for its round's target does not send its own.
        let c = Self.chain()
        let set = GrandpaVoterSet(nodes: [0], weights: [100])
        var v = GrandpaVoter(node: 0, config: Self.crateConfig, voters: set, base: GrandpaTarget(0, 1), streams: RandomStreams(seed: 1))
        let env = GrandpaFixedEnvironment(chain: c)
        var out: [GrandpaOutput] = []
        v.start(now: .zero, env: env, out: &out)
        v.timer(.prevote, setId: 0, round: 1, now: .seconds(1), env: env, out: &out)
        #expect(v.currentRound == 1)   // prevoted; a lone voter precommits at its 4T timer
        v.timer(.precommit, setId: 0, round: 1, now: .seconds(2), env: env, out: &out)
        #expect(v.currentRound == 2)   // completable alone: prevote, precommit, next round
        let commitTimers = out.compactMap { o -> UInt64? in if case .timer(_, .commit, _, let r) = o { return r } else { return nil } }
        #expect(commitTimers == [1])
        out.removeAll()
        let commit = GrandpaCommit(setId: 0, round: 1, target: GrandpaTarget(c["E"], 6),
                                   precommits: [GrandpaSignedVote(voter: 0, block: c["E"], number: 6)])
        v.receive(.commit(commit), from: 9, now: .seconds(1), env: env, out: &out)
        v.timer(.commit, setId: 0, round: 1, now: .seconds(2), env: env, out: &out)
        #expect(!out.contains { if case .broadcast(.commit) = $0 { return true } else { return false } })
        // Without the earlier commit the voter does broadcast one.
        var w = GrandpaVoter(node: 0, config: Self.crateConfig, voters: set, base: GrandpaTarget(0, 1), streams: RandomStreams(seed: 1))
        out.removeAll()
        w.start(now: .zero, env: env, out: &out)
        w.timer(.prevote, setId: 0, round: 1, now: .seconds(1), env: env, out: &out)
        w.timer(.precommit, setId: 0, round: 1, now: .seconds(2), env: env, out: &out)
        out.removeAll()
        w.timer(.commit, setId: 0, round: 1, now: .seconds(2), env: env, out: &out)
        let sent = out.compactMap { o -> GrandpaCommit? in if case .broadcast(.commit(let c)) = o { return c } else { return nil } }
        #expect(sent.count == 1 && sent[0].target == GrandpaTarget(c["E"], 6) && sent[0].precommits.count == 1)
    }

    @Test func importCommitForAnyRound() {
        let c = Self.chain()
        let set = GrandpaVoterSet(count: 3)
        var v = GrandpaVoter(node: 0, config: Self.crateConfig, voters: set, base: GrandpaTarget(0, 1), streams: RandomStreams(seed: 1))
        let env = GrandpaFixedEnvironment(chain: c)
        var out: [GrandpaOutput] = []
        v.start(now: .zero, env: env, out: &out)
        out.removeAll()
        let target = GrandpaTarget(c["D"], 5)
        let pcs = (0..<3).map { GrandpaSignedVote(voter: UInt32($0), block: c["D"], number: 5) }
        v.receive(.commit(GrandpaCommit(setId: 0, round: 0, target: target, precommits: pcs)), from: 1, now: .ms(10), env: env, out: &out)
        #expect(v.lastFinalized == target)
        #expect(out.contains { if case .finalized(target, 0, true) = $0 { return true } else { return false } })
        // An invalid commit (2 of 3 precommits, threshold 3) finalizes nothing.
        var w = GrandpaVoter(node: 0, config: Self.crateConfig, voters: set, base: GrandpaTarget(0, 1), streams: RandomStreams(seed: 1))
        w.start(now: .zero, env: env, out: &out)
        w.receive(.commit(GrandpaCommit(setId: 0, round: 0, target: target, precommits: Array(pcs.prefix(2)))), from: 1, now: .ms(10), env: env, out: &out)
        #expect(w.lastFinalized == GrandpaTarget(0, 1))
        // A commit of another set is ignored.
        w.receive(.commit(GrandpaCommit(setId: 5, round: 0, target: target, precommits: pcs)), from: 1, now: .ms(10), env: env, out: &out)
        #expect(w.lastFinalized == GrandpaTarget(0, 1))
    }

    @Test func skipsToLatestRoundAfterCatchUp() {
        let c = Self.chain()
        let set = GrandpaVoterSet(count: 3)
        var v = GrandpaVoter(node: 0, config: Self.crateConfig, voters: set, base: GrandpaTarget(0, 1), streams: RandomStreams(seed: 1))
        let env = GrandpaFixedEnvironment(chain: c)
        var out: [GrandpaOutput] = []
        v.start(now: .zero, env: env, out: &out)
        out.removeAll()
        // A vote from round 5 (>= 2 ahead) triggers a catch-up request to its sender.
        let far = GrandpaVoteMessage(setId: 0, round: 5, phase: .prevote, voter: 1, target: GrandpaTarget(c["C"], 4))
        v.receive(.vote(far), from: 1, now: .ms(5), env: env, out: &out)
        #expect(out.contains { if case .send(.catchUpRequest(0, 1), 1) = $0 { return true } else { return false } })
        // Only one outstanding request.
        out.removeAll()
        v.receive(.vote(far), from: 2, now: .ms(6), env: env, out: &out)
        #expect(out.isEmpty)
        let votes = (0..<3).map { GrandpaSignedVote(voter: UInt32($0), block: c["C"], number: 4) }
        let cu = GrandpaCatchUp(setId: 0, round: 5, base: GrandpaTarget(0, 1), prevotes: votes, precommits: votes)
        v.receive(.catchUp(cu), from: 1, now: .ms(10), env: env, out: &out)
        #expect(v.currentRound == 6)
        #expect(v.keptRounds.contains(5))
        #expect(v.lastFinalized == GrandpaTarget(c["C"], 4))
        #expect(out.contains { if case .finalized(GrandpaTarget(c["C"], 4), 5, true) = $0 { return true } else { return false } })
        // A catch-up that is not completable (too few precommits) is rejected.
        var w = GrandpaVoter(node: 0, config: Self.crateConfig, voters: set, base: GrandpaTarget(0, 1), streams: RandomStreams(seed: 1))
        w.start(now: .zero, env: env, out: &out)
        w.receive(.catchUp(GrandpaCatchUp(setId: 0, round: 5, base: GrandpaTarget(0, 1), prevotes: votes, precommits: Array(votes.prefix(2)))),
                  from: 1, now: .ms(10), env: env, out: &out)
        #expect(w.currentRound == 1)
    }

    @Test func laggingVoterCatchesUpOverTheNetwork() {
        // Node 3 is down for the first 20 s; 3 of 4 (threshold 3) keep finalizing. When it
        // returns, a vote from a round >= 2 ahead makes it request and apply a catch-up.
        let c = Self.chain()
        let model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(count: 4), nodes: 4, config: Self.crateConfig, seed: 4)
        let faults = [TimedFault(at: .ms(1), fault: .crash([3])), TimedFault(at: .seconds(20), fault: .restart([3]))]
        var s = Self.sim(model, nodes: 4, faults: faults, end: .seconds(30))
        _ = s.run()
        #expect(s.model.completedRounds.contains { $0.node == 3 && $0.caughtUp })
        #expect(s.model.finalized(3) == GrandpaTarget(c["E"], 6))
        let r0 = s.model.voters[0].currentRound, r3 = s.model.voters[3].currentRound
        #expect(r3 + 1 >= r0 && r3 > 5)
    }

    @Test func equivocatorsAreReportedAndSafetyHolds() {
        var c = Self.chain()
        c.push("C", ["X1", "X2", "X3"])
        var roles = Array(repeating: GrandpaRole.honest, count: 7)
        roles[1] = .equivocate
        roles[4] = .equivocate
        var env = GrandpaFixedEnvironment(chain: c)
        env.best = c["E"]
        var model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(count: 7), nodes: 7, config: Self.crateConfig, roles: roles, seed: 5)
        model.envs = Array(repeating: env, count: 7)
        var s = Self.sim(model, nodes: 7, end: .seconds(20))
        _ = s.run()
        let reported = Set(s.model.equivocations.filter { roles[Int($0.reporter)] == .honest }.map { $0.equivocation.voter })
        #expect(reported == [1, 4])
        #expect(s.model.equivocations.contains { $0.equivocation.phase == .prevote })
        #expect(s.model.equivocations.contains { $0.equivocation.phase == .precommit })
        for n in 0..<7 where roles[n] == .honest { #expect(s.model.finalized(UInt32(n)) == GrandpaTarget(c["E"], 6)) }
    }

    @Test func minorityForkVotersDoNotPreventFinality() {
        var c = Self.chain()
        c.push("C", ["X1", "X2", "X3"])
        var roles = Array(repeating: GrandpaRole.honest, count: 7)
        roles[0] = .minorityFork; roles[3] = .minorityFork
        var env = GrandpaFixedEnvironment(chain: c)
        env.best = c["E"]
        var model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(count: 7), nodes: 7, config: Self.crateConfig, roles: roles, seed: 6)
        model.envs = Array(repeating: env, count: 7)
        var s = Self.sim(model, nodes: 7, end: .seconds(20))
        _ = s.run(until: .ms(1500))
        // The byzantine voters prevoted on the X fork in round 1 (prevotes at 2T = 1 s).
        let r1 = s.model.voters[1].round(1)!
        #expect(r1.vote(.prevote, voter: 0) == c["X3"])
        #expect(r1.vote(.prevote, voter: 3) == c["X3"])
        #expect(r1.vote(.prevote, voter: 1) == c["E"])
        _ = s.run()
        for n in 0..<7 where roles[n] == .honest { #expect(s.model.finalized(UInt32(n)) == GrandpaTarget(c["E"], 6)) }
    }

    @Test func setChangeRestartsRoundsOnTheChangeBlock() {
        let c = Self.chain()
        let set0 = GrandpaVoterSet(count: 3)
        let env = GrandpaFixedEnvironment(chain: c)
        var v = GrandpaVoter(node: 0, config: Self.crateConfig, voters: set0, base: GrandpaTarget(0, 1), streams: RandomStreams(seed: 1))
        var out: [GrandpaOutput] = []
        v.start(now: .zero, env: env, out: &out)
        let set1 = GrandpaVoterSet(nodes: [0, 3, 4, 5])
        v.changeSet(setId: 1, voters: set1, base: GrandpaTarget(c["C"], 4), now: .seconds(1), env: env, out: &out)
        #expect(v.setId == 1 && v.currentRound == 1)
        #expect(v.bestRound!.base == GrandpaTarget(c["C"], 4))
        #expect(v.lastFinalized == GrandpaTarget(c["C"], 4))
        #expect(v.voters.threshold == 3)
        // Old-set votes are ignored; new-set votes count.
        _ = v.receive(.vote(GrandpaVoteMessage(setId: 0, round: 1, phase: .prevote, voter: 1, target: GrandpaTarget(c["E"], 6))), from: 1, now: .seconds(1), env: env, out: &out)
        #expect(v.bestRound!.participation.prevote == 0)
        _ = v.receive(.vote(GrandpaVoteMessage(setId: 1, round: 1, phase: .prevote, voter: 1, target: GrandpaTarget(c["E"], 6))), from: 3, now: .seconds(1), env: env, out: &out)
        #expect(v.bestRound!.participation.prevote == 1)
    }

    @Test func setChangeOverTheNetwork() {
        // Four voters finalize under set 0, then all enact set 1 (voters 1, 2, 3 only) on C:
        // finality continues to E with the new set while node 0 only observes.
        let c = Self.chain()
        var model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(count: 4), nodes: 4, config: Self.crateConfig, seed: 7)
        var env = GrandpaFixedEnvironment(chain: c)
        env.best = c["C"]
        model.envs = Array(repeating: env, count: 4)
        var s = Self.sim(model, nodes: 4, end: .seconds(40))
        _ = s.run(until: .seconds(10))
        #expect(s.model.finalized(1) == GrandpaTarget(c["C"], 4))
        let full = GrandpaFixedEnvironment(chain: c)
        for n in 0..<4 {
            s.model.envs[n] = full
            s.model.changeSet(node: UInt32(n), setId: 1, voters: GrandpaVoterSet(nodes: [1, 2, 3]), base: GrandpaTarget(c["C"], 4), &s.ctx)
        }
        _ = s.run()
        for n in 1..<4 { #expect(s.model.finalized(UInt32(n)) == GrandpaTarget(c["E"], 6)) }
        #expect(s.model.voters[0].voterIndex == nil)
        #expect(s.model.finalizations.contains { $0.node == 1 && $0.target.number == 6 && $0.round >= 1 })
        #expect(s.model.voters[1].setId == 1)
    }

    @Test func deterministicAcrossRuns() {
        func run() -> [String] {
            let c = Self.chain()
            var roles = Array(repeating: GrandpaRole.honest, count: 9)
            roles[2] = .equivocate
            let model = GrandpaFixedChainModel(chain: c, voters: GrandpaVoterSet(count: 9), nodes: 9, config: .kusama, roles: roles, seed: 9)
            var s = Simulation(model: model, network: .threeContinents, nodeRegion: (0..<9).map { UInt16($0 % 3) },
                               seed: 9, faults: [], endTime: .seconds(60))
            _ = s.run()
            return s.model.finalizations.map { "\($0.node):\($0.target.block):\($0.round):\($0.at.nanoseconds)" }
                + s.model.completedRounds.map { "\($0.node):\($0.round):\($0.at.nanoseconds)" }
        }
        let a = run(), b = run()
        #expect(!a.isEmpty)
        #expect(a == b)
    }
}
