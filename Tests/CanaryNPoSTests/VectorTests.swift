import Testing
import Foundation
import CanaryArithmetic
@testable import CanaryNPoS

/// `Tests/Fixtures/vectors/npos` (this file is `Tests/CanaryNPoSTests/…`; the fixtures' README names
/// each file's upstream source).
func vectorsDirectory() -> String {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    parts.removeLast(3)  // file, CanaryNPoSTests, Tests
    return parts.joined(separator: "/") + "/Tests/Fixtures/vectors/npos"
}

func readText(_ path: String) -> String? {
    try? String(contentsOfFile: path, encoding: .utf8)
}

let vectorNames = [
    "no_entry_barrier", "phragmen_poc", "phragmen_poc_balanced", "phragmms_basic",
    "self_votes_kept", "small_scale_self_vote",
]

private func big(_ v: JSONValue?) -> UInt128? {
    switch v {
    case .string(let s)?, .number(let s)?: return UInt128(s)
    default: return nil
    }
}

private func array(_ v: JSONValue?) -> [JSONValue] {
    if case .array(let a)? = v { return a }
    return []
}

@Suite struct VectorTests {
    @Test func everyVectorFileIsCovered() throws {
        let dir = vectorsDirectory()
        #expect(readText(dir + "/phragmen_poc.json") != nil, "vectors not found at \(dir)")
        // Every listed vector exists; new vectors added upstream must be added to the list.
        for name in vectorNames { #expect(readText("\(dir)/\(name).json") != nil, "missing \(name)") }
    }

    @Test(arguments: vectorNames)
    func vector(_ name: String) throws {
        let text = try #require(readText("\(vectorsDirectory())/\(name).json"))
        let root = try parseJSON(text)
        let snapshot = try ElectionSnapshot.decode(root)
        let outcome = try snapshot.run()
        let expected = try #require(root["expected"])

        if let winners = expected["winners"] {
            let want = array(winners).map { w in
                Winner<UInt64>(id: UInt64(big(w["id"]) ?? 0), backedStake: big(w["backing"]) ?? 0,
                               round: Int(big(w["round"]) ?? 0))
            }
            #expect(outcome.winners == want)
        }
        if let ids = expected["winner_ids"] {
            #expect(outcome.winners.map(\.id) == array(ids).map { UInt64(big($0) ?? 0) })
        }
        if let assignments = expected["assignments"] {
            // Upstream compares assignments as an unordered list (`assert_eq_uvec!`); each voter's
            // distribution is compared exactly, in order, to the last part.
            let want = array(assignments).map { a in
                ElectionOutcome.AssignmentParts(
                    voter: UInt64(big(a["voter"]) ?? 0),
                    distribution: array(a["distribution"]).map { pair in
                        let p = array(pair)
                        return (UInt64(big(p.first) ?? 0), UInt64(big(p.last) ?? 0))
                    })
            }.sorted { $0.voter < $1.voter }
            #expect(outcome.assignments.sorted { $0.voter < $1.voter } == want)
            // Each distribution sums to exactly one.
            for a in outcome.assignments { #expect(a.distribution.reduce(0) { $0 + $1.parts } == 1_000_000_000) }
        }
        if let supports = expected["supports"] {
            let want = array(supports).map { s in
                Support<UInt64>(target: UInt64(big(s["target"]) ?? 0), total: big(s["total"]) ?? 0,
                                voters: array(s["voters"]).map { pair in
                                    let p = array(pair)
                                    return .init(voter: UInt64(big(p.first) ?? 0), stake: big(p.last) ?? 0)
                                })
            }
            #expect(outcome.supports == want)
        }
        if let score = expected["score"] {
            #expect(outcome.score.components == array(score).map { big($0) ?? 0 })
        }
    }

    @Test func seqPhragmenInputOrderOfAssignments() throws {
        // Substrate returns assignments in voter input order (voter 5 backs no winner and is dropped).
        let r = try seqPhragmen(toElect: 2, candidates: [5, 10, 20, 30] as [UInt64], voters: [
            NPoSVoter(id: 5, stake: 5, targets: [5]), NPoSVoter(id: 10, stake: 10, targets: [10]),
            NPoSVoter(id: 20, stake: 20, targets: [20]), NPoSVoter(id: 1, stake: 8, targets: [10, 20]),
        ])
        #expect(r.assignments.map(\.voter) == [10, 20, 1])
    }

    @Test func phragmmsLinearVotingExample() throws {
        // sp-npos-elections phragmms tests: linear_voting_example_works.
        let voters: [NPoSVoter<UInt64>] = [
            .init(id: 2, stake: 2000, targets: [11]), .init(id: 4, stake: 1000, targets: [11, 21]),
            .init(id: 6, stake: 1000, targets: [21, 31]), .init(id: 8, stake: 1000, targets: [31, 41]),
            .init(id: 110, stake: 1000, targets: [41, 51]), .init(id: 120, stake: 1000, targets: [51, 61]),
            .init(id: 130, stake: 1000, targets: [61, 71]),
        ]
        let r = try phragmms(toElect: 4, candidates: [11, 21, 31, 41, 51, 61, 71] as [UInt64], voters: voters,
                             balancing: BalancingConfig(iterations: 2, tolerance: 0))
        #expect(r.winners.map { [UInt128($0.id), $0.backedStake] } == [[11, 3000], [31, 2000], [51, 1500], [61, 1500]])
    }

    @Test func phragmmsLargeBalanceWontOverflow() throws {
        // sp-npos-elections phragmms tests: large_balance_wont_overflow.
        var voters = (0..<1000).map { NPoSVoter<UInt32>(id: 10 + UInt32($0), stake: .max, targets: [1, 2, 3]) }
        voters.append(NPoSVoter(id: 2, stake: .max, targets: [1, 3]))
        let r = try phragmms(toElect: 2, candidates: [1, 2, 3] as [UInt32], voters: voters,
                             balancing: BalancingConfig(iterations: 2, tolerance: 0))
        #expect(r.winners.map(\.id) == [1, 3])
    }

    @Test func phragmmsPercentMaxScore() throws {
        // phragmms basic_election_manual_works with Percent: first winner 3, then 2.
        let voters: [NPoSVoter<UInt32>] = [
            .init(id: 10, stake: 10, targets: [1, 2]), .init(id: 20, stake: 20, targets: [1, 3]),
            .init(id: 30, stake: 30, targets: [2, 3]),
        ]
        let r = try phragmms(toElect: 2, candidates: [1, 2, 3] as [UInt32], voters: voters,
                             balancing: BalancingConfig(iterations: 10, tolerance: 0), accuracy: Percent.self)
        #expect(r.winners.map(\.id) == [3, 2])
        #expect(r.winners.map(\.backedStake) == [30, 30])
    }
}
