import CanaryEngine

/// What a vote-graph node accumulates: merged up the graph from the votes below it.
public protocol GrandpaVoteValue {
    mutating func merge(_ other: Self)
}

extension UInt64: GrandpaVoteValue {
    @inlinable public mutating func merge(_ other: UInt64) { self &+= other }
}

/// The vote graph of finality-grandpa (`src/vote_graph.rs`), over block ids.
///
/// A DAG of "vote-nodes" (blocks that were voted for, plus the fork points between them) above
/// a base block. Each node keeps the blocks of its ancestor edge (its parent first, the parent
/// vote-node's block last) and the cumulative votes of itself and its descendants. Inserting a
/// vote merges its value into every vote-node on the path to the base, so the work per vote is
/// the number of vote-nodes on that path (a handful), independent of the voter count.
///
/// Iteration orders are those of the crate with block ids in place of hashes (heads sorted by
/// id), so results never depend on hash-map order.
public struct GrandpaVoteGraph<V: GrandpaVoteValue> {
    public struct Entry {
        public var block: BlockId
        public var number: UInt32
        /// Ancestor blocks, parent first; the last one is the parent vote-node's block.
        public var ancestors: [BlockId]
        /// Entry indices of the child vote-nodes.
        public var descendants: [Int]
        public var cumulative: V

        /// Whether `(block, number)` lies on this node's ancestor edge; nil when it is below
        /// the edge (the search must continue from the parent vote-node).
        @inlinable func inDirectAncestry(_ b: BlockId, _ n: UInt32) -> Bool? {
            ancestorBlock(n).map { $0 == b }
        }
        @inlinable func ancestorBlock(_ n: UInt32) -> BlockId? {
            if n >= number { return nil }
            let offset = Int(number - n - 1)
            return offset < ancestors.count ? ancestors[offset] : nil
        }
        @inlinable var ancestorNode: BlockId? { ancestors.last }
    }

    public private(set) var entries: [Entry] = []
    var index: [BlockId: Int] = [:]
    /// Entry indices of the vote-nodes without descendants, sorted by block id.
    var heads: [Int] = []
    public private(set) var base: BlockId
    public private(set) var baseNumber: UInt32
    let zero: V

    public init(base: BlockId, baseNumber: UInt32, zero: V) {
        self.base = base
        self.baseNumber = baseNumber
        self.zero = zero
        entries.append(Entry(block: base, number: baseNumber, ancestors: [], descendants: [], cumulative: zero))
        index[base] = 0
        heads = [0]
    }

    /// The entry of vote-node `b`. A round's graph holds a handful of vote-nodes (the blocks
    /// voted for and the fork points between them), so a scan of their block ids beats hashing
    /// a dictionary key on every vote; the dictionary serves large graphs (long stalled rounds
    /// with many forks). Both give the same answer: block ids of vote-nodes are unique.
    @inline(__always) func lookup(_ b: BlockId) -> Int? {
        if entries.count <= Self.scanLimit {
            var i = 0
            while i < entries.count { if entries[i].block == b { return i }; i += 1 }
            return nil
        }
        return index[b]
    }
    static var scanLimit: Int { 16 }

    public func entryIndex(_ b: BlockId) -> Int? { lookup(b) }
    public func entry(_ b: BlockId) -> Entry? { lookup(b).map { entries[$0] } }
    /// Blocks of the current heads, in the graph's order.
    public var headBlocks: [BlockId] { heads.map { entries[$0].block } }

    private mutating func insertHead(_ e: Int) {
        let b = entries[e].block
        var lo = 0, hi = heads.count
        while lo < hi { let m = (lo + hi) / 2; if entries[heads[m]].block < b { lo = m + 1 } else { hi = m } }
        heads.insert(e, at: lo)
    }
    private mutating func removeHead(_ e: Int) {
        if let i = heads.firstIndex(of: e) { heads.remove(at: i) }
    }

