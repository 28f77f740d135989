import CanaryEngine

/// A 32-byte hash value (epoch randomness, VRF randomness contributions), stored as four
/// little-endian 64-bit words so that chain states stay allocation-free.
public struct Hash32: Hashable, Sendable, CustomStringConvertible {
    public var w0, w1, w2, w3: UInt64

    public init(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public static let zero = Hash32(0, 0, 0, 0)

    /// From 32 bytes (word `i` is bytes `8i..<8i+8` read little-endian).
    public init(bytes: [UInt8]) {
        precondition(bytes.count == 32, "Hash32 needs 32 bytes")
        func word(_ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for k in 0..<8 { v |= UInt64(bytes[8 * i + k]) << (8 * k) }
            return v
        }
        self.init(word(0), word(1), word(2), word(3))
    }

    /// The 32 bytes, in order.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for w in [w0, w1, w2, w3] { for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> (8 * k))) } }
        return out
    }

    /// SHA-256 of `parts` concatenated.
    public static func sha256(_ parts: [UInt8]...) -> Hash32 {
        var h = SHA256()
        for p in parts { h.update(p) }
        return Hash32(bytes: h.finalize())
    }

    public var description: String { SHA256.hex(bytes) }
}

extension UInt64 {
    /// Little-endian bytes (SCALE encoding of a u64).
    @inlinable public var littleEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (8 * $0)) } }
}
