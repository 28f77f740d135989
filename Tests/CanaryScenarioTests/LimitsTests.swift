import Testing
import Foundation
import CanaryEngine
@testable import CanaryScenario

/// Regression tests for the inputs of issue 14 that crashed or exhausted memory: each is now
/// refused at validation with `file:line:column` and the name of the limit it breaks.
@Suite struct LimitsTests {
    /// The diagnostics of `yaml` as `line:column message`.
    func problems(_ yaml: String) -> [String] {
        do { _ = try ScenarioDecoder.decode(yaml: yaml, file: "s.yaml"); return [] } catch {
            return error.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        }
    }

    func expectLimit(_ yaml: String, _ limit: Limit, at position: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let p = problems(yaml)
        #expect(p.contains { $0.hasPrefix(position + " ") && $0.contains("limit '\(limit.name)'") },
                "expected limit \(limit.name) at \(position), got \(p)", sourceLocation: sourceLocation)
    }

    @Test func deepYAMLIsRefusedBeforeTheParserRecurses() throws {
        let deep = "name: t\nduration: 20s\nvalidators: {count: 10}\ndescription: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        expectLimit(deep, Limits.yamlDepth, at: "4:\(13 + Limits.yamlDepthValue + 1)")
        let dashes = "name: t\nduration: 20s\nvalidators: {count: 10}\ndescription:\n" + String(repeating: "- ", count: 5000) + "x\n"
        expectLimit(dashes, Limits.yamlDepth, at: "5:\(2 * Limits.yamlDepthValue + 1)")
        let indented = "name: t\nduration: 20s\nvalidators: {count: 10}\ndescription:\n" + (0..<400).map { String(repeating: " ", count: $0) + "a\($0):" }.joined(separator: "\n") + " x\n"
        #expect(problems(indented).contains { $0.contains("limit 'yaml-depth'") })
        // Nesting within the limit still parses (and fails only on the type).
        let ok = "name: t\nduration: 20s\nvalidators: {count: 10}\ndescription: " + String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(problems(ok).allSatisfy { !$0.contains("yaml-depth") })
        // Brackets inside quotes and comments are text, not nesting.
        let quoted = "name: t\nduration: 20s\nvalidators: {count: 10}\ndescription: '" + String(repeating: "[", count: 100) + "' # " + String(repeating: "{", count: 100)
        #expect(problems(quoted) == [])
        // A quote inside a plain scalar does not hide nesting after it.
        let sneaky = "name: t\nduration: 20s\nvalidators: {count: 10}\ndescription: [a'" + String(repeating: "[", count: 5000)
        #expect(problems(sneaky).contains { $0.contains("limit 'yaml-depth'") })
    }

    @Test func durationsAreBounded() {
        expectLimit("name: t\nduration: 106751d\nvalidators: {count: 10}\n", Limits.runDuration, at: "2:11")
        expectLimit("name: t\nduration: 1m\nvalidators: {count: 10}\ntraffic: {gossip_interval: 100000d}\n", Limits.runDuration, at: "4:28")
        expectLimit("name: t\nduration: 1m\nvalidators: {count: 10}\nconsensus: {mode: full, gossip_duration: 100000d}\n", Limits.runDuration, at: "4:42")
        let latency = "name: t\nduration: 1m\nnetwork:\n  regions: [a]\n  latency: [{between: [a, a], median: %@}]\nvalidators: {count: 10}\n"
        expectLimit(String(format: latency, "100000d"), Limits.runDuration, at: "5:39")
        expectLimit(String(format: latency, "2m"), Limits.latency, at: "5:39")
        #expect(problems(String(format: latency, "50ms")) == [])
        // --duration goes through the same bound.
        #expect(throws: ScenarioError.self) {
            try ScenarioDecoder.decode(yaml: "name: t\nduration: 1m\nvalidators: {count: 10}\n",
                                       overrides: .init(duration: .days(4_000)))
        }
    }

    @Test func sizesRatesAndAmountsAreBounded() {
        expectLimit("name: t\nduration: 1m\nnetwork: {preset: three-continents, upload: 1bps}\nvalidators: {count: 10}\n", Limits.upload, at: "3:45")
        // 0.4 bps used to round to 0, which the network reads as unlimited.
        expectLimit("name: t\nduration: 1m\nnetwork: {preset: three-continents, upload: 0.4bps}\nvalidators: {count: 10}\n", Limits.upload, at: "3:45")
        expectLimit("name: t\nduration: 1m\nvalidators: {count: 10}\ntraffic: {block_size: 2GB}\n", Limits.messageSize, at: "4:23")
        expectLimit("name: t\nduration: 1m\nvalidators: {count: 10}\ntraffic: {gossip_interval: 1ns}\n", Limits.messageRate, at: "4:1")
        // 1 MiB gossip every 100 ms to 8 peers is 671 Mbps per node, over a 100 Mbps link.
        expectLimit("name: t\nduration: 1m\nvalidators: {count: 10}\ntraffic: {gossip_interval: 100ms, gossip_size: 1MiB}\n", Limits.offeredLoad, at: "4:1")
        let staking = "name: t\nduration: 1d\nvalidators: {count: 10}\nconsensus: {mode: statistical}\nstaking:\n  genesis: {issuance: %@}\n"
        expectLimit(String(format: staking, "340282366920938463463374607431768211455"), Limits.amount, at: "6:23")
        #expect(problems(String(format: staking, "17000000 KSM")) == [])
    }

    /// `consensus.gossip: flood` decodes, and with colluders (which it does not model) is an
    /// error at the `gossip` value.
    @Test func floodGossipDecodesAndRefusesColluders() {
        let flood = try? ScenarioDecoder.decode(yaml: "name: t\nduration: 1m\nvalidators: {count: 10}\nconsensus: {mode: full, gossip: flood}\n", file: "s.yaml")
        #expect(flood?.grandpa?.gossip.mode == .flood)
        let bad = problems("name: t\nduration: 1m\nvalidators: {count: 10}\nconsensus: {mode: full, gossip: flood, grandpa_colluders: [1, 2]}\n")
        #expect(bad.count == 1)
        #expect(bad.first?.contains("4:33") == true && bad.first?.contains("colluders") == true, "\(bad)")
    }

    /// `consensus.grandpa_batch`: at most 100 ms; `0s` (off) and the default 1 ms are valid.
    @Test func voteBatchBucketIsBounded() {
        let yaml = "name: t\nduration: 1m\nvalidators: {count: 10}\nconsensus: {mode: full, grandpa_batch: %@}\n"
        expectLimit(String(format: yaml, "200ms"), Limits.voteBatch, at: "4:40")
        #expect(problems(String(format: yaml, "0s")) == [])
        #expect(problems(String(format: yaml, "100ms")) == [])
        #expect(problems(String(format: yaml, "-1ms")).count == 1)
        let off = try? ScenarioDecoder.decode(yaml: String(format: yaml, "0s"), file: "s.yaml")
        let fine = try? ScenarioDecoder.decode(yaml: String(format: yaml, "100us"), file: "s.yaml")
        let plain = try? ScenarioDecoder.decode(yaml: "name: t\nduration: 1m\nvalidators: {count: 10}\nconsensus: {mode: full}\n", file: "s.yaml")
        #expect(off?.grandpa?.voteBatch == .zero)
        #expect(fine?.grandpa?.voteBatch == .us(100))
        #expect(plain?.grandpa?.voteBatch == .ms(1))
    }

    @Test func countsAreBounded() {
        let regions = (0..<20_000).map { "r\($0)" }.joined(separator: ", ")
        expectLimit("name: t\nduration: 1m\nnetwork: {regions: [\(regions)]}\nvalidators: {count: 10}\n", Limits.regions, at: "3:20")
        expectLimit("name: t\nduration: 6s\nvalidators: {count: 100000}\nconsensus: {mode: full}\n", Limits.fullValidators, at: "3:1")
        expectLimit("name: t\nduration: 6s\nvalidators: {count: 1000000000}\n", Limits.validators, at: "3:21")
        expectLimit("name: t\nduration: 1h\nvalidators: {count: 10}\nconsensus: {mode: full, slot_duration: 1ns}\n", Limits.minSlot, at: "4:40")
        // One era a nanosecond long never finishes; slot and era both 1ns are refused too.
        #expect(problems("name: t\nduration: 1d\nvalidators: {count: 10}\nconsensus: {mode: statistical}\nstaking: {era: 1ns}\n")
            .contains { $0.contains("longer than the era") })
        expectLimit("name: t\nduration: 1d\nvalidators: {count: 10}\nconsensus: {mode: statistical}\nstaking: {era: 1ns, slot: 1ns}\n", Limits.minSlot, at: "5:27")
        expectLimit("name: t\nduration: 3650d\nvalidators: {count: 10}\nconsensus: {mode: statistical}\nstaking: {era: 6s}\n", Limits.eras, at: "2:11")
        let events = (0..<100_001).map { _ in "  - {at: 1s, heal: true}" }.joined(separator: "\n")
        expectLimit("name: t\nduration: 1m\nvalidators: {count: 10}\nevents:\n\(events)\n", Limits.timelineEvents, at: "5:3")
        let groups = (0..<100).map { "    - {name: g\($0), count: 1000000, balance: 1 KSM}" }.joined(separator: "\n")
        let gov = "name: t\nduration: 1m\nvalidators: {count: 8}\nconsensus: {mode: full, finality: none}\ngovernance:\n  accounts:\n\(groups)\n"
        expectLimit(gov, Limits.accounts, at: "8:25")
    }

    @Test func expectationsNeedFiniteThresholds() {
        for bad in ["events > nan", "events < inf", "messages.delivery_ratio >= -infinity", "p99(latency) < nan"] {
            guard case .failure = Expectation.parse(bad) else { Issue.record("accepted '\(bad)'"); continue }
        }
        #expect(problems("name: t\nduration: 1m\nvalidators: {count: 10}\nexpect: ['events > nan']\n").contains { $0.hasPrefix("4:10 ") })
    }

    @Test func everyLimitHasANameAndReason() {
        #expect(Set(Limits.all.map(\.name)).count == Limits.all.count)
        #expect(Limits.all.allSatisfy { !$0.reason.isEmpty && !$0.shown.isEmpty })
    }

    @Test func shippedScenariosAreWithinTheLimits() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Scenarios")
        let files = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 10)
        for f in files {
            let path = dir.appendingPathComponent(f).path
            do { _ = try ScenarioDecoder.load(path: path) } catch {
                // Sweep or report files of other tools may live under Scenarios/ too; only
                // limits matter here.
                #expect(!error.description.contains("limit '"), "\(f): \(error)")
            }
        }
    }
}
