import Foundation
import GRDB
import CanaryEngine
import CanaryScenario

/// The SQLite file that holds runs and their results (WAL mode, so a reader such as `sqlite3`
/// or a report can open it while a run writes, and a killed run leaves a consistent file).
public final class ResultStore {
    public let path: String
    let db: DatabaseQueue
    /// The build recorded with every run this store begins (`runs.simulator_version`,
    /// `runs.git_commit`); the CLI sets the commit it finds.
    public var build = BuildInfo()

    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        try db.write { db in
            for s in Schema.statements { try db.execute(sql: s) }
            try Schema.migrate(db)
        }
    }

    /// Inserts a `runs` row with status `running` (committed at once, so a run killed later is
    /// visible as not complete) and returns a recorder for its results.
    public func beginRun(scenario: Scenario, file: String?, fileHash: String?, parameters: String) throws -> RunRecorder {
        let id = try db.write { db -> Int64 in
            try db.execute(sql: """
                INSERT INTO runs (scenario, file, file_hash, seed, parameters, status, duration_ns, simulator_version, git_commit)
                VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)
                """, arguments: [scenario.name, file, fileHash, Int64(bitPattern: scenario.seed), parameters,
                                 scenario.duration.nanoseconds, build.version, build.commit])
            return db.lastInsertedRowID
        }
        return RunRecorder(store: self, runId: id)
    }

    /// The status of a run (`running`, `complete`, `failed`, `incomplete`).
    public func status(run: Int64) throws -> String? {
        try db.read { try String.fetchOne($0, sql: "SELECT status FROM runs WHERE id = ?", arguments: [run]) }
    }

    /// Runs that did not finish: `incomplete` (interrupted) or still `running` (killed outright).
    public func unfinishedRuns() throws -> [Int64] {
        try db.read { try Int64.fetchAll($0, sql: "SELECT id FROM runs WHERE status IN ('running', 'incomplete') ORDER BY id") }
    }

    /// Hash over every result row of a run: each table that has rows for it (all but the
    /// bookkeeping tables `runs` and `sweep_points`, by name), rows in primary-key order, values encoded canonically (integers in decimal,
    /// reals by their IEEE bit pattern, text length-prefixed), so the digest depends on the
    /// data only — not on the run id or on other runs sharing the file.
    public func digest(run: Int64) throws -> String {
        try db.read { db in
            var sha = SHA256()
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('runs', 'sweep_points', 'sqlite_sequence')
                AND name NOT LIKE 'sqlite_%' ORDER BY name
                """)
            for table in tables {
                let info = try Row.fetchAll(db, sql: "PRAGMA table_info(\(Schema.quote(table)))")
                let key = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
                    .map { Schema.quote($0["name"] as String) }
                let order = key.isEmpty ? "rowid" : key.joined(separator: ", ")
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(Schema.quote(table)) WHERE run_id = ? ORDER BY \(order)", arguments: [run])
                var header = false
                while let row = try rows.next() {
                    if !header { sha.update("table:\(table)\n"); header = true }
                    for (column, value) in row where column != "run_id" {
                        switch value.storage {
                        case .null: sha.update("\(column)=null;")
                        case .int64(let v): sha.update("\(column)=i\(v);")
                        case .double(let v): sha.update("\(column)=r\(v.bitPattern);")
                        case .string(let s): sha.update("\(column)=s\(s.utf8.count):\(s);")
                        case .blob(let d): sha.update("\(column)=b\(d.count):"); sha.update(d)
                        }
                    }
                    sha.update("\n")
                }
            }
            return SHA256.hex(sha.finalize())
        }
    }
}

extension ResultStore {
    /// Summary of a run's distribution: percentiles and extremes, in the metric's base unit.
    public struct DistributionSummary: Sendable {
        public var count: UInt64
        public var p50, p90, p99, mean, max: Double
    }

    /// Every scalar metric of a run, by name (sorted).
    public func scalars(run: Int64) throws -> [(name: String, value: Double)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT name, value FROM run_metrics WHERE run_id = ? ORDER BY name", arguments: [run])
                .map { ($0["name"], $0["value"]) }
        }
    }

    /// Every distribution of a run, summarised (sorted by name).
    public func distributionSummaries(run: Int64) throws -> [(name: String, summary: DistributionSummary)] {
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT name, bucket, count FROM distributions WHERE run_id = ? ORDER BY name, bucket", arguments: [run])
        }
        var out: [(String, DistributionSummary)] = []
        var i = 0
        while i < rows.count {
            let name: String = rows[i]["name"]
            var buckets: [(lower: UInt64, count: UInt64)] = []
            while i < rows.count, rows[i]["name"] as String == name {
                buckets.append((UInt64(rows[i]["bucket"] as Int64), UInt64(rows[i]["count"] as Int64)))
                i += 1
            }
            let h = LogHistogram(buckets: buckets)
            out.append((name, DistributionSummary(
                count: h.total, p50: Double(h.quantile(0.5) ?? 0), p90: Double(h.quantile(0.9) ?? 0),
                p99: Double(h.quantile(0.99) ?? 0), mean: h.mean ?? 0, max: Double(h.maxValue))))
        }
        return out
    }
}
