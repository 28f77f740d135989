import Testing
@testable import CanaryEngine

/// The grid topology against `grid_topology.rs`: the matrix example of its comment, the
/// routing rules, and two-hop reach of every validator.
@Suite struct GridTopologyTests {
    /// polkadot-sdk's comment: for 11 validators the matrix is 3 wide (rows 0-2, 3-5, 6-8,
    /// 9-10) and index 10's neighbours are 1, 4, 7 (column) and 9 (row).
    @Test func matrixOfElevenAsUpstreamDocuments() {
        let g = GridTopology(shuffling: (0..<11).map { UInt32($0) })
        #expect(g.width == 3)
        #expect(g.rowNeighbours(of: 10) == [9])
        #expect(g.columnNeighbours(of: 10) == [1, 4, 7])
        #expect(g.rowNeighbours(of: 4) == [3, 5])
        #expect(g.columnNeighbours(of: 4) == [1, 7, 10])
    }

    @Test func shufflingMapsPositionsToValidators() {
        let order: [UInt32] = [5, 3, 0, 4, 1, 2]
        let g = GridTopology(shuffling: order)
        #expect(g.width == 2)
        // Matrix: [5 3] [0 4] [1 2]; validator 0 is at position 2 (row 1, column 0).
        #expect(g.rowNeighbours(of: 0) == [4])
        #expect(g.columnNeighbours(of: 0) == [5, 1])
    }

    @Test func routingFollowsTheOriginatorsDimension() {
        let g = GridTopology(shuffling: (0..<16).map { UInt32($0) })   // 4 x 4
        #expect(g.requiredRouting(originator: 5, local: 5) == .gridXY)
        #expect(g.requiredRouting(originator: 4, local: 5) == .gridY)   // same row: forward on the column
        #expect(g.requiredRouting(originator: 1, local: 5) == .gridX)   // same column: forward on the row
        #expect(g.requiredRouting(originator: 0, local: 5) == .none)
        #expect(g.peers(of: 5, routing: .gridY) == [1, 9, 13])
        #expect(g.peers(of: 5, routing: .gridX) == [4, 6, 7])
    }

    /// Sending to the grid (XY at the origin, then along the other dimension) reaches every
    /// validator in at most two hops, for sizes that are and are not squares; each node sends
    /// to about 2 sqrt(n) peers.
    @Test(arguments: [2, 7, 16, 50, 300, 1000])
    func everyValidatorWithinTwoHops(n: Int) {
        var rng = Xoshiro256StarStar(seed: UInt64(n))
        let g = GridTopology(validators: n, rng: &rng)
        for origin in [UInt32(0), UInt32(n - 1), UInt32(n / 2)] {
            var hops = Array(repeating: Int.max, count: n)
            hops[Int(origin)] = 0
            var frontier = [origin]
            var hop = 0
            while !frontier.isEmpty {
                hop += 1
                var next: [UInt32] = []
                for v in frontier {
                    for p in g.peers(of: v, routing: g.requiredRouting(originator: origin, local: v)) where hops[Int(p)] == .max {
                        hops[Int(p)] = hop
                        next.append(p)
                    }
                }
                frontier = next
            }
            #expect(hops.allSatisfy { $0 <= 2 }, "n = \(n), origin \(origin): \(hops.filter { $0 > 2 }.count) unreached")
        }
        let fanout = g.peers(of: 0, routing: .gridXY).count
        let w = Int(Double(n).squareRoot())
        #expect(fanout <= 2 * w + n / w, "fanout \(fanout) at n = \(n)")
    }

    @Test func shuffleIsDeterministicPerStream() {
        var a = Xoshiro256StarStar(seed: 9), b = Xoshiro256StarStar(seed: 9), c = Xoshiro256StarStar(seed: 10)
        let ga = GridTopology(validators: 100, rng: &a)
        #expect(ga == GridTopology(validators: 100, rng: &b))
        #expect(ga != GridTopology(validators: 100, rng: &c))
        #expect(Set(ga.validatorAt).count == 100)
    }

    @Test func randomRoutingSendsToAtMostTarget() {
        var rng = Xoshiro256StarStar(seed: 1)
        var r = RandomRouting()
        var picked = 0
        for _ in 0..<1000 where r.sample(peers: 1000, rng: &rng) { picked += 1 }
        #expect(picked == 4)
        var small = RandomRouting()
        var all = 0
        for _ in 0..<10 where small.sample(peers: 10, rng: &rng) { all += 1 }
        #expect(all == 4)   // sample rate 25 > 10 peers: the first four considered
    }
}
