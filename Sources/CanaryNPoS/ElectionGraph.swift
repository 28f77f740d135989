// The index-based election state shared by seq-Phragmén, balancing and Phragmms.
import CanaryArithmetic

/// Candidates, voters and edges as flat arrays indexed by integers (Substrate's `setup_inputs`
/// output, without the `Rc<RefCell<_>>` graph).
///
/// Why flat arrays: a Kusama-size election has ~2,000 candidates, ~22,500 voters and ~350,000
/// edges, and the inner loops touch every edge many times. Contiguous `[UInt128]`/`[Int32]` arrays
/// keep those loops cache-friendly and free of reference counting; ids are only looked at when the
/// input is read and when the result is written.
///
/// Voter `v`'s edges are `edgeStart[v] ..< edgeStart[v + 1]`, in the voter's target order.
struct ElectionGraph {
    // Candidates, in input order.
    let candidateCount: Int
    var approval: [UInt128]
    var backed: [UInt128]
    var elected: [Bool]
    var round: [Int]

    // Voters with at least one valid edge, in input order.
    var voterInput: [Int]       // position in the caller's voter array
    var budget: [UInt128]
    var edgeStart: [Int]
    var edgeCandidate: [Int32]
    var edgeWeight: [UInt128]

    /// Targets that were not candidates, targets repeated within a voter, and voters dropped for
    /// having no valid target (reported by the CLI; Substrate drops them silently).
    var ignoredTargets = 0
    var duplicateTargets = 0
    var droppedVoters = 0

    var voterCount: Int { budget.count }
    var edgeCount: Int { edgeCandidate.count }

    /// `setup_inputs`: candidate `i` is `candidates[i]`; for each voter in order, each target in
    /// order, skip repeats and non-candidates, add an edge and the voter's stake to the candidate's
    /// approval stake. If a candidate id is listed twice, the last position wins (as the
    /// `BTreeMap` cache in Substrate does); callers should pass distinct ids.
    init<ID: ElectionID>(candidates: [ID], voters: [NPoSVoter<ID>]) {
        candidateCount = candidates.count
        var index = [ID: Int](minimumCapacity: candidates.count)
        for (i, c) in candidates.enumerated() { index[c] = i }
        approval = [UInt128](repeating: 0, count: candidateCount)
        backed = approval
        elected = [Bool](repeating: false, count: candidateCount)
        round = [Int](repeating: 0, count: candidateCount)
        voterInput = []
        budget = []
        edgeStart = [0]
        edgeCandidate = []
        voterInput.reserveCapacity(voters.count)
        budget.reserveCapacity(voters.count)
        edgeStart.reserveCapacity(voters.count + 1)
        edgeCandidate.reserveCapacity(voters.reduce(0) { $0 + $1.targets.count })
        // Last voter (by input position) that took an edge to each candidate: O(1) duplicate test.
        var seenBy = [Int](repeating: -1, count: candidateCount)
        for (vi, voter) in voters.enumerated() {
            let start = edgeCandidate.count
            let stake = UInt128(voter.stake)
            for target in voter.targets {
                guard let ci = index[target] else { ignoredTargets += 1; continue }
                if seenBy[ci] == vi { duplicateTargets += 1; continue }
                seenBy[ci] = vi
                edgeCandidate.append(Int32(ci))
                approval[ci] = approval[ci].saturatingAdd(stake)
            }
            if edgeCandidate.count == start { droppedVoters += 1; continue }
            voterInput.append(vi)
            budget.append(stake)
            edgeStart.append(edgeCandidate.count)
        }
        edgeWeight = [UInt128](repeating: 0, count: edgeCandidate.count)
    }

