import Testing
import Foundation
import CanaryEngine
@testable import CanaryConsensus

/// Polite GRANDPA gossip (`GrandpaGossip`) against `gossip.rs`, alone and on the node stack.
@Suite struct GrandpaGossipTests {
    static func gossip(_ n: Int, seed: UInt64 = 1) -> GrandpaGossip {
        var g = GrandpaGossip(config: GrandpaGossipConfig(), nodes: n, participants: (0..<n).map { UInt32($0) },
                              gossipDuration: .seconds(1), streams: RandomStreams(seed: seed))
        for v in 0..<n { _ = g.noteRound(UInt32(v), setId: 0, round: 1, now: .zero) }
        return g
    }

    static func vote(_ voter: UInt32, round: UInt64 = 1, block: BlockId = 5, phase: GrandpaPhase = .prevote) -> GrandpaMessage {
        .vote(GrandpaVoteMessage(setId: 0, round: round, phase: phase, voter: voter, target: GrandpaTarget(block, 3)))
    }

    /// `reshuffle`: 4 lucky peers, then max(4, sqrt(peers)) second-stage peers, all distinct.
    @Test(arguments: [10, 100, 1000])
    func stagePeerCounts(n: Int) {
        let g = Self.gossip(n)
        let (first, second) = g.stagePeers(7)
        #expect(first.count == 4)
        #expect(second.count == max(4, Int(Double(n - 1).squareRoot())))
        #expect(Set(first + second).count == first.count + second.count)
        #expect(!(first + second).contains(7))
    }

    /// `round_message_allowed`: lucky peers until 1.5 nominal rounds (5 gossip durations each),
    /// plus second stage until 3 rounds, then every peer; only peers whose view accepts the round.
    @Test func propagationWidensAsTheRoundAges() {
        var g = Self.gossip(100)
        var t: [UInt32] = []
        g.roundTargets(0, setId: 0, round: 1, now: .seconds(7), into: &t)
        #expect(t.count == 4)
        g.roundTargets(0, setId: 0, round: 1, now: .ns(7_500_000_000), into: &t)
        #expect(t.count == 4 + 9)
        g.roundTargets(0, setId: 0, round: 1, now: .seconds(15), into: &t)
        #expect(t.count == 99)
        // A peer whose neighbour packet says round 5 does not accept round 1 (r-1 ... r+1).
        let lucky = g.stagePeers(0).first[0]
        _ = g.importNeighbor(GrandpaNeighborPacket(setId: 0, round: 5, commitHeight: 0), from: lucky, at: 0, catchUpThreshold: 2)
        g.roundTargets(0, setId: 0, round: 1, now: .seconds(1), into: &t)
        #expect(t.count == 3 && !t.contains(lucky))
        // Never back to the sender.
        g.roundTargets(0, setId: 0, round: 1, now: .seconds(1), except: t[0], into: &t)
        #expect(t.count == 2)
    }

    /// Incoming round messages: new once, duplicates dropped, a second different vote of a voter
    /// (an equivocation) is new, a third is not; rounds outside r-1 ... r+1 are discarded.
    @Test func knownMessagesAndTheRoundWindow() {
        var g = Self.gossip(10)
        _ = g.noteRound(3, setId: 0, round: 4, now: .seconds(20))
        let verdicts = [Self.vote(1, round: 4), Self.vote(1, round: 4), Self.vote(1, round: 4, phase: .precommit),
                        Self.vote(1, round: 4, block: 6), Self.vote(1, round: 4, block: 7), Self.vote(1, round: 3),
                        Self.vote(1, round: 5), Self.vote(1, round: 2), Self.vote(1, round: 6)].map { g.acceptRoundMessage($0, at: 3) }
        #expect(verdicts == [.new, .duplicate, .new, .new, .duplicate, .new, .new, .discarded, .discarded])
        #expect(g.duplicates == 2 && g.discarded == 2 && g.newRoundMessages == 5)
        // The ring reuses a slot for a later round: round 8 clears round 4's known votes.
        _ = g.noteRound(3, setId: 0, round: 8, now: .seconds(40))
        let later = g.acceptRoundMessage(Self.vote(1, round: 8), at: 3)
        #expect(later == .new)
    }

