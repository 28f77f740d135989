import Testing
@testable import CanaryEngine

/// Time arithmetic never wraps silently (issue 14: `duration: 106751d` with long intervals
/// wrapped simulated time negative): past the end of Int64 it saturates at `never`.
@Suite struct SimTimeSaturationTests {
    @Test func additionSaturatesInsteadOfWrapping() {
        let big = SimTime.days(106_751)
        #expect(big + big == .never)
        #expect(SimTime.never + .seconds(1) == .never)
        var t = SimTime.never - .seconds(1)
        t += .seconds(5)
        #expect(t == .never)
        #expect(SimTime.ns(.min) - .seconds(1) == .ns(.min))
        #expect(SimTime.seconds(3) + .seconds(4) == .seconds(7))
        #expect(SimTime.seconds(3) - .seconds(4) == .seconds(-1))
    }

    @Test func multiplicationSaturates() {
        #expect(SimTime.days(100_000) * 1_000 == .never)
        #expect(SimTime.days(100_000) * -1_000 == .ns(.min))
        #expect(SimTime.seconds(6) * 600 == .minutes(60))
    }

    @Test func anEventAtNeverDoesNotFire() {
        // A timer scheduled past the representable range lands at `never`, after any end time.
        let now = SimTime.days(3_000)
        #expect(now + SimTime.days(106_000) > .days(3_650))
    }
}
