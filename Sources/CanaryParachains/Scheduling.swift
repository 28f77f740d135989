import CanaryEngine
import CanaryChain
import CanaryConsensus

/// Para-validators, cores, backing groups and their rotation
/// (polkadot-sdk `polkadot/runtime/parachains/src/{shared.rs,scheduler.rs}`, `GroupRotationInfo` in
/// `polkadot/primitives`).
public enum Scheduling {
    /// The session's para-validators: the active validators shuffled with a generator seeded from
    /// the session's on-chain randomness, truncated to `max_validators` (`shared::initializer_on_new_session`).
    ///
    /// The shuffle is `rand`'s `SliceRandom::shuffle` (Fisher–Yates from the back: for i from
    /// len−1 down to 1, swap i with a uniform index in 0...i); the generator is Canary's
    /// xoshiro256** seeded from the randomness words instead of ChaCha20, so the permutation
    /// differs from the chain's for the same randomness but has the same distribution.
    public static func paraValidators(active: [Int], randomness: Hash32, maxValidators: Int?) -> [Int] {
        var v = active
        var rng = Xoshiro256StarStar(seed: randomness.w0 ^ BabeVRF.mix(randomness.w1 ^ BabeVRF.mix(randomness.w2 ^ BabeVRF.mix(randomness.w3))))
        if v.count > 1 {
            for i in stride(from: v.count - 1, through: 1, by: -1) {
                let j = Int(rng.nextBelow(UInt64(i + 1)))
                v.swapAt(i, j)
            }
        }
        if let m = maxValidators, v.count > m { v.removeLast(v.count - m) }
        return v
    }

    /// `n_cores = max(num_cores, para-validators / max_validators_per_core)`.
    public static func coreCount(numCores: Int, paraValidators: Int, maxValidatorsPerCore: Int?) -> Int {
        let byGroups: Int
        if let m = maxValidatorsPerCore, m != 0 { byGroups = paraValidators / m } else { byGroups = 0 }
        return max(numCores, byGroups)
    }

    /// Contiguous backing groups of session validator indices (positions in the shuffled
    /// para-validator list): the first `V mod n_cores` groups have ⌊V/n_cores⌋ + 1 members,
    /// the rest ⌊V/n_cores⌋. No groups when there are no cores or no validators.
    public static func groups(validators v: Int, cores: Int) -> [[Int]] {
        guard cores > 0, v > 0 else { return [] }
        let base = v / cores, larger = v % cores
        var out: [[Int]] = []
        out.reserveCapacity(cores)
        for i in 0..<larger { let o = (base + 1) * i; out.append(Array(o..<(o + base + 1))) }
        for i in 0..<(cores - larger) { let o = larger * (base + 1) + i * base; out.append(Array(o..<(o + base))) }
        return out
    }
}

/// `GroupRotationInfo`: which group backs which core at block `now` of a session that started at
/// `sessionStart`.
public struct GroupRotation: Sendable, Equatable {
    public var sessionStart: Int
    public var frequency: Int
    public var now: Int
    public init(sessionStart: Int, frequency: Int, now: Int) { self.sessionStart = sessionStart; self.frequency = frequency; self.now = now }

    /// Rotations since the session started.
    public var rotations: Int { frequency == 0 ? 0 : max(now - sessionStart, 0) / frequency }

    /// `group_for_core`: (c + rotations) mod n_cores.
    public func group(forCore c: Int, cores: Int) -> Int {
        if frequency == 0 { return c }
        if cores == 0 { return 0 }
        return (c + rotations) % cores
    }

    /// `core_for_group`: (g − rotations) mod n_cores.
    public func core(forGroup g: Int, cores: Int) -> Int {
        if frequency == 0 { return g }
        if cores == 0 { return 0 }
        return (g + cores - rotations % cores) % cores
    }

    /// `next_rotation_at`: the first block of the next rotation.
    public var nextRotationAt: Int {
        let once = now + frequency
        return once - (max(once - sessionStart, 0) % frequency)
    }

    /// `last_rotation_at`.
    public var lastRotationAt: Int { now - (max(now - sessionStart, 0) % frequency) }
}

/// The availability-timeout rule of the scheduler (`availability_timeout_predicate` and
/// `availability_timeout_check_required`): a core pending availability since block `pendingSince`
/// times out at block `now` if the timeout block computed below is ≤ now.
public enum AvailabilityTimeout {
    /// True at the start of a rotation window (the first `paras_availability_period` blocks after
    /// a rotation, counted from `now + 1`).
    public static func checkRequired(sessionStart: Int, frequency: Int, availabilityPeriod: Int, now: Int) -> Bool {
        let next = now + 1
        let r = GroupRotation(sessionStart: sessionStart, frequency: frequency, now: next)
        return next < r.lastRotationAt + availabilityPeriod
    }

    /// The block at which a candidate pending since `pendingSince` times out, as seen at `now`.
    public static func timeoutAt(pendingSince: Int, sessionStart: Int, frequency: Int, availabilityPeriod: Int, now: Int) -> Int {
        let r = GroupRotation(sessionStart: sessionStart, frequency: frequency, now: now)
        if checkRequired(sessionStart: sessionStart, frequency: frequency, availabilityPeriod: availabilityPeriod, now: now) {
            return pendingSince + availabilityPeriod
        }
        return r.nextRotationAt + availabilityPeriod
    }

    public static func timedOut(pendingSince: Int, sessionStart: Int, frequency: Int, availabilityPeriod: Int, now: Int) -> Bool {
        timeoutAt(pendingSince: pendingSince, sessionStart: sessionStart, frequency: frequency,
                  availabilityPeriod: availabilityPeriod, now: now) <= now
    }
}