    /// Commits: accepted only above the node's highest observed commit; sent to the first and
    /// second stage (about sqrt(peers)) and only to peers that have not seen as high a commit.
    @Test func commitsGoToAboutSqrtPeers() {
        var g = Self.gossip(400)
        let c = GrandpaCommit(setId: 0, round: 1, target: GrandpaTarget(9, 12), precommits: [])
        let first = g.acceptCommit(c, from: 5, at: 0)
        let noted = g.noteCommit(0, number: 12)
        let again = g.acceptCommit(c, from: 6, at: 0)     // not above its highest any more
        #expect(first && noted && !again)
        var t: [UInt32] = []
        g.commitTargets(0, setId: 0, number: 12, now: .seconds(1), except: 5, into: &t)
        #expect(t.count <= 4 + 19 && t.count >= 4 + 19 - 1)
        #expect(!t.contains(5))
    }

    /// Neighbour packets: a peer two or more rounds ahead in the same set triggers a catch-up;
    /// a view moving backwards is ignored.
    @Test func neighbourPacketsTriggerCatchUp() {
        var g = Self.gossip(10)
        let triggers = [(0, 2), (0, 3), (0, 1), (1, 9)].map { set, round in
            g.importNeighbor(GrandpaNeighborPacket(setId: UInt64(set), round: UInt64(round), commitHeight: 3), from: 4, at: 0, catchUpThreshold: 2)
        }
        #expect(triggers == [false, true, false, false])
        #expect(g.catchUpTriggers == 1)
    }

    /// Neighbour packets applied as views: a peer sees a node's announced view one median
    /// latency later; peers two or more rounds behind get one catch-up check each, due when the
    /// packet reaches them.
    @Test func announcedViewsArriveAfterTheLatencyAndFlagLaggingPeers() {
        var g = Self.gossip(4)
        let latency = [[LatencyDistribution(median: .ms(100), sigma: 0.1)]]
        g.configureDelays(nodeRegion: [0, 0, 0, 0], latency: latency)
        for v in 0..<4 { g.publishView(UInt32(v), now: .zero) }
        _ = g.noteRound(1, setId: 0, round: 3, now: .seconds(10))
        g.publishView(1, now: .seconds(10))
        #expect(g.visibleView(0, 1, now: .seconds(10) + .ms(99)).round == 1)
        #expect(g.visibleView(0, 1, now: .seconds(10) + .ms(100)).round == 3)
        // Nodes 0, 2, 3 are at round 1: two behind node 1.
        let lagging = g.laggingPeers(of: 1, threshold: 2, reachable: { $0 != 3 })
        #expect(lagging.map(\.peer) == [0, 2])
        #expect(lagging.allSatisfy { $0.at == .seconds(10) + .ms(100) })
        #expect(g.laggingPeers(of: 1, threshold: 2, reachable: { _ in true }).map(\.peer) == [3])   // 0 and 2 pending
        let due = g.catchUpDue(0, peer: 1, threshold: 2, now: .seconds(10) + .ms(100))
        #expect(due && g.catchUpTriggers == 1)
        let early = g.catchUpDue(2, peer: 1, threshold: 2, now: .seconds(10))
        #expect(!early)
        #expect(g.peerAhead(of: 3, threshold: 2, reachable: { _ in true }) == 1)
        #expect(g.peerAhead(of: 1, threshold: 2, reachable: { _ in true }) == nil)
    }

    /// A vote flooded over the stage peers (each node relays a new vote once) reaches every node
    /// through first and second stages within a few hops, and most nodes through the lucky peers
    /// alone (a node in nobody's lucky set — probability about e^-4 — waits for the wider stages).
    @Test(arguments: [100, 300, 1000])
    func floodReachesEveryNodeWithinExpectedHops(n: Int) {
        var g = Self.gossip(n, seed: UInt64(n))
        func flood(at time: SimTime) -> (reached: Int, hops: Int) {
            var seen = Array(repeating: false, count: n)
            seen[0] = true
            var frontier: [UInt32] = [0], hops = 0, t: [UInt32] = []
            while !frontier.isEmpty {
                var next: [UInt32] = []
                for u in frontier {
                    g.roundTargets(u, setId: 0, round: 1, now: time, into: &t)
                    for p in t where !seen[Int(p)] { seen[Int(p)] = true; next.append(p) }
                }
                if !next.isEmpty { hops += 1 }
                frontier = next
            }
            return (seen.filter { $0 }.count, hops)
        }
        let lucky = flood(at: .seconds(1))
        #expect(Double(lucky.reached) >= 0.95 * Double(n), "lucky stage reached \(lucky.reached) of \(n)")
        let logN = Int((log(Double(n)) / log(4.0)).rounded(.up))
        #expect(lucky.hops <= logN + 6, "\(lucky.hops) hops at n = \(n)")
        let wide = flood(at: .seconds(8))
        #expect(wide.reached == n)
        #expect(wide.hops <= 4, "\(wide.hops) hops with the second stage at n = \(n)")
    }

