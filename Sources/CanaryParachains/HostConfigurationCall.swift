import CanaryChain

/// A field of `HostConfiguration` that a `configuration.set_*` call of the runtime can change,
/// named as scenario files name it (snake_case, as in polkadot-sdk's `HostConfiguration`).
///
/// One list serves the `parachains:` section's fields and `set_config` entries and the governance
/// `set_config` call, so both accept the same names.
public enum HostConfigurationField: String, CaseIterable, Sendable {
    case numCores = "num_cores"
    case maxValidators = "max_validators"
    case maxValidatorsPerCore = "max_validators_per_core"
    case groupRotationFrequency = "group_rotation_frequency"
    case parasAvailabilityPeriod = "paras_availability_period"
    case schedulingLookahead = "scheduling_lookahead"
    case neededApprovals = "needed_approvals"
    case relayVRFModuloSamples = "relay_vrf_modulo_samples"
    case nDelayTranches = "n_delay_tranches"
    case zerothDelayTrancheWidth = "zeroth_delay_tranche_width"
    case noShowSlots = "no_show_slots"
    case minimumBackingVotes = "minimum_backing_votes"
    case maxCandidateDepth = "max_candidate_depth"
    case allowedAncestryLen = "allowed_ancestry_len"
    case maxPoVSize = "max_pov_size"
    case disputePeriod = "dispute_period"
    case disputePostConclusionAcceptancePeriod = "dispute_post_conclusion_acceptance_period"

    /// The `configuration` pallet's call that sets this field (polkadot-sdk
    /// `polkadot/runtime/parachains/src/configuration.rs`); every one of them is `ensure_root`.
    /// The async backing pair is one call (`AsyncBackingParams`); here each half can change alone.
    public var setter: String {
        switch self {
        case .numCores: return "set_coretime_cores"
        case .maxCandidateDepth, .allowedAncestryLen: return "set_async_backing_params"
        default: return "set_" + rawValue
        }
    }

    public func value(in h: HostConfiguration) -> Int? {
        switch self {
        case .numCores: return h.numCores
        case .maxValidators: return h.maxValidators
        case .maxValidatorsPerCore: return h.maxValidatorsPerCore
        case .groupRotationFrequency: return h.groupRotationFrequency
        case .parasAvailabilityPeriod: return h.parasAvailabilityPeriod
        case .schedulingLookahead: return h.schedulingLookahead
        case .neededApprovals: return h.neededApprovals
        case .relayVRFModuloSamples: return h.relayVRFModuloSamples
        case .nDelayTranches: return h.nDelayTranches
        case .zerothDelayTrancheWidth: return h.zerothDelayTrancheWidth
        case .noShowSlots: return h.noShowSlots
        case .minimumBackingVotes: return h.minimumBackingVotes
        case .maxCandidateDepth: return h.maxCandidateDepth
        case .allowedAncestryLen: return h.allowedAncestryLen
        case .maxPoVSize: return h.maxPoVSize
        case .disputePeriod: return h.disputePeriod
        case .disputePostConclusionAcceptancePeriod: return h.disputePostConclusionAcceptancePeriod
        }
    }

    public func set(_ v: Int, in h: inout HostConfiguration) {
        switch self {
        case .numCores: h.numCores = v
        case .maxValidators: h.maxValidators = v
        case .maxValidatorsPerCore: h.maxValidatorsPerCore = v
        case .groupRotationFrequency: h.groupRotationFrequency = v
        case .parasAvailabilityPeriod: h.parasAvailabilityPeriod = v
        case .schedulingLookahead: h.schedulingLookahead = v
        case .neededApprovals: h.neededApprovals = v
        case .relayVRFModuloSamples: h.relayVRFModuloSamples = v
        case .nDelayTranches: h.nDelayTranches = v
        case .zerothDelayTrancheWidth: h.zerothDelayTrancheWidth = v
        case .noShowSlots: h.noShowSlots = v
        case .minimumBackingVotes: h.minimumBackingVotes = v
        case .maxCandidateDepth: h.maxCandidateDepth = v
        case .allowedAncestryLen: h.allowedAncestryLen = v
        case .maxPoVSize: h.maxPoVSize = v
        case .disputePeriod: h.disputePeriod = v
        case .disputePostConclusionAcceptancePeriod: h.disputePostConclusionAcceptancePeriod = v
        }
    }
}

