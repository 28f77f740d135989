import Testing
@testable import CanaryEngine

/// A model that sends scripted messages and records arrivals, for network tests.
struct ProbeModel: SimulationModel {
    typealias Message = UInt32
    static let messageClasses = ["probe"]
    static let send = EventKind(rawValue: EventKind.firstModelKind)
    var script: [(at: SimTime, from: UInt32, to: [UInt32], size: Int)]
    var arrivals: [(at: SimTime, node: UInt32, from: UInt32, id: UInt32)] = []
    var restarts: [UInt32] = []
    var crashes: [UInt32] = []
    var reachabilityChanges: [SimTime] = []

    mutating func start(_ ctx: inout SimContext<UInt32>) {
        for (i, s) in script.enumerated() { ctx.schedule(at: s.at, node: Event.global, kind: Self.send, payload: UInt64(i)) }
    }
    mutating func timer(_ event: Event, _ ctx: inout SimContext<UInt32>) {
        let s = script[Int(event.payload)]
        ctx.broadcast(UInt32(event.payload), size: s.size, from: s.from, to: s.to)
    }
    mutating func receive(_ m: UInt32, from: UInt32, at node: UInt32, _ ctx: inout SimContext<UInt32>) {
        arrivals.append((ctx.now, node, from, m))
    }
    mutating func restarted(_ node: UInt32, _ ctx: inout SimContext<UInt32>) { restarts.append(node) }
    mutating func crashed(_ node: UInt32, _ ctx: inout SimContext<UInt32>) { crashes.append(node) }
    mutating func reachabilityChanged(_ ctx: inout SimContext<UInt32>) { reachabilityChanges.append(ctx.now) }
}

func twoRegions(median0: Int64 = 10, median1: Int64 = 80, sigma: Double = 0, bps: UInt64 = 0, loss: Double = 0) -> NetworkConfig {
    NetworkConfig(regions: ["a", "b"],
                  latency: [[.init(median: .ms(median0), sigma: sigma), .init(median: .ms(median1), sigma: sigma)],
                            [.init(median: .ms(median1), sigma: sigma), .init(median: .ms(median0), sigma: sigma)]],
                  uploadBitsPerSecond: bps, loss: loss)
}

@Suite struct NetworkTests {
    func run(_ model: ProbeModel, _ net: NetworkConfig, regions: [UInt16], faults: [TimedFault] = [], seed: UInt64 = 1) -> Simulation<ProbeModel> {
        var sim = Simulation(model: model, network: net, nodeRegion: regions, seed: seed, faults: faults, endTime: .hours(1))
        let reached = sim.run()
        #expect(reached)
        return sim
    }

    @Test func latencyFollowsRegionPairs() {
        let model = ProbeModel(script: [(.seconds(1), 0, [1, 2], 100)])
        let sim = run(model, twoRegions(), regions: [0, 0, 1])
        let byNode = Dictionary(uniqueKeysWithValues: sim.model.arrivals.map { ($0.node, $0.at) })
        #expect(byNode[1] == .seconds(1) + .ms(10))
        #expect(byNode[2] == .seconds(1) + .ms(80))
    }

    @Test func logNormalJitterHasConfiguredMedianAndSpread() {
        let n = 2_001
        let model = ProbeModel(script: (0..<n).map { (SimTime.ms(Int64($0) * 100), 0, [1], 10) })
        let sim = run(model, twoRegions(median1: 100, sigma: 0.2), regions: [0, 1])
        let delays = sim.model.arrivals.map { Double(($0.at - .ms(Int64($0.id) * 100)).nanoseconds) / 1e6 }.sorted()
        #expect(delays.count == n)
        let median = delays[n / 2]
        #expect(abs(median - 100) < 3, "median \(median)")
        // 84th percentile of a log-normal with sigma 0.2 is median * e^0.2 ≈ 122 ms.
        let p84 = delays[Int(Double(n) * 0.8413)]
        #expect(abs(p84 - 122.1) < 4, "p84 \(p84)")
        #expect(delays.first! >= 50)
    }

    @Test func uploadBandwidthSerialisesCopies() {
        // 1 MB at 8 Mbit/s is 1 s per copy; three receivers get it 1, 2 and 3 s after sending.
        let model = ProbeModel(script: [(.zero, 0, [1, 2, 3], 1_000_000)])
        let sim = run(model, twoRegions(median0: 10, bps: 8_000_000), regions: [0, 0, 0, 0])
        #expect(sim.model.arrivals.map(\.at) == [.ms(1_010), .ms(2_010), .ms(3_010)])
        // A second message waits for the link.
        let two = ProbeModel(script: [(.zero, 0, [1], 1_000_000), (.ms(100), 0, [2], 1_000_000)])
        let sim2 = run(two, twoRegions(median0: 10, bps: 8_000_000), regions: [0, 0, 0])
        #expect(sim2.model.arrivals.map(\.at) == [.ms(1_010), .ms(2_010)])
    }

