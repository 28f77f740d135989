import CanaryEngine

/// Block ancestry as the GRANDPA voter sees it: numbers and parent links of block ids.
///
/// The voter core is written against this protocol only, so it runs on the shared `BlockTree`
/// in a simulation and on hand-built chains in tests (`GrandpaTestChain`). Blocks are compact
/// ids (`BlockId`); `BlockTree.none` is "no block" (the genesis block's parent).
public protocol GrandpaChain {
    func number(of b: BlockId) -> UInt32
    func parent(of b: BlockId) -> BlockId
}

extension GrandpaChain {
    /// The ancestor of `b` at height `n` (`b` itself at its own number), or `BlockTree.none`.
    @inlinable public func ancestor(of b: BlockId, atNumber n: UInt32) -> BlockId {
        var x = b
        var xn = number(of: x)
        guard xn >= n else { return BlockTree.none }
        while xn > n { x = parent(of: x); xn -= 1 }
        return x
    }

    /// Whether `d` is `a` or a descendant of `a`.
    @inlinable public func isEqualOrDescendant(_ d: BlockId, of a: BlockId) -> Bool {
        ancestor(of: d, atNumber: number(of: a)) == a
    }

    /// finality-grandpa's `Chain::ancestry(base, block)`: the blocks strictly between `block`
    /// and `base`, newest first (the parent of `block` first). Nil if `block` does not descend
    /// from `base` (or is `base`).
    public func ancestry(base: BlockId, block: BlockId) -> [BlockId]? {
        let bn = number(of: base)
        var n = number(of: block)
        guard n > bn else { return nil }
        var out: [BlockId] = []
        out.reserveCapacity(Int(n - bn))
        var x = parent(of: block)
        n -= 1
        while n > bn { out.append(x); x = parent(of: x); n -= 1 }
        return x == base ? out : nil
    }
}

extension BlockTree: GrandpaChain {
    @inlinable public func number(of b: BlockId) -> UInt32 { number[Int(b)] }
    @inlinable public func parent(of b: BlockId) -> BlockId { parent[Int(b)] }
}

/// A hand-built chain for tests and fixed-chain runs, after finality-grandpa's `DummyChain`:
/// named blocks, genesis first. Block numbers start at `genesisNumber` (the crate's fixture uses 1).
public struct GrandpaTestChain: GrandpaChain, Sendable {
    public private(set) var parents: [BlockId] = [BlockTree.none]
    public private(set) var numbers: [UInt32]
    public private(set) var names: [String] = ["genesis"]
    public private(set) var byName: [String: BlockId] = ["genesis": 0]

    public init(genesisNumber: UInt32 = 1) { numbers = [genesisNumber] }

    public static let genesis: BlockId = 0

    /// Appends a linear chain of named blocks on `parent`; returns the ids.
    @discardableResult
    public mutating func push(_ parent: String, _ blocks: [String]) -> [BlockId] {
        var p = byName[parent]!
        var out: [BlockId] = []
        for name in blocks {
            let id = BlockId(parents.count)
            parents.append(p)
            numbers.append(numbers[Int(p)] + 1)
            names.append(name)
            byName[name] = id
            out.append(id)
            p = id
        }
        return out
    }

    public subscript(_ name: String) -> BlockId { byName[name]! }
    public func name(_ b: BlockId) -> String { b == BlockTree.none ? "none" : names[Int(b)] }
    public func number(of b: BlockId) -> UInt32 { numbers[Int(b)] }
    public func parent(of b: BlockId) -> BlockId { parents[Int(b)] }
    public var count: Int { parents.count }

    /// The highest block (lowest id among equals) descending from `b`: the best chain of a
    /// fixed chain, used as `bestChainContaining` by fixed-chain voters.
    public func bestDescendant(of b: BlockId) -> BlockId {
        var best = b
        for i in Int(b)..<parents.count where numbers[i] > numbers[Int(best)] && isEqualOrDescendant(BlockId(i), of: b) {
            best = BlockId(i)
        }
        return best
    }
}

/// Substrate's default voting rules (`VotingRulesBuilder::default()`), applied in order to the
/// prevote target: `BeforeBestBlockBy(2)` then `ThreeQuartersOfTheUnfinalizedChain`. A
/// restriction is kept only if it lies in `[base, target)`.
///
/// `base` is the block the prevote builds on (the previous round's estimate or the primary's
/// proposal), `best` the node's best block, `target` the best block containing `base`.
public enum GrandpaVotingRules {
    public static func restrict<C: GrandpaChain>(_ chain: C, base: BlockId, best: BlockId, target: BlockId,
                                                  beforeBestBy: UInt32 = 2, threeQuarters: Bool = true) -> BlockId {
        let baseNumber = chain.number(of: base)
        let bestNumber = chain.number(of: best)
        var current = target
        // BeforeBestBlockBy(n).
        if beforeBestBy > 0 && chain.number(of: current) > 0 {
            let t = bestNumber >= beforeBestBy ? bestNumber - beforeBestBy : 0
            if t < chain.number(of: current) {
                let r = chain.ancestor(of: current, atNumber: t)
                if r != BlockTree.none && t >= baseNumber { current = r }
            }
        }
        // ThreeQuartersOfTheUnfinalizedChain.
        if threeQuarters && bestNumber >= baseNumber {
            let diff = bestNumber - baseNumber
            let t = baseNumber + (diff * 3 + 2) / 4
            if t < chain.number(of: current) {
                let r = chain.ancestor(of: current, atNumber: t)
                if r != BlockTree.none && t >= baseNumber { current = r }
            }
        }
        return current
    }
}
