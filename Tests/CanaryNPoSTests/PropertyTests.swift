import Testing
import CanaryArithmetic
@testable import CanaryNPoS

/// Random small snapshots: few candidates so that ties, zero stakes, duplicate and unknown targets
/// and unbacked candidates all occur.
func randomSnapshot(seed: UInt64) -> ElectionSnapshot {
    var rng = SplitMix64(seed: seed)
    let nc = 2 + Int(rng.next(below: 12))
    let candidates = (0..<nc).map { UInt64(100 + $0) }
    let nv = 1 + Int(rng.next(below: 40))
    var voters: [NPoSVoter<UInt64>] = []
    for i in 0..<nv {
        let stake: UInt64
        switch rng.next(below: 6) {
        case 0: stake = 0
        case 1: stake = 1 + rng.next(below: 10)          // tiny, tie-prone
        case 2: stake = rng.next()                       // up to 2^64
        default: stake = rng.next(below: 1_000_000_000_000_000)
        }
        let k = 1 + Int(rng.next(below: 6))
        var targets: [UInt64] = []
        for _ in 0..<k {
            if rng.next(below: 10) == 0 { targets.append(999) } // not a candidate
            else { targets.append(candidates[Int(rng.next(below: UInt64(nc)))]) } // may repeat
        }
        voters.append(NPoSVoter(id: UInt64(i), stake: stake, targets: targets))
    }
    let toElect = 1 + Int(rng.next(below: UInt64(nc + 1)))
    return ElectionSnapshot(toElect: toElect, candidates: candidates, voters: voters)
}

@Suite struct PropertyTests {
    static let seeds: [UInt64] = Array(1...60)

