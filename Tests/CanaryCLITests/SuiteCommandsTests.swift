import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML  // XMLParser on Linux
#endif

/// `canary check`, `canary diff` and `canary report` as a user (or CI) runs them.
@Suite(.serialized) struct SuiteCommandsTests {
    static let passing = """
    name: suite-pass
    seed: 1
    duration: 20s
    validators: {count: 6}
    traffic: {gossip_interval: 1s, fanout: 3, block_interval: 6s, block_size: 8KiB}
    expect:
      - messages.delivered > 0
      - p99(latency.gossip) < 10s
    """

    /// Deliberately failing: no gossip message arrives within a microsecond.
    static let failing = """
    name: suite-fail
    seed: 2
    duration: 20s
    validators: {count: 6}
    traffic: {gossip_interval: 1s, fanout: 3, block_interval: 6s, block_size: 8KiB}
    expect:
      - messages.delivered > 0
      - p99(latency.gossip) < 1us
    """

    func write(_ text: String, _ name: String, in dir: URL) -> String {
        let url = dir.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func checkFailsWithTheFailureInTheJUnitXML() throws {
        let dir = CLI.tempDir()
        let suite = dir.appendingPathComponent("suite")
        _ = write(Self.passing, "suite/a-pass.yaml", in: dir)
        _ = write(Self.failing, "suite/b-fail.yaml", in: dir)
        let junit = dir.appendingPathComponent("out.xml").path
        let dbs = dir.appendingPathComponent("dbs").path
        let r = try CLI.run(["check", suite.path, "--jobs", "2", "--junit", junit, "--db", dbs])
        #expect(r.status == 1, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("suite-pass") && r.stdout.contains("FAIL suite-fail"))
        #expect(r.stdout.contains("p99(latency.gossip) < 1us"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        let reader = JUnitReader()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.delegate = reader
        #expect(parser.parse())
        #expect(reader.testcases == ["suite-pass", "suite-fail"])
        #expect(reader.failures.count == 1)
        #expect(reader.failures.first?.contains("p99(latency.gossip) < 1us (observed ") == true)
        // Each scenario's database is kept under --db, one per file.
        let kept = try FileManager.default.contentsOfDirectory(atPath: dbs).filter { $0.hasSuffix(".sqlite") }
        #expect(kept.count == 2)

        // Only the passing scenario: exit 0, no failure element.
        let ok = try CLI.run(["check", dir.appendingPathComponent("suite/a-pass.yaml").path, "--junit", junit])
        #expect(ok.status == 0, "\(ok.stdout)\n\(ok.stderr)")
        #expect(try !String(contentsOfFile: junit, encoding: .utf8).contains("<failure"))
    }

    @Test func checkRejectsInvalidFilesBeforeRunningAnything() throws {
        let dir = CLI.tempDir()
        let good = write(Self.passing, "good.yaml", in: dir)
        let bad = write("name: broken\nduration: 10\nvalidators: {count: 3}\n", "bad.yaml", in: dir)
        let r = try CLI.run(["check", good, bad])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.yaml:2:") && r.stderr.contains("nothing was run"))
        let missing = try CLI.run(["check", dir.appendingPathComponent("nope").path])
        #expect(missing.status == 2)
    }

    @Test func diffOfTwoSeedsPrintsTheDifferingMetrics() throws {
        let dir = CLI.tempDir()
        let file = write(Self.passing, "s.yaml", in: dir)
        let db = dir.appendingPathComponent("r.sqlite").path
        #expect(try CLI.run(["run", file, "--db", db]).status == 0)
        #expect(try CLI.run(["run", file, "--db", db, "--seed", "7"]).status == 0)
        #expect(try CLI.run(["run", file, "--db", db]).status == 0)
        let d = try CLI.run(["diff", "\(db):1", "\(db):2"])
        #expect(d.status == 1, "\(d.stdout)\n\(d.stderr)")
        #expect(d.stdout.contains("seed 1") && d.stdout.contains("seed 7"))
        #expect(d.stdout.contains("  messages.delivered "))  // differs, within 5%
        #expect(d.stdout.split(separator: "\n").contains { $0.hasPrefix("! latency.") })  // beyond 5%
        let j = try CLI.run(["diff", "\(db):1", "\(db):2", "--json", "--tolerance", "0.01"])
        let obj = try CLI.json(j.stdout)
        #expect((obj["beyond_tolerance"] as! Int) > 0)
        #expect((obj["metrics"] as! [[String: Any]]).contains { $0["metric"] as? String == "latency.gossip.p99" })
        // The same seed twice: identical, exit 0; the default second run is the last finished one.
        let same = try CLI.run(["diff", "\(db):1", db, "--tolerance", "0%"])
        #expect(same.status == 0, "\(same.stdout)")
        #expect(same.stdout.contains("identical results (same digest)"))
        #expect(try CLI.run(["diff", "\(db):9", db]).status == 2)
        #expect(try CLI.run(["diff", db, db, "--tolerance", "five"]).status == 2)
    }

    /// Reports from two processes' runs of one scenario are byte-identical, charts included.
    @Test func reportIsByteIdenticalWhenRegenerated() throws {
        let dir = CLI.tempDir()
        let file = write(Self.failing, "s.yaml", in: dir)
        var outputs: [[String: Data]] = []
        for k in 0..<2 {
            let db = dir.appendingPathComponent("r\(k).sqlite").path
            #expect(try CLI.run(["run", file, "--db", db]).status == 1)
            let out = dir.appendingPathComponent("report\(k)")
            let r = try CLI.run(["report", db, "-o", out.path])
            #expect(r.status == 0, "\(r.stderr)")
            var files: [String: Data] = [:]
            for f in try FileManager.default.contentsOfDirectory(atPath: out.path) {
                files[f] = try Data(contentsOf: out.appendingPathComponent(f))
            }
            outputs.append(files)
        }
        #expect(outputs[0].keys.sorted() == outputs[1].keys.sorted())
        #expect(outputs[0].keys.contains("index.html") && outputs[0].keys.contains("traffic-by-class.svg"))
        for (name, data) in outputs[0] { #expect(outputs[1][name] == data, "\(name) differs") }
        let html = String(decoding: outputs[0]["index.html"]!, as: UTF8.self)
        #expect(html.contains("1 of 2 expectations failed"))
        #expect(try CLI.run(["report", dir.appendingPathComponent("none.sqlite").path]).status == 2)
    }
}

final class JUnitReader: NSObject, XMLParserDelegate {
    var testcases: [String] = []
    var failures: [String] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if name == "testcase" { testcases.append(attributes["name"] ?? "") }
        if name == "failure" { failures.append(attributes["message"] ?? "") }
    }
}

@Suite struct CLIPolishTests {
    @Test func versionAndCompletionScripts() throws {
        let v = try CLI.run(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.hasPrefix("0.") || v.stdout.first?.isNumber == true, "\(v.stdout)")
        for shell in ["bash", "zsh", "fish"] {
            let r = try CLI.run(["--generate-completion-script", shell])
            #expect(r.status == 0)
            for sub in ["check", "diff", "report", "run"] { #expect(r.stdout.contains(sub), "\(shell) completion lacks \(sub)") }
        }
    }

    /// Paragraphs of help texts are wrapped by the parser, not by hard line breaks in the
    /// source: no help line is cut short before a line that continues its sentence.
    @Test(arguments: ["run", "check", "diff", "report", "elect", "inflation", "governance"])
    func helpParagraphsFlow(_ command: String) throws {
        let r = try CLI.run([command, "--help"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (a, b) in zip(lines, lines.dropFirst()) {
            let indentA = a.prefix { $0 == " " }.count, indentB = b.prefix { $0 == " " }.count
            guard indentA == indentB, let first = b.dropFirst(indentB).first, first.isLowercase,
                  !a.hasSuffix("."), !a.hasSuffix(":") else { continue }
            // A continuation line follows: the line before it must be (nearly) full.
            #expect(a.count >= 60, "'\(a)' is cut short before '\(b)'")
        }
    }
}