    /// Removes every edge for which `keep(edge)` is false, preserving order (`edges.retain`).
    mutating func retainEdges(_ keep: (Int) -> Bool) {
        var newStart = [Int](repeating: 0, count: voterCount + 1)
        var w = 0
        for v in 0..<voterCount {
            for e in edgeStart[v]..<edgeStart[v + 1] where keep(e) {
                edgeCandidate[w] = edgeCandidate[e]
                edgeWeight[w] = edgeWeight[e]
                w += 1
            }
            newStart[v + 1] = w
        }
        edgeCandidate.removeLast(edgeCandidate.count - w)
        edgeWeight.removeLast(edgeWeight.count - w)
        edgeStart = newStart
    }

    /// For each candidate, the edges that point at it, in voter order (a CSR reverse index).
    func edgesByCandidate() -> (start: [Int], edges: [Int32], voterOf: [Int32]) {
        var count = [Int](repeating: 0, count: candidateCount + 1)
        for c in edgeCandidate { count[Int(c) + 1] += 1 }
        for i in 0..<candidateCount { count[i + 1] += count[i] }
        var fill = count
        var edges = [Int32](repeating: 0, count: edgeCount)
        var voterOf = [Int32](repeating: 0, count: edgeCount)
        for v in 0..<voterCount {
            for e in edgeStart[v]..<edgeStart[v + 1] {
                voterOf[e] = Int32(v)
                let c = Int(edgeCandidate[e])
                edges[fill[c]] = Int32(e)
                fill[c] += 1
            }
        }
        return (count, edges, voterOf)
    }

    // MARK: - Normalization of one voter's weights

    /// `try_normalize_elected`: makes the weights of the voter's edges to elected candidates sum to
    /// its budget (Substrate's `normalize`), moving candidates' backed stakes along. Returns
    /// `false` (and changes nothing) where Substrate's `normalize` returns `Err`.
    mutating func normalizeElected(voter v: Int, scratch: inout NormalizeScratch) -> Bool {
        scratch.edges.removeAll(keepingCapacity: true)
        scratch.values.removeAll(keepingCapacity: true)
        for e in edgeStart[v]..<edgeStart[v + 1] where elected[Int(edgeCandidate[e])] {
            scratch.edges.append(e)
            scratch.values.append(edgeWeight[e])
        }
        guard scratch.normalizeValues(to: budget[v]) else { return false }
        for (k, e) in scratch.edges.enumerated() {
            let c = Int(edgeCandidate[e])
            backed[c] = backed[c].saturatingSub(edgeWeight[e])
            edgeWeight[e] = scratch.values[k]
            backed[c] = backed[c].saturatingAdd(edgeWeight[e])
        }
        return true
    }

    // MARK: - Balancing (`balancing.rs`)

    /// `balance`: up to `config.iterations` passes over all voters in order; stops when the largest
    /// change of a pass is at most the tolerance. Returns the number of passes.
    @discardableResult
    mutating func balance(_ config: BalancingConfig) -> Int {
        if config.iterations <= 0 { return 0 }
        var scratch = BalanceScratch()
        var iter = 0
        while true {
            var maxDiff: UInt128 = 0
            for v in 0..<voterCount {
                let diff = balanceVoter(v, tolerance: config.tolerance, scratch: &scratch)
                if diff > maxDiff { maxDiff = diff }
            }
            iter += 1
            if maxDiff <= config.tolerance || iter >= config.iterations { return iter }
        }
    }

