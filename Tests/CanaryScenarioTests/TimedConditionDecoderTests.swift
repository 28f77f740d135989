import Testing
import CanaryEngine
@testable import CanaryScenario

/// The timeline's loss and latency spikes, clock skews and slow nodes.
@Suite struct TimedConditionDecoderTests {
    static let base = """
    name: t
    duration: 10m
    network:
      regions: [eu, us]
      latency:
        - {between: [eu, eu], median: 10ms}
        - {between: [us, us], median: 20ms}
        - {between: [eu, us], median: 40ms}
    validators:
      count: 10
      regions: {eu: 3, us: 2}
    events:

    """

    @Test func decodesSpikesSkewsAndSlowNodes() throws {
        let s = try ScenarioDecoder.decode(yaml: Self.base + """
          - {at: 1m, loss: 30%}
          - {at: 2m, loss: 0}
          - {at: 1m, latency: 800ms, nodes: [us]}
          - {at: 2m, latency: 0s}
          - {at: 3m, clock_skew: -2s, nodes: [0-1]}
          - {at: 3m, clock_skew: 7s, nodes: [2]}
          - {at: 4m, clock_skew: 0s, nodes: [0-2]}
          - {at: 5m, slow: 6, nodes: [9]}
          - {at: 6m, slow: 1, nodes: [9]}
        """)
        #expect(s.events.map(\.fault) == [
            .loss(0.3, nodes: []), .latency(.ms(800), nodes: [6, 7, 8, 9]), .loss(0, nodes: []), .latency(.zero, nodes: []),
            .clockSkew(.seconds(-2), nodes: [0, 1]), .clockSkew(.seconds(7), nodes: [2]), .clockSkew(.zero, nodes: [0, 1, 2]),
            .slow(6, nodes: [9]), .slow(1, nodes: [9])])
    }

    @Test func badValuesAreErrorsWithPositionsAndLimits() {
        let d = diagnostics(Self.base + """
          - {at: 1m, loss: 130%}
          - {at: 1m, latency: 2m}
          - {at: 1m, clock_skew: 2h, nodes: [0]}
          - {at: 1m, clock_skew: soon, nodes: [0]}
          - {at: 1m, slow: 0, nodes: [0]}
          - {at: 1m, slow: 5000, nodes: [0]}
          - {at: 1m, slow: 2}
          - {at: 1m, crash: [1], nodes: [2]}
          - {at: 1m, loss: 10%, nodes: [12]}
        """)
        let messages = d.map { "\($0.location.line): \($0.message)" }
        #expect(d.count == 9, "\(messages)")
        #expect(d.contains { $0.location.line == 13 && $0.message.contains("probability") })
        #expect(d.contains { $0.location.line == 14 && $0.message.contains("limit 'latency'") })
        #expect(d.contains { $0.location.line == 15 && $0.message.contains("limit 'clock-skew'") })
        #expect(d.contains { $0.location.line == 16 && $0.message.contains("-3s (behind)") })
        #expect(d.contains { $0.location.line == 17 && $0.message.contains("between 1 and 1000") })
        #expect(d.contains { $0.location.line == 18 && $0.message.contains("limit 'slow-factor'") })
        #expect(d.contains { $0.location.line == 19 && $0.message.contains("needs nodes") })
        #expect(d.contains { $0.location.line == 20 && $0.message.contains("nodes only go with") })
        #expect(d.contains { $0.location.line == 21 })
    }

    @Test func schemaDescribesTheNewEvents() {
        let names = ScenarioFormat.event.map(\.name)
        for key in ["loss", "latency", "clock_skew", "slow", "nodes"] { #expect(names.contains(key)) }
    }
}
