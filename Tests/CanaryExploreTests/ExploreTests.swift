import Testing
import Foundation
import CanaryEngine
import CanaryScenario
@testable import CanaryExplore

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func loadBase(_ relative: String, duration: SimTime? = nil) throws -> ExploreCase {
    let text = try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    var c = try ExploreCase.load(text: text, file: relative).0
    if let duration { c.duration = duration }
    return c
}

/// A deliberately broken invariant (the test double of issue 14): "never two nodes down at
/// once" is no property of GRANDPA, so any schedule that crashes two nodes together breaks it.
struct NeverTwoDown: InvariantChecker {
    var name: String { "test.never-two-down" }
    func check(_ o: GrandpaObservation, at time: SimTime) -> InvariantViolation? {
        let down = o.isUp.indices.filter { !o.isUp[$0] }
        return down.count >= 2 ? InvariantViolation(invariant: name, time: time, detail: "nodes \(down) are down") : nil
    }
}

@Suite struct ExploreTests {
    @Test func faultPlansComeFromTheSeedAndDecode() throws {
        let base = try loadBase("Scenarios/explore/grandpa-small.yaml")
        for seed: UInt64 in 1...20 {
            let a = FaultPlan.draw(base: base, seed: seed, intensity: .heavy, recovery: .minutes(3))
            let b = FaultPlan.draw(base: base, seed: seed, intensity: .heavy, recovery: .minutes(3))
            #expect(a.yaml() == b.yaml())
            // The reproducer text decodes to the drawn timeline and roles.
            let s = try ScenarioDecoder.decode(yaml: a.yaml(), file: "case.yaml")
            #expect(s.events == a.events && s.seed == seed)
            let byzantine = (s.grandpa!.withhold + s.grandpa!.equivocate + s.grandpa!.minorityFork + s.grandpa!.collude).count
            #expect(byzantine * 3 < s.validatorCount)
            // Faults end `recovery` before the end: the liveness invariant has quiet to judge.
            #expect(a.quietFrom <= a.duration - .minutes(3))
            #expect(a.connectedAtEnd)
        }
        let x = FaultPlan.draw(base: base, seed: 1, intensity: .heavy, recovery: .minutes(3))
        let y = FaultPlan.draw(base: base, seed: 2, intensity: .heavy, recovery: .minutes(3))
        #expect(x.events != y.events)
    }

    /// Every kind of fault of the menu is drawn, each paired with the event that ends it (one
    /// shrinking unit), and the drawn values read back from the reproducer text.
    @Test func theMenuDrawsEveryKindOfFaultWithItsEnd() throws {
        let base = try loadBase("Scenarios/explore/grandpa-small.yaml")
        var kinds = Set<String>()
        for seed: UInt64 in 1...60 {
            let c = FaultPlan.draw(base: base, seed: seed, intensity: .heavy, recovery: .minutes(3))
            for (i, e) in c.events.enumerated() {
                let kind: String
                switch e.fault {
                case .crash: kind = "crash"
                case .partition: kind = "partition"
                case .loss(let p, _) where p > 0: kind = "loss"
                case .latency(let t, _) where t > .zero: kind = "latency"
                case .clockSkew(let t, _) where t != .zero: kind = "clock_skew"
                case .slow(let f, _) where f > 1: kind = "slow"
                default: continue
                }
                kinds.insert(kind)
                // The start and its end share a unit; the end comes later.
                #expect(c.units.filter { $0 == c.units[i] }.count == 2, "seed \(seed): \(e)")
            }
            let s = try ScenarioDecoder.decode(yaml: c.yaml(), file: "case.yaml")
            #expect(s.events == c.events)
        }
        #expect(kinds == ["crash", "partition", "loss", "latency", "clock_skew", "slow"])
    }

