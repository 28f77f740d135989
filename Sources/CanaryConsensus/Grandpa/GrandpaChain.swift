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

/// The block tree's ancestry alone (parent and number arrays): what importing a vote needs.
/// Copying it retains two arrays where a `BlockTree` copy retains a dozen, and it does not
/// share the arrays (runtime states) that finality prunes, so holding it never forces a copy.
public struct TreeAncestry: GrandpaChain {
    public let parents: [BlockId]
    public let numbers: [UInt32]
    public init(_ tree: BlockTree) { parents = tree.parent; numbers = tree.number }
    @inlinable public func number(of b: BlockId) -> UInt32 { numbers[Int(b)] }
    @inlinable public func parent(of b: BlockId) -> BlockId { parents[Int(b)] }
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

/// A GRANDPA voting rule (`sc_consensus_grandpa::VotingRule`): given the block the vote builds
/// on (`base`), the node's best block (`best`) and the target restricted so far (`current`),
/// returns a more restrictive target (an ancestor of `current`) or nil for no restriction.
public protocol GrandpaVotingRule: Sendable {
    func restrictVote<C: GrandpaChain>(_ chain: C, base: BlockId, best: BlockId, current: BlockId) -> BlockId?
}

/// `BeforeBestBlockBy(n)`: vote at least `n` blocks behind the best block, unless the base is
/// fewer than `n` blocks behind the best, in which case vote for the base (the cutoff at the
/// base of `voting_rule.rs`).
public struct BeforeBestBlockBy: GrandpaVotingRule {
    public var blocks: UInt32
    public init(_ blocks: UInt32) { self.blocks = blocks }

    public func restrictVote<C: GrandpaChain>(_ chain: C, base: BlockId, best: BlockId, current: BlockId) -> BlockId? {
        if chain.number(of: current) == 0 { return nil }
        let bestNumber = chain.number(of: best)
        // Constrain to the base when that is the lowest vote that can be placed.
        if UInt64(chain.number(of: base)) + UInt64(blocks) > UInt64(bestNumber) { return base }
        let target = bestNumber >= blocks ? bestNumber - blocks : 0
        if target >= chain.number(of: current) { return nil }
        let r = chain.ancestor(of: current, atNumber: target)
        return r == BlockTree.none ? nil : r
    }
}

/// `ThreeQuartersOfTheUnfinalizedChain`: vote no further than 3/4 of the way (rounding up)
/// from the base to the best block.
public struct ThreeQuartersOfTheUnfinalizedChain: GrandpaVotingRule {
    public init() {}

    public func restrictVote<C: GrandpaChain>(_ chain: C, base: BlockId, best: BlockId, current: BlockId) -> BlockId? {
        let baseNumber = chain.number(of: base), bestNumber = chain.number(of: best)
        guard bestNumber >= baseNumber else { return nil }
        let target = baseNumber + ((bestNumber - baseNumber) * 3 + 2) / 4
        if target >= chain.number(of: current) { return nil }
        let r = chain.ancestor(of: current, atNumber: target)
        return r == BlockTree.none ? nil : r
    }
}

/// Voting rules applied in order (`VotingRules` of `voting_rule.rs`): each rule restricts the
/// target left by the previous ones, and a restriction is kept only if its number lies in
/// `[base, current)`. Substrate's default (`VotingRulesBuilder::default()`) is
/// `BeforeBestBlockBy(2)` then `ThreeQuartersOfTheUnfinalizedChain`.
///
/// `base` is the block the prevote builds on (the previous round's estimate or the primary's
/// proposal), `best` the node's best block, `target` the best block containing `base`.
public enum GrandpaVotingRules {
    public static func apply<C: GrandpaChain>(_ rules: [any GrandpaVotingRule], _ chain: C, base: BlockId, best: BlockId,
                                              target: BlockId) -> BlockId {
        let baseNumber = chain.number(of: base)
        var current = target
        for rule in rules {
            guard let r = rule.restrictVote(chain, base: base, best: best, current: current) else { continue }
            let n = chain.number(of: r)
            if n >= baseNumber && n < chain.number(of: current) { current = r }
        }
        return current
    }

    /// The default rules with the scenario's knobs: `BeforeBestBlockBy(beforeBestBy)` (0 leaves
    /// it out) then, if `threeQuarters`, `ThreeQuartersOfTheUnfinalizedChain`.
    public static func restrict<C: GrandpaChain>(_ chain: C, base: BlockId, best: BlockId, target: BlockId,
                                                  beforeBestBy: UInt32 = 2, threeQuarters: Bool = true) -> BlockId {
        let baseNumber = chain.number(of: base)
        var current = target
        func keep(_ r: BlockId?) {
            guard let r else { return }
            let n = chain.number(of: r)
            if n >= baseNumber && n < chain.number(of: current) { current = r }
        }
        if beforeBestBy > 0 { keep(BeforeBestBlockBy(beforeBestBy).restrictVote(chain, base: base, best: best, current: current)) }
        if threeQuarters { keep(ThreeQuartersOfTheUnfinalizedChain().restrictVote(chain, base: base, best: best, current: current)) }
        return current
    }
}