    /// Moves the base back to an ancestor of the current base. `ancestryProof` lists the blocks
    /// below the old base, its parent first; the last one becomes the new base.
    public mutating func adjustBase(_ ancestryProof: [BlockId]) {
        guard let newBase = ancestryProof.last, ancestryProof.count <= Int(baseNumber) else { return }
        let newNumber = baseNumber - UInt32(ancestryProof.count)
        let old = lookup(base)!
        entries[old].ancestors.append(contentsOf: ancestryProof)
        let e = entries.count
        entries.append(Entry(block: newBase, number: newNumber, ancestors: [], descendants: [old],
                             cumulative: entries[old].cumulative))
        index[newBase] = e
        base = newBase
        baseNumber = newNumber
    }

    /// Adds `vote` at `block`: creates the vote-node if needed (splitting an edge or appending
    /// a new branch) and merges the vote into it and every vote-node below. Returns false
    /// (and changes nothing) if `block` is not the base or a descendant of it.
    @discardableResult
    public mutating func insert<C: GrandpaChain>(_ block: BlockId, vote: V, chain: C) -> Bool {
        insert(block, chain: chain) { $0.merge(vote) }
    }

    /// `insert` with an in-place update of each node's value (no temporary vote value).
    @discardableResult
    public mutating func insert<C: GrandpaChain>(_ block: BlockId, chain: C, apply: (inout V) -> Void) -> Bool {
        if lookup(block) == nil {
            let number = chain.number(of: block)
            let containing = findContainingNodes(block, number)
            if containing.isEmpty {
                guard append(block, number, chain) else { return false }
            } else {
                introduceBranch(containing, block, number)
            }
        }
        var e = lookup(block)!
        while true {
            apply(&entries[e].cumulative)
            guard let p = entries[e].ancestorNode else { break }
            e = lookup(p)!
        }
        return true
    }

    /// The highest block on the chain ending at `block` whose cumulative vote satisfies
    /// `condition` (crate `find_ancestor`); nil if none does or `block` is not in the graph.
    public func findAncestor(_ block: BlockId, _ number: UInt32, _ condition: (V) -> Bool) -> (block: BlockId, number: UInt32)? {
        var hash = block, n = number
        while true {
            if let e = lookup(hash) {
                let node = entries[e]
                if condition(node.cumulative) { return (hash, n) }
                guard let a = node.ancestors.first else { return nil }
                hash = a
                n = node.number - 1
            } else {
                let children = findContainingNodes(hash, n)
                if children.isEmpty { return nil }
                var v = zero
                for c in children { v.merge(entries[c].cumulative) }
                if condition(v) { return (hash, n) }
                let entry = entries[children.last!]
                let offset = Int(entry.number - n)
                guard offset < entry.ancestors.count else { return nil }
                hash = entry.ancestors[offset]
                n -= 1
            }
        }
    }

    /// The cumulative vote on `block` (votes on it and its descendants).
    public func cumulativeVote(_ block: BlockId, _ number: UInt32) -> V {
        if let e = lookup(block) { return entries[e].cumulative }
        var v = zero
        for c in findContainingNodes(block, number) { v.merge(entries[c].cumulative) }
        return v
    }

    /// The GHOST: the highest block whose cumulative vote satisfies `condition`, searching
    /// from `currentBest` (a block known to satisfy it) or the base (crate `find_ghost`).
    /// `condition` must hold for at most one child of any block (a supermajority predicate).
    public func findGhost(_ currentBest: (block: BlockId, number: UInt32)?, _ condition: (V) -> Bool) -> (block: BlockId, number: UInt32)? {
        var nodeIndex = 0
        var forceConstrain = false
        if let cb = currentBest {
            if let e = lookup(cb.block) {
                nodeIndex = e
            } else {
                let containing = findContainingNodes(cb.block, cb.number)
                if !containing.isEmpty {
                    nodeIndex = lookup(entries[containing[0]].ancestorNode!)!
                    forceConstrain = true
                } else {
                    nodeIndex = lookup(base)!
                }
            }
        } else {
            nodeIndex = lookup(base)!
        }
        if !condition(entries[nodeIndex].cumulative) { return nil }
        while true {
            var next: Int? = nil
            for d in entries[nodeIndex].descendants {
                let node = entries[d]
                if forceConstrain, let cb = currentBest, !(node.inDirectAncestry(cb.block, cb.number) ?? false) { continue }
                if condition(node.cumulative) { next = d; break }
            }
            guard let n = next else { break }
            forceConstrain = false
            nodeIndex = n
        }
        return ghostFindMergePoint(nodeIndex, forceConstrain ? currentBest : nil, condition)
    }

