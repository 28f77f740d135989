import Testing
import Foundation
@testable import CanaryScenario

/// A temporary directory with a small base scenario and sweep files next to it.
struct SweepFixture {
    let dir: URL
    static let base = """
        name: tiny
        seed: 7
        duration: 20s
        network:
          preset: three-continents
          loss: 1%
        validators:
          count: 12
        expect:
          - messages.delivered > 0
        """

    init() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("canary-sweep-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try! Self.base.write(to: dir.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
    }

    func write(_ name: String, _ text: String) -> String {
        let url = dir.appendingPathComponent(name)
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func load(_ text: String) throws(ScenarioError) -> Sweep { try SweepDecoder.load(path: write("sweep.yaml", text)) }

    func diagnostics(_ text: String) -> [Diagnostic] {
        do { _ = try load(text); return [] } catch { return error.diagnostics }
    }
}

@Suite struct SweepDecoderTests {
    @Test func gridTimesSeedsInGridOrderWithOverridesApplied() throws {
        let f = SweepFixture()
        let sweep = try f.load("""
            name: s
            base: base.yaml
            grid:
              network.loss: [0%, 5%, 10%]
              validators.count: [4, 9]
            seeds: 2
            set:
              duration: 5s
            """)
        #expect(sweep.points.count == 6)
        #expect(sweep.runs.count == 12)
        #expect(sweep.seeds == [7, 8])  // the base seed, then the next
        #expect(sweep.points.map(\.label)[0...2] == ["network.loss=0%, validators.count=4", "network.loss=0%, validators.count=9",
                                                    "network.loss=5%, validators.count=4"])
        let last = sweep.runs[11]
        #expect(last.point == 5 && last.seed == 8)
        #expect(last.scenario.network.loss == 0.10)
        #expect(last.scenario.validatorCount == 9)
        #expect(last.scenario.seed == 8)
        #expect(last.scenario.duration == .seconds(5))
        #expect(last.scenario.expectations.map(\.text) == ["messages.delivered > 0"])  // the base's, kept
        // Keys identify what runs: all distinct, and stable across decodes.
        #expect(Set(sweep.runs.map(\.key)).count == 12)
        let again = try SweepDecoder.load(path: f.dir.appendingPathComponent("sweep.yaml").path)
        #expect(again.runs.map(\.key) == sweep.runs.map(\.key))
    }

    @Test func runKeysFollowWhatRunsNotTheFileLayout() throws {
        let f = SweepFixture()
        let text = """
            name: s
            base: base.yaml
            grid:
              network.loss: [0%, 5%]
            """
        let before = try f.load(text).runs.map(\.key)
        // Reordering the grid keeps each run's key (so a resumed sweep still finds it)...
        let reordered = try f.load(text.replacingOccurrences(of: "[0%, 5%]", with: "[5%, 0%]")).runs.map(\.key)
        #expect(reordered == before.reversed())
        // ...while a changed base scenario changes every key (its runs are redone).
        _ = f.write("base.yaml", SweepFixture.base.replacingOccurrences(of: "count: 12", with: "count: 13"))
        let after = try f.load(text).runs.map(\.key)
        #expect(Set(after).isDisjoint(with: before))
    }

    @Test func seedListsAndExpectationPlaceholders() throws {
        let sweep = try SweepFixture().load("""
            name: s
            base: base.yaml
            grid:
              network.loss: [2%, 30%]
            seeds: [100, 5]
            expect:
              - messages.delivery_ratio < {network.loss * -1}
              - messages.delivery_ratio > {network.loss + 40%}
              - messages.sent > {seed}
              - messages.sent > {seed - 0.5}
            """)
        #expect(sweep.runs.map(\.seed) == [100, 5, 100, 5])
        #expect(sweep.runs[3].scenario.expectations.map(\.text) == ["messages.delivery_ratio < -30%", "messages.delivery_ratio > 70%",
                                                                   "messages.sent > 5", "messages.sent > 4.5"])
    }

    @Test func errorsInOverriddenValuesPointAtTheSweepFile() {
        let f = SweepFixture()
        let d = f.diagnostics("""
            name: s
            base: base.yaml
            grid:
              validators.count: [4, 0, many]
              network.upload: [1Gbps]
            """)
        let sweep = f.dir.appendingPathComponent("sweep.yaml").path
        #expect(d.map(\.description) == [
            "\(sweep):4:25: error: validators.count must be between 1 and 100000, found 0",
            "\(sweep):4:28: error: expected validators.count as an integer, found 'many'",
        ])
    }

    @Test func unknownPathsAndBadShapesAreReportedWithPositions() {
        let f = SweepFixture()
        let d = f.diagnostics("""
            name: s
            base: base.yaml
            grid:
              network.los: [1%]
              seed: [1, 2]
              network.loss.x: [1]
              events.two.at: [1s]
            seeds: 0
            metrics: [messages.delivery_rati, latency]
            expect: ["messages.sent > {nope}", "messages.sent > {seed ^ 2}"]
            """)
        let text = d.map { "\($0.location.line):\($0.location.column): \($0.message)" }
        #expect(text.contains { $0.hasPrefix("4:3: unknown key 'los' in 'network' (did you mean 'loss'?)") })
        #expect(text.contains { $0.hasPrefix("5:3: vary the seed with 'seeds:'") })
        #expect(text.contains { $0.hasPrefix("6:3: 'network.loss' is a single value; it has no key 'x'") })
        #expect(text.contains { $0.hasPrefix("7:3: 'events' is a list: the next segment must be a position") })
        #expect(text.contains { $0.hasPrefix("8:8: seeds (a count, or a list of seeds) must be between 1 and 100000") })
        #expect(text.contains { $0.hasPrefix("9:11: key metric 'messages.delivery_rati': unknown metric 'messages.delivery_rati' (did you mean 'messages.delivery_ratio'?); `canary metrics` lists them") })
        #expect(text.contains { $0.hasPrefix("9:35: key metric 'latency': 'latency' is a distribution") })
        #expect(text.contains { $0.hasPrefix("10:10: '{nope}' is not a grid parameter") })
        #expect(text.contains { $0.hasPrefix("10:36: '{seed ^ 2}': write {name}") })
    }

    @Test func errorsTheOverridesCauseInTheBaseNameThePoint() {
        // The base's expectation is fine; shrinking the network breaks a node index in `set`.
        let f = SweepFixture()
        let d = f.diagnostics("""
            name: s
            base: base.yaml
            grid:
              validators.count: [12, 3]
            set:
              events: [{at: 1s, crash: [5]}, {at: 2s, restart: [5]}]
            """)
        #expect(d.count == 2)
        #expect(d.allSatisfy { $0.file.hasSuffix("sweep.yaml") && $0.location.line == 6 })
        #expect(d[0].message.contains("node 5 does not exist; validators are 0-2"))
    }

    @Test func missingBaseAndMissingKeys() {
        let f = SweepFixture()
        let d = f.diagnostics("""
            name: s
            base: nowhere.yaml
            """)
        #expect(d.map(\.message).contains { $0.contains("missing required key 'grid'") })
        #expect(d.map(\.message).contains { $0.contains("cannot read the base scenario") })
    }

    @Test func shardsPartitionTheRunsRoundRobin() throws {
        let sweep = try SweepFixture().load("""
            name: s
            base: base.yaml
            grid:
              network.loss: [0%, 1%, 2%, 3%, 4%]
            seeds: 2
            """)
        let shards = (0..<3).map { i in sweep.runs.filter { Shard(index: i, count: 3).contains($0) }.map(\.index) }
        #expect(shards == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]])
        #expect(Shard(parsing: "2/8") == Shard(index: 1, count: 8))
        #expect(Shard(parsing: "0/8") == nil && Shard(parsing: "9/8") == nil && Shard(parsing: "x") == nil)
    }

    @Test func sweepSchemaComesFromTheFormat() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(ScenarioSchema.sweepJSON().utf8)) as! [String: Any]
        let props = schema["properties"] as! [String: Any]
        #expect(Set(props.keys) == Set(SweepFormat.root.map(\.name)))
        #expect(schema["required"] as! [String] == ["name", "base", "grid"])
    }
}

