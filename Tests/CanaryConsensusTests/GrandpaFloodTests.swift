import Testing
import Foundation
import CanaryEngine
@testable import CanaryConsensus

/// Flood delivery (`gossip: flood`, `GrandpaFlood`): the templates are shortest arrival times
/// over the lucky-peer relay graph, buckets hand copies out per receiver in arrival order, and
/// on the node stack flood and polite gossip finalize alike.
@Suite struct GrandpaFloodTests {
    static func flood(_ n: Int, bucket: SimTime = .ms(1), seed: UInt64 = 1) -> GrandpaFlood {
        let net = NetworkConfig.threeContinents
        return GrandpaFlood(nodes: n, participants: (0..<n).map { UInt32($0) }, luckyPeers: 4, bucket: bucket,
                            gossipDuration: .seconds(1), roundDurationPeriods: 5, propagationSomeTenths: 15, voteSize: 150,
                            network: net, nodeRegion: (0..<n).map { UInt16($0 % 3) }, streams: RandomStreams(seed: seed))
    }

    /// Every template is a shortest-path solution over its variant's relay graph: the origin at
    /// 0, no edge can shorten an arrival (`offset[v] <= offset[u] + edge`), every arrival other
    /// than the origin's is reached by some edge exactly — except nodes no one picked, which get
    /// the second stage (1.5 nominal rounds = 7.5 s) plus a median latency.
    @Test(arguments: [50, 300])
    func templatesAreShortestArrivalsOverTheRelayGraph(n: Int) {
        var f = Self.flood(n)
        let k = f.luckyPeers
        var late = 0, total = 0
        for variant in 0..<GrandpaFlood.variants {
            for origin in [0, n / 2, n - 1] {
                let off = f.arrivalOffsets(variant, UInt32(origin))
                #expect(off[origin] == 0)
                var tight = Array(repeating: false, count: n)
                tight[origin] = true
                for u in 0..<n where off[u] < 7_000_000 {
                    for i in 0..<k {
                        let e = (variant * n + u) * k + i
                        let v = Int(f.peers[e])
                        #expect(off[v] <= off[u] + f.edgeLatency[e], "variant \(variant) edge \(u)->\(v)")
                        if off[v] == off[u] + f.edgeLatency[e] { tight[v] = true }
                    }
                }
                for v in 0..<n where v != origin {
                    total += 1
                    if off[v] >= 7_500_000 {
                        late += 1
                        // No node the first stage reaches relays to it (the inequality above checks it: here, counted).
                        for u in 0..<n where off[u] < 7_000_000 {
                            for i in 0..<k { #expect(f.peers[(variant * n + u) * k + i] != UInt32(v)) }
                        }
                        #expect(off[v] <= 7_500_000 + 200_000)
                    } else {
                        #expect(tight[v], "node \(v)'s arrival is not explained by an edge")
                    }
                }
            }
        }
        // About e^-4 of the nodes are in no one's lucky set (1.8 %); the variants hold a few hundred.
        let share = Double(late) / Double(total)
        if n >= 300 { #expect(share > 0.005 && share < 0.04, "second-stage share \(share)") }
    }

    /// A bucket's copies come out grouped by receiver, ascending, in arrival order within each,
    /// and copies to a node that crashed after they were sent carry an old epoch.
    @Test(arguments: [10, 200])
    func bucketsComeOutPerReceiverInArrivalOrder(n: Int) {
        var f = Self.flood(n, bucket: .ms(50))
        var wakes: [(SimTime, Int)] = []
        for voter in 0..<n {
            let v = GrandpaVoteMessage(setId: 0, round: 1, phase: .prevote, voter: UInt32(voter), target: GrandpaTarget(3, 1))
            f.send(v, isProposal: false, from: UInt32(voter), now: .ms(Int64(voter)), reachable: { $0 != 2 },
                   wake: { wakes.append(($0, $1)) })
            if voter == n / 2 { f.crashed(5) }
        }
        #expect(f.cast == UInt64(n))
        var delivered = 0
        // Buckets in time order, as the engine runs their events: each one can wake later ones.
        while let m = wakes.indices.min(by: { wakes[$0].0 < wakes[$1].0 }) {
            let (end, i) = wakes.remove(at: m)
            let items = f.take(i, wake: { wakes.append(($0, $1)) })
            for (a, b) in zip(items, items.dropFirst()) {
                #expect(a.to < b.to || (a.to == b.to && a.arrival <= b.arrival))
            }
            for it in items {
                #expect(it.arrival <= end && it.arrival > end - .ms(50))
                #expect(it.to != 2 && it.to != it.from)
                #expect(it.vote.voter == it.from && it.vote.round == 1 && it.vote.target == GrandpaTarget(3, 1) && !it.isProposal)
                if it.to == 5 { #expect(f.survives(it) == (it.from > UInt32(n / 2))) }
            }
            delivered += items.count
        }
        // Everyone but the sender and node 2 (unreachable) gets each vote once.
        #expect(delivered == n * (n - 1) - (n - 1))
        #expect(f.receptions == UInt64(delivered))
        #expect(f.inFlight == 0)
    }

    /// Sorting a bucket's copies (arrival bins, then receivers, then an insertion fix) gives
    /// exactly a stable sort by (receiver, arrival), ties in input order, for any bucket length.
    @Test(arguments: [(SimTime.us(100), 30), (.ms(10), 5_000), (.ms(50), 800), (.ms(100), 20_000)])
    func bucketSortIsAStableSortByReceiverAndArrival(bucket: SimTime, count: Int) {
        var f = Self.flood(1_000, bucket: bucket)
        var rng = Xoshiro256StarStar(seed: UInt64(count))
        let k: Int64 = 1_234, b = f.bucket.nanoseconds
        var copies: [GrandpaFlood.Copy] = (0..<count).map { i in
            // Arrivals in ((k − 1)·b, k·b], a few of them equal (coarse steps), receivers 0..<1000.
            let rel = rng.nextBelow(4) == 0 ? Int64(rng.nextBelow(8)) * (b / 8) + 1 : Int64(rng.nextBelow(UInt64(b))) + 1
            return GrandpaFlood.Copy(arrival: (k - 1) * b + rel, to: UInt32(rng.nextBelow(1_000)), flight: UInt32(i))
        }
        let expected = copies.enumerated().sorted { x, y in
            (x.element.to, x.element.arrival, x.offset) < (y.element.to, y.element.arrival, y.offset)
        }.map(\.element.flight)
        f.sortByReceiver(&copies, bucketStart: (k - 1) * b)
        let got = copies.map(\.flight)
        #expect(got.count == expected.count)
        let mismatch = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(mismatch == nil, "first difference at \(mismatch ?? -1) of \(count)")
    }

    /// A round's variant is the same for every node and changes between rounds.
    @Test func variantsArePerRound() {
        let f = Self.flood(20)
        let picks = (1...64).map { f.variant(setId: 0, round: UInt64($0)) }
        #expect(Set(picks).count >= GrandpaFlood.variants / 2)
        #expect(picks == (1...64).map { f.variant(setId: 0, round: UInt64($0)) })
    }

    /// `GrandpaRound.importVotes` (a run of votes for one block, as flood delivery imports them)
    /// gives the same outcomes, history and round state as `importVote` one by one, with
    /// repeated voters (duplicates, equivocations), unknown voters and blocks off the base.
    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func runImportsEqualSingleImports(seed: UInt64) {
        let c = GrandpaVoteBatchTests.chain()
        let voters = GrandpaVoterSet(count: 80)
        var rng = Xoshiro256StarStar(seed: seed)
        let blocks = ["S6", "S7", "S8", "A2", "B3"].map { c[$0] }
        var single = GrandpaRound(number: 1, voters: voters, base: GrandpaTarget(c["S3"], c.number(of: c["S3"])))
        var runs = single
        for _ in 0..<90 {
            let phase: GrandpaPhase = rng.nextBelow(2) == 0 ? .prevote : .precommit
            let block = rng.nextBelow(9) == 0 ? c["S2"] : blocks[Int(rng.nextBelow(UInt64(blocks.count)))]   // S2: below the base
            let list = (0..<(1 + Int(rng.nextBelow(12)))).map { _ in rng.nextBelow(30) == 0 ? 80 : Int(rng.nextBelow(80)) }
            var a: [GrandpaImportOutcome] = [], b: [GrandpaImportOutcome] = []
            for v in list { a.append(single.importVote(phase, v, block, chain: c)) }
            runs.importVotes(phase, list[...], block, chain: c) { b.append($0) }
            #expect(a == b, "seed \(seed)")
            single.refresh(prevotesChanged: true)
            runs.refresh(prevotesChanged: true)
            #expect(single.state == runs.state)
        }
        #expect(single.firstVote == runs.firstVote && single.secondVote == runs.secondVote)
        #expect(single.participation == runs.participation && single.equivocationWeight == runs.equivocationWeight)
        #expect(single.history.map { "\($0)" } == runs.history.map { "\($0)" })
        #expect(single.prevoteGhost != nil)
    }

    // MARK: On the node stack

    /// The node stack as `GrandpaGossipTests` runs it (4 BABE peers, 16 KiB blocks).
    static func run(n: Int, mode: GrandpaGossipMode, seconds: Int64 = 60, seed: UInt64 = 4,
                    faults: [TimedFault] = []) -> (Simulation<BabeGrandpaModel>, RunResults) {
        GrandpaGossipTests.run(n: n, mode: mode, seconds: seconds, seed: seed, faults: faults)
    }

    /// Flood and polite gossip finalize alike: no safety violation, finalized height within one
    /// block, the same median finality lag in blocks, rounds per minute within 10 %; the flood
    /// delivers every vote to every other node once (n - 1 receptions per vote sent, less those still
    /// on their way at the end).
    @Test func floodAndPoliteGossipFinalizeAlike() {
        let (ps, p) = Self.run(n: 30, mode: .polite)
        let (fs, f) = Self.run(n: 30, mode: .flood)
        func q(_ r: RunResults, _ name: String, _ x: Double) -> Double {
            Double(r.distributions.first { $0.name == name }!.histogram.quantile(x) ?? 0)
        }
        #expect(p.scalar("safety_violations") == 0 && f.scalar("safety_violations") == 0)
        #expect(f.scalar("finalized_height")! >= 5)
        #expect(abs(f.scalar("finalized_height")! - p.scalar("finalized_height")!) <= 1)
        #expect(q(f, "finality_lag_blocks", 0.5) == q(p, "finality_lag_blocks", 0.5))
        let rf = f.scalar("rounds_per_minute")!, rp = p.scalar("rounds_per_minute")!
        #expect(abs(rf - rp) <= 0.1 * rp, "rounds/min flood \(rf), polite \(rp)")
        let votes = f.scalar("grandpa.flood.votes")!, receptions = f.scalar("grandpa.flood.receptions")!
        // (copies still on their way at the end are not counted)
        #expect(votes > 0 && receptions <= votes * 29 && receptions >= votes * 29 * 0.95, "\(votes) votes, \(receptions) receptions")
        // No vote copies go through the network in flood mode; polite gossip sends several per vote.
        #expect(fs.model.gossip.roundCopies == 0 && ps.model.gossip.roundCopies > 0)
        #expect(fs.ctx.events < ps.ctx.events)
        #expect(p.scalar("grandpa.flood.votes") == nil)
    }

    @Test func deterministicAcrossRuns() {
        let (a, ra) = Self.run(n: 20, mode: .flood, seconds: 30, seed: 9)
        let (b, rb) = Self.run(n: 20, mode: .flood, seconds: 30, seed: 9)
        #expect(a.ctx.events == b.ctx.events)
        #expect(ra.scalar("grandpa.flood.receptions") == rb.scalar("grandpa.flood.receptions"))
        #expect(ra.scalar("finalized_height") == rb.scalar("finalized_height"))
        #expect("\(ra.scalars)" == "\(rb.scalars)")
    }
}
