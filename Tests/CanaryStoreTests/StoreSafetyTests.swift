import Testing
import Foundation
import GRDB
import CanaryEngine
import CanaryScenario
@testable import CanaryStore

/// Store crash safety (issue 14): files that are not Canary's are never touched, in-memory
/// paths are refused, and a `running` row whose process died is reported as interrupted.
@Suite struct StoreSafetyTests {
    @Test func inMemoryAndEmptyPathsAreRefused() {
        for p in ["", ":memory:", "file:x.sqlite?mode=memory"] {
            #expect(throws: StoreError.notAFile(p)) { _ = try ResultStore(path: p) }
        }
    }

    @Test func aFileThatIsNotSQLiteIsNeverOverwritten() throws {
        let path = temporaryDatabase()
        let text = Data("my thesis, chapter 3\n".utf8)
        try text.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.notSQLite(path)) { _ = try ResultStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aForeignSQLiteDatabaseIsNeverModified() throws {
        let path = temporaryDatabase()
        do {
            let q = try DatabaseQueue(path: path)
            try q.write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices VALUES (1, 9.5)") }
            try q.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(throws: StoreError.foreignDatabase(path, tables: ["invoices"])) { _ = try ResultStore(path: path) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)  // not switched to WAL, no tables added
    }

    @Test func aMissingDirectoryIsReportedClearly() {
        #expect(throws: StoreError.badPath("/no/such/dir/r.sqlite", "the directory /no/such/dir does not exist")) {
            _ = try ResultStore(path: "/no/such/dir/r.sqlite")
        }
    }

    @Test func anEmptyFileAndAnExistingCanaryDatabaseAreAccepted() throws {
        let path = temporaryDatabase()
        FileManager.default.createFile(atPath: path, contents: Data())
        _ = try ResultStore(path: path)
        _ = try ResultStore(path: path)  // reopening its own database
    }

    @Test func aRunningRowWhoseProcessDiedIsMarkedIncompleteOnTheNextOpen() throws {
        let path = temporaryDatabase()
        let scenario = try ScenarioDecoder.decode(yaml: smallScenario)
        let store = try ResultStore(path: path)
        let mine = try store.beginRun(scenario: scenario, file: nil, fileHash: nil, parameters: "{}")
        let theirs = try store.beginRun(scenario: scenario, file: nil, fileHash: nil, parameters: "{}")
        let old = try store.beginRun(scenario: scenario, file: nil, fileHash: nil, parameters: "{}")
        // `theirs` belonged to a process that has exited; `old` to one on another host that
        // stopped sending heartbeats an hour ago.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        try store.db.write { db in
            try db.execute(sql: "UPDATE run_liveness SET pid = ? WHERE run_id = ?", arguments: [p.processIdentifier, theirs.runId])
            try db.execute(sql: "UPDATE run_liveness SET host = 'elsewhere', heartbeat_unix = heartbeat_unix - 3600 WHERE run_id = ?", arguments: [old.runId])
        }
        let reopened = try ResultStore(path: path)
        #expect(reopened.recoveredRuns == [theirs.runId, old.runId])
        #expect(try reopened.status(run: theirs.runId) == "incomplete")
        #expect(try reopened.status(run: old.runId) == "incomplete")
        #expect(try reopened.status(run: mine.runId) == "running")  // this process is alive
        // The liveness table is bookkeeping, not a result: it does not enter the digest.
        let d = try reopened.digest(run: mine.runId)
        try reopened.db.write { try $0.execute(sql: "UPDATE run_liveness SET heartbeat_unix = 1 WHERE run_id = ?", arguments: [mine.runId]) }
        #expect(try reopened.digest(run: mine.runId) == d)
    }

    @Test func samplesAreCommittedWithinAboutASecondOfWallTime() throws {
        let path = temporaryDatabase()
        let scenario = try ScenarioDecoder.decode(yaml: smallScenario)
        let store = try ResultStore(path: path)
        let rec = try store.beginRun(scenario: scenario, file: nil, fileHash: nil, parameters: "{}")
        rec.record(time: .zero, name: "x", node: nil, value: 1)  // first sample: committed at once
        let other = try DatabaseQueue(path: path)
        #expect(try other.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM metric_samples") } == 1)
    }
}