    @Test func lossDropsTheConfiguredShare() {
        let model = ProbeModel(script: (0..<20_000).map { (SimTime.ms(Int64($0)), 0, [1], 10) })
        let sim = run(model, twoRegions(loss: 0.1), regions: [0, 0])
        let lost = sim.ctx.network.classStats[0].droppedLoss
        #expect(lost > 1_800 && lost < 2_200, "lost \(lost)")
        #expect(UInt64(sim.model.arrivals.count) + lost == 20_000)
    }

    @Test func partitionsBlockUntilHealed() {
        let model = ProbeModel(script: [(.seconds(1), 0, [1, 2], 10), (.seconds(3), 0, [1, 2], 10), (.seconds(5), 2, [0], 10)])
        let faults = [TimedFault(at: .seconds(2), fault: .partition([[0, 1], [2]])), TimedFault(at: .seconds(4), fault: .heal)]
        let sim = run(model, twoRegions(), regions: [0, 0, 0], faults: faults)
        let got = sim.model.arrivals.map { "\($0.id)->\($0.node)" }
        #expect(got == ["0->1", "0->2", "1->1", "2->0"])
        #expect(sim.model.reachabilityChanges == [.seconds(2), .seconds(4)])
        #expect(sim.ctx.network.classStats[0].droppedPartition == 1)
    }

    @Test func bridgesReachEverySide() {
        // 0 | 1, with 2 bridging: 0 and 1 cannot talk, both talk to 2.
        let model = ProbeModel(script: [(.seconds(2), 0, [1, 2], 10), (.seconds(2), 2, [0, 1], 10), (.seconds(2), 1, [0], 10)])
        let faults = [TimedFault(at: .seconds(1), fault: .partition([[0], [1]], bridges: [2]))]
        let sim = run(model, twoRegions(), regions: [0, 0, 0], faults: faults)
        let got = sim.model.arrivals.map { "\($0.id)->\($0.node)" }.sorted()
        #expect(got == ["0->2", "1->0", "1->1"])
        #expect(sim.ctx.network.classStats[0].droppedPartition == 2)
    }

    @Test func messagesInFlightWhenAPartitionStartsAreDropped() {
        let model = ProbeModel(script: [(.ms(1_000), 0, [1], 10)])
        let faults = [TimedFault(at: .ms(1_040), fault: .partition([[0]]))]
        let sim = run(model, twoRegions(median1: 80), regions: [0, 1], faults: faults)
        #expect(sim.model.arrivals.isEmpty)
        #expect(sim.ctx.network.classStats[0].droppedPartition == 1)
    }

    @Test func crashedNodesNeitherReceiveNorSendAndRestart() {
        let model = ProbeModel(script: [(.seconds(2), 0, [1], 10), (.seconds(2), 1, [0], 10), (.seconds(4), 0, [1], 10)])
        let faults = [TimedFault(at: .seconds(1), fault: .crash([1])), TimedFault(at: .seconds(3), fault: .restart([1]))]
        let sim = run(model, twoRegions(), regions: [0, 0], faults: faults)
        #expect(sim.model.arrivals.map(\.id) == [2])
        #expect(sim.model.restarts == [1])
        #expect(sim.model.crashes == [1])
        #expect(sim.ctx.network.classStats[0].droppedCrash == 1)
    }

    @Test func chunkedRunsEqualOneRun() {
        let cfg = GossipTrafficModel.Config()
        func make() -> Simulation<GossipTrafficModel> {
            Simulation(model: GossipTrafficModel(config: cfg, nodes: 30), network: .threeContinents,
                       nodeRegion: (0..<30).map { UInt16($0 % 3) }, seed: 11,
                       faults: [TimedFault(at: .seconds(20), fault: .crash([4])), TimedFault(at: .seconds(25), fault: .restart([4]))],
                       endTime: .minutes(1))
        }
        var one = make()
        _ = one.run()
        var chunked = make()
        for s in stride(from: 7, through: 60, by: 7) { _ = chunked.run(until: .seconds(Int64(s))) }
        _ = chunked.run()
        #expect(one.ctx.events == chunked.ctx.events)
        #expect(one.ctx.network.traffic == chunked.ctx.network.traffic)
        #expect(one.ctx.network.latency == chunked.ctx.network.latency)
    }
}
