import Testing
import Foundation
import GRDB
import CanaryScenario
@testable import CanaryStore

/// The `runs` table records which build produced each run, and older databases gain the
/// columns when opened.
@Suite struct BuildInfoTests {
    @Test func runsRecordSimulatorVersionAndCommit() throws {
        let path = temporaryDatabase()
        let store = try ResultStore(path: path)
        store.build = BuildInfo(version: "9.8.7", commit: String(repeating: "ab", count: 20))
        let scenario = try ScenarioDecoder.decode(yaml: "name: v\nduration: 5s\nvalidators: {count: 3}\n")
        let out = try ScenarioRunner.run(scenario, store: store, file: nil, fileHash: nil, parameters: "{}")
        let row = try DatabaseQueue(path: path).read {
            try Row.fetchOne($0, sql: "SELECT simulator_version, git_commit FROM runs WHERE id = ?", arguments: [out.runId])!
        }
        #expect(row["simulator_version"] as String == "9.8.7")
        #expect(row["git_commit"] as String == String(repeating: "ab", count: 20))
        // The digest covers results only: the same run from another build has the same digest.
        let other = try ResultStore(path: path)
        other.build = BuildInfo(version: "1.0.0", commit: nil)
        let out2 = try ScenarioRunner.run(scenario, store: other, file: nil, fileHash: nil, parameters: "{}")
        #expect(out2.digest == out.digest)
    }

    @Test func olderDatabasesGainTheColumns() throws {
        let path = temporaryDatabase()
        try DatabaseQueue(path: path).write { db in
            // The `runs` table as the first release created it.
            try db.execute(sql: """
                CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, scenario TEXT NOT NULL, file TEXT,
                file_hash TEXT, seed INTEGER NOT NULL, parameters TEXT NOT NULL, status TEXT NOT NULL,
                duration_ns INTEGER NOT NULL, simulated_ns INTEGER NOT NULL DEFAULT 0,
                events INTEGER NOT NULL DEFAULT 0, digest TEXT, wall_seconds REAL)
                """)
            try db.execute(sql: "INSERT INTO runs (scenario, seed, parameters, status, duration_ns) VALUES ('old', 1, '{}', 'complete', 1)")
        }
        let store = try ResultStore(path: path)
        let scenario = try ScenarioDecoder.decode(yaml: "name: v\nduration: 5s\nvalidators: {count: 3}\n")
        let out = try ScenarioRunner.run(scenario, store: store, file: nil, fileHash: nil, parameters: "{}")
        let versions = try DatabaseQueue(path: path).read {
            try Row.fetchAll($0, sql: "SELECT id, simulator_version FROM runs ORDER BY id").map { $0["simulator_version"] as String? }
        }
        #expect(versions == [nil, BuildInfo.version])
        #expect(out.runId == 2)
    }
}