    /// `balance_voter`: spreads one voter's budget over its elected candidates so that the
    /// least-backed ones are topped up to a common level ("star balancing").
    mutating func balanceVoter(_ v: Int, tolerance: UInt128, scratch: inout BalanceScratch) -> UInt128 {
        scratch.elected.removeAll(keepingCapacity: true)
        for e in edgeStart[v]..<edgeStart[v + 1] where elected[Int(edgeCandidate[e])] {
            scratch.elected.append(e)
        }
        let n = scratch.elected.count
        if n <= 1 { return 0 }
        let budget = self.budget[v]

        var stakeUsed: UInt128 = 0
        var minBacked = UInt128.max
        var maxBackingBacked: UInt128 = 0
        var anyBacking = false
        for e in scratch.elected {
            let b = backed[Int(edgeCandidate[e])]
            stakeUsed = stakeUsed.saturatingAdd(edgeWeight[e])
            if b < minBacked { minBacked = b }
            if edgeWeight[e] > 0 {
                anyBacking = true
                if b > maxBackingBacked { maxBackingBacked = b }
            }
        }
        let difference: UInt128
        if anyBacking {
            let d = maxBackingBacked.saturatingSub(minBacked).saturatingAdd(budget.saturatingSub(stakeUsed))
            if d < tolerance { return d }
            difference = d
        } else {
            difference = budget
        }

        // Remove this voter's backing everywhere.
        for e in scratch.elected {
            let c = Int(edgeCandidate[e])
            backed[c] = backed[c].saturatingSub(edgeWeight[e])
            edgeWeight[e] = 0
        }

        // Stable sort by current backed stake (insertion sort: voters have few edges).
        scratch.sorted = scratch.elected
        scratch.sortKey.removeAll(keepingCapacity: true)
        for e in scratch.sorted { scratch.sortKey.append(backed[Int(edgeCandidate[e])]) }
        if n > 1 {
            for i in 1..<n {
                let key = scratch.sortKey[i], item = scratch.sorted[i]
                var j = i - 1
                while j >= 0 && scratch.sortKey[j] > key {
                    scratch.sortKey[j + 1] = scratch.sortKey[j]
                    scratch.sorted[j + 1] = scratch.sorted[j]
                    j -= 1
                }
                scratch.sortKey[j + 1] = key
                scratch.sorted[j + 1] = item
            }
        }

        var cumulative: UInt128 = 0
        var lastIndex = n - 1
        for i in 0..<n {
            let b = scratch.sortKey[i]
            if b.saturatingMul(UInt128(i)).saturatingSub(cumulative) > budget {
                lastIndex = i == 0 ? 0 : i - 1
                break
            }
            cumulative = cumulative.saturatingAdd(b)
        }
        let lastStake = scratch.sortKey[lastIndex]
        let ways = UInt128(lastIndex + 1)
        let excess = budget.saturatingAdd(cumulative).saturatingSub(lastStake.saturatingMul(ways))
        let share = excess / ways
        for k in 0...lastIndex {
            let e = scratch.sorted[k]
            let c = Int(edgeCandidate[e])
            let w = share.saturatingAdd(lastStake).saturatingSub(backed[c])
            edgeWeight[e] = w
            backed[c] = backed[c].saturatingAdd(w)
        }
        // Rounding of excess / ways can leave the voter a few units off; failures are ignored,
        // as in Substrate (an unnormalized voter is not corrupt).
        _ = normalizeElected(voter: v, scratch: &scratch.normalize)
        return difference
    }

    // MARK: - Output

    /// `into_assignment` + `try_normalize` for every voter, in voter order: each edge's weight as a
    /// fraction of the budget (`from_rational`, floor, which is `one` for a zero budget), zero
    /// fractions dropped, the rest normalized to exactly `P.one`.
    func assignments<ID: ElectionID, P: PerThing>(
        candidates: [ID], voters: [NPoSVoter<ID>], as _: P.Type
    ) throws -> [Assignment<ID, P>] {
        let acc = P.accuracy128
        var out: [Assignment<ID, P>] = []
        out.reserveCapacity(voterCount)
        var scratch = NormalizeScratch()
        for v in 0..<voterCount {
            scratch.edges.removeAll(keepingCapacity: true)
            scratch.values.removeAll(keepingCapacity: true)
            let b = budget[v]
            for e in edgeStart[v]..<edgeStart[v + 1] {
                let w = edgeWeight[e]
                let parts = (b == 0 || w > b) ? acc : multiplyByRationalWithRounding(acc, w, b, .down)!
                if parts == 0 { continue }
                scratch.edges.append(e)
                scratch.values.append(parts)
            }
            if scratch.edges.isEmpty { continue }
            guard scratch.normalizeValues(to: acc) else {
                throw NPoSError.arithmetic("per-thing parts of voter at position \(voterInput[v]) cannot be normalized")
            }
            var shares: [Assignment<ID, P>.Share] = []
            shares.reserveCapacity(scratch.edges.count)
            for (k, e) in scratch.edges.enumerated() {
                shares.append(.init(target: candidates[Int(edgeCandidate[e])],
                                    ratio: P(parts: P.Inner(clamping: scratch.values[k]))))
            }
            out.append(Assignment(voter: voters[voterInput[v]].id, distribution: shares))
        }
        return out
    }
}

