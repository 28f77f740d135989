/// A change to the network injected by a scenario's timeline.
public enum Fault: Sendable, Equatable {
    case crash([UInt32])
    case restart([UInt32])
    /// Groups of nodes that can only reach their own group; unlisted nodes form one more group.
    /// `bridges` reach every group (e.g. colluding attackers talking to both sides).
    case partition([[UInt32]], bridges: [UInt32] = [])
    case heal
    /// A loss spike: from now on every message copy from or to `nodes` (every copy when `nodes`
    /// is empty) is also lost with probability `loss`, on top of the network's own loss. A new
    /// loss event replaces the one in force; `loss: 0` ends it.
    case loss(Double, nodes: [UInt32] = [])
    /// A latency spike: every message copy from or to `nodes` (every copy when empty) takes
    /// `extra` longer, one way. A new latency event replaces the one in force; zero ends it.
    case latency(SimTime, nodes: [UInt32] = [])
    /// The clocks of `nodes` are `offset` off real time from now on (positive: ahead). Models read
    /// a node's clock where the protocol does (BABE's slots); zero corrects the clocks.
    case clockSkew(SimTime, nodes: [UInt32])
    /// `nodes` compute `factor` times slower from now on (block authoring and import take that
    /// much longer); 1 restores them.
    case slow(UInt32, nodes: [UInt32])
}

/// A fault at a point in simulated time.
public struct TimedFault: Sendable, Equatable {
    public var at: SimTime
    public var fault: Fault
    public init(at: SimTime, fault: Fault) { self.at = at; self.fault = fault }
}

/// The degraded conditions the timeline's spikes, skews and slow-downs put in force (all
/// neutral at the start): the network applies the loss and latency spikes to every copy it
/// sends, models read a node's clock offset and slow-down factor.
public struct NodeConditions: Sendable, Equatable {
    /// Extra loss probability of the loss spike in force (0: none).
    public var spikeLoss: Double = 0
    /// Nodes the loss spike affects (copies from or to them); empty: every node.
    public var lossNodes: [Bool] = []
    /// Extra one-way delay of the latency spike in force.
    public var extraLatency: SimTime = .zero
    /// Nodes the latency spike affects; empty: every node.
    public var latencyNodes: [Bool] = []
    /// Clock offset per node (positive: ahead of real time).
    public var clockOffset: [SimTime]
    /// Slow-down factor per node (1: normal speed).
    public var slowFactor: [UInt32]
    /// Whether any clock is skewed (models skip per-node clock work otherwise).
    public var anySkew = false

    public init(nodes: Int) {
        clockOffset = Array(repeating: .zero, count: nodes)
        slowFactor = Array(repeating: 1, count: nodes)
    }

    /// Whether the loss spike applies to a copy from `a` to `b`.
    @inlinable public func lossApplies(_ a: Int, _ b: Int) -> Bool {
        spikeLoss > 0 && (lossNodes.isEmpty || lossNodes[a] || lossNodes[b])
    }

    /// The latency spike's extra delay for a copy from `a` to `b`.
    @inlinable public func extraDelay(_ a: Int, _ b: Int) -> SimTime {
        extraLatency == .zero || !(latencyNodes.isEmpty || latencyNodes[a] || latencyNodes[b]) ? .zero : extraLatency
    }

    /// A node's reading of the clock at real time `now`.
    @inlinable public func localTime(_ node: Int, _ now: SimTime) -> SimTime { now + clockOffset[node] }

    /// Puts `fault` in force if it is one of the conditions (crashes and partitions are not).
    public mutating func apply(_ fault: Fault) {
        let n = clockOffset.count
        func mask(_ nodes: [UInt32]) -> [Bool] {
            guard !nodes.isEmpty else { return [] }
            var m = Array(repeating: false, count: n)
            for v in nodes where Int(v) < n { m[Int(v)] = true }
            return m
        }
        switch fault {
        case .loss(let p, let nodes):
            spikeLoss = p
            lossNodes = mask(nodes)
        case .latency(let extra, let nodes):
            extraLatency = extra
            latencyNodes = mask(nodes)
        case .clockSkew(let offset, let nodes):
            for v in nodes where Int(v) < n { clockOffset[Int(v)] = offset }
            anySkew = clockOffset.contains { $0 != .zero }
        case .slow(let factor, let nodes):
            for v in nodes where Int(v) < n { slowFactor[Int(v)] = max(factor, 1) }
        case .crash, .restart, .partition, .heal:
            break
        }
    }
}
