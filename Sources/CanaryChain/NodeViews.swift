import CanaryEngine

/// What an import did to a node's best chain.
public struct ImportOutcome: Sendable, Equatable {
    /// The best block changed to the imported block.
    public var bestChanged: Bool
    /// Blocks retracted from the previous best chain (0 when the new best extends the old one).
    public var reorgDepth: UInt32
    /// The previous best block.
    public var previousBest: BlockId
    public init(bestChanged: Bool, reorgDepth: UInt32, previousBest: BlockId) {
        self.bestChanged = bestChanged; self.reorgDepth = reorgDepth; self.previousBest = previousBest
    }
}

/// Every node's view of the shared block tree: which blocks it imported, its best block and its
/// finalized block. Compact: one bit per (node, block), two ids per node.
public struct NodeViews: Sendable {
    public let nodeCount: Int
    public private(set) var imported: BitMatrix
    public private(set) var best: [BlockId]
    public private(set) var finalized: [BlockId]

    public init(nodes: Int) {
        nodeCount = nodes
        imported = BitMatrix(rows: nodes)
        best = Array(repeating: BlockTree.genesis, count: nodes)
        finalized = Array(repeating: BlockTree.genesis, count: nodes)
        for n in 0..<nodes { imported.set(n, Int(BlockTree.genesis)) }
    }

    @inlinable public func hasImported(_ node: UInt32, _ b: BlockId) -> Bool { imported.get(Int(node), Int(b)) }

    /// Records that `node` imported `b` (its parent must be imported) and applies fork choice:
    /// `b` becomes best if it is better than the current best (`BlockTree.isBetter`) and
    /// descends from the node's finalized block.
    @discardableResult
    public mutating func markImported(_ node: UInt32, _ b: BlockId, in tree: BlockTree) -> ImportOutcome {
        let n = Int(node)
        imported.set(n, Int(b))
        let old = best[n]
        guard tree.isBetter(b, than: old) else {
            return ImportOutcome(bestChanged: false, reorgDepth: 0, previousBest: old)
        }
        let fin = finalized[n]
        if fin != BlockTree.genesis && !tree.isAncestor(fin, of: b) {
            return ImportOutcome(bestChanged: false, reorgDepth: 0, previousBest: old)
        }
        best[n] = b
        // Fast path: b extends the old best directly.
        if tree.parent[Int(b)] == old { return ImportOutcome(bestChanged: true, reorgDepth: 0, previousBest: old) }
        let lca = tree.commonAncestor(old, b)
        return ImportOutcome(bestChanged: true, reorgDepth: tree.number[Int(old)] - tree.number[Int(lca)], previousBest: old)
    }

    /// Finalizes `b` for `node` (GRANDPA calls this). `b` must be imported by the node and
    /// descend from its current finalized block; if the best block does not descend from `b`,
    /// the best becomes `b` (callers then re-run fork choice over `b`'s imported descendants).
    /// Returns false (and changes nothing) if `b` is not a valid finality target.
    @discardableResult
    public mutating func finalize(_ node: UInt32, _ b: BlockId, in tree: BlockTree) -> Bool {
        let n = Int(node)
        guard hasImported(node, b), tree.isAncestor(finalized[n], of: b) else { return false }
        finalized[n] = b
        if !tree.isAncestor(b, of: best[n]) { best[n] = b }
        return true
    }

    /// Sets `node`'s best block directly (fork choice outside `markImported`, e.g. after
    /// finality moved). `b` must be imported by the node.
    public mutating func setBest(_ node: UInt32, _ b: BlockId) { best[Int(node)] = b }
}
