import CanaryEngine

/// An authority set change signalled in every block at `signalNumber` (as the runtime deposits
/// the digest on each fork at a session change).
public struct GrandpaSetChange: Sendable, Equatable {
    public var signalNumber: UInt32
    /// Standard change: enacted when the block at `signalNumber + delay` is finalized. Forced:
    /// when a node's best block reaches that height (the new set restarts from the node's
    /// last finalized block).
    public var delay: UInt32
    /// Nodes of the new voter set (weight 1 each).
    public var voters: [UInt32]
    public var forced: Bool
    public init(signalNumber: UInt32, delay: UInt32 = 0, voters: [UInt32], forced: Bool = false) {
        self.signalNumber = signalNumber; self.delay = delay; self.voters = voters; self.forced = forced
    }
    public var enactNumber: UInt32 { signalNumber + delay }
}

/// An offence an honest node detected, to be reported on chain by a later block's author.
public struct OffenceReport: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case babeEquivocation = 0, grandpaEquivocation = 1
        /// Parachain disputes concluded invalid (`SlashingOffenceKind`): the candidate's backers
        /// (100 %) and its approvers (2 %); the time slot is the candidate.
        case disputeForInvalidBacked = 2, disputeForInvalidApproved = 3
    }
    public var kind: Kind
    /// Offending validator (node index).
    public var offender: UInt32
    /// Time slot of the offence: the BABE slot, or the GRANDPA (set id << 32 | round).
    public var timeSlot: UInt64
    /// When it was first detected (authors can include it from then on).
    public var detectedAt: SimTime
    public init(kind: Kind, offender: UInt32, timeSlot: UInt64, detectedAt: SimTime) {
        self.kind = kind; self.offender = offender; self.timeSlot = timeSlot; self.detectedAt = detectedAt
    }
    /// Identity of the offence (`(kind, time slot, offender)`, as the offences pallet keys
    /// reports): a second report of the same offence is a duplicate.
    public var key: UInt64 { UInt64(kind.rawValue) << 62 | (timeSlot & 0x3fff_ffff_ffff) << 16 | UInt64(offender & 0xffff) }
}

/// The chain's runtime as block production sees it: executed once per block on its parent's
/// post-state, so every fork has its own state. The consensus modules call it through this
/// interface only (CanaryRuntime implements it).
/// Default for runtimes without parachains.
extension BlockRuntime {
    public mutating func rewardBackers(_ block: BlockId, validators: [UInt32], points: UInt32) {}
}

public protocol BlockRuntime: Sendable {
    /// Era points for the validators that backed a candidate `block` included (the parachain
    /// inclusion pallet's reward), added to `block`'s post-state before any child executes.
    mutating func rewardBackers(_ block: BlockId, validators: [UInt32], points: UInt32)
    /// Whether the runtime elects the validators (BABE authorities per epoch, GRANDPA set changes
    /// signalled on chain); false: every validator is an authority, always.
    var decidesAuthorities: Bool { get }
    /// Executes `block` (already in `tree`) on its parent's post-state and keeps the result.
    mutating func execute(_ block: BlockId, in tree: BlockTree)
    /// The BABE authorities (node ids, ascending) of `epoch` as seen from `parent`'s
    /// post-state (the current epoch's set, or the next one announced a session ahead).
    func authorities(epoch: UInt64, parent: BlockId, in tree: BlockTree) -> [UInt32]
    /// Whether `node` is disabled in `parent`'s post-state (its blocks on top are rejected).
    func isDisabled(_ node: UInt32, parent: BlockId) -> Bool
    /// GRANDPA set changes signalled on the chain ending at `block`, in signal order.
    func setChanges(at block: BlockId) -> [GrandpaSetChange]
    /// Drops post-states of blocks numbered below `number` (below every node's finality).
    mutating func prune(below number: UInt32, in tree: BlockTree)
    /// An offence detected by an honest node; later blocks report it on chain.
    mutating func noteOffence(_ offence: OffenceReport)
    /// Time to author a child of `parent` (the runtime version that will execute it decides,
    /// and its first block pays the migration). `base` is the client's default.
    func proposalTime(childOf parent: BlockId, in tree: BlockTree, base: SimTime) -> SimTime
    /// Time to import `block` (same rule).
    func importTime(_ block: BlockId, in tree: BlockTree, base: SimTime) -> SimTime
    /// Whether `node`'s client can execute a child of `parent` / the block `block` (false once
    /// a runtime version its client does not support runs).
    func canExecute(node: UInt32, childOf parent: BlockId, in tree: BlockTree) -> Bool
    func canExecute(node: UInt32, block: BlockId, in tree: BlockTree) -> Bool
}