    @Test(arguments: seeds)
    func incrementalCoreMatchesLiteralTranscription(seed: UInt64) throws {
        let s = randomSnapshot(seed: seed)
        var reference = ReferenceSeqPhragmen(candidates: s.candidates, voters: s.voters)
        reference.run(toElect: s.toElect!)
        var graph = ElectionGraph(candidates: s.candidates, voters: s.voters)
        try graph.seqPhragmenCore(toElect: s.toElect!)
        #expect(graph.elected == reference.elected)
        #expect(graph.round.enumerated().filter { graph.elected[$0.offset] }.map(\.element)
                == reference.round.enumerated().filter { reference.elected[$0.offset] }.map(\.element))
        #expect(graph.backed == reference.backed)
        var weights: [[UInt128]] = []
        for v in 0..<graph.voterCount { weights.append((graph.edgeStart[v]..<graph.edgeStart[v + 1]).map { graph.edgeWeight[$0] }) }
        #expect(weights == reference.voters.map { $0.edges.map(\.weight) })
    }

    @Test(arguments: seeds)
    func invariants(seed: UInt64) throws {
        let s = randomSnapshot(seed: seed)
        let toElect = s.toElect!
        for balancing in [nil, BalancingConfig(iterations: 5, tolerance: 0)] as [BalancingConfig?] {
            for algorithm in ElectionAlgorithm.allCases {
                let r = algorithm == .seqPhragmen
                    ? try seqPhragmen(toElect: toElect, candidates: s.candidates, voters: s.voters, balancing: balancing)
                    : try phragmms(toElect: toElect, candidates: s.candidates, voters: s.voters, balancing: balancing)
                // Winners distinct, at most to_elect, rounds 0, 1, 2, ...
                #expect(Set(r.winners.map(\.id)).count == r.winners.count)
                #expect(r.winners.count <= toElect)
                #expect(r.winners.map(\.round) == Array(0..<r.winners.count))
                let winnerSet = Set(r.winners.map(\.id))
                // Each distribution sums to exactly one and only names winners. (A zero-stake
                // voter is exempt from the second: `from_rational(0, 0)` is one in Substrate, so
                // Phragmms gives such a voter 100 % on every edge before normalizing.)
                var stakeOf: [UInt64: UInt128] = [:]
                for v in s.voters { stakeOf[v.id] = UInt128(v.stake) }
                for a in r.assignments {
                    #expect(a.distribution.reduce(UInt64(0)) { $0 + UInt64($1.ratio.parts) } == 1_000_000_000)
                    if stakeOf[a.voter]! > 0 {
                        #expect(a.distribution.allSatisfy { winnerSet.contains($0.target) }, "\(algorithm) \(a)")
                    }
                }
                if false {
                for a in r.assignments {
                    #expect(a.distribution.reduce(UInt64(0)) { $0 + UInt64($1.ratio.parts) } == 1_000_000_000)
                    #expect(a.distribution.allSatisfy { winnerSet.contains($0.target) })
                }
                }
                // Staked (normalized) distributions sum to each voter's stake exactly.
                let staked = try assignmentRatioToStakedNormalized(r.assignments) { stakeOf[$0]! }
                for a in staked { #expect(a.distribution.reduce(UInt128(0)) { $0 + $1.stake } == stakeOf[a.voter]!) }
            }
        }
    }

    @Test(arguments: seeds)
    func balancingNeverLowersMinimalBacking(seed: UInt64) throws {
        let s = randomSnapshot(seed: seed)
        var plain = ElectionGraph(candidates: s.candidates, voters: s.voters)
        try plain.seqPhragmenCore(toElect: s.toElect!)
        func minimal(_ g: ElectionGraph) -> UInt128 {
            (0..<g.candidateCount).filter { g.elected[$0] }.map { g.backed[$0] }.min() ?? 0
        }
        var balanced = plain
        balanced.balance(BalancingConfig(iterations: 10, tolerance: 0))
        #expect(minimal(balanced) >= minimal(plain))
        // Balancing keeps each voter that backs a winner at exactly its stake.
        for v in 0..<balanced.voterCount where balanced.edgeStart[v + 1] > balanced.edgeStart[v] {
            let sum = (balanced.edgeStart[v]..<balanced.edgeStart[v + 1]).reduce(UInt128(0)) { $0 + balanced.edgeWeight[$1] }
            #expect(sum == balanced.budget[v])
        }
    }

    @Test func tiesGoToFirstCandidateInInputOrder() throws {
        // Identical support: whichever candidate is listed first wins, in either algorithm.
        let voters: [NPoSVoter<UInt64>] = [.init(id: 1, stake: 10, targets: [7, 8]), .init(id: 2, stake: 10, targets: [8, 7])]
        for order in [[7, 8], [8, 7]] as [[UInt64]] {
            let seq = try seqPhragmen(toElect: 1, candidates: order, voters: voters)
            #expect(seq.winners.map(\.id) == [order[0]])
            let mms = try phragmms(toElect: 1, candidates: order, voters: voters)
            #expect(mms.winners.map(\.id) == [order[0]])
        }
        // Unbacked candidates tie at "infinite" score: elected last, in input order.
        let r = try seqPhragmen(toElect: 4, candidates: [5, 6, 7, 8] as [UInt64], voters: [.init(id: 1, stake: 3, targets: [7])])
        #expect(r.winners.map(\.id) == [7, 5, 6, 8])
        #expect(r.winners.map(\.backedStake) == [3, 0, 0, 0])
    }

    @Test func syntheticSnapshotIsDeterministic() {
        let a = ElectionSnapshot.synthetic(seed: 9, candidates: 50, voters: 300, toElect: 20)
        let b = ElectionSnapshot.synthetic(seed: 9, candidates: 50, voters: 300, toElect: 20)
        let c = ElectionSnapshot.synthetic(seed: 10, candidates: 50, voters: 300, toElect: 20)
        #expect(a == b)
        #expect(a != c)
        #expect(a.voters.count == 300)
        #expect(a.voters.allSatisfy { !$0.targets.isEmpty && $0.targets.count <= 24 && Set($0.targets).count == $0.targets.count })
        let stakes = a.voters.map(\.stake)
        #expect(stakes.min()! >= 1_000_000_000_000)
        #expect(stakes.max()! / stakes.min()! >= 1_000)  // several orders of magnitude
    }

    @Test func seqPhragmenOnMediumSyntheticSnapshotMatchesReference() throws {
        let s = ElectionSnapshot.synthetic(seed: 3, candidates: 60, voters: 400, toElect: 25)
        var reference = ReferenceSeqPhragmen(candidates: s.candidates, voters: s.voters)
        reference.run(toElect: 25)
        var graph = ElectionGraph(candidates: s.candidates, voters: s.voters)
        try graph.seqPhragmenCore(toElect: 25)
        #expect(graph.backed == reference.backed)
        #expect(graph.round == reference.round)
    }
}
