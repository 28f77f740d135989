import CanaryEngine

/// The simulation's stand-in for BABE's VRF: a deterministic keyed hash with uniform output.
///
/// No signatures are needed — only that every validator's output for a slot is unpredictable,
/// uniform over 128 bits, independent across validators and slots, and identical on every
/// platform. Construction (all arithmetic wrapping, `mix` = the SplitMix64 finalizer, a
/// bijection on 64 bits with full avalanche):
///
///     t  = transcript(randomness, epoch, slot)            // once per slot, shared by all
///        = mix(w3 ^ mix(w2 ^ mix(w1 ^ mix(w0 ^ mix(epoch ^ mix(slot ^ C0))))))
///     hi = mix(mix(t ^ k0) ^ k1)
///     lo = mix(mix(t ^ k1 ^ C1) ^ k0)
///     output = hi << 64 | lo   (compared with the threshold as Substrate compares the u128)
///
/// `w0..w3` are the epoch randomness words, `(k0, k1)` the validator's 128-bit key drawn from the
/// stream ("babe-vrf-key", validator) of the scenario seed. Not cryptographic (keys could be
/// recovered from outputs), which a simulation does not need.
public struct BabeVRF: Sendable {
    public static let keyPurpose = StreamPurpose.babeVRFKey
    @usableFromInline static let c0: UInt64 = 0x42_41_42_45_2D_56_52_46   // "BABE-VRF"
    @usableFromInline static let c1: UInt64 = 0x9E37_79B9_7F4A_7C15

    public let k0: [UInt64]
    public let k1: [UInt64]

    public init(validators: Int, streams: RandomStreams) {
        var a: [UInt64] = [], b: [UInt64] = []
        a.reserveCapacity(validators); b.reserveCapacity(validators)
        for v in 0..<validators {
            var rng = streams.stream(Self.keyPurpose, node: UInt32(v))
            a.append(rng.next()); b.append(rng.next())
        }
        k0 = a; k1 = b
    }

    @inlinable @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The slot's transcript digest (`make_vrf_sign_data(randomness, slot, epoch)`).
    @inlinable public static func transcript(randomness r: Hash32, epoch: UInt64, slot: UInt64) -> UInt64 {
        var t = mix(slot ^ c0)
        t = mix(epoch ^ t)
        t = mix(r.w0 ^ t); t = mix(r.w1 ^ t); t = mix(r.w2 ^ t); t = mix(r.w3 ^ t)
        return t
    }

    /// High 64 bits of validator `v`'s output.
    @inlinable @inline(__always) public func high(_ v: Int, _ t: UInt64) -> UInt64 { Self.mix(Self.mix(t ^ k0[v]) ^ k1[v]) }
    /// Low 64 bits of validator `v`'s output.
    @inlinable @inline(__always) public func low(_ v: Int, _ t: UInt64) -> UInt64 { Self.mix(Self.mix(t ^ k1[v] ^ Self.c1) ^ k0[v]) }

    /// The full 128-bit output.
    @inlinable public func output(_ v: Int, _ t: UInt64) -> UInt128 { UInt128(high(v, t)) << 64 | UInt128(low(v, t)) }

    /// Whether validator `v` wins the primary lottery: `output < threshold`, computing the low
    /// half only when the high halves tie.
    @inlinable @inline(__always)
    public func claimsPrimary(_ v: Int, _ t: UInt64, thresholdHigh: UInt64, thresholdLow: UInt64) -> Bool {
        let h = high(v, t)
        if h != thresholdHigh { return h < thresholdHigh }
        return low(v, t) < thresholdLow
    }

    /// The randomness a primary block contributes to its epoch (`make_bytes(RANDOMNESS_VRF_CONTEXT)`).
    public func randomnessContribution(_ v: Int, _ t: UInt64) -> Hash32 {
        let o = output(v, t)
        return Hash32.sha256(Array("substrate-babe-vrf-randomness".utf8),
                             UInt64(truncatingIfNeeded: o).littleEndianBytes,
                             UInt64(truncatingIfNeeded: o >> 64).littleEndianBytes)
    }
}

/// BABE's runtime and slot rules that do not depend on the network.
public enum BabeRules {
    /// `UNDER_CONSTRUCTION_SEGMENT_LENGTH`.
    public static let segmentLength = 256