    /// Fewer validators (a shrink step) keep only the nodes below the count in every timed
    /// fault, drop skews and slow-downs left without nodes, and the file still decodes.
    @Test func droppingNodesKeepsTimedFaultsValid() throws {
        var c = try loadBase("Scenarios/explore/grandpa-small.yaml")
        c.events = [TimedFault(at: .seconds(40), fault: .loss(0.3, nodes: [2, 15])),
                    TimedFault(at: .seconds(40), fault: .clockSkew(.seconds(-4), nodes: [12, 18])),
                    TimedFault(at: .seconds(40), fault: .slow(6, nodes: [3, 17])),
                    TimedFault(at: .seconds(50), fault: .latency(.ms(900), nodes: [])),
                    TimedFault(at: .seconds(60), fault: .loss(0, nodes: [])),
                    TimedFault(at: .seconds(60), fault: .clockSkew(.zero, nodes: [12, 18])),
                    TimedFault(at: .seconds(60), fault: .slow(1, nodes: [3, 17])),
                    TimedFault(at: .seconds(70), fault: .latency(.zero, nodes: []))]
        c.units = ExploreCase.pairUnits(c.events, firstUnit: 0)
        #expect(c.units == [0, 1, 2, 3, 0, 1, 2, 3])
        c.dropNodes(atOrAbove: 10)
        #expect(c.events.map(\.fault) == [.loss(0.3, nodes: [2]), .slow(6, nodes: [3]), .latency(.ms(900), nodes: []),
                                         .loss(0, nodes: []), .slow(1, nodes: [3]), .latency(.zero, nodes: [])])
        let s = try ScenarioDecoder.decode(yaml: c.yaml(), file: "case.yaml")
        #expect(s.events == c.events && s.validatorCount == 10)
    }

    @Test func baseTimelinesAreKeptAndNotContradicted() throws {
        let base = try loadBase("Scenarios/kusama/grandpa-offline-third.yaml")
        for seed: UInt64 in 1...10 {
            let c = FaultPlan.draw(base: base, seed: seed, intensity: .heavy, recovery: .minutes(3))
            #expect(base.events.allSatisfy { c.events.contains($0) })
            #expect(throws: Never.self) { try ScenarioDecoder.decode(yaml: c.yaml(), file: "case.yaml") }
        }
    }

    /// The safety checker finds the conflicting finality the colluding-third attack causes.
    @Test func safetyCheckerCatchesConflictingFinality() throws {
        let yaml = """
        name: attack
        seed: 21
        duration: 2m
        validators: {count: 40}
        consensus: {mode: full, grandpa_colluders: [26-39]}
        events:
          - {at: 1m, partition: [[0-12], [13-25]], bridges: [26-39]}
        """
        let c = try ExploreCase.load(text: yaml, file: "attack.yaml").0
        let out = Explorer().run(c)
        #expect(out.violations.map(\.invariant) == ["grandpa.safety"], "\(out.violations)")
        #expect(out.violations.first?.detail.contains("conflicting") == true)
        // The same network without colluders is safe.
        let honest = try ExploreCase.load(text: yaml.replacingOccurrences(of: ", grandpa_colluders: [26-39]", with: ""), file: "h.yaml").0
        #expect(Explorer().run(honest).violations.isEmpty)
    }

    /// A deliberately broken invariant is caught, reproduced from the written file, and shrunk.
    @Test func brokenInvariantIsCaughtReproducedAndShrunk() throws {
        let base = try loadBase("Scenarios/explore/grandpa-small.yaml", duration: .minutes(3))
        var explorer = Explorer()
        explorer.recovery = .minutes(1)
        explorer.extraCheckers = { _ in [AnyInvariantChecker(NeverTwoDown())] }
        // Caught: the first seed whose schedule crashes two nodes together.
        var failing: (ExploreCase, InvariantViolation)? = nil
        for seed: UInt64 in 1...20 where failing == nil {
            let c = FaultPlan.draw(base: base, seed: seed, intensity: .heavy, recovery: explorer.recovery)
            if let v = explorer.run(c).violations.first(where: { $0.invariant == "test.never-two-down" }) { failing = (c, v) }
        }
        let (c, v) = try #require(failing)
        // Reproduced: the written file, read back as a new case, fails the same way at the same time.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("repro-\(UUID().uuidString).yaml")
        try c.yaml(header: ["\(v)"]).write(to: file, atomically: true, encoding: .utf8)
        let reread = try ExploreCase.load(text: String(contentsOf: file, encoding: .utf8), file: file.path).0
        let again = explorer.run(reread).violations.first { $0.invariant == v.invariant }
        #expect(again == v)
        // Shrunk: one crash of two nodes, just past the violation, with fewer validators.
        var shrinker = Shrinker(explorer: explorer)
        let shrunk = shrinker.shrink(reread, invariant: v.invariant)
        let r = try #require(shrunk)
        #expect(r.violation.invariant == v.invariant)
        #expect(r.minimal.events.count < c.events.count || r.minimal.validators < c.validators)
        #expect(r.minimal.duration <= r.violation.time + explorer.checkEvery)
        let byzantine = r.minimal.roles.values.reduce(0) { $0 + $1.count }
        #expect(byzantine == 0)
        let crashed = r.minimal.events.compactMap { e -> [UInt32]? in if case .crash(let n) = e.fault { return n }; return nil }
        #expect(crashed.flatMap { $0 }.count == 2, "\(r.minimal.events)")
        #expect(r.minimal.validators < c.validators)
        // And the minimal file still fails when read back.
        let minimal = try ExploreCase.load(text: r.minimal.yaml(), file: "min.yaml").0
        #expect(explorer.run(minimal).violations.contains { $0.invariant == v.invariant })
    }
}