    // MARK: On the node stack

    static func run(n: Int, mode: GrandpaGossipMode, seconds: Int64 = 40, seed: UInt64 = 1,
                    faults: [TimedFault] = []) -> (Simulation<BabeGrandpaModel>, RunResults) {
        var c = BabeGrandpaConfig()
        c.babe.peers = 4
        c.babe.blockSize = 16 * 1024
        c.gossip.mode = mode
        var s = BabeGrandpaModel.simulation(config: c, validators: n, seed: seed, faults: faults, duration: .seconds(seconds))
        _ = s.run()
        return (s, s.model.results(at: s.ctx.now))
    }

    /// Per node, vote sends per vote stay at the lucky-peer count (at most 4 relays of each new
    /// vote, plus its own) as n grows, where direct sending is n - 1; commits go to about
    /// sqrt(n) peers; receptions of new votes grow like n^2 (every node needs every vote).
    @Test func sendsStayFlatWhileReceptionsGrowLikeNSquared() {
        var perVote: [Double] = [], newPerRound: [Double] = []
        for n in [25, 50, 100] {
            let (s, r) = Self.run(n: n, mode: .polite)
            let g = s.model.gossip
            #expect(r.scalar("safety_violations") == 0)
            #expect(r.scalar("finalized_height")! >= 3, "n = \(n) finalized \(r.scalar("finalized_height")!)")
            // Copies sent per new vote reception (each reception relays to <= 4; own votes too).
            perVote.append(Double(g.roundCopies) / Double(g.newRoundMessages))
            let rounds = r.scalar("grandpa.rounds")!
            newPerRound.append(Double(g.newRoundMessages) / rounds)
            #expect(Double(g.commitCopies) / max(r.scalar("grandpa.commits")!, 1) <= Double(n) / 2 + 8)
        }
        #expect(perVote.allSatisfy { $0 <= 4.2 }, "copies per vote \(perVote)")
        // n^2: quadrupling n multiplies new receptions per round by about 16.
        #expect(newPerRound[2] / newPerRound[0] > 10, "new receptions per round \(newPerRound)")
        // Direct sending: n - 1 copies per vote.
        let (d, _) = Self.run(n: 50, mode: .direct)
        let votes = d.ctx.network.classStats[BabeGrandpaModel.grandpaClass].sent
        #expect(d.model.gossip.roundCopies == 0 && votes > 0)
    }

    /// A node cut off by a partition falls behind; after the heal the neighbour packets its peers
    /// send show it their rounds, it asks for a catch-up and finalizes with them again. The same
    /// under flood delivery (`gossip: flood`: no votes cross the partition; neighbour packets and
    /// catch-ups are polite gossip's), where a flooded vote from rounds ahead can also prompt it.
    @Test(arguments: [GrandpaGossipMode.polite, .flood])
    func partitionedNodeCatchesUpThroughNeighbourPackets(mode: GrandpaGossipMode) {
        let faults = [TimedFault(at: .seconds(20), fault: .partition([[9]])), TimedFault(at: .seconds(80), fault: .heal)]
        let (s, r) = Self.run(n: 10, mode: mode, seconds: 120, seed: 3, faults: faults)
        let m = s.model
        #expect(r.scalar("safety_violations") == 0)
        if mode == .polite { #expect(m.gossip.catchUpTriggers > 0) }
        #expect(r.scalar("grandpa.catch_ups")! > 0)
        let others = (0..<9).map { m.voters[$0].currentRound }.max()!
        #expect(m.voters[9].currentRound + 2 >= others, "node 9 at round \(m.voters[9].currentRound), others \(others)")
        let fin9 = m.tree.number[Int(m.finalized[9])], fin0 = m.tree.number[Int(m.finalized[0])]
        #expect(fin9 + 3 >= fin0, "node 9 finalized #\(fin9), node 0 #\(fin0)")
    }

    @Test func deterministicAcrossRuns() {
        let (a, ra) = Self.run(n: 20, mode: .polite, seconds: 30, seed: 9)
        let (b, rb) = Self.run(n: 20, mode: .polite, seconds: 30, seed: 9)
        #expect(a.ctx.events == b.ctx.events)
        #expect(a.model.gossip.roundCopies == b.model.gossip.roundCopies)
        #expect(ra.scalar("finalized_height") == rb.scalar("finalized_height"))
    }
}
