/// What a simulation runs: the protocol logic of every node, as one value.
///
/// One model for all nodes (state in arrays indexed by node) rather than one object per node:
/// the event loop calls a statically dispatched method, and per-node state stays compact.
public protocol SimulationModel {
    associatedtype Message: Sendable
    /// Names of the message classes the model sends (index = `cls` in `send`/`broadcast`).
    static var messageClasses: [String] { get }
    /// Called once at time zero.
    mutating func start(_ ctx: inout SimContext<Message>)
    /// A timer of the model fired (any event kind >= `EventKind.firstModelKind`).
    mutating func timer(_ event: Event, _ ctx: inout SimContext<Message>)
    /// `message` from `from` arrived at `node`.
    mutating func receive(_ message: Message, from: UInt32, at node: UInt32, _ ctx: inout SimContext<Message>)
    /// A batch of messages arrived at `node` (`Network.setBatching`), in arrival order, all at
    /// the bucket's end (`ctx.now`). The default receives them one by one; a model may do the
    /// work that depends on all of them (GRANDPA's GHOST) once per batch instead.
    mutating func receiveBatch(_ batch: [(message: Message, from: UInt32)], at node: UInt32, _ ctx: inout SimContext<Message>)
    /// `node` came back after a crash (its timers were lost with it).
    mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<Message>)
    /// `node` crashed (called after its timers and in-flight messages were invalidated).
    mutating func crashed(_ node: UInt32, _ ctx: inout SimContext<Message>)
    /// A partition started or healed: which nodes can reach each other changed, so nodes may
    /// want to resynchronise (real peers reconnect and exchange their status).
    mutating func reachabilityChanged(_ ctx: inout SimContext<Message>)
}

extension SimulationModel {
    public mutating func receiveBatch(_ batch: [(message: Message, from: UInt32)], at node: UInt32, _ ctx: inout SimContext<Message>) {
        for (m, from) in batch { receive(m, from: from, at: node, &ctx) }
    }
    public mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<Message>) {}
    public mutating func crashed(_ node: UInt32, _ ctx: inout SimContext<Message>) {}
    public mutating func reachabilityChanged(_ ctx: inout SimContext<Message>) {}
}

/// The scheduler API nodes use: the clock, timers, the network and random streams.
public struct SimContext<Message: Sendable>: Sendable {
    public var now: SimTime { _now }
    @usableFromInline var _now: SimTime = .zero
    public var queue: EventQueue
    public var network: Network<Message>
    public let streams: RandomStreams
    /// Events processed so far.
    public var events: UInt64 { _events }
    @usableFromInline var _events: UInt64 = 0

    init(network: Network<Message>, streams: RandomStreams) {
        self.queue = EventQueue(reservingCapacity: 4096)
        self.network = network
        self.streams = streams
    }

    /// Schedules a model timer for `node` after `delay`. Timers of crashed nodes are discarded
    /// when they fire.
    @inlinable @discardableResult
    public mutating func schedule(after delay: SimTime, node: UInt32, kind: EventKind, payload: UInt64 = 0) -> UInt64 {
        queue.push(time: now + delay, node: node, kind: kind, payload: payload)
    }

    /// Schedules a model timer at an absolute time (not before now).
    @inlinable @discardableResult
    public mutating func schedule(at time: SimTime, node: UInt32, kind: EventKind, payload: UInt64 = 0) -> UInt64 {
        queue.push(time: Swift.max(time, now), node: node, kind: kind, payload: payload)
    }

    @inlinable public mutating func send(_ m: Message, size: Int, cls: Int = 0, from: UInt32, to: UInt32) {
        network.send(m, size: size, cls: cls, from: from, to: to, now: now, queue: &queue)
    }

    @inlinable public mutating func broadcast<T: Sequence>(_ m: Message, size: Int, cls: Int = 0, from: UInt32, to targets: T)
    where T.Element == UInt32 {
        network.broadcast(m, size: size, cls: cls, from: from, to: targets, now: now, queue: &queue)
    }

    /// `broadcast` with a per-copy delivery decision (see `Network.broadcast(_:size:cls:from:to:now:queue:deliverIf:)`).
    @inlinable public mutating func broadcast<T: Sequence>(_ m: Message, size: Int, cls: Int = 0, from: UInt32, to targets: T,
                                                          deliverIf: (UInt32, SimTime) -> Bool)
    where T.Element == UInt32 {
        network.broadcast(m, size: size, cls: cls, from: from, to: targets, now: now, queue: &queue, deliverIf: deliverIf)
    }

