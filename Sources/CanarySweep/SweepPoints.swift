import Foundation
import GRDB
import CanaryScenario
import CanaryEngine

/// The `sweep_points` table: which sweep point and seed each run was, with its key metrics.
/// It lives next to `runs` (one row per run of a sweep) and, like `runs`, is bookkeeping rather
/// than a result, so it is not part of the run digest: a run's digest is the same whether it
/// ran alone, in a sweep, or in a shard merged later.
public enum SweepPoints {
    static let create = """
        CREATE TABLE IF NOT EXISTS sweep_points (
            run_id INTEGER PRIMARY KEY REFERENCES runs(id),
            sweep TEXT NOT NULL,
            point INTEGER NOT NULL,
            label TEXT NOT NULL,
            parameters TEXT NOT NULL,
            seed INTEGER NOT NULL,
            run_key TEXT NOT NULL,
            metrics TEXT NOT NULL
        )
        """

    /// One stored row.
    public struct Row: Sendable {
        public var runId: Int64
        public var sweep: String
        public var point: Int
        public var label: String
        /// Path → value as written.
        public var parameters: [String: String]
        public var seed: UInt64
        public var runKey: String
        /// Key metric → value (absent when the run did not produce it).
        public var metrics: [String: Double]
        /// From `runs`.
        public var status: String
        public var digest: String?
    }

    /// Records that `runId` was `run` of `sweep`, with the run's key metrics read back from
    /// `run_metrics`.
    public static func record(_ db: DatabaseQueue, runId: Int64, sweep: Sweep, run: SweepRun) throws {
        let point = sweep.points[run.point]
        var params: [String: String] = [:]
        for v in point.values { params[v.path] = v.value }
        try db.write { db in
            try db.execute(sql: create)
            var metrics: [String: Double] = [:]
            let source = DatabaseMetricSource(db: db, runId: runId)
            for name in sweep.metrics {
                guard case .success(let e) = SweepDecoder.keyMetric(name) else { continue }
                if let v = try e.observe(source) { metrics[name] = v }
            }
            try db.execute(sql: "INSERT OR REPLACE INTO sweep_points VALUES (?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
                runId, sweep.name, run.point, point.label, json(params), Int64(bitPattern: run.seed), run.key, json(metrics),
            ])
        }
    }

    /// Every sweep run stored in the file at `path`.
    public static func rows(file path: String) throws -> [Row] {
        var config = Configuration()
        config.readonly = true
        return try rows(DatabaseQueue(path: path, configuration: config))
    }

    /// Every sweep run stored in a file (none when it has no `sweep_points` table).
    public static func rows(_ db: DatabaseQueue) throws -> [Row] {
        try db.read { db in
            guard try db.tableExists("sweep_points") else { return [] }
            return try GRDB.Row.fetchAll(db, sql: """
                SELECT p.*, r.status, r.digest FROM sweep_points p JOIN runs r ON r.id = p.run_id ORDER BY p.run_id
                """).map { row in
                Row(runId: row["run_id"], sweep: row["sweep"], point: row["point"], label: row["label"],
                    parameters: decode(row["parameters"]) ?? [:], seed: UInt64(bitPattern: row["seed"] as Int64),
                    runKey: row["run_key"], metrics: decode(row["metrics"]) ?? [:], status: row["status"], digest: row["digest"])
            }
        }
    }

    /// Reads a run's metrics inside a transaction, for `Expectation.observe`.
    struct DatabaseMetricSource: MetricSource {
        let db: Database
        let runId: Int64
        func scalar(_ name: String) throws -> Double? {
            try Double.fetchOne(db, sql: "SELECT value FROM run_metrics WHERE run_id = ? AND name = ?", arguments: [runId, name])
        }
        func distribution(_ name: String) throws -> LogHistogram? {
            let rows = try GRDB.Row.fetchAll(db, sql: "SELECT bucket, count FROM distributions WHERE run_id = ? AND name = ? ORDER BY bucket",
                                             arguments: [runId, name])
            return rows.isEmpty ? nil : LogHistogram(buckets: rows.map { (UInt64($0["bucket"] as Int64), UInt64($0["count"] as Int64)) })
        }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: (try? e.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ text: String) -> T? { try? JSONDecoder().decode(T.self, from: Data(text.utf8)) }
}
