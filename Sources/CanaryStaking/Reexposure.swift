import CanaryArithmetic

/// The last election's outcome as a reusable split: which validators won and how each voter's
/// stake was spread over them. Between full elections the statistical model re-applies this
/// split to the voters' *current* bonds every era (`StakingState.reexpose`), so total stake,
/// staking rate and payouts follow the bonds era by era while the expensive election runs only
/// every N eras (docs/economics.md, "Fidelity levels").
public struct ElectionTemplate: Sendable {
    /// Active validators, ascending (the order of `StakingState.exposures`).
    public private(set) var validators: [AccountID] = []
    /// Edges in exposure order: validator `k`'s own edge at `edgeStart[k]`, then its nominators.
    var edgeVoter: [AccountID] = []
    var edgeBase: [Balance] = []
    var edgeStart: [Int] = []
    /// Distinct voters, ascending, with their total at the election and their edges (flattened).
    var voters: [AccountID] = []
    var voterBase: [Balance] = []
    var voterEdgeStart: [Int] = []
    var voterEdges: [Int] = []
    /// `edgeBase` in voter order (`voterEdgeBase[k] == edgeBase[voterEdges[k]]`), so the per-era
    /// pass reads sequentially.
    var voterEdgeBase: [Balance] = []

    public init() {}

    /// The split of the state's current exposures.
    public init(_ state: StakingState) {
        for (v, e) in state.exposures {
            validators.append(v)
            edgeStart.append(edgeVoter.count)
            edgeVoter.append(v); edgeBase.append(e.own)
            for b in e.others { edgeVoter.append(b.who); edgeBase.append(b.value) }
        }
        edgeStart.append(edgeVoter.count)
        // Group edges by voter (stable: ascending voter, then edge order) with a counting pass
        // over dense account ids.
        let n = state.accounts.count
        var count = [Int](repeating: 0, count: n + 1)
        for v in edgeVoter { count[Int(v) + 1] += 1 }
        for i in 0..<n { count[i + 1] += count[i] }
        var fill = count
        voterEdges = [Int](repeating: 0, count: edgeVoter.count)
        for (e, v) in edgeVoter.enumerated() {
            voterEdges[fill[Int(v)]] = e
            fill[Int(v)] += 1
        }
        for i in 0..<n where count[i + 1] > count[i] {
            voters.append(AccountID(i))
            voterEdgeStart.append(count[i])
            voterBase.append(voterEdges[count[i]..<count[i + 1]].reduce(Balance(0)) { $0 + edgeBase[$1] })
        }
        voterEdgeStart.append(voterEdges.count)
        voterEdgeBase = voterEdges.map { edgeBase[$0] }
    }

    /// Number of voter → validator edges.
    public var edgeCount: Int { edgeVoter.count }
}

extension StakingState {
    /// Installs this era's exposures from `template` and the voters' current active bonds: each
    /// voter's bond is spread over its elected validators in the proportions of the election
    /// (`edge · bond / bond_at_election`, the ratio taken once per voter in 64.64 fixed point and
    /// everything rounded down; the remainder goes to its largest edge, so exposures add up exactly
    /// to the bonds). Voters with no active bond left contribute nothing; voters
    /// who joined since the election wait for the next one. Commissions stay as elected.
    public mutating func reexpose(_ template: ElectionTemplate) {
        var amount = [Balance](repeating: 0, count: template.edgeVoter.count)
        for (k, voter) in template.voters.enumerated() {
            let base = template.voterBase[k]
            let now = accounts[Int(voter)].active
            let range = template.voterEdgeStart[k]..<template.voterEdgeStart[k + 1]
            guard base > 0, now > 0 else { continue }
            if now == base {
                for j in range { amount[template.voterEdges[j]] = template.voterEdgeBase[j] }
                continue
            }
            // One division per voter: the ratio now/base as a 64.64 fixed-point multiplier
            // (floor), then one multiplication per edge.
            let scale = FixedRatio(now, base)
            var given: Balance = 0
            var largest = range.lowerBound
            for j in range {
                let a = min(scale.apply(template.voterEdgeBase[j]), now - given)
                amount[template.voterEdges[j]] = a
                given += a
                if template.voterEdgeBase[j] > template.voterEdgeBase[largest] { largest = j }
            }
            amount[template.voterEdges[largest]] += now - given
        }
        var set: [(validator: AccountID, exposure: Exposure)] = []
        set.reserveCapacity(template.validators.count)
        for (k, v) in template.validators.enumerated() {
            let start = template.edgeStart[k], end = template.edgeStart[k + 1]
            let own = amount[start]
            var others: [Exposure.Backer] = []
            others.reserveCapacity(end - start - 1)
            var total = own
            for e in (start + 1)..<end where amount[e] > 0 {
                others.append(.init(who: template.edgeVoter[e], value: amount[e]))
                total += amount[e]
            }
            set.append((v, Exposure(total: total, own: own, others: others)))
        }
        exposures = set
    }
}

/// `p / q` as an unsigned 64.64 fixed-point number, rounded down, for scaling many values by the
/// same ratio with multiplications only. Exact integers; deterministic everywhere.
struct FixedRatio {
    /// floor(p · 2^64 / q) as (high, low) 64-bit words; `wide` when it does not fit 128 bits
    /// (or a value above 64 bits comes along), and `apply` falls back to `floor(x · p / q)`.
    let high: UInt64, low: UInt64
    let p: Balance, q: Balance
    let wide: Bool
    init(_ p: Balance, _ q: Balance) {
        self.p = p; self.q = q
        if let v = multiplyByRationalDown(p, UInt128(1) << 64, q), v >> 64 <= UInt128(UInt64.max) {
            high = UInt64(truncatingIfNeeded: v >> 64); low = UInt64(truncatingIfNeeded: v); wide = false
        } else {
            high = 0; low = 0; wide = true
        }
    }
    /// floor(x · value / 2^64) for x < 2^64 (two 64×64-bit products), else the exact fallback.
    @inline(__always)
    func apply(_ x: Balance) -> Balance {
        guard !wide, x <= UInt128(UInt64.max) else { return multiplyByRationalDown(x, p, q) ?? .max }
        let x64 = UInt64(truncatingIfNeeded: x)
        let l = x64.multipliedFullWidth(by: low)    // x · low, 128 bits
        let h = x64.multipliedFullWidth(by: high)   // x · high, 128 bits, weight 2^64
        return (UInt128(h.high) << 64 | UInt128(h.low)) + UInt128(l.high)
    }
}
