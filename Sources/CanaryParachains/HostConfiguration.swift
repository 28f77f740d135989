/// The parachain host's configuration (`HostConfiguration` in polkadot-sdk
/// `polkadot/runtime/parachains/src/configuration.rs`), reduced to the fields Canary's pipeline reads.
///
/// Values are the runtime's integers: block counts, session counts, bytes. `set_config` calls are
/// staged and enacted at the next session boundary, as the `configuration` pallet does
/// (`PendingConfigs`, applied in `initializer_on_new_session`): see `ConfigurationState`.
public struct HostConfiguration: Sendable, Equatable {
    /// `scheduler_params.num_cores`: cores managed by coretime.
    public var numCores: Int
    /// Para-validators per session (`None` = every active validator).
    public var maxValidators: Int?
    /// Raises the core count to `para-validators / max_validators_per_core` (`None` = off).
    public var maxValidatorsPerCore: Int?
    /// Blocks between backing-group rotations (`scheduler_params.group_rotation_frequency`).
    public var groupRotationFrequency: Int
    /// Blocks an occupied core may wait for availability before it can time out at a rotation.
    public var parasAvailabilityPeriod: Int
    /// Claims the scheduler looks ahead per core (`scheduler_params.lookahead`).
    public var schedulingLookahead: Int
    /// Approval votes a candidate needs (`needed_approvals`).
    public var neededApprovals: Int
    /// Cores sampled by a validator's tranche-0 RelayVRFModuloCompact assignment.
    public var relayVRFModuloSamples: Int
    /// Delay tranches of the RelayVRFDelay criterion.
    public var nDelayTranches: Int
    /// Delay tranches folded into tranche 0.
    public var zerothDelayTrancheWidth: Int
    /// Relay slots after which an assigned checker that has not approved is a no-show.
    public var noShowSlots: Int
    /// Valid votes a candidate needs to be backable (capped by the group size).
    public var minimumBackingVotes: Int
    /// Async backing: candidates chained ahead of inclusion (`max_candidate_depth`).
    public var maxCandidateDepth: Int
    /// Async backing: how many relay blocks old a relay parent may be (`allowed_ancestry_len`).
    public var allowedAncestryLen: Int
    /// Largest proof of validity, bytes.
    public var maxPoVSize: Int
    /// Sessions after which a candidate can no longer be disputed.
    public var disputePeriod: Int
    /// Blocks a concluded dispute still accepts votes.
    public var disputePostConclusionAcceptancePeriod: Int

    public init(numCores: Int, maxValidators: Int?, maxValidatorsPerCore: Int?, groupRotationFrequency: Int,
                parasAvailabilityPeriod: Int, schedulingLookahead: Int, neededApprovals: Int,
                relayVRFModuloSamples: Int, nDelayTranches: Int, zerothDelayTrancheWidth: Int, noShowSlots: Int,
                minimumBackingVotes: Int, maxCandidateDepth: Int, allowedAncestryLen: Int, maxPoVSize: Int,
                disputePeriod: Int, disputePostConclusionAcceptancePeriod: Int) {
        self.numCores = numCores; self.maxValidators = maxValidators; self.maxValidatorsPerCore = maxValidatorsPerCore
        self.groupRotationFrequency = groupRotationFrequency; self.parasAvailabilityPeriod = parasAvailabilityPeriod
        self.schedulingLookahead = schedulingLookahead; self.neededApprovals = neededApprovals
        self.relayVRFModuloSamples = relayVRFModuloSamples; self.nDelayTranches = nDelayTranches
        self.zerothDelayTrancheWidth = zerothDelayTrancheWidth; self.noShowSlots = noShowSlots
        self.minimumBackingVotes = minimumBackingVotes; self.maxCandidateDepth = maxCandidateDepth
        self.allowedAncestryLen = allowedAncestryLen; self.maxPoVSize = maxPoVSize; self.disputePeriod = disputePeriod
        self.disputePostConclusionAcceptancePeriod = disputePostConclusionAcceptancePeriod
    }

