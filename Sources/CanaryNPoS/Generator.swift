// Deterministic synthetic snapshots (benchmarks, property tests).

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, well-mixed generator. CanaryNPoS has its
/// own so that snapshots depend on nothing but the seed — no system randomness, no other module.
public struct SplitMix64: Sendable, Hashable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0 ..< bound` (Lemire's multiply-shift with rejection; `bound > 0`).
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        while true {
            let m = next().multipliedFullWidth(by: bound)
            if m.low >= (0 &- bound) % bound { return m.high }
        }
    }
}

extension ElectionSnapshot {
    /// A Kusama-size election: `candidates` validators (each also a voter backing itself), the
    /// rest of `voters` nominators with up to `maxTargets` targets (most pick 16 or more),
    /// popularity skewed towards some validators, stakes from 1 to 100,000 KSM (10^12 planck per
    /// KSM) spread log-uniformly over five orders of magnitude. Same seed, same snapshot.
    public static func synthetic(
        seed: UInt64, candidates candidateCount: Int = 2_000, voters voterCount: Int = 22_500,
        maxTargets: Int = 24, toElect: Int = 1_000
    ) -> ElectionSnapshot {
        var rng = SplitMix64(seed: seed)
        let candidates = (0..<candidateCount).map { UInt64(1_000_000 + $0) }
        func stake() -> UInt64 {
            var scale: UInt64 = 1_000_000_000_000  // 1 KSM
            for _ in 0..<rng.next(below: 5) { scale *= 10 }
            return scale + rng.next(below: scale * 9)
        }
        var voters: [NPoSVoter<UInt64>] = []
        voters.reserveCapacity(voterCount)
        let selfVotes = min(candidateCount, voterCount)
        for i in 0..<selfVotes {
            voters.append(NPoSVoter(id: candidates[i], stake: stake(), targets: [candidates[i]]))
        }
        let maxT = max(1, min(maxTargets, candidateCount))
        for j in selfVotes..<voterCount {
            let count: Int
            if rng.next(below: 10) < 7 && maxT >= 16 {
                count = 16 + Int(rng.next(below: UInt64(maxT - 15)))
            } else {
                count = 1 + Int(rng.next(below: UInt64(maxT)))
            }
            var targets: [UInt64] = []
            targets.reserveCapacity(count)
            while targets.count < count {
                // Squared uniform: low indices are more popular.
                let u = rng.next(below: 1 << 20)
                let idx = (Int((u * u) >> 20) * candidateCount) >> 20
                let t = candidates[min(idx, candidateCount - 1)]
                if !targets.contains(t) { targets.append(t) }
            }
            voters.append(NPoSVoter(id: UInt64(10_000_000 + j), stake: stake(), targets: targets))
        }
        return ElectionSnapshot(name: "synthetic-\(seed)", algorithm: .seqPhragmen, toElect: toElect,
                                balancing: BalancingConfig(iterations: 10, tolerance: 0), accuracy: .perbill,
                                candidates: candidates, voters: voters)
    }
}
