import Foundation
import GRDB
import CanaryEngine

/// A result database opened read-only, for reports, diffs and suite summaries. It reads the
/// documented tables (README, "Results (SQLite)") and nothing of the models that wrote them, so
/// it keeps working when a model changes how it builds its results; a table or column that a
/// run does not have simply leaves its chart out.
public final class RunDatabase {
    public let path: String
    let db: DatabaseQueue

    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { throw ReportError.badInput("\(path): no such database") }
        self.path = path
        var config = Configuration()
        config.readonly = true
        do { db = try DatabaseQueue(path: path, configuration: config) } catch {
            throw ReportError.badInput("\(path): cannot open as a Canary database (\(error))")
        }
        guard try tableExists("runs") else { throw ReportError.badInput("\(path): not a Canary result database (no runs table)") }
    }

    /// One row of `runs`.
    public struct Run: Sendable {
        public var id: Int64
        public var scenario: String
        public var file: String?
        public var seed: UInt64
        public var status: String
        public var durationNs: Int64
        public var simulatedNs: Int64
        public var events: Int64
        public var digest: String?
        public var wallSeconds: Double?
        public var simulatorVersion: String?
        public var gitCommit: String?
        public var scenarioText: String?
    }

    public func runs() throws -> [Run] {
        let columns = try self.columns(of: "runs")
        func opt(_ c: String) -> String { columns.contains(c) ? c : "NULL AS \(c)" }
        let sql = """
            SELECT id, scenario, file, seed, status, duration_ns, simulated_ns, events, digest, wall_seconds,
            \(opt("simulator_version")), \(opt("git_commit")), \(opt("scenario_text")) FROM runs ORDER BY id
            """
        return try db.read { db in
            try Row.fetchAll(db, sql: sql).map { r in
                Run(id: r["id"], scenario: r["scenario"], file: r["file"], seed: UInt64(bitPattern: r["seed"] as Int64),
                    status: r["status"], durationNs: r["duration_ns"], simulatedNs: r["simulated_ns"], events: r["events"],
                    digest: r["digest"], wallSeconds: r["wall_seconds"], simulatorVersion: r["simulator_version"],
                    gitCommit: r["git_commit"], scenarioText: r["scenario_text"])
            }
        }
    }

    /// The run with this id, or (nil) the last finished one (`complete` or `failed`).
    public func run(_ id: Int64?) throws -> Run {
        let all = try runs()
        if let id {
            guard let r = all.first(where: { $0.id == id }) else {
                throw ReportError.badInput("\(path): no run \(id) (runs: \(all.map { String($0.id) }.joined(separator: ", ")))")
            }
            return r
        }
        guard let r = all.last(where: { $0.status == "complete" || $0.status == "failed" }) else {
            throw ReportError.badInput("\(path): no finished run")
        }
        return r
    }

    /// Every scalar metric of a run, sorted by name.
    public func scalars(run: Int64) throws -> [(name: String, value: Double)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT name, value FROM run_metrics WHERE run_id = ? ORDER BY name", arguments: [run])
                .map { ($0["name"], $0["value"]) }
        }
    }

    /// Every distribution of a run as a histogram, sorted by name.
    public func distributions(run: Int64) throws -> [(name: String, histogram: LogHistogram)] {
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: "SELECT name, bucket, count FROM distributions WHERE run_id = ? ORDER BY name, bucket", arguments: [run])
        }
        var out: [(String, LogHistogram)] = []
        var i = 0
        while i < rows.count {
            let name: String = rows[i]["name"]
            var buckets: [(lower: UInt64, count: UInt64)] = []
            while i < rows.count, rows[i]["name"] as String == name {
                buckets.append((UInt64(rows[i]["bucket"] as Int64), UInt64(rows[i]["count"] as Int64)))
                i += 1
            }
            out.append((name, LogHistogram(buckets: buckets)))
        }
        return out
    }

    /// A run's stored expectation results, in scenario order.
    public struct ExpectationRow: Sendable {
        public var text: String
        public var observed: Double?
        public var passed: Bool
    }

    public func expectations(run: Int64) throws -> [ExpectationRow] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT expectation, observed, passed FROM expectations WHERE run_id = ? ORDER BY idx", arguments: [run])
                .map { ExpectationRow(text: $0["expectation"], observed: $0["observed"], passed: ($0["passed"] as Int) != 0) }
        }
    }

    public func tableExists(_ name: String) throws -> Bool {
        try db.read { try Bool.fetchOne($0, sql: "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [name]) ?? false }
    }

    public func columns(of table: String) throws -> Set<String> {
        try db.read { db in Set(try Row.fetchAll(db, sql: "PRAGMA table_info(\(quote(table)))").map { $0["name"] as String }) }
    }

    /// Rows of a query, or nothing when a table or column it names does not exist in this
    /// database (older or other-model runs): charts then leave that part out.
    func rows(_ sql: String, _ arguments: StatementArguments = []) -> [Row] {
        (try? db.read { try Row.fetchAll($0, sql: sql, arguments: arguments) }) ?? []
    }

    func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}

/// Bad input for a report, diff or suite: the message says what and where (exit code 2).
public enum ReportError: Error, CustomStringConvertible {
    case badInput(String)
    public var description: String { if case .badInput(let m) = self { return m }; return "" }
}
