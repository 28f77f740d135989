import Testing
@testable import CanaryEngine

/// The checker protocol: safety decided at check points, liveness at the end, the first
/// violation of each invariant kept.
@Suite struct InvariantCheckerTests {
    /// A counter that must never decrease.
    struct Monotone: InvariantChecker {
        var name: String { "monotone" }
        var last = Int.min
        mutating func check(_ v: Int, at time: SimTime) -> InvariantViolation? {
            defer { last = max(last, v) }
            return v < last ? InvariantViolation(invariant: name, time: time, detail: "\(v) after \(last)") : nil
        }
    }
    /// The counter must eventually reach 10.
    struct Reaches10: InvariantChecker {
        var name: String { "reaches-10" }
        func check(_ v: Int, at time: SimTime) -> InvariantViolation? { nil }
        func finish(_ v: Int, at time: SimTime) -> InvariantViolation? {
            v >= 10 ? nil : InvariantViolation(invariant: name, time: time, detail: "ended at \(v)")
        }
    }

    @Test func safetyAtCheckPointsLivenessAtTheEnd() {
        var set = CheckerSet<Int>([AnyInvariantChecker(Monotone()), AnyInvariantChecker(Reaches10())])
        for (t, v) in [(1, 1), (2, 3), (3, 2), (4, 1), (5, 4)] { set.check(v, at: .seconds(Int64(t))) }
        set.finish(4, at: .seconds(6))
        #expect(set.violations.map(\.invariant) == ["monotone", "reaches-10"])
        #expect(set.violations[0].time == .seconds(3) && set.violations[0].detail == "2 after 3")
        #expect(set.violations[1].description == "reaches-10 violated at 6s: ended at 4")

        var ok = CheckerSet<Int>([AnyInvariantChecker(Monotone()), AnyInvariantChecker(Reaches10())])
        for t in 1...12 { ok.check(t, at: .seconds(Int64(t))) }
        ok.finish(12, at: .seconds(13))
        #expect(ok.violations.isEmpty)
    }
}
