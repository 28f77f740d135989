import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser on Linux
#endif
import CanaryScenario
import CanaryStore
@testable import CanaryReport

func temporaryDirectory() -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("canary-report-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// Runs a scenario into a fresh database (with its text stored, as `canary run` does).
func runScenario(_ yaml: String, seed: UInt64? = nil, in dir: URL, name: String) throws -> (path: String, run: Int64) {
    let path = dir.appendingPathComponent(name + ".sqlite").path
    let store = try ResultStore(path: path)
    let scenario = try ScenarioDecoder.decode(yaml: yaml, overrides: .init(seed: seed))
    let out = try ScenarioRunner.run(scenario, store: store, file: "test.yaml", fileHash: nil, parameters: "{}")
    try store.setScenarioText(yaml, run: out.runId)
    return (path, out.runId)
}

let gossipScenario = """
name: report-gossip
description: A small gossip network with a crash.
seed: 5
duration: 40s
validators: {count: 8}
traffic: {gossip_interval: 1s, fanout: 3, block_interval: 6s, block_size: 16KiB}
events:
  - {at: 10s, crash: [2]}
  - {at: 20s, restart: [2]}
expect:
  - messages.delivered > 0
  - p99(latency.gossip) < 1ms
"""

let finalityScenario = """
name: report-finality
seed: 2
duration: 1m
validators: {count: 12}
consensus: {mode: full, preset: kusama, finality: grandpa}
expect:
  - safety_violations == 0
"""

let parachainScenario = """
name: report-parachains
seed: 3
duration: 2m
validators: {count: 12}
consensus: {mode: full, preset: kusama, finality: grandpa}
parachains: {preset: kusama, count: 2, num_cores: 2, max_validators_per_core: 4, needed_approvals: 3, relay_vrf_modulo_samples: 1, n_delay_tranches: 10, pov_size: {min: 64KiB, max: 128KiB}}
expect:
  - para.blocks_included > 0
"""

let stakingScenario = """
name: report-staking
seed: 4
duration: 20d
validators: {count: 40}
consensus: {mode: statistical}
staking:
  era: 1d
  inflation: {model: kusama, ideal: 60%, min: 2.5%, max: 10%, falloff: 5%}
  genesis: {issuance: 1000000 KSM, treasury: 10000 KSM, staking_rate: 40%, nominators: 300, targets: {min: 2, max: 8}}
expect:
  - staking.final_rate > 0
"""

@Suite struct ReportTests {
    @Test func gossipReportHasExpectationsChartsAndScenario() throws {
        let dir = temporaryDirectory()
        let (path, run) = try runScenario(gossipScenario, in: dir, name: "g")
        let report = try RunReport(database: try RunDatabase(path: path), run: nil)
        #expect(report.run.id == run)
        #expect(!report.passed)
        let html = try report.html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("1 of 2 expectations failed"))
        #expect(html.contains("<code>p99(latency.gossip) &lt; 1ms</code></td><td class=\"fail\">FAIL</td>"))
        #expect(html.contains("A small gossip network with a crash."))
        #expect(html.contains("- {at: 10s, crash: [2]}"))  // the scenario text at the bottom
        // Self-contained: no scripts, nothing fetched.
        #expect(!html.contains("https://") && !html.contains("<link") && !html.contains("<script"))
        let files = report.charts.map(\.file)
        #expect(files.contains("traffic-by-class.svg") && files.contains("nodes-up.svg") && files.contains("delivery-rate.svg"))
        for c in report.charts {
            #expect(html.contains(c.svg))
            #expect(c.svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
            let parser = XMLParser(data: Data(c.svg.utf8))
            #expect(parser.parse(), "\(c.file) is not well-formed XML")
        }
    }

    /// Two runs of the same scenario in different databases give byte-identical reports.
    @Test func reportsAreByteIdenticalForTheSameResults() throws {
        let dir = temporaryDirectory()
        let a = try runScenario(gossipScenario, in: dir, name: "a")
        let b = try runScenario(gossipScenario, in: dir, name: "b")
        let c = try runScenario(gossipScenario, seed: 6, in: dir, name: "c")
        let ra = try RunReport(database: try RunDatabase(path: a.path), run: nil)
        let rb = try RunReport(database: try RunDatabase(path: b.path), run: nil)
        let rc = try RunReport(database: try RunDatabase(path: c.path), run: nil)
        #expect(try ra.html() == rb.html())
        #expect(ra.charts.map(\.svg) == rb.charts.map(\.svg))
        #expect(try ra.html() != rc.html())  // another seed shows other results
    }

    @Test func finalityAndBlockProductionCharts() throws {
        let dir = temporaryDirectory()
        let (path, _) = try runScenario(finalityScenario, in: dir, name: "f")
        let report = try RunReport(database: try RunDatabase(path: path), run: nil)
        let files = report.charts.map(\.file)
        for f in ["finality-lag.svg", "finality-lag-distribution.svg", "slot-outcomes.svg", "blocks.svg", "block-import-delay.svg"] {
            #expect(files.contains(f), "missing \(f) in \(files)")
        }
        #expect(report.sections.map(\.heading).prefix(2) == ["Finality (GRANDPA)", "Block production (BABE)"])
    }

    /// A run with parachains gets the parachain section (from `para_candidates`).
    @Test func parachainChartFromTheCandidatesTable() throws {
        let dir = temporaryDirectory()
        let (path, _) = try runScenario(parachainScenario, in: dir, name: "p")
        let report = try RunReport(database: try RunDatabase(path: path), run: nil)
        let chart = try #require(report.charts.first { $0.file == "parachains.svg" }, "charts: \(report.charts.map(\.file))")
        #expect(chart.svg.contains("backed → included"))
        #expect(report.sections.contains { $0.heading == "Parachains" && !$0.charts.isEmpty })
    }

    @Test func stakingChartsDrawTheInflationCurveWithTheIdealMarked() throws {
        let dir = temporaryDirectory()
        let (path, _) = try runScenario(stakingScenario, in: dir, name: "s")
        let report = try RunReport(database: try RunDatabase(path: path), run: nil)
        let curve = try #require(report.charts.first { $0.file == "inflation-curve.svg" })
        #expect(curve.svg.contains("ideal 60%"))
        #expect(curve.svg.contains("model curve (ideal 60%)"))
        for f in ["staking-rate.svg", "inflation-yield.svg", "era-payouts.svg", "issuance-treasury.svg"] {
            #expect(report.charts.contains { $0.file == f }, "missing \(f)")
        }
        // The curve peaks at the ideal rate with the maximum inflation (10%).
        let c = try #require(InflationCurves.curve(.init(model: .kusama, idealStake: .fromPercent(60))))
        let peak = c.points.max { $0.y < $1.y }!
        #expect(abs(peak.x - 0.6) < 0.006 && abs(peak.y - 0.1) < 1e-9)
    }

    @Test func missingDatabaseOrRunIsBadInput() throws {
        #expect(throws: ReportError.self) { try RunDatabase(path: "/nonexistent/x.sqlite") }
        let dir = temporaryDirectory()
        let (path, _) = try runScenario(gossipScenario, in: dir, name: "g")
        #expect(throws: ReportError.self) { try RunReport(database: try RunDatabase(path: path), run: 99) }
    }
}

