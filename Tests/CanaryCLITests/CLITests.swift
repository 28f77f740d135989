import Testing
import Foundation
import CanaryStore
import GRDB

/// Runs the built `canary` executable in separate processes, as a user would.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var executable: URL {
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: selfPath).deletingLastPathComponent()
        // On Linux the test binary sits next to `canary` (…/debug/CanaryPackageTests.xctest).
        if dir.lastPathComponent.hasSuffix(".xctest") { dir = dir.deletingLastPathComponent() }
        return dir.appendingPathComponent("canary")
    }

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ args: [String]) throws -> Result {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        p.currentDirectoryURL = packageRoot
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    /// Waits until a `canary run` writing to `db` has created it and is simulating.
    static func waitUntilRunning(db: String) {
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: db) { Thread.sleep(forTimeInterval: 0.05) }
        Thread.sleep(forTimeInterval: 2)
    }

    static func tempDir() -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("canary-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    static func json(_ s: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any]
    }
}

@Suite(.serialized) struct CLITests {
    @Test func sameScenarioInTwoProcessesGivesTheSameDigest() throws {
        let dir = CLI.tempDir()
        let smoke = "Scenarios/examples/network-smoke.yaml"
        let a = try CLI.run(["run", smoke, "--db", dir.appendingPathComponent("a.sqlite").path, "--duration", "3m", "--json"])
        let b = try CLI.run(["run", smoke, "--db", dir.appendingPathComponent("b.sqlite").path, "--duration", "3m", "--json"])
        let c = try CLI.run(["run", smoke, "--db", dir.appendingPathComponent("b.sqlite").path, "--duration", "3m", "--seed", "43", "--json"])
        #expect(a.status == 0, "\(a.stderr)")
        let ja = try CLI.json(a.stdout), jb = try CLI.json(b.stdout), jc = try CLI.json(c.stdout)
        let da = ja["digest"] as! String
        #expect(da.count == 64)
        #expect(da == jb["digest"] as! String)
        #expect(da != jc["digest"] as! String)
        #expect(ja["status"] as! String == "complete")
        #expect(ja["simulated_seconds"] as! Double == 180)
        #expect((ja["events"] as! Int) > 10_000)
        #expect(ja["wall_seconds"] is Double)
        let metrics = ja["metrics"] as! [String: Any]
        #expect((metrics["messages.delivered"] as! Double) > 0)
        let latency = metrics["latency.gossip"] as! [String: Any]
        #expect((latency["p50"] as! Double) > 0 && (latency["p99"] as! Double) >= (latency["p50"] as! Double))
        let exps = ja["expectations"] as! [[String: Any]]
        #expect(exps.count == 5 && exps.allSatisfy { $0["passed"] as! Bool })
    }

    /// Determinism with the protocols on: BABE, BABE + GRANDPA with Byzantine voters, and
    /// governance with a runtime upgrade, parachains with a governance set_config, each run in two
    /// processes (shortened runs).
    @Test(arguments: [
        ("Scenarios/kusama/babe-partition.yaml", "12m"),
        ("Scenarios/kusama/grandpa-equivocators.yaml", "1m"),
        ("Scenarios/governance/migration-stall.yaml", "15m"),
        ("Scenarios/kusama/era-cycle.yaml", "9m"),
        ("Scenarios/parachains/small.yaml", "2m"),
        ("Scenarios/parachains/dispute-invalid-backing.yaml", "5m"),
        ("Scenarios/parachains/no-shows.yaml", "2m"),
        ("Scenarios/parachains/governance-set-config.yaml", "200s"),   // past the set_config enactment
        ("Scenarios/kusama/grandpa-300-flood.yaml", "30s"),             // flood delivery of GRANDPA votes
    ])
    func protocolScenariosAreDeterministicAcrossProcesses(file: String, duration: String) throws {
        let dir = CLI.tempDir()
        let a = try CLI.run(["run", file, "--db", dir.appendingPathComponent("a.sqlite").path, "--duration", duration, "--json"])
        let b = try CLI.run(["run", file, "--db", dir.appendingPathComponent("b.sqlite").path, "--duration", duration, "--json"])
        #expect(a.status != 2 && b.status != 2, "\(a.stderr)")
        let da = try CLI.json(a.stdout)["digest"] as? String
        let db = try CLI.json(b.stdout)["digest"] as? String
        #expect(da != nil && da == db)
        let c = try CLI.run(["run", file, "--db", dir.appendingPathComponent("c.sqlite").path, "--duration", duration, "--seed", "999", "--json"])
        let dc = try CLI.json(c.stdout)["digest"] as? String
        #expect(da != dc)
    }

