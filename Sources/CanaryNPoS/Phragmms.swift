// PhragMMS as `sp_npos_elections::phragmms` runs it.
import CanaryArithmetic

/// PhragMMS ("verifiably secure and proportional", Cevallos & Stewart 2021), bit-for-bit as
/// `sp_npos_elections::phragmms`: each round elects the candidate with the greatest max-score,
/// moves stake to it from over-backed candidates (`apply_elected`), then balances if configured
/// (after every round, which is what makes it expensive).
///
/// Unlike seq-Phragmén, candidates nobody backs can never be elected, so fewer than `toElect`
/// winners may come back. Winners are in election order; assignments as in `seqPhragmen`. The
/// max-score uses the per-thing `P` for the edge ratios, so the accuracy can change the outcome.
public func phragmms<ID: ElectionID, P: PerThing>(
    toElect: Int,
    candidates: [ID],
    voters: [NPoSVoter<ID>],
    balancing: BalancingConfig? = nil,
    accuracy: P.Type
) throws -> ElectionResult<ID, P> {
    var graph = ElectionGraph(candidates: candidates, voters: voters)
    let order = graph.phragmmsCore(toElect: toElect, accuracy: P.accuracy128, balancing: balancing)
    let winners = order.map { Winner(id: candidates[$0], backedStake: graph.backed[$0], round: graph.round[$0]) }
    return ElectionResult(
        winners: winners,
        assignments: try graph.assignments(candidates: candidates, voters: voters, as: P.self))
}

/// `phragmms` with `Perbill` assignments.
public func phragmms<ID: ElectionID>(
    toElect: Int,
    candidates: [ID],
    voters: [NPoSVoter<ID>],
    balancing: BalancingConfig? = nil
) throws -> ElectionResult<ID, Perbill> {
    try phragmms(toElect: toElect, candidates: candidates, voters: voters, balancing: balancing,
                 accuracy: Perbill.self)
}

extension ElectionGraph {
    /// Runs the rounds; returns the winners' candidate indices in election order.
    mutating func phragmmsCore(toElect: Int, accuracy acc: UInt128, balancing: BalancingConfig?) -> [Int] {
        let reverse = edgesByCandidate()
        var scoreD = [UInt128](repeating: 0, count: candidateCount)
        var winners: [Int] = []
        for r in 0..<max(toElect, 0) {
            // calculate_max_score
            for c in 0..<candidateCount where !elected[c] { scoreD[c] = acc }
            for v in 0..<voterCount {
                let range = edgeStart[v]..<edgeStart[v + 1]
                // Only voters with an open (un-elected) edge distribute anything.
                var open = false
                for e in range where !elected[Int(edgeCandidate[e])] { open = true; break }
                if !open { continue }
                var contribution: UInt128 = 0
                for e in range {
                    let c = Int(edgeCandidate[e])
                    guard elected[c] else { continue }
                    // P::from_rational(weight, backed).parts; saturates to one if b == 0 or w > b.
                    contribution &+= fromRationalParts(edgeWeight[e], backed[c], acc)
                }
                for e in range {
                    let c = Int(edgeCandidate[e])
                    if !elected[c] { scoreD[c] = max(contribution &+ scoreD[c], 1) }
                }
            }
            var best = -1
            var bestScore = Rational128.zero
            for c in 0..<candidateCount where !elected[c] && approval[c] > 0 {
                let (n, o) = approval[c].multipliedReportingOverflow(by: acc)
                let score = Rational128(o ? .max : n, scoreD[c])
                if score > bestScore { bestScore = score; best = c }
            }
            if best < 0 { break }

            // apply_elected
            let cutoff = bestScore.toDenominator(1)!.numerator
            var electedBacked = backed[best]
            for k in reverse.start[best]..<reverse.start[best + 1] {
                let newEdge = Int(reverse.edges[k])
                let v = Int(reverse.voterOf[newEdge])
                let range = edgeStart[v]..<edgeStart[v + 1]
                var used: UInt128 = 0
                for e in range { used = used.saturatingAdd(edgeWeight[e]) }
                var newWeight = budget[v].saturatingSub(used)
                electedBacked = electedBacked.saturatingAdd(newWeight)
                for e in range where e != newEdge && edgeWeight[e] > 0 {
                    let c = Int(edgeCandidate[e])
                    if backed[c] > cutoff {
                        let take = edgeWeight[e].saturatingMul(cutoff) / max(backed[c], 1)
                        edgeWeight[e] = edgeWeight[e].saturatingSub(take)
                        backed[c] = backed[c].saturatingSub(take)
                        electedBacked = electedBacked.saturatingAdd(take)
                        newWeight = newWeight.saturatingAdd(take)
                    }
                }
                edgeWeight[newEdge] = newWeight
            }
            backed[best] = electedBacked
            round[best] = r
            elected[best] = true
            winners.append(best)
            if let balancing { balance(balancing) }
        }
        return winners
    }
}

/// `P::from_rational(p, q).deconstruct()` for accuracy `acc`: `floor(acc * p / q)`, or `acc` when
/// `q == 0` or `p > q`. Uses one 128-by-64-bit hardware division when the divisor fits in 64 bits
/// (the common case in Phragmms' score loop), else the exact wide path.
@inline(__always)
func fromRationalParts(_ p: UInt128, _ q: UInt128, _ acc: UInt128) -> UInt128 {
    if q == 0 || p > q { return acc }
    if p == 0 { return 0 }
    let n = acc.multipliedFullWidth(by: p)
    if n.high == 0 && q >> 64 == 0 {
        let q64 = UInt64(truncatingIfNeeded: q)
        let hi = UInt64(truncatingIfNeeded: n.low >> 64), lo = UInt64(truncatingIfNeeded: n.low)
        if hi < q64 { return UInt128(q64.dividingFullWidth((hi, lo)).quotient) }
    }
    return multiplyByRationalWithRounding(acc, p, q, .down)!
}
