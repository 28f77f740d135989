/// The `canary bench engine` workload: the classic "hold" model of event-queue benchmarks.
///
/// `pending` timers are in the queue at all times; each one that fires schedules its successor
/// a uniformly random 0–2 ms later on the same node, so the queue stays at `pending` entries
/// while `events` events pass through the full engine loop (dispatch, liveness check, model
/// call). Deterministic: the same seed processes the same events in the same order.
public struct HoldModel: SimulationModel {
    public typealias Message = UInt64
    public static let messageClasses = ["bench"]
    public static let tick = EventKind(rawValue: EventKind.firstModelKind)

    let nodes: UInt32
    let pending: Int
    var rng: Xoshiro256StarStar
    /// Sum of payloads seen, so the optimiser cannot drop the work and runs can be compared.
    public private(set) var checksum: UInt64 = 0

    public init(nodes: UInt32, pending: Int, seed: UInt64) {
        self.nodes = nodes
        self.pending = pending
        self.rng = RandomStreams(seed: seed).stream(.bench)
    }

    public mutating func start(_ ctx: inout SimContext<UInt64>) {
        for i in 0..<pending {
            ctx.schedule(after: .ns(Int64(rng.nextBelow(2_000_000))), node: UInt32(i) % nodes, kind: Self.tick, payload: UInt64(i))
        }
    }

    public mutating func timer(_ event: Event, _ ctx: inout SimContext<UInt64>) {
        checksum &+= event.payload &* UInt64(truncatingIfNeeded: event.time.nanoseconds)
        ctx.schedule(after: .ns(Int64(rng.nextBelow(2_000_000))), node: event.node, kind: Self.tick, payload: event.payload)
    }

    public mutating func receive(_ message: UInt64, from: UInt32, at node: UInt32, _ ctx: inout SimContext<UInt64>) {}
}

/// Result of one benchmark run (timing is measured by the caller).
public struct EngineBenchmarkResult: Sendable {
    public var events: UInt64
    public var pending: Int
    public var checksum: UInt64
}

public enum EngineBenchmark {
    /// Runs the hold model until `events` events have been processed.
    public static func run(pending: Int = 100_000, events: UInt64 = 10_000_000, seed: UInt64 = 1) -> EngineBenchmarkResult {
        let nodes: UInt32 = 1_000
        let model = HoldModel(nodes: nodes, pending: pending, seed: seed)
        var sim = Simulation(model: model, network: .threeContinents,
                             nodeRegion: (0..<Int(nodes)).map { UInt16($0 % 3) }, seed: seed,
                             faults: [], endTime: .never - .ns(1))
        // Stop after exactly `events` events: each call returns after `chunk` events.
        while sim.ctx.events < events {
            let chunk = min(1 << 14, events - sim.ctx.events)
            _ = sim.run(checkEvery: chunk) { _, _ in false }
        }
        return EngineBenchmarkResult(events: sim.ctx.events, pending: sim.ctx.queue.count, checksum: sim.model.checksum)
    }
}
