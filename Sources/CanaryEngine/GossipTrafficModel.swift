/// Synthetic traffic that exercises the network model until real protocols replace it:
/// every node gossips small messages to random peers, and a rotating author broadcasts a large
/// "block" to everyone at a fixed interval.
///
/// Each node draws from its own random stream, so adding nodes does not change the traffic of
/// existing ones. A node that crashes stops; on restart it resumes its gossip timer.
public struct GossipTrafficModel: SimulationModel {
    public struct Config: Sendable, Equatable {
        public var gossipInterval: SimTime = .seconds(1)
        public var fanout: Int = 8
        public var gossipSize: Int = 1_024
        public var blockInterval: SimTime = .seconds(6)
        public var blockSize: Int = 256 * 1_024
        public init() {}
    }

    public enum Message: Sendable { case gossip(UInt32), block(UInt64) }
    public static let messageClasses = ["gossip", "block"]
    static let gossipTick = EventKind(rawValue: EventKind.firstModelKind)
    static let blockTick = EventKind(rawValue: EventKind.firstModelKind + 1)

    public let config: Config
    let nodes: Int
    var rngs: [Xoshiro256StarStar] = []
    var blockNumber: UInt64 = 0
    var gossipCounter: [UInt32]
    var targets: [UInt32] = []

    public init(config: Config, nodes: Int) {
        self.config = config
        self.nodes = nodes
        gossipCounter = Array(repeating: 0, count: nodes)
    }

    public mutating func start(_ ctx: inout SimContext<Message>) {
        rngs = (0..<nodes).map { ctx.streams.stream(.traffic, node: UInt32($0)) }
        for n in 0..<nodes { scheduleGossip(UInt32(n), &ctx) }
        ctx.schedule(after: config.blockInterval, node: Event.global, kind: Self.blockTick)
    }

    mutating func scheduleGossip(_ n: UInt32, _ ctx: inout SimContext<Message>) {
        // Uniform in [0.5, 1.5) x interval, so nodes do not fire in lockstep.
        let span = UInt64(config.gossipInterval.nanoseconds)
        let delay = span / 2 + rngs[Int(n)].nextBelow(max(span, 1))
        ctx.schedule(after: .ns(Int64(delay)), node: n, kind: Self.gossipTick)
    }

    public mutating func timer(_ event: Event, _ ctx: inout SimContext<Message>) {
        switch event.kind {
        case Self.gossipTick:
            let n = event.node
            targets.removeAll(keepingCapacity: true)
            for _ in 0..<min(config.fanout, nodes - 1) {
                var t = UInt32(rngs[Int(n)].nextBelow(UInt64(nodes - 1)))
                if t >= n { t += 1 }
                targets.append(t)
            }
            gossipCounter[Int(n)] &+= 1
            ctx.broadcast(.gossip(gossipCounter[Int(n)]), size: config.gossipSize, cls: 0, from: n, to: targets)
            scheduleGossip(n, &ctx)
        case Self.blockTick:
            blockNumber += 1
            let author = UInt32(blockNumber % UInt64(nodes))
            ctx.broadcast(.block(blockNumber), size: config.blockSize, cls: 1, from: author,
                          to: (0..<UInt32(nodes)))
            ctx.schedule(after: config.blockInterval, node: Event.global, kind: Self.blockTick)
        default:
            break
        }
    }

    public mutating func receive(_ message: Message, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>) {}

    public mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<Message>) {
        scheduleGossip(node, &ctx)
    }
}

extension GossipTrafficModel: ResultProducing {
    /// The synthetic traffic has no results of its own: the network's counters are the results.
    public func results(at end: SimTime) -> RunResults { RunResults() }
}
