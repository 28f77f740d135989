import Testing
import Foundation
import GRDB
import CanaryStore

/// Exit codes and store safety as a user meets them (issue 14).
@Suite(.serialized) struct ReliabilityCLITests {
    /// Bad input exits 2, as the README says, with a one-line reason.
    @Test func badInputExitsTwo() throws {
        let dir = CLI.tempDir()
        let smoke = "Scenarios/examples/network-smoke.yaml"
        let db = dir.appendingPathComponent("r.sqlite").path
        let notDB = dir.appendingPathComponent("notes.txt")
        try "keep me\n".write(to: notDB, atomically: true, encoding: .utf8)
        let cases: [([String], String)] = [
            (["run", smoke, "--db", db, "--duration", "0s"], "longer than 0s"),
            (["run", smoke, "--db", db, "--duration", "4000d"], "limit 'run-duration'"),
            (["run", smoke, "--db", dir.appendingPathComponent("missing/r.sqlite").path], "does not exist"),
            (["run", smoke, "--db", notDB.path], "not an SQLite database"),
            (["run", smoke, "--db", ""], "not a file"),
            (["run", smoke, "--db", ":memory:"], "not a file"),
            (["run", smoke, "--db", db, "--seed", "-1"], "'-1' is invalid for '--seed"),
            (["bench", "engine", "--pending", "0"], "must be positive"),
            (["bench", "engine", "--pending", "1000000000"], "limit 'bench-pending'"),
            (["run", smoke, "--no-such-flag"], "Unknown option"),
        ]
        for (args, message) in cases {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        #expect(try String(contentsOf: notDB, encoding: .utf8) == "keep me\n")
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(try CLI.run(["run", "--help"]).status == 0)
    }

    /// Two runs started together into one file both complete (the second waits for the
    /// first's write transactions instead of failing with `database is locked`).
    @Test func concurrentRunsIntoOneDatabaseBothComplete() throws {
        let dir = CLI.tempDir()
        let db = dir.appendingPathComponent("c.sqlite").path
        let file = "Scenarios/examples/network-smoke.yaml"
        let processes = (0..<2).map { i -> (Process, Pipe) in
            let p = Process()
            p.executableURL = CLI.executable
            p.arguments = ["run", file, "--db", db, "--duration", "3m", "--json", "--seed", "\(i)"]
            p.currentDirectoryURL = CLI.packageRoot
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            return (p, out)
        }
        for (p, _) in processes { try p.run() }
        var ids: [Int] = []
        for (p, out) in processes {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0 || p.terminationStatus == 1, "exit \(p.terminationStatus)")
            let j = try CLI.json(String(decoding: data, as: UTF8.self))
            #expect(["complete", "failed"].contains(j["status"] as! String))
            ids.append(j["run_id"] as! Int)
        }
        #expect(Set(ids) == [1, 2])
        let statuses = try DatabaseQueue(path: db).read { try String.fetchAll($0, sql: "SELECT status FROM runs ORDER BY id") }
        #expect(statuses.count == 2 && !statuses.contains("running"))
    }

    /// `canary explore` with a deliberately strict invariant: caught, written, shrunk, replayed.
    @Test func exploreWritesShrinksAndReplaysAFailure() throws {
        let dir = CLI.tempDir()
        let r = try CLI.run(["explore", "Scenarios/explore/grandpa-small.yaml", "--seeds", "1", "--duration", "2m",
                             "--recovery", "1m", "--max-finality-lag", "1", "--shrink", "--out", dir.path])
        #expect(r.status == 1, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("seed 1: FAIL grandpa.finality-lag"))
        let full = dir.appendingPathComponent("grandpa-small-seed1.yaml").path
        let min = dir.appendingPathComponent("grandpa-small-seed1-min.yaml").path
        #expect(FileManager.default.fileExists(atPath: full) && FileManager.default.fileExists(atPath: min))
        for file in [full, min] {
            let again = try CLI.run(["explore", file, "--replay", "--recovery", "1m", "--max-finality-lag", "1"])
            #expect(again.status == 1 && again.stdout.contains("grandpa.finality-lag violated"), "\(again.stdout)")
            // Without the strict invariant, GRANDPA's own invariants hold on the minimal case.
        }
        #expect(try CLI.run(["explore", min, "--replay"]).status == 0)
        // `canary shrink` on the full reproducer reaches a small case too.
        let out = dir.appendingPathComponent("shrunk.yaml").path
        let s = try CLI.run(["shrink", full, "--out", out, "--recovery", "1m", "--max-finality-lag", "1"])
        #expect(s.status == 0 && FileManager.default.fileExists(atPath: out), "\(s.stdout) \(s.stderr)")
        #expect(try CLI.run(["explore", "Scenarios/examples/network-smoke.yaml", "--seeds", "1"]).status == 2)
    }

    /// `canary explore --check-determinism` runs the seeds in two child processes and compares
    /// every seed's run digest; a build whose digests differ (a stand-in executable printing
    /// other digests) is caught and named.
    @Test func determinismCheckComparesDigestsAcrossProcesses() throws {
        let base = ["explore", "Scenarios/explore/grandpa-small.yaml", "--seeds", "3", "--duration", "2m", "--recovery", "1m"]
        let ok = try CLI.run(base + ["--check-determinism"])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("3 seeds: every run digest identical across process 1, process 2"))
        // The digests printed are a function of the seed: other seeds, other digests.
        let outDir = CLI.tempDir()
        let one = try CLI.run(base + ["--print-digests", "--out", outDir.path])
        // Each case is written before it runs (so a trap of Canary itself leaves its reproducer)
        // and removed when it passes.
        #expect(try FileManager.default.contentsOfDirectory(atPath: outDir.path).isEmpty)
        let digests = one.stdout.split(separator: "\n").filter { $0.hasPrefix("seed ") }.compactMap { $0.split(separator: " ").last }
        #expect(digests.count == 3 && Set(digests).count == 3 && digests.allSatisfy { $0.count == 64 })
        // Another "build" that disagrees on seed 2.
        let fake = CLI.tempDir().appendingPathComponent("other-canary")
        let lines = one.stdout.split(separator: "\n").filter { $0.hasPrefix("seed ") }.map { line -> String in
            line.hasPrefix("seed 2:") ? String(line.dropLast(64)) + String(repeating: "0", count: 64) : String(line)
        }
        try ("#!/bin/sh\ncat <<'END'\n" + lines.joined(separator: "\n") + "\nEND\n").write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let bad = try CLI.run(base + ["--check-determinism", "--compare-with", fake.path])
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        #expect(bad.stdout.contains("seed 2: DIFFERENT digests"))
        #expect(!bad.stdout.contains("seed 1: DIFFERENT") && !bad.stdout.contains("seed 3: DIFFERENT"))
    }

    /// The liveness failures `canary explore` found and the GRANDPA model now survives: their
    /// reproducers replay with every invariant holding.
    @Test(arguments: ["Scenarios/explore/findings/grandpa-restart-stall.yaml",
                      "Scenarios/explore/findings/grandpa-one-round-behind.yaml",
                      "Scenarios/explore/findings/grandpa-fork-block-wait.yaml",
                      "Scenarios/explore/findings/runtime-restart-prune-crash.yaml"])
    func fixedFindingsReplayClean(file: String) throws {
        let r = try CLI.run(["explore", file, "--replay"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }
}
