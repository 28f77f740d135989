/// SplitMix64 (Steele, Lea & Flood 2014): used only to expand a 64-bit seed into the 256-bit
/// state of `Xoshiro256StarStar`, as its authors recommend.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    @inlinable public init(seed: UInt64) { state = seed }
    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018): the PRNG behind every random draw in a simulation.
///
/// Fast (a few cycles per draw), 2^256 - 1 period, and fully specified, so a seed gives the same
/// sequence on every platform and in every future version of Canary.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// Seeds the state through SplitMix64 (never all zero).
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inlinable public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform integer in `0..<bound` without modulo bias (Lemire's method).
    @inlinable public mutating func nextBelow(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// True with probability `p`.
    @inlinable public mutating func chance(_ p: Double) -> Bool { p > 0 && nextUnit() < p }

    /// A standard normal draw (Box–Muller; one value per call, deterministic).
    public mutating func nextGaussian() -> Double {
        var u1 = nextUnit()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// What a random stream is used for. Each purpose gets its own independent stream per node, so
/// adding a feature (a new purpose) or a node never shifts the draws of existing ones.
public struct StreamPurpose: Hashable, Sendable {
    public let tag: UInt64
    /// A purpose from a stable name (FNV-1a 64 of its UTF-8 bytes — never Swift's seeded `hashValue`).
    public init(_ name: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        tag = h
    }
    public static let network = StreamPurpose("network")
    public static let traffic = StreamPurpose("traffic")
    public static let bench = StreamPurpose("bench")
}

/// Derives independent generators from (scenario seed, purpose, node index).
public struct RandomStreams: Sendable {
    public let seed: UInt64
    public init(seed: UInt64) { self.seed = seed }

    /// The generator for `purpose` at `node` (use `node: nil` for global streams). The three
    /// inputs are mixed through SplitMix64 so nearby seeds or indices give unrelated streams.
    public func stream(_ purpose: StreamPurpose, node: UInt32? = nil) -> Xoshiro256StarStar {
        var mix = SplitMix64(seed: seed)
        let a = mix.next()
        var mix2 = SplitMix64(seed: a ^ purpose.tag)
        let b = mix2.next()
        var mix3 = SplitMix64(seed: b ^ (node.map { UInt64($0) &+ 1 } ?? 0) &* 0xD6E8_FEB8_6659_FD93)
        return Xoshiro256StarStar(seed: mix3.next())
    }
}

import Foundation
