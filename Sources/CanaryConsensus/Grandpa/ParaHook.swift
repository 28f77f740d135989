import CanaryEngine

/// A parachain-protocol message on the relay node's wire (`RelayMessage.para`). The parachain
/// sub-protocols (CanaryParachains) give the fields their meaning; the node stack only carries
/// them. Integers only, so the wire enum stays small.
public struct ParaMessage: Sendable, Equatable {
    public var kind: UInt8
    public var a: UInt32
    public var b: UInt32
    public var c: UInt64
    public init(kind: UInt8, a: UInt32 = 0, b: UInt32 = 0, c: UInt64 = 0) { self.kind = kind; self.a = a; self.b = b; self.c = c }
}

/// The node stack's slot for the parachain sub-protocols: event kinds and message classes
/// reserved in `BabeGrandpaModel.layout` after BABE's and GRANDPA's.
public enum ParaSlot {
    public static let eventKindCount = 8
    public static let messageClasses = ["para-collation", "para-statement", "para-chunk", "approval-assignment",
                                        "approval-vote", "dispute-vote", "para-pov"]
}

/// GRANDPA waits for approvals: the vote target is capped at the highest approved, undisputed
/// descendant of the base, with the 500-block safeguard (polkadot-sdk
/// `polkadot/node/service/src/relay_chain_selection.rs`, `SelectRelayChain::finality_target`).
/// The parachain protocol fills the per-node approval marks; `BabeNodeEnvironment` applies it.
public struct ApprovalCap: Sendable {
    /// Per node, per block id: approved in that node's view (all candidates approved and the
    /// parent approved). Blocks beyond an array's end are unapproved.
    public var approved: [[Bool]]
    /// Per block id: includes a disputed (active or concluded-invalid) candidate.
    public var disputed: [Bool] = []
    public var maxLag: Int = FinalityCap.maxFinalityLag
    public init(nodes: Int) { approved = Array(repeating: [], count: nodes) }

    public mutating func markApproved(node: Int, block: BlockId) {
        let i = Int(block)
        if approved[node].count <= i { approved[node] += Array(repeating: false, count: i + 64 - approved[node].count) }
        approved[node][i] = true
    }

    public mutating func markDisputed(block: BlockId) {
        let i = Int(block)
        if disputed.count <= i { disputed += Array(repeating: false, count: i + 64 - disputed.count) }
        disputed[i] = true
    }

    @inlinable public func isApproved(node: Int, _ b: BlockId) -> Bool {
        let a = approved[node]; let i = Int(b)
        return i < a.count && a[i]
    }
    @inlinable public func isDisputed(_ b: BlockId) -> Bool { Int(b) < disputed.count && disputed[Int(b)] }

    /// The capped target for `node` on the chain from `base` up to `leaf`.
    public func target(node: Int, base: BlockId, leaf: BlockId, tree: BlockTree) -> BlockId {
        var chain: [BlockId] = []
        var b = leaf
        while b != base && b != BlockTree.none && tree.number[Int(b)] > tree.number[Int(base)] {
            chain.append(b); b = tree.parent[Int(b)]
        }
        chain.reverse()
        let blocks = chain.map { FinalityCap.Block(approved: isApproved(node: node, $0), disputed: isDisputed($0)) }
        let n = FinalityCap.target(base: Int(tree.number[Int(base)]), chain: blocks, maxLag: maxLag)
        let k = n - Int(tree.number[Int(base)])
        return k == 0 ? base : chain[k - 1]
    }
}

/// The finality target of the relay chain's `SelectRelayChain::finality_target` on numbers.
public enum FinalityCap {
    /// `MAX_FINALITY_LAG` (`polkadot/node/primitives`).
    public static let maxFinalityLag = 500

    /// One block above the base on the best chain.
    public struct Block: Sendable, Equatable {
        public var approved: Bool
        /// Includes a candidate with an active dispute or one concluded invalid (or is reverted).
        public var disputed: Bool
        public init(approved: Bool, disputed: Bool) { self.approved = approved; self.disputed = disputed }
    }

    /// The number to vote for. `base` is the target GRANDPA asked about; `chain[i]` is block
    /// `base + 1 + i` on the best chain containing it, up to the best leaf.
    ///
    /// 1. Approved ancestor: the highest block whose every ancestor down to the base is approved
    ///    (a relay block is approved only if its parent is, so this is the approved prefix).
    /// 2. Undisputed chain: the prefix stops before the first disputed block.
    /// 3. Safeguard: if the leaf is more than 500 blocks above the result, vote for
    ///    `leaf − 500` (or the base, if that is not above it).
    public static func target(base: Int, chain: [Block], maxLag: Int = maxFinalityLag) -> Int {
        let leaf = base + chain.count
        var approvedPrefix = 0
        while approvedPrefix < chain.count, chain[approvedPrefix].approved { approvedPrefix += 1 }
        var undisputed = 0
        while undisputed < approvedPrefix, !chain[undisputed].disputed { undisputed += 1 }
        let subchain = base + undisputed
        let lag = leaf - subchain
        if lag > maxLag {
            let safe = leaf - maxLag
            return safe <= base ? base : safe
        }
        return subchain
    }
}
