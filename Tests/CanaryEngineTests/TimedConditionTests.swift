import Testing
@testable import CanaryEngine

/// The timeline's loss and latency spikes act on the copies sent while they are in force, and
/// only on the links of the nodes they name.
@Suite struct TimedConditionTests {
    func run(_ script: [(at: SimTime, from: UInt32, to: [UInt32], size: Int)], faults: [TimedFault], nodes: Int = 3) -> Simulation<ProbeModel> {
        var sim = Simulation(model: ProbeModel(script: script), network: twoRegions(), nodeRegion: Array(repeating: 0, count: nodes),
                             seed: 7, faults: faults, endTime: .hours(1))
        _ = sim.run()
        return sim
    }

    @Test func lossSpikeDropsCopiesOnlyWhileInForce() {
        // 200 copies before, 200 during a 50% spike, 200 after it ended.
        let script = (0..<600).map { (SimTime.seconds(Int64($0)), UInt32(0), [UInt32(1)], 10) }
        let sim = run(script, faults: [TimedFault(at: .seconds(200) - .ms(1), fault: .loss(0.5)),
                                       TimedFault(at: .seconds(400) - .ms(1), fault: .loss(0))])
        let ids = Set(sim.model.arrivals.map(\.id))
        let before = (0..<200).filter { ids.contains(UInt32($0)) }.count
        let during = (200..<400).filter { ids.contains(UInt32($0)) }.count
        let after = (400..<600).filter { ids.contains(UInt32($0)) }.count
        #expect(before == 200 && after == 200)
        #expect(during > 70 && during < 130, "\(during) of 200 arrived during a 50% spike")
        #expect(sim.ctx.network.classStats[0].droppedLoss == UInt64(200 - during))
    }

    @Test func lossSpikeOnNamedNodesSparesOtherLinks() {
        let script = (0..<100).map { (SimTime.seconds(Int64($0) + 1), UInt32(0), [UInt32(1), 2], 10) }
        let sim = run(script, faults: [TimedFault(at: .zero, fault: .loss(1, nodes: [2]))])
        #expect(sim.model.arrivals.allSatisfy { $0.node == 1 })
        #expect(sim.model.arrivals.count == 100)
    }

    @Test func latencySpikeDelaysCopiesOfNamedNodes() {
        let script: [(at: SimTime, from: UInt32, to: [UInt32], size: Int)] = [
            (.seconds(1), 0, [1, 2], 10), (.seconds(3), 0, [1, 2], 10), (.seconds(6), 0, [1, 2], 10)]
        let sim = run(script, faults: [TimedFault(at: .seconds(2), fault: .latency(.ms(700), nodes: [2])),
                                       TimedFault(at: .seconds(5), fault: .latency(.zero))])
        func at(_ id: UInt32, _ node: UInt32) -> SimTime? { sim.model.arrivals.first { $0.id == id && $0.node == node }?.at }
        #expect(at(0, 2) == .seconds(1) + .ms(10))
        #expect(at(1, 1) == .seconds(3) + .ms(10))               // not named
        #expect(at(1, 2) == .seconds(3) + .ms(10) + .ms(700))    // named: +700 ms
        #expect(at(2, 2) == .seconds(6) + .ms(10))               // spike over
    }

    @Test func clockSkewAndSlowDownAreRecordedPerNode() {
        var c = NodeConditions(nodes: 3)
        c.apply(.clockSkew(.seconds(-2), nodes: [1]))
        c.apply(.slow(5, nodes: [0, 2]))
        #expect(c.anySkew && c.localTime(1, .seconds(10)) == .seconds(8) && c.localTime(0, .seconds(10)) == .seconds(10))
        #expect(c.slowFactor == [5, 1, 5])
        c.apply(.clockSkew(.zero, nodes: [1]))
        c.apply(.slow(1, nodes: [0, 2]))
        #expect(!c.anySkew && c.slowFactor == [1, 1, 1])
    }
}