/// The cluster files docs/sweeps.md shows are the ones Tests/cluster uses, verbatim, and the
/// sweeps shipped in the repository decode.
@Suite struct ShippedSweepTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func docsShowTheTestedClusterFiles() throws {
        let docs = try String(contentsOf: Self.root.appendingPathComponent("docs/sweeps.md"), encoding: .utf8)
        for file in ["Tests/cluster/sweep.sbatch", "Tests/cluster/canary-sweep-job.yaml"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            #expect(docs.contains(text), "docs/sweeps.md does not show \(file) as it is")
        }
    }

    @Test(arguments: ["Scenarios/sweeps/ideal-rate.yaml", "Scenarios/sweeps/finality-vs-loss.yaml", "Tests/cluster/sweep.yaml"])
    func shippedSweepsDecode(_ file: String) throws {
        let sweep = try SweepDecoder.load(path: Self.root.appendingPathComponent(file).path)
        #expect(sweep.runs.count >= 12)
        #expect(!sweep.metrics.isEmpty)
    }

    @Test func idealRateSweepIsTheIssuesGrid() throws {
        let sweep = try SweepDecoder.load(path: Self.root.appendingPathComponent("Scenarios/sweeps/ideal-rate.yaml").path)
        #expect(sweep.parameters == [SweepParameter(path: "staking.inflation.ideal", values: ["50%", "55%", "60%", "65%", "70%", "75%", "80%"])])
        #expect(sweep.seeds.count == 3)
        #expect(sweep.runs.allSatisfy { $0.scenario.consensus == .statistical && $0.scenario.validatorCount == 1000 })
        #expect(sweep.runs.allSatisfy { $0.scenario.staking?.nominators == 12_500 })
    }
}
