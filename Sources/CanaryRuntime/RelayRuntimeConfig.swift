import CanaryEngine
import CanaryStaking
import CanaryGovernance
import CanaryParachains

/// What the full-fidelity runtime needs from a scenario: the staking population and behaviour
/// (`staking:`, shared with the statistical level), how sessions and eras map onto BABE, and
/// OpenGov with its runtime versions (`governance:`). Either part may be absent.
public struct RelayRuntimeConfig: Sendable {
    /// NPoS algorithm of the era election (`staking.election`).
    public enum ElectionAlgorithm: String, Sendable, CaseIterable {
        /// Sequential Phragmén, PerU16 solution (Kusama's miner).
        case seqPhragmen = "seq-phragmen"
        /// Phragmms, PerU16 solution.
        case phragmms
    }

    /// Staking (nil: every validator is an authority, always; no eras).
    public var staking: StakingSimulationConfig?
    /// OpenGov referenda, scripted calls and the runtime versions `set_code` may install.
    public var governance: GovernanceSetup?
    /// Validator candidates (node `i` is candidate account `i`).
    public var validators: Int
    public var seed: UInt64
    /// Sessions per era (`SessionsPerEra`, Kusama 6). A session is one BABE epoch.
    public var sessionsPerEra: UInt64 = 6
    /// BABE slot length: the runtime's timestamp is `slot × slotDuration` (as pallet_timestamp
    /// with BABE), so eras last what their blocks' slots say.
    public var slotDuration: SimTime = .seconds(6)
    public var election: ElectionAlgorithm = .seqPhragmen
    /// Star-balancing iterations after the election (`BalancingConfig`; 0: none, as Kusama's
    /// miner by default).
    public var balancingIterations: Int = 0
    /// The parachains' HostConfiguration at genesis (nil: no parachains, no `configuration`
    /// pallet). With it, the runtime keeps the pallet's state per block and dispatches
    /// governance `set_config` calls into it.
    public var hostConfiguration: HostConfiguration?
    /// The scenario's `parachains.set_config` entries: each is dispatched as a configuration call
    /// at the start of session `session - 2` (at genesis if that is not after 0), so it is active
    /// from `session` on.
    public var configurationCalls: [(session: Int, call: HostConfigurationCall)] = []

    public init(staking: StakingSimulationConfig?, governance: GovernanceSetup? = nil, validators: Int, seed: UInt64) {
        self.staking = staking
        self.governance = governance
        self.validators = validators
        self.seed = seed
    }
}