    /// Kusama as of 2024–2025. Sources per field in docs/parachains.md; several live values could
    /// not be read from chain state and are marked unconfirmed there (group rotation frequency,
    /// availability period, minimum backing votes, core count).
    public static let kusama = HostConfiguration(
        numCores: 100,                       // forum 2024 target (~100 cores) [report]
        maxValidators: 500,                  // "Parachain validator set size increase on Kusama" (May 2024) [report]
        maxValidatorsPerCore: 5,             // 500 para-validators / 100 cores (2025) [report, derived]
        groupRotationFrequency: 10,          // activeConfig at Kusama #14 703 780 (2022) [chain-data]; current unconfirmed
        parasAvailabilityPeriod: 10,         // same (2022) [chain-data]; current unconfirmed
        schedulingLookahead: 3,              // polkadot-sdk issue #6491 (Nov 2024) [report]
        neededApprovals: 30,                 // activeConfig 2022 [chain-data]
        relayVRFModuloSamples: 6,            // forum May 2024, v2 assignments [report]
        nDelayTranches: 89,                  // activeConfig 2022; 89 on all networks (Dec 2024) [chain-data]
        zerothDelayTrancheWidth: 0,          // activeConfig 2022 [chain-data]
        noShowSlots: 3,                      // forum (Kusama no_show_slots 3) [report]
        minimumBackingVotes: 2,              // LEGACY_MIN_BACKING_VOTES; Kusama value unconfirmed
        maxCandidateDepth: 3,                // async backing, referendum 374 (2024) [report]
        allowedAncestryLen: 2,               // same
        maxPoVSize: 5_242_880,               // activeConfig 2022 (5 MiB) [chain-data]
        disputePeriod: 6,                    // activeConfig 2022 [chain-data]
        disputePostConclusionAcceptancePeriod: 600)   // activeConfig 2022 [chain-data]

    /// The struct's `Default` in polkadot-sdk `configuration.rs` (with the legacy backing votes and
    /// `SchedulerParams::default`), for tests and minimal scenarios.
    public static let structDefault = HostConfiguration(
        numCores: 0, maxValidators: nil, maxValidatorsPerCore: nil, groupRotationFrequency: 1,
        parasAvailabilityPeriod: 1, schedulingLookahead: 1, neededApprovals: 0, relayVRFModuloSamples: 0,
        nDelayTranches: 1, zerothDelayTrancheWidth: 0, noShowSlots: 1, minimumBackingVotes: 2,
        maxCandidateDepth: 0, allowedAncestryLen: 0, maxPoVSize: 0, disputePeriod: 6,
        disputePostConclusionAcceptancePeriod: 100)

    /// Whether async backing is on (`max_candidate_depth > 0`).
    public var asyncBacking: Bool { maxCandidateDepth > 0 }

    /// The configuration's consistency checks (`HostConfiguration::check_consistency`, the subset
    /// of fields modelled here). Returns the first broken rule.
    public func consistencyError() -> String? {
        if groupRotationFrequency < 1 { return "group_rotation_frequency must be at least 1" }
        if parasAvailabilityPeriod < 1 { return "paras_availability_period must be at least 1" }
        if nDelayTranches < 1 { return "n_delay_tranches must be at least 1" }
        if noShowSlots < 1 { return "no_show_slots must be at least 1" }
        if minimumBackingVotes < 1 { return "minimum_backing_votes must be at least 1" }
        if relayVRFModuloSamples > AssignmentCriteria.maxModuloSamples {
            return "relay_vrf_modulo_samples must be at most \(AssignmentCriteria.maxModuloSamples)"
        }
        if maxCandidateDepth > 0 && schedulingLookahead < 2 {
            return "async backing (max_candidate_depth > 0) needs scheduling_lookahead >= 2"
        }
        if let m = maxValidators, m < 1 { return "max_validators must be at least 1" }
        if let m = maxValidatorsPerCore, m < 1 { return "max_validators_per_core must be at least 1" }
        return nil
    }
}

/// The active configuration and the `set_config` changes waiting for a session boundary.
///
/// The `configuration` pallet schedules a change for session `current + 2` (`SessionDelay = 2`);
/// `initializer_on_new_session` enacts every pending change whose session has come.
public struct ConfigurationState: Sendable, Equatable {
    public private(set) var active: HostConfiguration
    /// (session at which it applies, configuration), oldest first.
    public private(set) var pending: [(session: Int, config: HostConfiguration)] = []
    /// Sessions between a `set_config` call and its enactment (`SESSION_DELAY` = 2).
    public static let sessionDelay = 2

    public init(_ active: HostConfiguration) { self.active = active }

    /// A governance `set_config` call in session `current`: the change is staged on top of the
    /// latest pending configuration (as the pallet does), for session `current + 2`.
    public mutating func schedule(current: Int, _ edit: (inout HostConfiguration) -> Void) {
        let at = current + Self.sessionDelay
        var base = pending.last?.config ?? active
        edit(&base)
        if let i = pending.firstIndex(where: { $0.session == at }) { pending[i].config = base }
        else { pending.append((at, base)) }
    }

    /// Enacts the changes due at the start of `session`.
    public mutating func newSession(_ session: Int) {
        while let first = pending.first, first.session <= session {
            active = first.config
            pending.removeFirst()
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.active == b.active && a.pending.count == b.pending.count
            && zip(a.pending, b.pending).allSatisfy { $0.session == $1.session && $0.config == $1.config }
    }
}
