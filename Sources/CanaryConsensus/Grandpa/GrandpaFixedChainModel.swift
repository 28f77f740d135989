import CanaryEngine

extension GrandpaTimerKind {
    /// Event kind of this timer for a host whose GRANDPA kinds start at `base`.
    @inlinable public func eventKind(base: UInt16) -> EventKind { EventKind(rawValue: base + rawValue) }
    public init?(eventKind: EventKind, base: UInt16) {
        guard eventKind.rawValue >= base else { return nil }
        self.init(rawValue: eventKind.rawValue - base)
    }
    /// Timer payload: set id (upper 24 bits) and round (lower 40 bits).
    @inlinable public static func payload(setId: UInt64, round: UInt64) -> UInt64 { setId << 40 | (round & 0xFF_FFFF_FFFF) }
    @inlinable public static func decode(_ payload: UInt64) -> (setId: UInt64, round: UInt64) { (payload >> 40, payload & 0xFF_FFFF_FFFF) }
}

/// GRANDPA alone over a fixed, fully known chain: every node is a voter whose view is a
/// `GrandpaFixedEnvironment` (its best block can be set per node). For the crate's voter-level
/// situations and for measuring the voter's cost without block production.
public struct GrandpaFixedChainModel: SimulationModel {
    public typealias Message = GrandpaMessage
    public static let messageClasses = GrandpaVoter.messageClasses
    public static let timerBase = EventKind.firstModelKind

    public struct Finalization: Sendable, Equatable {
        public var node: UInt32
        public var target: GrandpaTarget
        public var round: UInt64
        public var viaCommit: Bool
        public var at: SimTime
    }

    public var voters: [GrandpaVoter]
    public var envs: [GrandpaFixedEnvironment]
    public private(set) var finalizations: [Finalization] = []
    public private(set) var equivocations: [(reporter: UInt32, equivocation: GrandpaEquivocation)] = []
    public private(set) var completedRounds: [(node: UInt32, round: UInt64, startedAt: SimTime, at: SimTime, caughtUp: Bool)] = []
    public private(set) var commitsSent = 0
    /// Nodes that do not start voting at time zero (they can still be driven by messages).
    public var silent: Set<UInt32> = []
    var out: [GrandpaOutput] = []

    public init(chain: GrandpaTestChain, voters set: GrandpaVoterSet, nodes: Int, config: GrandpaConfig = .kusama,
                roles: [GrandpaRole]? = nil, base: BlockId = GrandpaTestChain.genesis, seed: UInt64) {
        let streams = RandomStreams(seed: seed)
        let env = GrandpaFixedEnvironment(chain: chain)
        envs = Array(repeating: env, count: nodes)
        voters = (0..<nodes).map { n in
            GrandpaVoter(node: UInt32(n), config: config, voters: set, base: GrandpaTarget(base, chain.number(of: base)),
                         role: roles?[n] ?? .honest, streams: streams)
        }
    }

    public func finalized(_ node: UInt32) -> GrandpaTarget { voters[Int(node)].lastFinalized }

    public mutating func start(_ ctx: inout SimContext<Message>) {
        for n in voters.indices where !silent.contains(UInt32(n)) {
            voters[n].start(now: ctx.now, env: envs[n], out: &out)
            apply(UInt32(n), &ctx)
        }
    }

    public mutating func timer(_ event: Event, _ ctx: inout SimContext<Message>) {
        guard let kind = GrandpaTimerKind(eventKind: event.kind, base: Self.timerBase) else { return }
        let (s, r) = GrandpaTimerKind.decode(event.payload)
        let n = Int(event.node)
        voters[n].timer(kind, setId: s, round: r, now: ctx.now, env: envs[n], out: &out)
        apply(event.node, &ctx)
    }

    public mutating func receive(_ message: Message, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        voters[n].receive(message, from: from, now: ctx.now, env: envs[n], out: &out)
        apply(node, &ctx)
    }

    public mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        voters[n].restarted(now: ctx.now, env: envs[n], out: &out)
        apply(node, &ctx)
    }

    /// Enacts a new authority set at `node` (tests drive set changes explicitly here).
    public mutating func changeSet(node: UInt32, setId: UInt64, voters set: GrandpaVoterSet, base: GrandpaTarget,
                                   _ ctx: inout SimContext<Message>) {
        let n = Int(node)
        voters[n].changeSet(setId: setId, voters: set, base: base, now: ctx.now, env: envs[n], out: &out)
        apply(node, &ctx)
    }

    /// Delivers `message` to `node` as if sent by `from` (tests inject commits and catch-ups).
    public mutating func inject(_ message: Message, from: UInt32, to node: UInt32, _ ctx: inout SimContext<Message>) {
        receive(message, from: from, at: node, &ctx)
    }

    mutating func apply(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        let v = voters[Int(node)]
        let sizes = v.config.sizes
        for o in out {
            switch o {
            case .broadcast(let m):
                if case .commit = m { commitsSent += 1 }
                ctx.broadcast(m, size: sizes.size(m), cls: m.cls, from: node, to: v.voters.nodes)
            case .send(let m, let to):
                ctx.send(m, size: sizes.size(m), cls: m.cls, from: node, to: to)
            case .timer(let at, let kind, let s, let r):
                ctx.schedule(at: at, node: node, kind: kind.eventKind(base: Self.timerBase),
                             payload: GrandpaTimerKind.payload(setId: s, round: r))
            case .finalized(let t, let round, let via):
                finalizations.append(Finalization(node: node, target: t, round: round, viaCommit: via, at: ctx.now))
            case .equivocation(let e, _):
                equivocations.append((node, e))
            case .roundCompleted(let r, let startedAt, _, let caughtUp):
                completedRounds.append((node, r, startedAt, ctx.now, caughtUp))
            }
        }
        out.removeAll(keepingCapacity: true)
    }

    /// A single-region network with constant latency (tests).
    public static func network(latency: SimTime = .ms(50), loss: Double = 0) -> NetworkConfig {
        NetworkConfig(regions: ["r"], latency: [[LatencyDistribution(median: latency, sigma: 0)]], uploadBitsPerSecond: 0, loss: loss)
    }
}