    private func ghostFindMergePoint(_ nodeIndex: Int, _ constrain: (block: BlockId, number: UInt32)?,
                                     _ condition: (V) -> Bool) -> (block: BlockId, number: UInt32) {
        let active = entries[nodeIndex]
        var descendantNodes = active.descendants.filter { d in
            guard let c = constrain else { return true }
            return entries[d].inDirectAncestry(c.block, c.number) ?? false
        }
        let baseNumber = active.number
        var bestNumber = active.number
        var best = active.block
        var offset: UInt32 = 0
        var blocks: [(BlockId, V)] = []
        while true {
            offset += 1
            var newBest: BlockId? = nil
            blocks.removeAll(keepingCapacity: true)
            for d in descendantNodes {
                let node = entries[d]
                guard let b = node.ancestorBlock(baseNumber + offset) else { continue }
                // Sorted insert by block id, as the crate's binary search.
                var lo = 0, hi = blocks.count
                while lo < hi { let m = (lo + hi) / 2; if blocks[m].0 < b { lo = m + 1 } else { hi = m } }
                if lo < blocks.count && blocks[lo].0 == b {
                    blocks[lo].1.merge(node.cumulative)
                    if condition(blocks[lo].1) { newBest = b; break }
                } else {
                    blocks.insert((b, node.cumulative), at: lo)
                }
            }
            guard let nb = newBest else { break }
            bestNumber += 1
            best = nb
            descendantNodes = descendantNodes.filter { entries[$0].inDirectAncestry(nb, bestNumber) ?? false }
        }
        return (best, bestNumber)
    }

    /// Vote-nodes whose ancestor edge contains `(block, number)`, in head order (empty when
    /// none does). Must not be called for a block that has a vote-node.
    func findContainingNodes(_ block: BlockId, _ number: UInt32) -> [Int] {
        var containing: [Int] = []
        var visited: [Int] = []
        for h in heads {
            var e = h
            while true {
                if visited.contains(e) { break }
                visited.append(e)
                let node = entries[e]
                if let inAncestry = node.inDirectAncestry(block, number) {
                    if inAncestry { containing.append(e) }
                    break
                }
                guard let p = node.ancestorNode, let pe = lookup(p) else { break }
                e = pe
            }
        }
        return containing
    }

    private mutating func introduceBranch(_ descendants: [Int], _ block: BlockId, _ number: UInt32) {
        var newEntry: Entry? = nil
        var prevAncestor: BlockId? = nil
        for d in descendants {
            let offset = Int(entries[d].number - number)
            if newEntry == nil {
                prevAncestor = entries[d].ancestorNode
                newEntry = Entry(block: block, number: number, ancestors: Array(entries[d].ancestors[offset...]),
                                 descendants: [], cumulative: zero)
            }
            entries[d].ancestors.removeSubrange(offset...)
            newEntry!.descendants.append(d)
            newEntry!.cumulative.merge(entries[d].cumulative)
        }
        guard let entry = newEntry else { return }
        let e = entries.count
        entries.append(entry)
        index[block] = e
        if let pa = prevAncestor, let pe = lookup(pa) {
            entries[pe].descendants.removeAll { entry.descendants.contains($0) }
            entries[pe].descendants.append(e)
        }
    }

    private mutating func append<C: GrandpaChain>(_ block: BlockId, _ number: UInt32, _ chain: C) -> Bool {
        guard var ancestry = chain.ancestry(base: base, block: block) else { return false }
        ancestry.append(base)
        var ancestorIndex = -1
        for (i, a) in ancestry.enumerated() {
            if let e = lookup(a) {
                ancestorIndex = i
                let new = entries.count
                entries[e].descendants.append(new)
                removeHead(e)
                break
            }
        }
        precondition(ancestorIndex >= 0, "base is always in the graph")
        ancestry.removeSubrange((ancestorIndex + 1)...)
        let e = entries.count
        entries.append(Entry(block: block, number: number, ancestors: ancestry, descendants: [], cumulative: zero))
        index[block] = e
        insertHead(e)
        return true
    }
}
