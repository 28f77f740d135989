/// The integer thresholds of the parachain host (polkadot-sdk `polkadot/primitives`,
/// `polkadot/erasure-coding`, `polkadot/runtime/parachains/src/disputes.rs`).
public enum ParaThresholds {
    /// `byzantine_threshold(n)` = ⌊(n − 1)/3⌋, the most faulty validators tolerated (f).
    public static func byzantine(_ n: Int) -> Int { max(n - 1, 0) / 3 }

    /// `supermajority_threshold(n)` = n − ⌊(n − 1)/3⌋.
    public static func supermajority(_ n: Int) -> Int { n - byzantine(n) }

    /// Bits of signed bitfields a candidate needs to be available (`availability_threshold`,
    /// equal to the supermajority threshold).
    public static func availability(_ n: Int) -> Int { supermajority(n) }

    /// Erasure chunks that reconstruct the available data (`recovery_threshold`): ⌊(n − 1)/3⌋ + 1.
    public static func recovery(_ n: Int) -> Int { byzantine(n) + 1 }

    /// Bytes of one erasure chunk of `povSize` bytes shared among `n` validators: the data split
    /// in `recovery(n)` pieces (rounded up; the Reed–Solomon padding to a power of two that
    /// novelpoly adds is not modelled).
    public static func chunkSize(povSize: Int, validators n: Int) -> Int {
        let k = recovery(n)
        return (povSize + k - 1) / k
    }

    /// `effective_minimum_backing_votes`: a group smaller than the configured minimum backs with
    /// all of its members.
    public static func backing(groupSize: Int, minimumBackingVotes: Int) -> Int { min(groupSize, minimumBackingVotes) }
}
