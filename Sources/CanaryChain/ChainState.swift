/// The runtime's post-state of one block, as far as the simulation needs it.
///
/// Computed once, when the block is authored, and shared by every node that imports the block
/// (honest nodes compute the same state). A value type: the only heap part, the BABE randomness
/// segments, is a copy-on-write array, so a child that does not touch it shares its parent's
/// storage. Later modules (staking, governance) add their fields here.
public struct ChainState: Sendable, Equatable {
    /// Block number.
    public var number: UInt32 = 0
    /// `pallet_babe::GenesisSlot`: the slot of block #1 (nil before block #1).
    public var genesisSlot: UInt64? = nil
    /// `pallet_babe::EpochIndex`: the epoch this block belongs to.
    public var epochIndex: UInt64 = 0
    /// First slot of `epochIndex` (`GenesisSlot + EpochIndex * EpochDuration`).
    public var epochStartSlot: UInt64 = 0
    /// `pallet_babe::Randomness`: randomness of the current epoch.
    public var randomness: Hash32
    /// `pallet_babe::NextRandomness`: randomness announced for the next epoch.
    public var nextRandomness: Hash32
    /// `pallet_babe::SegmentIndex`.
    public var segmentIndex: UInt32 = 0
    /// `pallet_babe::UnderConstruction`: segments of VRF randomness contributions, by index.
    /// Entries past `segmentIndex` can be stale (the pallet's segment quirk keeps them).
    public var underConstruction: [[Hash32]] = [[]]

    public init(genesisRandomness: Hash32) {
        randomness = genesisRandomness
        nextRandomness = genesisRandomness
    }
}
