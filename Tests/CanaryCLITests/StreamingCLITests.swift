import Testing
import Foundation
import CanaryStore
import GRDB

/// Results streamed while a run goes, seen from outside the process: a run killed with
/// `kill -9` keeps every row it had written, and they are the rows a complete run writes.
@Suite(.serialized) struct StreamingCLITests {
    static let streamedTables = ["blocks", "reorgs", "grandpa_finality", "grandpa_rounds", "grandpa_finalized_height"]

    static func rows(_ db: DatabaseQueue, _ table: String) throws -> Set<String> {
        try db.read { db in
            guard try db.tableExists(table) else { return [] }
            return Set(try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\" WHERE run_id = 1").map { row in
                row.filter { $0.0 != "run_id" }.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
            })
        }
    }

    @Test func killedRunKeepsEveryRowItStreamedAndReadsIncomplete() throws {
        let dir = CLI.tempDir()
        let db = dir.appendingPathComponent("k.sqlite").path
        let scenario = "Scenarios/explore/grandpa-small.yaml"
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = ["run", scenario, "--db", db, "--duration", "1d"]
        p.currentDirectoryURL = CLI.packageRoot
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait until the run has streamed a good number of per-block rows (it is far from done:
        // a simulated day), then kill it outright.
        var streamed = 0
        for _ in 0..<1200 where streamed < 60 {
            Thread.sleep(forTimeInterval: 0.1)
            guard FileManager.default.fileExists(atPath: db) else { continue }
            var ro = Configuration()
            ro.readonly = true
            streamed = (try? DatabaseQueue(path: db, configuration: ro).read { db in
                try db.tableExists("grandpa_finality") ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grandpa_finality") ?? 0 : 0
            }) ?? 0
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(streamed >= 60, "the run streamed \(streamed) grandpa_finality rows before the kill")

        let store = try ResultStore(path: db)
        #expect(try store.status(run: 1) == "incomplete")
        let killed = try DatabaseQueue(path: db)
        // The latest simulated time any kept row mentions.
        let reached = try killed.read { db in
            try [("blocks", "produced_at"), ("grandpa_finality", "last_finalized"), ("grandpa_rounds", "first_completed"),
                 ("grandpa_finalized_height", "time")].map {
                try Int64.fetchOne(db, sql: "SELECT MAX(\($0.1)) FROM \($0.0) WHERE run_id = 1") ?? 0
            }.max() ?? 0
        }
        let peak = try killed.read { try Int64.fetchOne($0, sql: "SELECT peak_rss_bytes FROM runs WHERE id = 1") } ?? 0
        #expect(peak > 1_000_000, "peak RSS recorded while the run went: \(peak)")

        // A complete run of the same scenario a little past where the killed one got to writes
        // every row the killed run kept, identically (rows are written only once final).
        let minutes = reached / 60_000_000_000 + 3
        let full = dir.appendingPathComponent("full.sqlite").path
        let r = try CLI.run(["run", scenario, "--db", full, "--duration", "\(minutes)m", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let complete = try DatabaseQueue(path: full)
        for table in Self.streamedTables {
            let kept = try Self.rows(killed, table), all = try Self.rows(complete, table)
            #expect(!kept.isEmpty, "\(table): nothing streamed")
            #expect(kept.isSubset(of: all), "\(table): \(kept.subtracting(all).count) of \(kept.count) rows differ from the complete run")
        }
    }

    @Test func peakMemoryIsStoredAndExpectationsCanReadItWithoutChangingTheDigest() throws {
        let dir = CLI.tempDir()
        let file = dir.appendingPathComponent("mem.yaml")
        let body = try String(contentsOfFile: CLI.packageRoot.appendingPathComponent("Scenarios/explore/grandpa-small.yaml").path, encoding: .utf8)
        #expect(body.hasSuffix("finalized_height >= 60\n"))
        try (body + "  - process.peak_rss_bytes < 100_000_000_000\n  - process.peak_rss_bytes > 1_000_000\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let a = try CLI.run(["run", file.path, "--db", dir.appendingPathComponent("a.sqlite").path, "--duration", "2m", "--json"])
        let b = try CLI.run(["run", "Scenarios/explore/grandpa-small.yaml", "--db", dir.appendingPathComponent("b.sqlite").path, "--duration", "2m", "--json"])
        let ja = try CLI.json(a.stdout), jb = try CLI.json(b.stdout)
        let results = ja["expectations"] as! [[String: Any]]
        let memory = results.filter { ($0["expectation"] as! String).hasPrefix("process.") }
        #expect(memory.count == 2 && memory.allSatisfy { $0["passed"] as! Bool }, "\(memory)")
        // Host memory is not a result: the same digest with or without expectations on it.
        #expect(ja["digest"] as? String == jb["digest"] as? String)
        let store = try DatabaseQueue(path: dir.appendingPathComponent("a.sqlite").path)
        let samples = try store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM process_samples WHERE run_id = 1") } ?? 0
        #expect(samples >= 1)
        #expect((ja["peak_rss_bytes"] as? Int ?? 0) > 1_000_000)
        let text = try CLI.run(["run", "Scenarios/explore/grandpa-small.yaml", "--db", dir.appendingPathComponent("c.sqlite").path, "--duration", "1m"])
        #expect(text.stdout.contains("MB peak resident"), "\(text.stdout)")
        let m = try CLI.run(["metrics"])
        #expect(m.stdout.contains("process.peak_rss_bytes"))
    }
}
