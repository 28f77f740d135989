import Testing
import CanaryEngine
@testable import CanaryConsensus

/// Issue 13's scaling test: with polite gossip, what a node sends per vote and per commit grows
/// like sqrt(n) at most, while vote receptions per round grow like n² (every voter needs every
/// vote), measured at n = 100, 300 and 1,000.
///
/// One round's prevote phase (the precommit phase is the same traffic again) is flooded through
/// the real routing (`GrandpaGossip.roundTargets`, `acceptRoundMessage`, `commitTargets`, the
/// same calls the node stack makes) hop by hop, without BABE, latencies or an event queue: a
/// debug build runs the node stack at n = 1,000 at about a minute per simulated round, far over
/// the unit-test budget, while the flood takes seconds. The node stack itself is measured at
/// n = 25, 50 and 100 by `GrandpaGossipTests.sendsStayFlatWhileReceptionsGrowLikeNSquared`
/// and at scale by `canary bench grandpa` (docs/performance.md).
@Suite struct GrandpaGossipScalingTests {
    struct RoundTraffic {
        var n: Int
        /// Copies of its own prevote each node sends (first stage, then second stage).
        var ownSendsStage0: Double, ownSendsStage1: Double
        /// All vote copies sent per node in the phase (own votes and relays), and per new reception.
        var sendsPerNode: Double, sendsPerNewReception: Double
        /// New receptions in the phase (node, voter) and duplicates received or known at send.
        var newReceptions: Int, duplicates: UInt64
        /// Commit copies one node sends for a commit (first and second stage peers).
        var commitSends: Double
    }

    static func measure(_ n: Int) -> RoundTraffic {
        var g = GrandpaGossip(config: GrandpaGossipConfig(), nodes: n, participants: (0..<n).map { UInt32($0) },
                              gossipDuration: .seconds(1), streams: RandomStreams(seed: UInt64(n)))
        for v in 0..<n { _ = g.noteRound(UInt32(v), setId: 0, round: 1, now: .zero) }
        let now = SimTime.seconds(2)   // prevotes go out 2T after the round start: first stage only
        var t: [UInt32] = []
        var sends = 0, newReceptions = 0, ownStage0 = 0
        var frontier: [(node: UInt32, from: UInt32)] = [], next: [(node: UInt32, from: UInt32)] = []
        for voter in 0..<n {
            let m = GrandpaMessage.vote(GrandpaVoteMessage(setId: 0, round: 1, phase: .prevote, voter: UInt32(voter),
                                                           target: GrandpaTarget(7, 3)))
            _ = g.acceptRoundMessage(m, at: UInt32(voter), own: true)
            g.roundTargets(UInt32(voter), setId: 0, round: 1, now: now, message: m, into: &t)
            ownStage0 += t.count
            sends += t.count
            frontier = t.filter { $0 & Network<Never>.knownBit == 0 }.map { ($0, UInt32(voter)) }
            while !frontier.isEmpty {
                next.removeAll(keepingCapacity: true)
                for (u, from) in frontier where g.acceptRoundMessage(m, at: u) == .new {
                    newReceptions += 1
                    g.roundTargets(u, setId: 0, round: 1, now: now, except: from, message: m, into: &t)
                    sends += t.count
                    for p in t where p & Network<Never>.knownBit == 0 { next.append((p, u)) }
                }
                swap(&frontier, &next)
            }
        }
        // Later in the round (1.5 to 3 nominal rounds) the second stage joins: own-vote fan-out.
        g.roundTargets(0, setId: 0, round: 1, now: .seconds(10), into: &t)
        let ownStage1 = t.count
        g.commitTargets(0, setId: 0, number: 3, now: now, into: &t)
        return RoundTraffic(n: n, ownSendsStage0: Double(ownStage0) / Double(n), ownSendsStage1: Double(ownStage1),
                            sendsPerNode: Double(sends) / Double(n), sendsPerNewReception: Double(sends) / Double(newReceptions),
                            newReceptions: newReceptions, duplicates: g.duplicates, commitSends: Double(t.count))
    }

    @Test func sendsPerMessageGrowLikeSqrtNWhileReceptionsGrowLikeNSquared() {
        let r = [100, 300, 1_000].map(Self.measure)
        for x in r {
            let sqrtN = Double(x.n - 1).squareRoot()
            // Fan-out of a node's own vote and of a commit: 4 lucky peers, then sqrt(n) more.
            #expect(x.ownSendsStage0 == 4, "n = \(x.n)")
            #expect(x.ownSendsStage1 == 4 + max(4, sqrtN.rounded(.down)), "n = \(x.n): \(x.ownSendsStage1)")
            #expect(x.commitSends == 4 + max(4, sqrtN.rounded(.down)), "n = \(x.n): \(x.commitSends)")
            // Every node relays each new vote to its lucky peers: sends per reception stay at 4.
            #expect(x.sendsPerNewReception <= 4.01 && x.sendsPerNewReception >= 3.5, "n = \(x.n): \(x.sendsPerNewReception)")
            // The lucky stage alone reaches almost every node with every vote (the rest wait for
            // the wider stages, as in Substrate): at least 95 % of n(n - 1) new receptions.
            #expect(Double(x.newReceptions) >= 0.95 * Double(x.n * (x.n - 1)), "n = \(x.n): \(x.newReceptions)")
            #expect(x.newReceptions <= x.n * (x.n - 1))
        }
        // Per message, sends grow like sqrt(n): from n = 100 to 1,000, 2.7x (sqrt(10) = 3.2),
        // where direct sending grows 10x; receptions grow like n²: about 100x.
        #expect(r[2].ownSendsStage1 / r[0].ownSendsStage1 > 2.2 && r[2].ownSendsStage1 / r[0].ownSendsStage1 < 3.3)
        #expect(r[2].commitSends / r[0].commitSends > 2.2 && r[2].commitSends / r[0].commitSends < 3.3)
        let growth = Double(r[2].newReceptions) / Double(r[0].newReceptions)
        #expect(growth > 90 && growth < 110, "receptions grew \(growth)x from n = 100 to 1,000")
        let mid = Double(r[1].newReceptions) / Double(r[0].newReceptions)
        #expect(mid > 8 && mid < 10, "receptions grew \(mid)x from n = 100 to 300")
        // Total sends per node grow like n (4 per vote received), not n²: 10x from 100 to 1,000.
        let perNode = r[2].sendsPerNode / r[0].sendsPerNode
        #expect(perNode > 9 && perNode < 11, "sends per node grew \(perNode)x")
    }
}