    /// The designated secondary author of `slot`: `H(randomness ‖ slot as u64 LE)` read as a
    /// little-endian 256-bit integer, mod `authorities` (Substrate: blake2_256 of the SCALE
    /// encoding; SHA-256 here).
    public static func secondaryAuthor(randomness: Hash32, slot: UInt64, authorities n: Int) -> UInt32 {
        let h = Hash32.sha256(randomness.bytes, slot.littleEndianBytes)
        let m = UInt64(n)
        var r: UInt64 = 0
        // Horner from the most significant word: r = (r * 2^64 + w) mod m.
        for w in [h.w3, h.w2, h.w1, h.w0] { r = m.dividingFullWidth((high: r, low: w)).remainder }
        return UInt32(r)
    }

    /// Which epoch (index, randomness) a node building on `parent` uses to claim `slot`,
    /// as Substrate's epoch-changes tree resolves it: the parent's epoch if the slot is in it,
    /// otherwise the epoch announced next (with its index moved forward over skipped epochs).
    public static func claimEpoch(parent: ChainState, slot: UInt64, epochLength: UInt64) -> (index: UInt64, randomness: Hash32) {
        guard let genesis = parent.genesisSlot else { return (0, parent.randomness) }
        if slot < parent.epochStartSlot + epochLength { return (parent.epochIndex, parent.randomness) }
        return ((slot - genesis) / epochLength, parent.nextRandomness)
    }

    /// `compute_randomness`: `H(last ‖ epoch_index as u64 LE ‖ rho...)`.
    public static func computeRandomness(last: Hash32, epochIndex: UInt64, rho: [Hash32]) -> Hash32 {
        var h = SHA256()
        h.update(last.bytes)
        h.update(epochIndex.littleEndianBytes)
        for r in rho { h.update(r.bytes) }
        return Hash32(bytes: h.finalize())
    }

    /// Executes BABE's part of a block on `parent`'s post-state: block #1 sets the genesis slot;
    /// the first block of a slot past the epoch end enacts the epoch change (skipping epochs if
    /// needed, rotating randomness with the segment quirk); a primary block then deposits its
    /// VRF randomness into the current segment.
    public static func execute(parent: ChainState, slot: UInt64, epochLength: UInt64, primaryRandomness: Hash32?) -> ChainState {
        var s = parent
        s.number += 1
        if s.genesisSlot == nil {
            // pallet_babe::initialize on block #1.
            s.genesisSlot = slot
            s.epochIndex = 0
            s.epochStartSlot = slot
        } else if slot - s.epochStartSlot >= epochLength, s.number != 1 {
            enactEpochChange(&s, slot: slot, epochLength: epochLength)
        }
        if let r = primaryRandomness { deposit(&s, r) }
        return s
    }

    static func enactEpochChange(_ s: inout ChainState, slot: UInt64, epochLength: UInt64) {
        let genesis = s.genesisSlot ?? 0
        // sp_consensus_babe::epoch_index: from the slot, so skipped epochs are jumped over.
        let epochIndex = (slot - genesis) / epochLength
        s.epochIndex = epochIndex
        s.epochStartSlot = genesis + epochIndex * epochLength
        // randomness_change_epoch(next_epoch_index = epochIndex + 1)
        let this = s.nextRandomness
        let segmentIdx = Int(s.segmentIndex)
        s.segmentIndex = 0
        var rho: [Hash32] = []
        for i in 0..<segmentIdx where i < s.underConstruction.count {
            rho += s.underConstruction[i]
            s.underConstruction[i] = []   // UnderConstruction::take
        }
        s.nextRandomness = computeRandomness(last: this, epochIndex: epochIndex + 1, rho: rho)
        s.randomness = this
    }

    /// `deposit_randomness`: push onto the current segment; a full segment starts the next one
    /// (overwriting whatever a stale entry held there).
    static func deposit(_ s: inout ChainState, _ r: Hash32) {
        let idx = Int(s.segmentIndex)
        while s.underConstruction.count <= idx { s.underConstruction.append([]) }
        if s.underConstruction[idx].count < segmentLength {
            s.underConstruction[idx].append(r)
        } else {
            let next = idx + 1
            while s.underConstruction.count <= next { s.underConstruction.append([]) }
            s.underConstruction[next] = [r]
            s.segmentIndex = UInt32(next)
        }
    }
}