/// A configuration change as a governance call carries it: field values that one
/// `schedule_config_update` applies together (`configuration.set_config` in Canary; on chain a
/// `utility.batch_all` of the fields' `set_*` setters, or one of the grouped setters such as
/// `set_async_backing_params`).
///
/// Settings are kept in `HostConfigurationField` order, whatever order the scenario wrote them
/// in, so the call's text and its effect do not depend on YAML key order.
public struct HostConfigurationCall: Sendable, Equatable, CustomStringConvertible {
    /// The name of the call in a referendum's proposal (`ProposalCall.name`).
    public static let callName = "configuration.set_config"

    public private(set) var settings: [(field: HostConfigurationField, value: Int)]

    public init(_ settings: [(field: HostConfigurationField, value: Int)]) {
        let order = HostConfigurationField.allCases
        var s: [(field: HostConfigurationField, value: Int)] = []
        for f in order { if let last = settings.last(where: { $0.field == f }) { s.append(last) } }
        self.settings = s
    }

    /// The proposal's arguments, `field=value` each (`needed_approvals=15`).
    public var arguments: [String] { settings.map { "\($0.field.rawValue)=\($0.value)" } }

    /// Parses `arguments` back; nil if any argument is not `known_field=integer`.
    public init?(arguments: [String]) {
        var s: [(field: HostConfigurationField, value: Int)] = []
        for a in arguments {
            let parts = a.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let f = HostConfigurationField(rawValue: String(parts[0])), let v = Int(parts[1]) else { return nil }
            s.append((f, v))
        }
        self.init(s)
    }

    public func apply(to h: inout HostConfiguration) {
        for (f, v) in settings { f.set(v, in: &h) }
    }

    public var description: String { "\(Self.callName)(\(arguments.joined(separator: ", ")))" }

    public static func == (a: Self, b: Self) -> Bool { a.arguments == b.arguments }
}

extension ConfigurationState {
    /// Dispatches a configuration call in session `current`, as `schedule_config_update` does:
    /// the base is the latest pending configuration (or the active one), the call's fields are
    /// applied, and the result is staged for `current + SESSION_DELAY` (updating the entry
    /// already staged for that session, so two calls in one session stack). A change that makes
    /// a consistent base inconsistent is refused with the pallet's `InvalidNewValue` and changes
    /// nothing; a base that is already inconsistent accepts any change ("you cannot break
    /// something that is already broken").
    ///
    /// Returns nil on success, else the pallet error.
    public mutating func dispatch(_ call: HostConfigurationCall, current: Int) -> String? {
        let base = pending.last?.config ?? active
        var new = base
        call.apply(to: &new)
        if new.consistencyError() != nil && base.consistencyError() == nil { return "InvalidNewValue" }
        schedule(current: current) { call.apply(to: &$0) }
        return nil
    }

    /// The configuration that will be active in `session` as far as this state knows: the last
    /// change staged for `session` or earlier, else the active one. Exact for the current
    /// session and the next `SESSION_DELAY` ones (nothing can be staged later than that).
    public func configuration(forSession session: Int) -> HostConfiguration {
        pending.last { $0.session <= session }?.config ?? active
    }
}

/// A runtime that holds the `configuration` pallet's state per block (CanaryRuntime's
/// `RelayRuntime` when a scenario has parachains): the parachain layer reads each session's
/// HostConfiguration from it, so governance `set_config` calls reach the pipeline.
public protocol HostConfigurationSource {
    /// The HostConfiguration in force in `session` as seen from `block`'s post-state (or its
    /// nearest executed ancestor's); nil if the runtime has no configuration pallet.
    func hostConfiguration(session: Int, at block: BlockId, in tree: BlockTree) -> HostConfiguration?
}
