import CanaryChain
import CanaryConsensus
import CanaryEngine

/// Approval-checking assignments (polkadot-sdk `polkadot/node/core/approval-voting/src/criteria.rs`).
///
/// Every validator computes, for each block, which of the block's included candidates it must
/// check and from which delay tranche: a tranche-0 `RelayVRFModuloCompact` assignment over a
/// sample of cores, and a `RelayVRFDelay` assignment per core. Both are VRF outputs over the
/// block's `RelayVRFStory` (derived from the block author's BABE VRF output).
///
/// Canary's VRF is the keyed SplitMix64 construction of its BABE stand-in (`BabeVRF`): an output
/// is `mix`-chained from the story's four words, a context constant, an extra input (the core
/// for delay assignments) and the validator's 128-bit key. Uniform, independent per validator
/// and deterministic; not ChaCha20/schnorrkel, so individual assignments differ from the chain's
/// for the same inputs but follow the same distribution and the same integer rules.
public enum AssignmentCriteria {
    /// `MAX_MODULO_SAMPLES`.
    public static let maxModuloSamples = 40

    /// `RelayVRFStory`: `make_bytes("A&V RC-VRF")` of the author's BABE VRF output — here
    /// SHA-256 over the context and the output's 16 bytes (little-endian).
    public static func relayVRFStory(authorVRFOutput o: UInt128) -> Hash32 {
        Hash32.sha256(Array("A&V RC-VRF".utf8),
                      UInt64(truncatingIfNeeded: o).littleEndianBytes,
                      UInt64(truncatingIfNeeded: o >> 64).littleEndianBytes)
    }

    static let moduloContext: UInt64 = 0x4126_5620_4D4F_4432   // "A&V MOD2"
    static let delayContext: UInt64 = 0x4126_5620_4445_4C41    // "A&V DELA"

    /// The validator's VRF output for `context` and `extra` over `story` (64 bits).
    @inlinable public static func vrf(story: Hash32, context: UInt64, extra: UInt64, key: (UInt64, UInt64)) -> UInt64 {
        var t = BabeVRF.mix(context ^ key.0)
        t = BabeVRF.mix(story.w0 ^ t); t = BabeVRF.mix(story.w1 ^ t)
        t = BabeVRF.mix(story.w2 ^ t); t = BabeVRF.mix(story.w3 ^ t)
        t = BabeVRF.mix(extra ^ t)
        return BabeVRF.mix(t ^ key.1)
    }

    /// `relay_vrf_modulo_cores` / `generate_samples`: `min(40, samples, n_cores)` distinct cores,
    /// the tail of `rand`'s `partial_shuffle` of `0..<n_cores` (for i from len−1 down to
    /// len−amount: swap i with a uniform index in 0...i), in the order the shuffle leaves them.
    /// Distinct by construction: a core sampled twice is never assigned twice.
    public static func moduloCores(story: Hash32, key: (UInt64, UInt64), samples: Int, cores: Int) -> [Int] {
        let amount = min(maxModuloSamples, min(samples, cores))
        guard amount > 0 else { return [] }
        var rng = Xoshiro256StarStar(seed: vrf(story: story, context: moduloContext, extra: 0, key: key))
        var all = Array(0..<cores)
        let end = cores - amount
        var i = cores - 1
        while i >= end {
            let j = Int(rng.nextBelow(UInt64(i + 1)))
            all.swapAt(i, j)
            if i == 0 { break }
            i -= 1
        }
        return Array(all[end...])
    }

    /// `relay_vrf_delay_tranche`: `(u32_le(vrf) mod (n_delay_tranches + zeroth_width))
    /// .saturating_sub(zeroth_width)` for the validator's delay VRF on `core`.
    public static func delayTranche(story: Hash32, key: (UInt64, UInt64), core: Int, nDelayTranches: Int, zerothWidth: Int) -> Int {
        let u = UInt32(truncatingIfNeeded: vrf(story: story, context: delayContext, extra: UInt64(core), key: key))
        let wide = Int(u % UInt32(nDelayTranches + zerothWidth))
        return max(wide - zerothWidth, 0)
    }

    /// `compute_assignments` for one validator: for every leaving core (a core whose candidate the
    /// block included) not backed by the validator's own group, the earliest tranche at which it
    /// checks it. Modulo (tranche 0) cores first; then one delay assignment per core, kept only
    /// when earlier than what the core already has (so a core is never assigned twice).
    /// Returns (core, tranche) sorted by core.
    public static func assignments(story: Hash32, key: (UInt64, UInt64), leavingCores: [(core: Int, ownGroup: Bool)],
                                   config: HostConfiguration, cores: Int, v2: Bool = true) -> [(core: Int, tranche: Int)] {
        guard cores > 0 else { return [] }
        let eligible = leavingCores.filter { !$0.ownGroup }.map(\.core)
        guard !eligible.isEmpty else { return [] }
        var best = [Int: Int]()
        if v2 {
            for c in moduloCores(story: story, key: key, samples: config.relayVRFModuloSamples, cores: cores) where eligible.contains(c) {
                best[c] = 0
            }
        }
        for c in eligible {
            let t = delayTranche(story: story, key: key, core: c, nDelayTranches: config.nDelayTranches,
                                 zerothWidth: config.zerothDelayTrancheWidth)
            if let old = best[c], old <= t { continue }
            best[c] = t
        }
        return best.map { ($0.key, $0.value) }.sorted { $0.core < $1.core }
    }
}
