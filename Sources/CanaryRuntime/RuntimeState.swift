import CanaryArithmetic
import CanaryChain
import CanaryStaking
import CanaryGovernance
import CanaryParachains

/// The runtime's post-state of one block: everything the chain decides, as one value.
///
/// Copy-on-write throughout: a block that only adds era points shares its parent's staking
/// ledger; the ledger is copied once per fork at era ends (payouts, slashes, behaviour).
public struct RuntimeState: Sendable {
    /// Balances, bonds, nominations, exposures, pending slashes (`StakingState`), with the
    /// statistical level's genesis population and yield-reactive behaviour around it.
    public var population: StatisticalStakingModel?
    /// OpenGov, the scheduler and the runtime version (`set_code`), per fork.
    public var governance: GovernanceRuntime?
    /// The parachains `configuration` pallet: the active HostConfiguration and the changes
    /// staged for later sessions (nil without parachains).
    public var configuration: ConfigurationState?
    /// Current session index (= the BABE epoch of this block).
    public var session: UInt64 = 0
    /// Timestamp (ms) of the block that started the current era.
    public var eraStartMillis: UInt64 = 0
    /// First block number of the current era.
    public var eraStartNumber: UInt32 = 0
    /// Era reward points per node (20 per authored block by an active validator).
    public var eraPoints: [UInt32]
    /// Blocks authored in the current era per node.
    public var eraBlocks: [UInt32]
    /// Blocks of the current era authored in primary slots.
    public var eraPrimaryBlocks = 0
    /// BABE authorities (node ids, ascending) of the current session and the next one.
    public var authorities: [UInt32]
    public var nextAuthorities: [UInt32]
    /// The election result waiting for the next era (run at the start of the era's last session).
    public var queued: StakingState?
    /// GRANDPA set changes signalled on this chain (one per validator-set change).
    public var setChanges: [GrandpaSetChange] = []
    /// Validators disabled for the rest of the era (ascending): their blocks are rejected.
    public var disabled: [UInt32] = []
    /// Offences already reported on this chain (`OffenceReport.key`, ascending).
    public var reported: [UInt64] = []

    /// The staking ledger (only read or written when the runtime has staking).
    var staking: StakingState {
        get { population!.state }
        set { population!.state = newValue }
    }

    /// Active validators of the staking ledger's current era (ascending); empty without staking.
    var activeSet: [UInt32] { population?.state.exposures.map { UInt32($0.validator) } ?? [] }
}

extension Array where Element: Comparable {
    /// Binary search in an ascending array.
    func sortedContains(_ x: Element) -> Bool {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if self[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo < count && self[lo] == x
    }

    /// Inserts `x` keeping the array ascending (no duplicates).
    mutating func sortedInsert(_ x: Element) {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if self[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        if lo < count && self[lo] == x { return }
        insert(x, at: lo)
    }
}
