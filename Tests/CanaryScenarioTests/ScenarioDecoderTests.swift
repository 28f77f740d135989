import Testing
import CanaryEngine
@testable import CanaryScenario

let validScenario = """
name: t
seed: 7
duration: 10m
network:
  regions: [eu, us]
  latency:
    - {between: [eu, eu], median: 10ms}
    - {between: [us, us], median: 20ms, jitter: 0}
    - {between: [eu, us], median: 40ms}
  upload: 50Mbps
  loss: 1%
validators:
  count: 10
  regions: {eu: 3, us: 2}
events:
  - {at: 1m, partition: [[eu], [us]]}
  - {at: 2m, heal: true}
  - {at: 3m, crash: [0, 8-9]}
  - {at: 4m, restart: [0, 8-9]}
expect:
  - messages.delivered > 0
  - p99(latency) < 400ms
"""

/// Decodes `yaml` and returns its diagnostics (empty when valid).
func diagnostics(_ yaml: String) -> [Diagnostic] {
    do { _ = try ScenarioDecoder.decode(yaml: yaml, file: "s.yaml"); return [] } catch { return error.diagnostics }
}

@Suite struct ScenarioDecoderTests {
    @Test func decodesAValidScenario() throws {
        let s = try ScenarioDecoder.decode(yaml: validScenario)
        #expect(s.name == "t" && s.seed == 7 && s.duration == .minutes(10))
        #expect(s.network.regions == ["eu", "us"])
        #expect(s.network.latency[0][1].median == .ms(40) && s.network.latency[1][0].median == .ms(40))
        #expect(s.network.latency[1][1].sigma == 0 && s.network.latency[0][0].sigma == 0.1)
        #expect(s.network.uploadBitsPerSecond == 50_000_000 && s.network.loss == 0.01)
        #expect(s.validatorRegions == [0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
        #expect(s.events.map(\.fault) == [.partition([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9]]), .heal, .crash([0, 8, 9]), .restart([0, 8, 9])])
        #expect(s.expectations.map(\.metric) == ["messages.delivered", "latency"])
        #expect(s.expectations[1].threshold == 400_000_000)
    }

    @Test func overridesApply() throws {
        let s = try ScenarioDecoder.decode(yaml: validScenario, overrides: .init(seed: 99, duration: .hours(1)))
        #expect(s.seed == 99 && s.duration == .hours(1))
    }

