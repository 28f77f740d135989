// Sequential Phragmén as `sp_npos_elections::seq_phragmen` runs it.
import CanaryArithmetic

/// Sequential Phragmén with optional balancing, bit-for-bit as `sp_npos_elections::seq_phragmen`.
///
/// - Parameters:
///   - toElect: winners wanted; capped at the number of candidates. Candidates nobody backs are
///     elected last with backing 0 ("no entry barrier"): callers that must not seat them strip
///     winners with `backedStake == 0`, as Substrate's callers do.
///   - candidates: candidate ids in the order given to the election (ties go to the earliest).
///   - voters: voters in order; targets that are not candidates are ignored, repeats count once.
///   - balancing: star balancing applied after the election, or `nil`.
///   - accuracy: the per-thing of the assignments (`Perbill.self` in the vectors, `PerU16.self` in
///     Kusama's solution type).
/// - Returns: winners in election order with their final `ExtendedBalance` backing, and each
///   voter's distribution as fractions summing to exactly one.
/// - Throws: `NPoSError.arithmetic` only where Substrate returns `ArithmeticError`.
public func seqPhragmen<ID: ElectionID, P: PerThing>(
    toElect: Int,
    candidates: [ID],
    voters: [NPoSVoter<ID>],
    balancing: BalancingConfig? = nil,
    accuracy: P.Type
) throws -> ElectionResult<ID, P> {
    var graph = ElectionGraph(candidates: candidates, voters: voters)
    try graph.seqPhragmenCore(toElect: toElect)
    if let balancing { graph.balance(balancing) }
    return ElectionResult(
        winners: graph.winnersByRound(candidates: candidates, limit: toElect),
        assignments: try graph.assignments(candidates: candidates, voters: voters, as: P.self))
}

/// `seqPhragmen` with `Perbill` assignments (the accuracy of the published vectors).
public func seqPhragmen<ID: ElectionID>(
    toElect: Int,
    candidates: [ID],
    voters: [NPoSVoter<ID>],
    balancing: BalancingConfig? = nil
) throws -> ElectionResult<ID, Perbill> {
    try seqPhragmen(toElect: toElect, candidates: candidates, voters: voters, balancing: balancing,
                    accuracy: Perbill.self)
}

extension ElectionGraph {
    /// Elected candidates sorted by round, with their backing.
    func winnersByRound<ID: ElectionID>(candidates: [ID], limit: Int) -> [Winner<ID>] {
        var w: [Winner<ID>] = []
        for c in 0..<candidateCount where elected[c] {
            w.append(Winner(id: candidates[c], backedStake: backed[c], round: round[c]))
        }
        w.sort { $0.round < $1.round }
        return Array(w.prefix(max(limit, 0)))
    }

    /// `seq_phragmen_core`, with the per-round score pass made incremental.
    ///
    /// Substrate recomputes every un-elected candidate's score each round as
    /// `DEN/approval + Σ_voters floor(load·budget/approval)` (saturating, denominator DEN). Each
    /// term depends only on the voter's load, which changes only when a candidate the voter backs
    /// wins. So each edge's current term is kept, and after a round only the winner's voters'
    /// terms are replaced; per-candidate sums are held exactly in 136 bits and saturated when
    /// read, which equals the sequential saturating sum because every term is non-negative.
    /// The result is identical to the full recomputation, at a fraction of the cost.
    mutating func seqPhragmenCore(toElect requested: Int) throws {
        let toElect = min(max(requested, 0), candidateCount)
        let den = UInt128.max
        let reverse = edgesByCandidate()
        var load = [UInt128](repeating: 0, count: voterCount)       // voter load numerators
        var edgeLoad = [UInt128](repeating: 0, count: edgeCount)
        var edgeTerm = [UInt128](repeating: 0, count: edgeCount)
        var sumLow = [UInt128](repeating: 0, count: candidateCount)
        var sumHigh = [UInt64](repeating: 0, count: candidateCount)
        var base = [UInt128](repeating: 0, count: candidateCount)
        for c in 0..<candidateCount where approval[c] != 0 { base[c] = den / approval[c] }

        for r in 0..<toElect {
            // Winner: minimum score, first in candidate order on ties. Zero-approval candidates
            // score (MAX, 1), above every (n, DEN), and tie among themselves.
            var best = -1
            var bestN: UInt128 = 0
            var bestZero = true
            for c in 0..<candidateCount where !elected[c] {
                if approval[c] == 0 {
                    if best < 0 { best = c; bestN = .max; bestZero = true }
                    continue
                }
                let n = sumHigh[c] != 0 ? UInt128.max : base[c].saturatingAdd(sumLow[c])
                if best < 0 || bestZero || n < bestN {
                    best = c; bestN = n; bestZero = false
                }
            }
            if best < 0 { break }
            elected[best] = true
            round[best] = r

            // Voters of the winner: edge load = score - voter load; voter load = score; then
            // refresh this voter's terms on its other still-open candidates.
            for k in reverse.start[best]..<reverse.start[best + 1] {
                let e = Int(reverse.edges[k])
                let v = Int(reverse.voterOf[e])
                edgeLoad[e] = bestN.saturatingSub(load[v])
                load[v] = bestN
                let b = budget[v]
                for e2 in edgeStart[v]..<edgeStart[v + 1] {
                    let c2 = Int(edgeCandidate[e2])
                    if elected[c2] || approval[c2] == 0 { continue }
                    let term = multiplyByRationalWithRounding(bestN, b, approval[c2], .down) ?? .max
                    let old = edgeTerm[e2]
                    if term == old { continue }
                    edgeTerm[e2] = term
                    let (s1, borrow) = sumLow[c2].subtractingReportingOverflow(old)
                    let (s2, carry) = s1.addingReportingOverflow(term)
                    sumLow[c2] = s2
                    if borrow { sumHigh[c2] &-= 1 }
                    if carry { sumHigh[c2] &+= 1 }
                }
            }
        }

        // Edge weights from loads, backed stakes, then drop empty edges and normalize each voter.
        for v in 0..<voterCount {
            let b = budget[v], l = load[v]
            for e in edgeStart[v]..<edgeStart[v + 1] {
                let c = Int(edgeCandidate[e])
                let w: UInt128 = elected[c] ? (multiplyByRationalWithRounding(b, edgeLoad[e], l, .down) ?? .max) : 0
                edgeWeight[e] = w
                backed[c] = backed[c].saturatingAdd(w)
            }
        }
        let weights = edgeWeight
        retainEdges { weights[$0] > 0 }
        var scratch = NormalizeScratch()
        for v in 0..<voterCount where !normalizeElected(voter: v, scratch: &scratch) {
            throw NPoSError.arithmetic("edge weights of voter at position \(voterInput[v]) cannot be normalized")
        }
    }
}
