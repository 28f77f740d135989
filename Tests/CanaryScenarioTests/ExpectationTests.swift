import Testing
import CanaryEngine
@testable import CanaryScenario

struct FakeSource: MetricSource {
    var scalars: [String: Double] = [:]
    var dists: [String: LogHistogram] = [:]
    func scalar(_ name: String) throws -> Double? { scalars[name] }
    func distribution(_ name: String) throws -> LogHistogram? { dists[name] }
}

@Suite struct ExpectationTests {
    func parse(_ s: String) throws -> CanaryScenario.Expectation { try CanaryScenario.Expectation.parse(s).get() }

    @Test func parsesForms() throws {
        let a = try parse("messages.delivered > 0")
        #expect(a.metric == "messages.delivered" && a.comparator == .gt && a.threshold == 0 && a.function == nil)
        let b = try parse("metric p99(latency) < 400ms")
        #expect(b.function == .p99 && b.metric == "latency" && b.comparator == .lt && b.threshold == 4e8)
        let c = try parse("messages.delivery_ratio >= 98%")
        #expect(c.comparator == .ge && c.threshold == 0.98)
        #expect(try parse("events<=1_000").comparator == .le)
        #expect(try parse("events != 3").comparator == .ne)
    }

    @Test func evaluatesAgainstASource() throws {
        var h = LogHistogram()
        for v in 1...100 { h.record(UInt64(v) * 1_000_000) }
        let src = FakeSource(scalars: ["messages.delivered": 5], dists: ["latency": h])
        #expect(try parse("messages.delivered > 4").evaluate(src).passed)
        #expect(try !parse("messages.delivered > 5").evaluate(src).passed)
        #expect(try parse("p99(latency) <= 99ms").evaluate(src).passed)
        // Buckets keep values within 0.1%: p99 of 1..100 ms lies in [98.9 ms, 99 ms].
        #expect(try !parse("p99(latency) < 98.9ms").evaluate(src).passed)
        #expect(try parse("max(latency) == 100ms").evaluate(src).passed)
        // No data cannot pass.
        let r = try parse("messages.sent >= 0").evaluate(src)
        #expect(!r.passed && r.observed == nil)
    }
}
