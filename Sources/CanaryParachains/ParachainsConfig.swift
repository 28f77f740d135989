import CanaryEngine

/// A uniform integer range (bytes, nanoseconds); `min == max` is a constant.
public struct UniformRange: Sendable, Equatable {
    public var min: Int64
    public var max: Int64
    public init(_ min: Int64, _ max: Int64) { self.min = min; self.max = Swift.max(min, max) }
    public init(constant v: Int64) { min = v; max = v }
    public func draw(_ rng: inout Xoshiro256StarStar) -> Int64 {
        max == min ? min : min + Int64(rng.nextBelow(UInt64(max - min + 1)))
    }
}

/// The `parachains:` section: the host configuration, the parachains and their collators, and
/// the fault roles of the pipeline (docs/parachains.md).
public struct ParachainsConfig: Sendable, Equatable {
    public var host: HostConfiguration = .kusama
    /// Parachains, each with its own collator node (para ids 0..<count).
    public var parachains: Int = 10
    /// Cores per parachain (elastic scaling: more than one); cores beyond the count are idle.
    public var coresPerPara: Int = 1
    /// PoV size of a candidate, bytes (uniform).
    public var povSize = UniformRange(512 * 1024, 2 * 1024 * 1024)
    /// PVF execution time of a candidate (uniform, ns); backing gives up past 2 s.
    public var executionTime = UniformRange(SimTime.ms(200).nanoseconds, SimTime.ms(800).nanoseconds)
    /// Time a collator takes to build a candidate after the slot starts.
    public var collatorBuildTime: SimTime = .ms(1_500)
    /// Regions of the collators (by region index; round-robin over the network's regions if empty).
    public var collatorRegions: [UInt16] = []
    /// Para ids whose collator never produces.
    public var offlineCollators: [Int] = []
    /// Para ids whose collator is slow, and by how much.
    public var slowCollators: [Int] = []
    public var slowCollatorDelay: SimTime = .seconds(3)
    /// Validators that announce their approval assignments but never approve (no-shows),
    /// between `noShowsFrom` and `noShowsUntil`.
    public var noShowValidators: [UInt32] = []
    public var noShowsFrom: SimTime = .zero
    public var noShowsUntil: SimTime = .never
    /// Validators that approve late, and by how much.
    public var laggingCheckers: [UInt32] = []
    public var laggingDelay: SimTime = .seconds(8)
    /// Backing groups (session group indices) whose members second and back an invalid
    /// candidate once, from `invalidFrom` on (the first collation they receive after it).
    public var byzantineGroups: [Int] = []
    public var invalidFrom: SimTime = .zero
    /// Whether GRANDPA waits for approvals (false: the cap is off, for comparison).
    public var approvalsGateFinality = true
    /// Time from a chunk's arrival until the author of a block sees the validator's bitfield
    /// (polkadot signs bitfields 1.5 s into the slot, then gossips them).
    public var bitfieldDelay: SimTime = .ms(2_000)
    /// Bytes per backed candidate in a relay block (receipt, commitments, statements).
    public var backedCandidateBytes = 2_048
    /// Governance `set_config` changes: (first session it applies in, the whole configuration
    /// from then on), in session order.
    public var configChanges: [(session: Int, host: HostConfiguration)] = []
    /// The same changes as the calls that make them (the fields each entry names), for a run
    /// with a runtime: it dispatches each in session `session - 2` through its `configuration`
    /// pallet state, where governance `set_config` calls stack with them.
    public var configCalls: [(session: Int, call: HostConfigurationCall)] = []
    public init() {}

    /// The configuration in force in `session` (a BABE epoch index).
    public func host(session: Int) -> HostConfiguration {
        configChanges.last { $0.session <= session }?.host ?? host
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.host == b.host && a.parachains == b.parachains && a.coresPerPara == b.coresPerPara && a.povSize == b.povSize
            && a.executionTime == b.executionTime && a.collatorBuildTime == b.collatorBuildTime
            && a.collatorRegions == b.collatorRegions && a.offlineCollators == b.offlineCollators
            && a.slowCollators == b.slowCollators && a.slowCollatorDelay == b.slowCollatorDelay
            && a.noShowValidators == b.noShowValidators && a.noShowsFrom == b.noShowsFrom && a.noShowsUntil == b.noShowsUntil && a.laggingCheckers == b.laggingCheckers
            && a.laggingDelay == b.laggingDelay && a.byzantineGroups == b.byzantineGroups && a.invalidFrom == b.invalidFrom
            && a.approvalsGateFinality == b.approvalsGateFinality && a.bitfieldDelay == b.bitfieldDelay
            && a.backedCandidateBytes == b.backedCandidateBytes
            && a.configChanges.map(\.session) == b.configChanges.map(\.session) && a.configChanges.map(\.host) == b.configChanges.map(\.host)
            && a.configCalls.map(\.session) == b.configCalls.map(\.session) && a.configCalls.map(\.call) == b.configCalls.map(\.call)
    }

    public var cores: Int { parachains * coresPerPara }
}