/// Reusable buffers for `balanceVoter`, so the hot loop allocates nothing.
struct BalanceScratch {
    var elected: [Int] = []
    var sorted: [Int] = []
    var sortKey: [UInt128] = []
    var normalize = NormalizeScratch()
}

/// Reusable buffers for normalizing a handful of values exactly as `sp_arithmetic::normalize`.
struct NormalizeScratch {
    var edges: [Int] = []
    var values: [UInt128] = []
    var order: [Int] = []
    var sorted: [UInt128] = []

    /// In-place `normalize(values, target)`; `false` where Substrate returns `Err`.
    mutating func normalizeValues(to target: UInt128) -> Bool {
        let count = values.count
        if count == 0 { return true }
        var sum: UInt128 = 0
        for x in values {
            let (s, o) = sum.addingReportingOverflow(x)
            if o { return false }
            sum = s
        }
        if sum == target { return true }
        if count > 32 {
            // Rare (a voter with many targets): use the general implementation.
            guard let r = normalize(values, to: target) else { return false }
            values = r
            return true
        }
        let countT = UInt128(count)
        let diff = target > sum ? target - sum : sum - target
        let perRound = diff / countT
        var leftover = diff % countT
        // Stable sort of (value, original index) by value.
        order.removeAll(keepingCapacity: true)
        sorted.removeAll(keepingCapacity: true)
        for i in 0..<count {
            let key = values[i]
            var j = i - 1
            order.append(i)
            sorted.append(key)
            while j >= 0 && sorted[j] > key {
                sorted[j + 1] = sorted[j]
                order[j + 1] = order[j]
                j -= 1
            }
            sorted[j + 1] = key
            order[j + 1] = i
        }
        if target > sum {
            var minIndex = 0
            let threshold = target / countT
            if perRound != 0 {
                for _ in 0..<count {
                    sorted[minIndex] += perRound
                    if sorted[minIndex] >= threshold { minIndex = (minIndex + 1) % count }
                }
            }
            while leftover != 0 {
                sorted[minIndex] += 1
                if sorted[minIndex] >= threshold { minIndex = (minIndex + 1) % count }
                leftover -= 1
            }
        } else {
            var maxIndex = count - 1
            let threshold = sorted[0]
            if perRound != 0 {
                for _ in 0..<count {
                    if sorted[maxIndex] >= perRound {
                        sorted[maxIndex] -= perRound
                    } else {
                        leftover += perRound - sorted[maxIndex]
                        sorted[maxIndex] = 0
                    }
                    if sorted[maxIndex] <= threshold { maxIndex = maxIndex == 0 ? count - 1 : maxIndex - 1 }
                }
            }
            while leftover != 0 {
                if sorted[maxIndex] >= 1 {
                    sorted[maxIndex] -= 1
                    if sorted[maxIndex] <= threshold { maxIndex = maxIndex == 0 ? count - 1 : maxIndex - 1 }
                    leftover -= 1
                } else {
                    maxIndex = maxIndex == 0 ? count - 1 : maxIndex - 1
                }
            }
        }
        for k in 0..<count { values[order[k]] = sorted[k] }
        return true
    }
}
