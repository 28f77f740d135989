/// The 2D grid gossip topology of Polkadot's parachain protocols (statement, bitfield,
/// approval distribution), after polkadot-sdk
/// `polkadot/node/network/protocol/src/grid_topology.rs`:
///
/// - the session's validators are shuffled (from on-chain randomness; here from a keyed
///   random stream) and laid out row by row in a matrix `floor(sqrt(n))` wide;
/// - a validator sends its own message to its row and column neighbours (`GridXY`);
/// - a validator receiving a message whose originator is in its row forwards it along its
///   column (`GridY`), and one from its column along its row (`GridX`);
///
/// so every validator is reached within two hops along two distinct paths, and each sends a
/// message to about `2 sqrt(n)` peers instead of `n`. `RandomRouting` adds the redundant random
/// propagation ("upon seeing a message for the first time, propagate to 4 random peers").
///
/// A value type shared by every node of a run: each node asks for its own neighbours.
public struct GridTopology: Sendable, Equatable {
    /// `position[v]`: validator `v`'s index in the shuffled matrix.
    public let position: [Int]
    /// `validatorAt[p]`: the validator at matrix position `p`.
    public let validatorAt: [UInt32]
    /// Matrix width: `floor(sqrt(n))` (Rust's `(len as f64).sqrt() as usize`).
    public let width: Int

    /// A topology over `order` (the canonical shuffling: validator at each matrix position).
    public init(shuffling order: [UInt32]) {
        validatorAt = order
        var pos = Array(repeating: -1, count: (order.map { Int($0) }.max() ?? -1) + 1)
        for (p, v) in order.enumerated() { pos[Int(v)] = p }
        position = pos
        width = Swift.max(Int(Double(order.count).squareRoot()), 1)
    }

    /// Validators `0..<count` shuffled with `rng` (Fisher-Yates, deterministic per stream).
    public init(validators count: Int, rng: inout Xoshiro256StarStar) {
        var order = (0..<count).map { UInt32($0) }
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                let j = Int(rng.nextBelow(UInt64(i + 1)))
                order.swapAt(i, j)
            }
        }
        self.init(shuffling: order)
    }

    public var count: Int { validatorAt.count }

    /// Whether `v` is laid out in this topology.
    @inlinable public func contains(_ v: UInt32) -> Bool {
        Int(v) < position.count && position[Int(v)] >= 0
    }

    /// Row neighbours of `v` (the X dimension), in matrix order, `v` excluded.
    public func rowNeighbours(of v: UInt32) -> [UInt32] {
        guard contains(v) else { return [] }
        let p = position[Int(v)]
        let row = p / width
        let end = Swift.min(row * width + width, count)
        return (row * width..<end).filter { $0 != p }.map { validatorAt[$0] }
    }

    /// Column neighbours of `v` (the Y dimension), in matrix order, `v` excluded.
    public func columnNeighbours(of v: UInt32) -> [UInt32] {
        guard contains(v) else { return [] }
        let p = position[Int(v)]
        return stride(from: p % width, to: count, by: width).filter { $0 != p }.map { validatorAt[$0] }
    }

    /// Which part of the grid `local` forwards a message of `originator` to
    /// (`required_routing_by_index`).
    public func requiredRouting(originator: UInt32, local: UInt32) -> GridRouting {
        if originator == local { return .gridXY }
        guard contains(originator), contains(local) else { return .none }
        let po = position[Int(originator)], pl = position[Int(local)]
        let sameRow = po / width == pl / width
        let sameColumn = po % width == pl % width
        switch (sameRow, sameColumn) {
        case (false, false): return .none
        case (true, false): return .gridY      // from X go to Y
        case (false, true): return .gridX      // from Y go to X
        case (true, true): return .gridXY      // cannot happen in one matrix; play safe
        }
    }

    /// The peers `local` sends to under `routing`, ascending by matrix position (row first).
    public func peers(of local: UInt32, routing: GridRouting) -> [UInt32] {
        switch routing {
        case .none: return []
        case .gridX: return rowNeighbours(of: local)
        case .gridY: return columnNeighbours(of: local)
        case .gridXY: return rowNeighbours(of: local) + columnNeighbours(of: local)
        case .all: return validatorAt.filter { $0 != local }
        }
    }
}

/// The part of the grid a message goes to (`RequiredRouting`).
public enum GridRouting: UInt8, Sendable, Equatable {
    case none, gridX, gridY, gridXY, all
}

/// Random propagation on top of the grid (`RandomRouting`): each message goes to at most
/// `target` random peers, each peer considered in turn sampled with probability
/// `sampleRate / peers` (always when `sampleRate > peers`).
public struct RandomRouting: Sendable, Equatable {
    /// `DEFAULT_RANDOM_CIRCULATION`.
    public var target = 4
    public private(set) var sent = 0
    /// `DEFAULT_RANDOM_SAMPLE_RATE` = `MIN_GOSSIP_PEERS` (25).
    public var sampleRate = 25
    public init() {}

    /// Whether to send to the next peer considered, out of `peers` in total.
    public mutating func sample(peers: Int, rng: inout Xoshiro256StarStar) -> Bool {
        guard peers > 0, sent < target else { return false }
        let pick = sampleRate > peers || rng.nextBelow(UInt64(peers)) < UInt64(sampleRate)
        if pick { sent += 1 }
        return pick
    }
}

extension RandomRouting {
    /// Up to `target` distinct random peers out of `peers`, none for which `exclude` holds.
    ///
    /// Upstream walks its peers in `HashMap` order (random per process) and samples each with
    /// probability `sampleRate / n` until `target` are picked, so the picks are, in effect,
    /// uniformly random peers; drawing them directly costs `target` draws instead of one per
    /// peer. Deterministic for a given stream.
    public static func pick(target: Int = 4, from peers: [UInt32], rng: inout Xoshiro256StarStar,
                            exclude: (UInt32) -> Bool) -> [UInt32] {
        var out: [UInt32] = []
        guard !peers.isEmpty, target > 0 else { return out }
        out.reserveCapacity(target)
        // Bounded attempts: with few eligible peers, stop rather than loop.
        var attempts = 0
        while out.count < target && attempts < 8 * target + peers.count / 8 {
            attempts += 1
            let p = peers[Int(rng.nextBelow(UInt64(peers.count)))]
            if exclude(p) || out.contains(p) { continue }
            out.append(p)
        }
        return out
    }
}
