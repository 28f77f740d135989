import CanaryChain
import CanaryStaking

/// A 64-bit digest of everything a block's post-state decides (FNV-1a over its fields, in a
/// fixed order), for comparing two executions of the same block: equal states give equal
/// fingerprints; a difference in any balance, bond, nomination, exposure, slash, era point,
/// authority, set change, disabled validator or reported offence shows. (OpenGov's state is
/// not part of it yet.)
public struct RuntimeFingerprint: Sendable, Equatable, CustomStringConvertible {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public var description: String { String(value, radix: 16) }

    mutating func add(_ x: UInt64) {
        var v = x
        for _ in 0..<8 {
            value ^= v & 0xff
            value = value &* 0x0000_0100_0000_01b3
            v >>= 8
        }
    }
    mutating func add(_ x: UInt128) { add(UInt64(truncatingIfNeeded: x)); add(UInt64(truncatingIfNeeded: x >> 64)) }
    mutating func add<S: Sequence>(_ xs: S) where S.Element: BinaryInteger {
        var n: UInt64 = 0
        for x in xs { add(UInt64(truncatingIfNeeded: x)); n += 1 }
        add(n)
    }
}

extension RuntimeState {
    /// The fingerprint of this post-state (`RuntimeFingerprint`).
    public var fingerprint: RuntimeFingerprint {
        var f = RuntimeFingerprint()
        f.add(session); f.add(eraStartMillis); f.add(UInt64(eraStartNumber))
        f.add(eraPoints); f.add(eraBlocks); f.add(UInt64(eraPrimaryBlocks))
        f.add(authorities); f.add(nextAuthorities)
        f.add(UInt64(setChanges.count))
        for c in setChanges { f.add(UInt64(c.signalNumber)); f.add(UInt64(c.delay)); f.add(c.voters); f.add(UInt64(c.forced ? 1 : 0)) }
        f.add(disabled); f.add(reported)
        if let ledger = population?.state { Self.add(ledger, to: &f) } else { f.add(UInt64(0)) }
        if let q = queued { f.add(UInt64(1)); Self.add(q, to: &f) } else { f.add(UInt64(0)) }
        return f
    }

    static func add(_ s: StakingState, to f: inout RuntimeFingerprint) {
        f.add(s.totalIssuance); f.add(s.treasury); f.add(UInt64(s.currentEra)); f.add(s.minted); f.add(s.burned)
        f.add(UInt64(s.accounts.count))
        for a in s.accounts {
            f.add(a.free); f.add(a.active); f.add(UInt64(a.unlocking.count))
            for u in a.unlocking { f.add(u.value) }
            f.add(UInt64(a.validatorPrefs?.parts ?? UInt32.max))
            if let n = a.nominations { f.add(n) } else { f.add(UInt64.max) }
        }
        f.add(UInt64(s.exposures.count))
        for e in s.exposures { f.add(UInt64(e.validator)); f.add(e.exposure.total); f.add(e.exposure.own) }
        f.add(UInt64(s.pendingSlashes.count))
    }
}
