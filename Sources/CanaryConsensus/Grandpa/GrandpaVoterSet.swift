/// The GRANDPA voters of one authority set: weights by voter index (0..<count) and the node
/// each voter runs on. Kusama: every active validator, weight 1, ordered by authority id.
public struct GrandpaVoterSet: Sendable, Equatable {
    /// The node (validator index in the simulation) of each voter.
    public let nodes: [UInt32]
    public let weights: [UInt64]
    public let totalWeight: UInt64
    /// `W - floor((W - 1) / 3)` (finality-grandpa `VoterSet::threshold`).
    public let threshold: UInt64
    /// True when every weight is 1: weights are bit counts.
    public let unitWeights: Bool
    /// 64-bit words per phase in a vote bitfield.
    public let wordsPerPhase: Int

    public init(nodes: [UInt32], weights: [UInt64]? = nil) {
        precondition(!nodes.isEmpty, "empty voter set")
        self.nodes = nodes
        let w = weights ?? Array(repeating: 1, count: nodes.count)
        precondition(w.count == nodes.count)
        self.weights = w
        totalWeight = w.reduce(0, +)
        threshold = GrandpaVoterSet.threshold(totalWeight)
        unitWeights = w.allSatisfy { $0 == 1 }
        wordsPerPhase = (nodes.count + 63) / 64
    }

    /// `count` voters on nodes 0..<count.
    public init(count: Int) { self.init(nodes: (0..<count).map { UInt32($0) }) }

    public var count: Int { nodes.count }

    public static func threshold(_ total: UInt64) -> UInt64 { total - (total == 0 ? 0 : (total - 1) / 3) }

    /// The primary of `round`: `round mod n` (`VoterSet::nth_mod`).
    public func primary(round: UInt64) -> Int { Int(round % UInt64(nodes.count)) }

    /// Voter index of `node`, or nil (linear; call once per set change, not per vote).
    public func index(ofNode node: UInt32) -> Int? { nodes.firstIndex(of: node) }

    /// Weight of the voters whose bits are set in `a[aOffset..]` OR `b[bOffset..]`
    /// (`wordsPerPhase` words each).
    @inlinable
    public func weight(_ a: [UInt64], _ aOffset: Int, or b: [UInt64], _ bOffset: Int) -> UInt64 {
        var total: UInt64 = 0
        if unitWeights {
            for w in 0..<wordsPerPhase { total &+= UInt64((a[aOffset + w] | b[bOffset + w]).nonzeroBitCount) }
        } else {
            for w in 0..<wordsPerPhase {
                var word = a[aOffset + w] | b[bOffset + w]
                while word != 0 {
                    let bit = word.trailingZeroBitCount
                    total &+= weights[w * 64 + bit]
                    word &= word &- 1
                }
            }
        }
        return total
    }
}

/// The two phases of a round.
public enum GrandpaPhase: UInt8, Sendable, Equatable {
    case prevote = 0, precommit = 1
    public var name: String { self == .prevote ? "prevote" : "precommit" }
}

/// A vote-graph node's cumulative votes: one bit per (phase, voter), as the crate's
/// `round::context::VoteNode` — an equivocator voting on two blocks of one branch counts once.
/// Layout: `wordsPerPhase` prevote words, then as many precommit words.
public struct GrandpaVoteBits: GrandpaVoteValue, Sendable, Equatable {
    public var words: [UInt64]
    public init(wordsPerPhase: Int) { words = Array(repeating: 0, count: 2 * wordsPerPhase) }
    @inlinable public mutating func merge(_ other: GrandpaVoteBits) {
        for i in words.indices { words[i] |= other.words[i] }
    }
    @inlinable public mutating func set(_ phase: GrandpaPhase, voter: Int, wordsPerPhase: Int) {
        words[Int(phase.rawValue) * wordsPerPhase + voter >> 6] |= 1 << UInt64(voter & 63)
    }
    /// ORs `mask` (one phase's words) into `phase`'s words (`GrandpaRound.importVotes` keeps
    /// its mask on the stack).
    @inlinable public mutating func set(_ phase: GrandpaPhase, mask: UnsafeBufferPointer<UInt64>, wordsPerPhase: Int) {
        let off = Int(phase.rawValue) * wordsPerPhase
        for i in 0..<wordsPerPhase where mask[i] != 0 { words[off + i] |= mask[i] }
    }
}
