import Testing
import CanaryEngine
@testable import CanaryConsensus

/// Per-receiver vote batches (`BabeGrandpaConfig.voteBatch`, `GrandpaRound.refresh`,
/// `GrandpaVoter.importBatchedVote`): one GHOST search per batch instead of per vote, with the
/// same round state and, on the node stack, the same finalized chain.
@Suite struct GrandpaVoteBatchTests {
    /// A tree with forks: a spine of 12 blocks, a 5-block fork from #4 and a 4-block fork from #7.
    static func chain() -> GrandpaTestChain {
        var c = GrandpaTestChain()
        c.push("genesis", (1...12).map { "S\($0)" })
        c.push("S4", (1...5).map { "A\($0)" })
        c.push("S7", (1...4).map { "B\($0)" })
        return c
    }

    /// Random votes (some voters equivocate) imported one by one with `importPrevote` /
    /// `importPrecommit`, and the same votes imported in random chunks with `importVote` and one
    /// `refresh` per chunk: after every chunk the round states are equal.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func chunkedImportsGiveTheSameRoundState(seed: UInt64) {
        let c = Self.chain()
        let voters = GrandpaVoterSet(count: 16)
        var rng = Xoshiro256StarStar(seed: seed)
        let blocks = (0..<c.count).map { BlockId($0) }
        // Votes lean on the spine so that rounds finalize and complete.
        var votes: [(GrandpaPhase, Int, BlockId)] = []
        for phase in [GrandpaPhase.prevote, .precommit] {
            for v in 0..<voters.count {
                let b = rng.nextBelow(10) == 0 ? blocks[Int(rng.nextBelow(UInt64(blocks.count)))] : c["S\(6 + Int(rng.nextBelow(4)))"]
                votes.append((phase, v, b))
                if rng.nextBelow(8) == 0 { votes.append((phase, v, blocks[Int(rng.nextBelow(UInt64(blocks.count)))])) }
            }
        }
        for i in stride(from: votes.count - 1, to: 0, by: -1) { votes.swapAt(i, Int(rng.nextBelow(UInt64(i + 1)))) }
        var single = GrandpaRound(number: 1, voters: voters, base: GrandpaTarget(0, c.number(of: 0)))
        var batched = single
        var i = 0
        var chunks = 0
        while i < votes.count {
            let k = 1 + Int(rng.nextBelow(12))
            var prevotes = false
            for (phase, v, b) in votes[i..<min(i + k, votes.count)] {
                let a = phase == .prevote ? single.importPrevote(v, b, chain: c) : single.importPrecommit(v, b, chain: c)
                let o = batched.importVote(phase, v, b, chain: c)
                #expect(a == o)
                if phase == .prevote, o != .duplicate, o != .ignored { prevotes = true }
            }
            batched.refresh(prevotesChanged: prevotes)
            #expect(batched.state == single.state, "seed \(seed), after vote \(min(i + k, votes.count))")
            i += k
            chunks += 1
        }
        // The votes reach a prevote-GHOST and finalize a block: the compared states are not trivial.
        #expect(single.prevoteGhost != nil && single.finalized != nil, "seed \(seed)")
        #expect(chunks > 5)
    }

    static func run(n: Int, batch: SimTime, seconds: Int64 = 60, seed: UInt64 = 2) -> (Simulation<BabeGrandpaModel>, RunResults) {
        var c = BabeGrandpaConfig()
        c.babe.peers = 4
        c.babe.blockSize = 16 * 1024
        c.voteBatch = batch
        var s = BabeGrandpaModel.simulation(config: c, validators: n, seed: seed, duration: .seconds(seconds))
        _ = s.run()
        return (s, s.model.results(at: s.ctx.now))
    }

    /// The finalized chain of node 0 as (slot, author) pairs from genesis up to `height`.
    static func finalizedChain(_ s: Simulation<BabeGrandpaModel>, upTo height: UInt32) -> [[UInt64]] {
        let t = s.model.tree
        var b = t.ancestor(of: s.model.finalized[0], atNumber: height)
        var out: [[UInt64]] = []
        while b != BlockTree.none { out.append([t.slot[Int(b)], UInt64(t.author[Int(b)])]); b = t.parent[Int(b)] }
        return out.reversed()
    }

    /// Batches off (one event and one GHOST search per vote copy) and on (1 ms buckets): the
    /// same blocks are finalized, by fewer events.
    @Test func batchingOffAndOnFinalizeTheSameChain() {
        let (off, ro) = Self.run(n: 12, batch: .zero)
        let (on, rn) = Self.run(n: 12, batch: .ms(1))
        let ho = UInt32(ro.scalar("finalized_height.min")!), hn = UInt32(rn.scalar("finalized_height.min")!)
        #expect(ho >= 5 && hn >= 5, "finalized \(ho), \(hn)")
        let h = min(ho, hn)
        #expect(Self.finalizedChain(off, upTo: h) == Self.finalizedChain(on, upTo: h))
        #expect(abs(Int(ho) - Int(hn)) <= 1)
        #expect(ro.scalar("safety_violations") == 0 && rn.scalar("safety_violations") == 0)
        #expect(ro.scalar("grandpa.vote_batches") == 0)
        #expect(rn.scalar("grandpa.vote_batches")! > 0)
        #expect(on.ctx.events < off.ctx.events, "events with batches \(on.ctx.events), without \(off.ctx.events)")
        // Every vote copy is still received (new votes within 2 %; the timing moves by < 1 ms per hop).
        let newOff = ro.scalar("grandpa.gossip.new_votes")!, newOn = rn.scalar("grandpa.gossip.new_votes")!
        #expect(abs(newOn - newOff) <= 0.02 * newOff, "new votes \(newOff) -> \(newOn)")
    }

    /// 0.1 ms and 1 ms buckets: results agree within stated tolerances — finalized height within
    /// one block, the median finality lag in blocks equal, the 99th percentile of the lag in
    /// seconds within 10 %, rounds per minute within 5 %.
    @Test func bucketLengthDoesNotChangeResultsMaterially() {
        let (_, fine) = Self.run(n: 20, batch: .us(100))
        let (_, coarse) = Self.run(n: 20, batch: .ms(1))
        func lag(_ r: RunResults, _ name: String, _ q: Double) -> Double {
            Double(r.distributions.first { $0.name == name }!.histogram.quantile(q) ?? 0)
        }
        #expect(fine.scalar("safety_violations") == 0 && coarse.scalar("safety_violations") == 0)
        #expect(abs(fine.scalar("finalized_height")! - coarse.scalar("finalized_height")!) <= 1)
        #expect(lag(fine, "finality_lag_blocks", 0.5) == lag(coarse, "finality_lag_blocks", 0.5))
        let p99f = lag(fine, "finality_lag_seconds", 0.99), p99c = lag(coarse, "finality_lag_seconds", 0.99)
        #expect(abs(p99f - p99c) <= 0.1 * p99f, "p99 lag \(p99f / 1e9) s vs \(p99c / 1e9) s")
        let rf = fine.scalar("rounds_per_minute")!, rc = coarse.scalar("rounds_per_minute")!
        #expect(abs(rf - rc) <= 0.05 * rf, "rounds/min \(rf) vs \(rc)")
        #expect(coarse.scalar("grandpa.vote_batches")! < fine.scalar("grandpa.vote_batches")!)
    }
}