    @Test func shippedScenariosAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Scenarios")
        let files = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(!files.isEmpty)
        for f in files {
            let path = dir.appendingPathComponent(f).path
            if SweepDecoder.isSweepFile(path: path) {  // Scenarios/sweeps: sweep files (docs/sweeps.md)
                #expect(throws: Never.self) { _ = try SweepDecoder.load(path: path) }
                continue
            }
            #expect(throws: Never.self) { _ = try ScenarioDecoder.load(path: path) }
        }
        #expect(files.contains { SweepDecoder.isSweepFile(path: dir.appendingPathComponent($0).path) })
    }

    @Test func unknownKeyWithSuggestion() {
        let d = diagnostics(validScenario.replacingOccurrences(of: "seed: 7", with: "sed: 7"))
        #expect(d.count == 1)
        #expect(d[0].location == SourceLocation(line: 2, column: 1))
        #expect(d[0].message.contains("unknown key 'sed'") && d[0].message.contains("did you mean 'seed'"))
        #expect(d[0].description.hasPrefix("s.yaml:2:1: error: "))
    }

    @Test func wrongTypes() {
        let d = diagnostics(validScenario.replacingOccurrences(of: "count: 10", with: "count: [10]")
            .replacingOccurrences(of: "upload: 50Mbps", with: "upload: fast"))
        #expect(d.count == 2)
        #expect(d.contains { $0.location == SourceLocation(line: 10, column: 11) && $0.message.contains("bandwidth") })
        #expect(d.contains { $0.location == SourceLocation(line: 13, column: 10) && $0.message.contains("validators.count") })
    }

    @Test func badDurations() {
        let d = diagnostics(validScenario.replacingOccurrences(of: "duration: 10m", with: "duration: 10 minutes")
            .replacingOccurrences(of: "median: 40ms", with: "median: 40"))
        #expect(d.map(\.location) == [SourceLocation(line: 3, column: 11), SourceLocation(line: 9, column: 35)])
        #expect(d.allSatisfy { $0.message.contains("duration with a unit") })
    }

    @Test func outOfRangeNumbers() {
        let d = diagnostics(validScenario.replacingOccurrences(of: "loss: 1%", with: "loss: 150%")
            .replacingOccurrences(of: "count: 10", with: "count: 0")
            .replacingOccurrences(of: "jitter: 0}", with: "jitter: 7}"))
        #expect(d.count == 3)
        #expect(d.contains { $0.location.line == 11 && $0.message.contains("probability") })
        #expect(d.contains { $0.location.line == 13 && $0.message.contains("between 1 and 100000") })
        #expect(d.contains { $0.location.line == 8 && $0.message.contains("jitter must be between 0.0 and 3.0") })
    }

    @Test func impossibleTimelines() {
        let yaml = validScenario
            .replacingOccurrences(of: "{at: 2m, heal: true}", with: "{at: 2m, heal: true}\n  - {at: 2m30s, heal: true}")
            .replacingOccurrences(of: "{at: 4m, restart: [0, 8-9]}", with: "{at: 4m, restart: [1]}\n  - {at: 20m, crash: [2]}\n  - {at: 5m, crash: [12]}")
        let d = diagnostics(yaml)
        #expect(d.count == 4, "\(d)")
        #expect(d.contains { $0.location.line == 18 && $0.message.contains("no partition is in force") })
        #expect(d.contains { $0.location.line == 20 && $0.message.contains("not crashed") })
        #expect(d.contains { $0.location.line == 21 && $0.message.contains("after the end of the run") })
        #expect(d.contains { $0.location.line == 22 && $0.message.contains("node 12 does not exist") })
    }

    @Test func unknownRegionsAndMissingLatencies() {
        let d = diagnostics(validScenario.replacingOccurrences(of: "- {between: [eu, us], median: 40ms}", with: "- {between: [eu, mars], median: 40ms}"))
        #expect(d.contains { $0.message.contains("unknown region 'mars'") && $0.location == SourceLocation(line: 9, column: 22) })
        #expect(d.contains { $0.message.contains("no latency given for region pair(s) eu–us") })
    }

    @Test func invalidExpectations() {
        let d = diagnostics(validScenario.replacingOccurrences(of: "- p99(latency) < 400ms", with: "- p99(latency) < 400\n  - mesages.sent > 1\n  - latency < 1s\n  - events ~ 3"))
        #expect(d.count == 4)
        #expect(d.contains { $0.location == SourceLocation(line: 22, column: 5) && $0.message.contains("duration such as 400ms") })
        #expect(d.contains { $0.location.line == 23 && $0.message.contains("did you mean 'messages.sent'") })
        #expect(d.contains { $0.location.line == 24 && $0.message.contains("is a distribution") })
        #expect(d.contains { $0.location.line == 25 && $0.message.contains("expected a comparison") })
    }

    @Test func missingRequiredKeysAndSyntaxErrors() {
        let d = diagnostics("name: x\nvalidators: {count: 3}\n")
        #expect(d.count == 1 && d[0].message.contains("missing required key 'duration'"))
        let s = diagnostics("name: x\nduration: [1m\nvalidators: {count: 3}\n")
        #expect(s.count == 1 && s[0].message.hasPrefix("YAML syntax"))
        #expect(s[0].location.line >= 2)
        #expect(diagnostics("").first?.message.contains("empty") == true)
    }

    @Test func allErrorsAtOnce() {
        let yaml = """
        name: x
        duration: forever
        colour: blue
        validators: {count: -1}
        network: {preset: mars}
        events:
          - {at: 1m}
        expect:
          - nonsense
        """
        let d = diagnostics(yaml)
        #expect(d.map(\.location.line) == [2, 3, 4, 5, 7, 9])
    }

    @Test func schemaListsEveryTopLevelKey() throws {
        let json = ScenarioSchema.json()
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let props = obj["properties"] as! [String: Any]
        #expect(Set(props.keys) == Set(ScenarioFormat.root.map(\.name)))
        #expect((obj["required"] as! [String]).contains("duration"))
    }

    @Test func regionAssignmentIsProportional() {
        #expect(Scenario.assignRegions(count: 10, weights: [1, 1, 1]) == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
        #expect(Scenario.assignRegions(count: 6, weights: [3, 2, 1]) == [0, 0, 0, 1, 1, 2])
        #expect(Scenario.assignRegions(count: 4, weights: [0, 5]) == [1, 1, 1, 1])
    }
}

import Foundation
