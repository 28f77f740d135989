import CanaryArithmetic
@testable import CanaryNPoS

/// A literal, slow transcription of Substrate's `seq_phragmen_core` (full score recomputation
/// every round with `Rational128`), used to check that the library's incremental version gives
/// identical loads, weights and winners.
struct ReferenceSeqPhragmen {
    struct Edge { var candidate: Int; var load = Rational128.zero; var weight: UInt128 = 0 }
    struct Voter { var budget: UInt128; var load = Rational128.zero; var edges: [Edge] }

    var approval: [UInt128]
    var backed: [UInt128]
    var score: [Rational128]
    var elected: [Bool]
    var round: [Int]
    var voters: [Voter]
    var voterIDs: [UInt64]

    init(candidates: [UInt64], voters input: [NPoSVoter<UInt64>]) {
        approval = Array(repeating: 0, count: candidates.count)
        backed = approval
        score = Array(repeating: .zero, count: candidates.count)
        elected = Array(repeating: false, count: candidates.count)
        round = Array(repeating: 0, count: candidates.count)
        voters = []
        voterIDs = []
        for v in input {
            var edges: [Edge] = []
            for t in v.targets {
                if edges.contains(where: { candidates[$0.candidate] == t }) { continue }
                guard let idx = candidates.lastIndex(of: t) else { continue }
                approval[idx] = approval[idx].saturatingAdd(UInt128(v.stake))
                edges.append(Edge(candidate: idx))
            }
            if edges.isEmpty { continue }
            voters.append(Voter(budget: UInt128(v.stake), edges: edges))
            voterIDs.append(v.id)
        }
    }

    mutating func run(toElect: Int) {
        let den = UInt128.max
        let n = min(toElect, approval.count)
        for r in 0..<n {
            for c in approval.indices where !elected[c] {
                score[c] = approval[c] == 0 ? Rational128(.max, 1) : Rational128(den / approval[c], den)
            }
            for v in voters {
                for e in v.edges where !elected[e.candidate] && approval[e.candidate] != 0 {
                    let t = multiplyByRationalWithRounding(v.load.numerator, v.budget, approval[e.candidate], .down) ?? .max
                    score[e.candidate] = score[e.candidate].lazySaturatingAdd(Rational128(t, v.load.denominator))
                }
            }
            var best = -1
            for c in approval.indices where !elected[c] {
                if best < 0 || score[c] < score[best] { best = c }
            }
            if best < 0 { break }
            elected[best] = true
            round[best] = r
            for vi in voters.indices {
                for ei in voters[vi].edges.indices where voters[vi].edges[ei].candidate == best {
                    voters[vi].edges[ei].load = score[best].lazySaturatingSub(voters[vi].load)
                    voters[vi].load = score[best]
                }
            }
        }
        for vi in voters.indices {
            for ei in voters[vi].edges.indices {
                let c = voters[vi].edges[ei].candidate
                let w: UInt128 = elected[c]
                    ? (multiplyByRationalWithRounding(voters[vi].budget, voters[vi].edges[ei].load.numerator, voters[vi].load.numerator, .down) ?? .max)
                    : 0
                voters[vi].edges[ei].weight = w
                backed[c] = backed[c].saturatingAdd(w)
            }
            voters[vi].edges.removeAll { $0.weight == 0 }
            let ws = voters[vi].edges.map(\.weight)
            if let norm = normalize(ws, to: voters[vi].budget) {
                for ei in voters[vi].edges.indices {
                    let c = voters[vi].edges[ei].candidate
                    backed[c] = backed[c].saturatingSub(voters[vi].edges[ei].weight).saturatingAdd(norm[ei])
                    voters[vi].edges[ei].weight = norm[ei]
                }
            }
        }
    }
}
