import CanaryEngine

/// Compact block identifier: the index of the block in the `BlockTree` arena (genesis = 0).
public typealias BlockId = UInt32

/// How a block's author claimed its slot (`sp_consensus_babe::digests::PreDigest`).
public enum BlockKind: UInt8, Sendable, CaseIterable {
    case genesis = 0
    case primary = 1
    case secondaryPlain = 2
    case secondaryVRF = 3

    public var isPrimary: Bool { self == .primary }
    /// BABE's `added_weight`: 1 for a primary block, 0 otherwise.
    public var addedWeight: UInt32 { self == .primary ? 1 : 0 }
    public var name: String {
        switch self {
        case .genesis: "genesis"
        case .primary: "primary"
        case .secondaryPlain: "secondary-plain"
        case .secondaryVRF: "secondary-vrf"
        }
    }
}

/// Every block any node produced, once, in an arena of parallel arrays indexed by `BlockId`.
///
/// Nodes never copy blocks: their views (`NodeViews`) hold bits and ids into this tree. The
/// runtime post-state of each block is kept here (shared copy-on-write) until pruned below
/// finality.
public struct BlockTree: Sendable {
    public static let genesis: BlockId = 0
    public static let none: BlockId = .max

    public private(set) var parent: [BlockId] = []
    public private(set) var number: [UInt32] = []
    public private(set) var slot: [UInt64] = []
    public private(set) var author: [UInt32] = []
    public private(set) var kind: [BlockKind] = []
    public private(set) var size: [UInt32] = []
    /// BABE block weight: the number of primary blocks on the chain up to this one.
    public private(set) var weight: [UInt32] = []
    public private(set) var producedAt: [SimTime] = []
    public private(set) var childCount: [UInt32] = []
    /// Next block of the same slot (`none` at the end of the list).
    public private(set) var nextInSlot: [BlockId] = []
    /// First block of each slot (`none` when the slot has no block), indexed by slot number.
    public private(set) var firstInSlot: [BlockId] = []
    private var states: [ChainState?] = []
    /// Blocks below this number have had their state pruned.
    public private(set) var prunedBelow: UInt32 = 0

    public init(genesis state: ChainState, reserve: Int = 1024) {
        parent.reserveCapacity(reserve); number.reserveCapacity(reserve); slot.reserveCapacity(reserve)
        append(parent: Self.none, number: 0, slot: 0, author: .max, kind: .genesis, size: 0,
               weight: 0, producedAt: .zero, state: state)
    }

    public var count: Int { parent.count }

    /// Adds a block on `parent` and returns its id. Its number and weight follow from the parent.
    @discardableResult
    public mutating func add(parent p: BlockId, slot s: UInt64, author a: UInt32, kind k: BlockKind,
                             size bytes: Int, producedAt t: SimTime, state: ChainState) -> BlockId {
        precondition(Int(p) < count, "unknown parent \(p)")
        let id = BlockId(count)
        append(parent: p, number: number[Int(p)] + 1, slot: s, author: a, kind: k, size: UInt32(clamping: bytes),
               weight: weight[Int(p)] + k.addedWeight, producedAt: t, state: state)
        childCount[Int(p)] += 1
        let si = Int(s)
        if si >= firstInSlot.count {
            firstInSlot.append(contentsOf: repeatElement(Self.none, count: si - firstInSlot.count + 1))
        }
        // Append to the slot's list (kept in id order).
        if firstInSlot[si] == Self.none {
            firstInSlot[si] = id
        } else {
            var x = firstInSlot[si]
            while nextInSlot[Int(x)] != Self.none { x = nextInSlot[Int(x)] }
            nextInSlot[Int(x)] = id
        }
        return id
    }

    private mutating func append(parent p: BlockId, number n: UInt32, slot s: UInt64, author a: UInt32,
                                 kind k: BlockKind, size bytes: UInt32, weight w: UInt32, producedAt t: SimTime,
                                 state: ChainState) {
        parent.append(p); number.append(n); slot.append(s); author.append(a); kind.append(k)
        size.append(bytes); weight.append(w); producedAt.append(t); childCount.append(0)
        nextInSlot.append(Self.none); states.append(state)
    }

    /// The post-state of `b` (nil once pruned).
    @inlinable public func state(_ b: BlockId) -> ChainState? { stateStorage(b) }
    @usableFromInline func stateStorage(_ b: BlockId) -> ChainState? { states[Int(b)] }

    /// Blocks of slot `s`, in id order.
    public func blocks(inSlot s: UInt64) -> [BlockId] {
        guard Int(s) < firstInSlot.count else { return [] }
        var out: [BlockId] = []
        var x = firstInSlot[Int(s)]
        while x != Self.none { out.append(x); x = nextInSlot[Int(x)] }
        return out
    }

    /// The ancestor of `b` at height `n` (`b` itself when `n` is its number), or `none` if
    /// `n` is above `b`.
    public func ancestor(of b: BlockId, atNumber n: UInt32) -> BlockId {
        var x = b
        guard number[Int(x)] >= n else { return Self.none }
        while number[Int(x)] > n { x = parent[Int(x)] }
        return x
    }

    /// Whether `a` is `b` or an ancestor of `b`.
    public func isAncestor(_ a: BlockId, of b: BlockId) -> Bool {
        ancestor(of: b, atNumber: number[Int(a)]) == a
    }

    /// The highest common ancestor of `a` and `b`.
    public func commonAncestor(_ a: BlockId, _ b: BlockId) -> BlockId {
        var x = a, y = b
        while number[Int(x)] > number[Int(y)] { x = parent[Int(x)] }
        while number[Int(y)] > number[Int(x)] { y = parent[Int(y)] }
        while x != y { x = parent[Int(x)]; y = parent[Int(y)] }
        return x
    }

    /// Substrate/BABE fork choice: whether `candidate` should replace `best` — more primary
    /// blocks (weight) wins, then the higher number; on a full tie the current best stays
    /// (the block seen first).
    @inlinable public func isBetter(_ candidate: BlockId, than best: BlockId) -> Bool {
        let wc = weight[Int(candidate)], wb = weight[Int(best)]
        if wc != wb { return wc > wb }
        return number[Int(candidate)] > number[Int(best)]
    }

    /// Drops the post-states of blocks numbered below `n` (called when `n` is finalized: no
    /// node builds on them again). Returns the number of states dropped.
    @discardableResult
    public mutating func pruneStates(below n: UInt32) -> Int {
        guard n > prunedBelow else { return 0 }
        var dropped = 0
        for i in 0..<count where number[i] < n && states[i] != nil {
            states[i] = nil
            dropped += 1
        }
        prunedBelow = n
        return dropped
    }

    /// Number of blocks whose post-state is still held.
    public var retainedStates: Int { states.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}
