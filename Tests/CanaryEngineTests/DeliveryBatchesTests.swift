import Testing
@testable import CanaryEngine

/// A probe that turns batching on for its one class and records each batch it receives.
struct BatchProbeModel: SimulationModel {
    typealias Message = UInt32
    static let messageClasses = ["probe"]
    static let send = EventKind(rawValue: EventKind.firstModelKind)
    var bucket: SimTime
    var script: [(at: SimTime, from: UInt32, to: [UInt32])]
    var batches: [(at: SimTime, node: UInt32, ids: [UInt32])] = []
    var singles = 0

    mutating func start(_ ctx: inout SimContext<UInt32>) {
        ctx.network.setBatching(cls: 0, bucket: bucket)
        for (i, s) in script.enumerated() { ctx.schedule(at: s.at, node: Event.global, kind: Self.send, payload: UInt64(i)) }
    }
    mutating func timer(_ event: Event, _ ctx: inout SimContext<UInt32>) {
        let s = script[Int(event.payload)]
        ctx.broadcast(UInt32(event.payload), size: 100, from: s.from, to: s.to)
    }
    mutating func receive(_ m: UInt32, from: UInt32, at node: UInt32, _ ctx: inout SimContext<UInt32>) {
        singles += 1
        batches.append((ctx.now, node, [m]))
    }
    mutating func receiveBatch(_ batch: [(message: UInt32, from: UInt32)], at node: UInt32, _ ctx: inout SimContext<UInt32>) {
        batches.append((ctx.now, node, batch.map(\.message)))
    }
}

@Suite struct DeliveryBatchesTests {
    /// Region 0 to 0 takes 10 ms, 0 to 1 takes 80 ms, no jitter: arrival times are exact.
    static let net = NetworkConfig(regions: ["a", "b"],
                                   latency: [[.init(median: .ms(10), sigma: 0), .init(median: .ms(80), sigma: 0)],
                                             [.init(median: .ms(80), sigma: 0), .init(median: .ms(10), sigma: 0)]],
                                   uploadBitsPerSecond: 0, loss: 0)

    /// Copies reaching a node within one bucket come as one batch at the bucket's end, in
    /// arrival order (not send order); copies in the next bucket form the next batch; latency
    /// statistics keep each copy's real delay.
    @Test func copiesWithinOneBucketArriveTogetherInArrivalOrder() {
        // Node 3 (region 1) hears node 1 (region 1, 10 ms) and node 0 (region 0, 80 ms).
        let script: [(at: SimTime, from: UInt32, to: [UInt32])] = [
            (.ms(1000) - .ms(80) + .us(300), 0, [3]),   // arrives 1000.3 ms
            (.ms(1000) - .ms(10) + .us(200), 1, [3]),   // sent later, arrives earlier: 1000.2 ms
            (.ms(1000) - .ms(10) + .us(900), 1, [3]),   // 1000.9 ms, same bucket (1000, 1001]
            (.ms(1000) - .ms(10) + .us(1500), 1, [3]),  // 1001.5 ms: next bucket
        ]
        var sim = Simulation(model: BatchProbeModel(bucket: .ms(1), script: script), network: Self.net,
                             nodeRegion: [0, 1, 0, 1], seed: 1, faults: [], endTime: .seconds(5))
        _ = sim.run()
        let b = sim.model.batches
        #expect(sim.model.singles == 0)
        #expect(b.count == 2)
        #expect(b[0].at == .ms(1001) && b[0].node == 3 && b[0].ids == [1, 0, 2])
        #expect(b[1].at == .ms(1002) && b[1].ids == [3])
        #expect(sim.ctx.network.batchEvents == 2)
        #expect(sim.ctx.network.classStats[0].delivered == 4)
        // Real latencies: 10 ms three times and 80 ms once, not the delays to the bucket ends.
        let median = Double(sim.ctx.network.latency[0].quantile(0.5) ?? 0)
        #expect(abs(median - 10e6) < 10e6 * 0.002, "median latency \(median) ns")
        #expect(sim.ctx.network.latency[0].maxValue == 80_000_000)
    }

    /// Bucket 0 turns batching off: one `receive` per copy at its own arrival time.
    @Test func zeroBucketDeliversEachCopyAlone() {
        let script: [(at: SimTime, from: UInt32, to: [UInt32])] = [(.ms(100), 1, [3]), (.ms(100) + .us(10), 1, [3])]
        var sim = Simulation(model: BatchProbeModel(bucket: .zero, script: script), network: Self.net,
                             nodeRegion: [0, 1, 0, 1], seed: 1, faults: [], endTime: .seconds(1))
        _ = sim.run()
        #expect(sim.model.singles == 2)
        #expect(sim.model.batches.map(\.at) == [.ms(110), .ms(110) + .us(10)])
    }

    /// A copy to a node that crashes before its batch is due is dropped with the batch's
    /// other copies to that node; other receivers' batches are unaffected.
    @Test func crashBeforeTheBucketEndDropsTheCopies() {
        let script: [(at: SimTime, from: UInt32, to: [UInt32])] = [(.ms(100), 1, [2, 3])]
        let faults = [TimedFault(at: .ms(105), fault: .crash([3]))]
        var sim2 = Simulation(model: BatchProbeModel(bucket: .ms(1), script: script), network: Self.net,
                              nodeRegion: [0, 1, 0, 1], seed: 1, faults: faults, endTime: .seconds(1))
        _ = sim2.run()
        #expect(sim2.ctx.network.classStats[0].droppedCrash == 1)
        #expect(sim2.ctx.network.classStats[0].delivered == 1)
        #expect(sim2.model.batches.map(\.node) == [2])
    }

    static func item(_ at: SimTime, _ from: UInt32) -> DeliveryBatches<UInt32>.Item {
        DeliveryBatches.Item(arrival: at, sentAt: .zero, from: from, epoch: 0, size: 1, cls: 0, message: from)
    }

    /// The open-batch table under many receivers and buckets: every batch found again until it
    /// is closed (growth and backward-shift deletion keep probe runs intact).
    @Test func tableFindsEveryOpenBatchThroughGrowthAndDeletion() {
        var t = DeliveryBatches<UInt32>()
        var opened: [(node: UInt32, end: SimTime, batch: UInt32)] = []
        var rng = Xoshiro256StarStar(seed: 7)
        for i in 0..<5_000 {
            let node = UInt32(rng.nextBelow(300)), end = SimTime.us(Int64(rng.nextBelow(2_000)) * 100)
            if let b = t.add(node: node, end: end, Self.item(end, UInt32(i))) { opened.append((node, end, b)) }
            if i % 3 == 0, !opened.isEmpty {
                let k = Int(rng.nextBelow(UInt64(opened.count)))
                let o = opened.remove(at: k)
                t.close(node: o.node, end: o.end)
                t.recycle(o.batch)
            }
        }
        #expect(t.open == opened.count)
        for o in opened {
            // Adding to an open batch joins it (nil: no new batch opened).
            #expect(t.add(node: o.node, end: o.end, Self.item(o.end, 0)) == nil)
        }
        #expect(DeliveryBatches<UInt32>.bucketEnd(.us(1_000), length: 1_000_000) == .ms(1))
        #expect(DeliveryBatches<UInt32>.bucketEnd(.ms(1), length: 1_000_000) == .ms(1))
        #expect(DeliveryBatches<UInt32>.bucketEnd(.ms(1) + .ns(1), length: 1_000_000) == .ms(2))
    }
}