    @inlinable mutating func advance(to t: SimTime) { _now = t }
}

/// Receives periodic samples while a run goes (the store writes them in batches).
public protocol SampleRecorder: AnyObject {
    func record(time: SimTime, name: String, node: UInt32?, value: Double)
}

/// The discrete-event loop: pops events in (time, seq) order and hands them to the network,
/// the fault timeline or the model, until the end time.
public struct Simulation<Model: SimulationModel> {
    public var model: Model
    public var ctx: SimContext<Model.Message>
    public let faults: [TimedFault]
    public let endTime: SimTime
    @usableFromInline var started = false
    /// Queue sequence number at each node's latest crash: timers scheduled before it belong to
    /// the node's previous life and are discarded, even if the node has restarted since.
    @usableFromInline var crashSeq: [UInt64]
    /// Scratch buffer of a delivered batch (kept to reuse its capacity).
    @usableFromInline var batch: [(message: Model.Message, from: UInt32)] = []

    public init(model: Model, network: NetworkConfig, nodeRegion: [UInt16], seed: UInt64,
                faults: [TimedFault], endTime: SimTime) {
        self.model = model
        let streams = RandomStreams(seed: seed)
        self.ctx = SimContext(network: Network(config: network, nodeRegion: nodeRegion,
                                                messageClasses: Model.messageClasses.count, streams: streams),
                              streams: streams)
        self.faults = faults
        self.endTime = endTime
        self.crashSeq = Array(repeating: 0, count: nodeRegion.count)
    }

    /// Runs until `until` (default: the end time), or until `shouldContinue` returns false,
    /// asked every `checkEvery` events. Returns true when `until` was reached. Running in
    /// several chunks processes exactly the same events in the same order as one call.
    @inlinable public mutating func run(until: SimTime? = nil, checkEvery: UInt64 = 1 << 16,
                             shouldContinue: (SimTime, UInt64) -> Bool = { _, _ in true }) -> Bool {
        let horizon = min(until ?? endTime, endTime)
        if !started {
            started = true
            for (i, f) in faults.enumerated() {
                ctx.queue.push(time: f.at, node: Event.global, kind: .fault, payload: UInt64(i))
            }
            model.start(&ctx)
        }
        var sinceCheck: UInt64 = 0
        while ctx.queue.nextTime <= horizon, let next = ctx.queue.pop() {
            ctx.advance(to: next.time)
            ctx._events &+= 1
            dispatch(next)
            sinceCheck &+= 1
            if sinceCheck == checkEvery {
                sinceCheck = 0
                if !shouldContinue(ctx.now, ctx.events) { return false }
            }
        }
        ctx.advance(to: horizon)
        return true
    }

    @inlinable
    mutating func dispatch(_ e: Event) {
        switch e.kind {
        case .deliver:
            if let (m, from) = ctx.network.arrive(e) {
                model.receive(m, from: from, at: e.node, &ctx)
            }
        case .deliverBatch:
            ctx.network.arriveBatch(e, into: &batch)
            if !batch.isEmpty {
                model.receiveBatch(batch, at: e.node, &ctx)
                batch.removeAll(keepingCapacity: true)
            }
        case .fault:
            apply(faults[Int(e.payload)].fault)
        default:
            if e.node == Event.global || (ctx.network.isUp[Int(e.node)] && e.seq >= crashSeq[Int(e.node)]) {
                model.timer(e, &ctx)
            }
        }
    }

    @usableFromInline mutating func apply(_ fault: Fault) {
        switch fault {
        case .crash(let nodes):
            for n in nodes {
                ctx.network.crash(n)
                crashSeq[Int(n)] = ctx.queue.nextSeq
                model.crashed(n, &ctx)
            }
        case .restart(let nodes):
            for n in nodes where !ctx.network.isUp[Int(n)] {
                ctx.network.restart(n, now: ctx.now)
                model.restarted(n, &ctx)
            }
        case .partition(let groups, let bridges):
            ctx.network.partition(groups, bridges: bridges)
            model.reachabilityChanged(&ctx)
        case .heal:
            ctx.network.heal()
            model.reachabilityChanged(&ctx)
        case .loss, .latency, .clockSkew, .slow:
            ctx.network.setCondition(fault)
        }
    }
}
