import CanaryEngine

/// BABE parameters and the simulation's cost model for block production and propagation.
public struct BabeConfig: Sendable, Equatable {
    /// `sp_consensus_babe::AllowedSlots`.
    public enum AllowedSlots: String, Sendable, Equatable, CaseIterable {
        case primary = "primary"
        case primaryAndSecondaryPlain = "primary-and-secondary-plain"
        case primaryAndSecondaryVRF = "primary-and-secondary-vrf"
    }

    /// Slot length (Kusama 6 s).
    public var slotDuration: SimTime = .seconds(6)
    /// Epoch length in slots (Kusama 600 = 1 h).
    public var epochLength: UInt64 = 600
    /// Primary probability `c = cNumerator / cDenominator` (Kusama 1/4). Must be at most 1/2.
    public var cNumerator: UInt64 = 1
    public var cDenominator: UInt64 = 4
    public var allowedSlots: AllowedSlots = .primaryAndSecondaryVRF

    /// Size of a block body in bytes (what a peer fetches).
    public var blockSize: Int = 64 * 1024
    /// Size of a block announcement (the header) in bytes.
    public var announceSize: Int = 256
    /// Size of a block or ancestry request in bytes.
    public var requestSize: Int = 64
    /// Simulated time a node needs to import (verify and execute) one block; a node imports
    /// blocks one after another.
    public var importTime: SimTime = .ms(250)
    /// Simulated time from the slot start until the author's block is ready (the proposer's
    /// work); the block is built on the author's best block at the slot start.
    public var proposalTime: SimTime = .ms(500)
    /// Outbound peers each node picks (the peer graph is the symmetric union, so the average
    /// degree is about twice this). Blocks are announced to peers, fetched from the first
    /// announcer, and re-announced by every node that imports them.
    public var peers: Int = 8

    /// Validators that never author and never import (as if their node were switched off).
    public var offline: [UInt32] = []
    /// Validators that author two different blocks in every slot they can claim.
    public var equivocators: [UInt32] = []
    /// Validators that import blocks but never author, announce or serve them (nor answer
    /// status requests): they learn every chain they can reach without relaying any. GRANDPA's
    /// colluders are silent, so blocks do not cross a partition through them.
    public var silent: [UInt32] = []

    /// Genesis randomness (epochs 0 and 1); nil derives it from the scenario seed.
    public var genesisRandomness: Hash32? = nil


    public init() {}

    /// Kusama's constants: 6 s slots, 600-slot epochs, c = 1/4, primary and secondary VRF slots.
    public static let kusama = BabeConfig()

    /// What is wrong with this configuration for `validators` validators (empty when valid),
    /// one message per problem, naming the field as in the scenario's `consensus:` section.
    public func problems(validators: Int) -> [String] {
        var out: [String] = []
        if validators < 1 { out.append("validators: at least 1 needed") }
        if slotDuration <= .zero { out.append("slot_duration: must be positive") }
        if epochLength == 0 { out.append("epoch_length: must be at least 1 slot") }
        if cDenominator == 0 || cNumerator > cDenominator || 2 * cNumerator > cDenominator {
            out.append("c: must be a fraction between 0 and 1/2 (got \(cNumerator)/\(cDenominator))")
        }
        if proposalTime < .zero || proposalTime >= slotDuration { out.append("proposal_time: must be in [0, slot_duration)") }
        if importTime < .zero { out.append("import_time: must not be negative") }
        if blockSize < 0 || announceSize < 0 || requestSize < 0 { out.append("sizes: must not be negative") }
        if peers < 1 { out.append("peers: at least 1 needed") }
        for v in offline where Int(v) >= validators { out.append("offline: validator \(v) does not exist (\(validators) validators)") }
        for v in equivocators where Int(v) >= validators { out.append("equivocators: validator \(v) does not exist (\(validators) validators)") }
        for v in silent where Int(v) >= validators { out.append("silent: validator \(v) does not exist (\(validators) validators)") }
        return out
    }

    public var allowsSecondary: Bool { allowedSlots != .primary }
    public var secondaryKind: BlockKind { allowedSlots == .primaryAndSecondaryVRF ? .secondaryVRF : .secondaryPlain }
}