    /// `--progress log` writes plain "progress:" lines to stderr (a pipe, not a terminal), the
    /// first at the start; `auto` and `off` write none to a pipe; bad values are input errors.
    @Test func progressLinesForLogs() throws {
        let dir = CLI.tempDir()
        let scenario = "Scenarios/examples/network-smoke.yaml"
        let log = try CLI.run(["run", scenario, "--duration", "2m", "--db", dir.appendingPathComponent("a.sqlite").path,
                               "--progress", "log", "--progress-every", "0"])
        #expect(log.status == 0 || log.status == 1, "\(log.stderr)")
        let lines = log.stderr.split(separator: "\n").filter { $0.hasPrefix("progress: ") }
        #expect(lines.count >= 2, "\(log.stderr)")
        #expect(lines.allSatisfy { $0.contains(" / 2m ") && $0.contains("%") && !$0.contains("\r") })
        #expect(lines.dropFirst().contains { $0.contains(" left ") })
        for mode in ["auto", "off"] {
            let quiet = try CLI.run(["run", scenario, "--duration", "30s", "--db", dir.appendingPathComponent("\(mode).sqlite").path,
                                     "--progress", mode])
            #expect(!quiet.stderr.contains("progress") && !quiet.stderr.contains("\r"), "\(mode): \(quiet.stderr)")
        }
        let bad = try CLI.run(["run", scenario, "--progress", "sometimes"])
        #expect(bad.status == 2 && bad.stderr.contains("--progress: expected auto, line, log or off, found 'sometimes'"))
        let badEvery = try CLI.run(["run", scenario, "--progress", "log", "--progress-every", "-1"])
        #expect(badEvery.status == 2 && badEvery.stderr.contains("--progress-every"))
    }

    @Test func exitCodesForFailedExpectationsAndBadInput() throws {
        let dir = CLI.tempDir()
        let failing = dir.appendingPathComponent("fail.yaml")
        try "name: f\nduration: 30s\nvalidators: {count: 5}\nexpect:\n  - messages.delivered > 1000000000\n".write(to: failing, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", failing.path, "--db", dir.appendingPathComponent("f.sqlite").path])
        #expect(r.status == 1)
        #expect(r.stdout.contains("FAIL"))

        let bad = dir.appendingPathComponent("bad.yaml")
        try "name: f\nduration: 30x\nvalidators: {count: 5, colour: red}\n".write(to: bad, atomically: true, encoding: .utf8)
        let v = try CLI.run(["validate", bad.path])
        #expect(v.status == 2)
        #expect(v.stderr.contains("bad.yaml:2:11: error:"))
        #expect(v.stderr.contains("bad.yaml:3:24: error: unknown key 'colour'"))
        #expect(!v.stderr.contains("Fatal error"))
        let run = try CLI.run(["run", bad.path, "--db", dir.appendingPathComponent("x.sqlite").path])
        #expect(run.status == 2)
        let missing = try CLI.run(["run", "no/such/file.yaml"])
        #expect(missing.status == 2 && missing.stderr.contains("cannot read the file"))
        let ok = try CLI.run(["validate", "Scenarios/examples/network-smoke.yaml"])
        #expect(ok.status == 0)
    }

    @Test func killedRunLeavesAnOpenableDatabaseWithTheRunNotComplete() throws {
        let dir = CLI.tempDir()
        let db = dir.appendingPathComponent("k.sqlite").path
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["run", "Scenarios/examples/network-smoke.yaml", "--db", db, "--duration", "30d"]
        p.currentDirectoryURL = CLI.packageRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        CLI.waitUntilRunning(db: db)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        // The file opens, the killed run is there with the samples it streamed, it is
        // recognised as interrupted (its process is gone), and another run can be added.
        let store = try ResultStore(path: db)
        #expect(store.recoveredRuns == [1])
        #expect(try store.status(run: 1) == "incomplete")
        #expect(try store.unfinishedRuns() == [1])
        let samples = try GRDB.DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM metric_samples WHERE run_id = 1") } ?? 0
        #expect(samples > 0)
        let again = try CLI.run(["run", "Scenarios/examples/network-smoke.yaml", "--db", db, "--duration", "1m", "--json"])
        #expect(again.status == 0 || again.status == 1, "\(again.stderr)")
        #expect(try CLI.json(again.stdout)["run_id"] as! Int == 2)
    }

    @Test func interruptWithSigintMarksTheRunIncomplete() throws {
        let dir = CLI.tempDir()
        let db = dir.appendingPathComponent("i.sqlite").path
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["run", "Scenarios/examples/network-smoke.yaml", "--db", db, "--duration", "30d"]
        p.currentDirectoryURL = CLI.packageRoot
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        CLI.waitUntilRunning(db: db)
        kill(p.processIdentifier, SIGINT)
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        #expect(e.contains("incomplete"))
    }

    @Test func benchEngineReportsARate() throws {
        let r = try CLI.run(["bench", "engine", "--pending", "1000", "--events", "200000", "--repeats", "1", "--json"])
        #expect(r.status == 0)
        let j = try CLI.json(r.stdout)
        #expect((j["events_per_second"] as! Double) > 0)
        #expect(j["events"] as! Int == 200_000)
    }

    @Test func schemaIsJSON() throws {
        let r = try CLI.run(["schema"])
        #expect(r.status == 0)
        let j = try CLI.json(r.stdout)
        #expect((j["properties"] as! [String: Any])["validators"] != nil)
    }
}