@Suite struct DiffTests {
    @Test func twoSeedsDifferAndTheSameSeedDoesNot() throws {
        let dir = temporaryDirectory()
        let a = try runScenario(gossipScenario, in: dir, name: "a")
        let b = try runScenario(gossipScenario, seed: 99, in: dir, name: "b")
        let a2 = try runScenario(gossipScenario, in: dir, name: "a2")
        let da = try RunDatabase(path: a.path), db = try RunDatabase(path: b.path), da2 = try RunDatabase(path: a2.path)
        let diff = try RunDiff(a: (da, nil), b: (db, nil), tolerance: 0.05)
        #expect(!diff.sameDigest)
        #expect(diff.entries.contains { $0.metric == "messages.delivered" && $0.differs })
        #expect(diff.entries.contains { $0.metric == "latency.gossip.p99" })
        #expect(diff.entries.filter(\.differs).count > 3)
        let text = diff.text(all: false)
        #expect(text.contains("seed 5") && text.contains("seed 99"))
        let same = try RunDiff(a: (da, nil), b: (da2, nil), tolerance: 0)
        #expect(same.sameDigest && same.flagged.isEmpty && same.entries.allSatisfy { !$0.differs })
        // A huge tolerance flags nothing that both runs have.
        let loose = try RunDiff(a: (da, nil), b: (db, nil), tolerance: 1000)
        #expect(loose.flagged.allSatisfy { $0.a == 0 || $0.a == nil || $0.b == nil })
    }
}

@Suite struct JUnitTests {
    /// Collects testcases and their failure/error children from JUnit XML.
    final class Reader: NSObject, XMLParserDelegate {
        var cases: [(name: String, failure: String?, error: String?, properties: [String: String])] = []
        var suites: [[String: String]] = []
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            switch name {
            case "testsuite": suites.append(attributes)
            case "testcase": cases.append((attributes["name"] ?? "", nil, nil, [:]))
            case "failure": cases[cases.count - 1].failure = attributes["message"]
            case "error": cases[cases.count - 1].error = attributes["message"]
            case "property": cases[cases.count - 1].properties[attributes["name"] ?? ""] = attributes["value"]
            default: break
            }
        }
    }

    @Test func xmlParsesWithOneTestcasePerScenarioAndFailuresCarryObservedValues() throws {
        let cases = [
            SuiteCase(file: "Scenarios/regression/a.yaml", scenario: "a", outcome: .passed,
                      expectations: [.init(text: "messages.delivered > 0", passed: true, observed: "12")], seconds: 1.5, seed: "1"),
            SuiteCase(file: "Scenarios/regression/b.yaml", scenario: "b & <c>", outcome: .failed,
                      expectations: [.init(text: "p99(latency) < 1ms", passed: false, observed: "120.5ms"),
                                     .init(text: "events > 0", passed: true, observed: "7")], seconds: 2),
            SuiteCase(file: "x.yaml", scenario: "x", outcome: .error, expectations: [], seconds: 0, errorMessage: "exit code 2\nbad \u{1}thing"),
        ]
        let xml = JUnit.xml(suite: "Scenarios/regression", cases: cases, seconds: 3.5)
        let reader = Reader()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = reader
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(reader.suites.first?["tests"] == "3" && reader.suites.first?["failures"] == "1" && reader.suites.first?["errors"] == "1")
        #expect(reader.cases.map(\.name) == ["a", "b & <c>", "x"])
        #expect(reader.cases[0].failure == nil && reader.cases[0].error == nil)
        #expect(reader.cases[1].failure?.contains("p99(latency) < 1ms (observed 120.5ms)") == true)
        #expect(reader.cases[1].properties["expectation.2"] == "pass: events > 0 (observed 7)")
        #expect(reader.cases[2].error == "exit code 2")
    }
}
