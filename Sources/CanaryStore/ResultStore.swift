import Foundation
import GRDB
import CanaryEngine
import CanaryScenario

/// Why a results file cannot be used. Every case is bad input (exit code 2 in the CLI).
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// `""`, `:memory:` or a `file:` URI: results would vanish with the process.
    case notAFile(String)
    /// An existing file that is not an SQLite database: never overwritten.
    case notSQLite(String)
    /// An SQLite database without Canary's `runs` table: never modified.
    case foreignDatabase(String, tables: [String])
    /// The directory does not exist or the path is a directory.
    case badPath(String, String)

    public var description: String {
        switch self {
        case .notAFile(let p):
            return "'\(p)' is not a file: results must go to a database file (an in-memory database would discard them at exit)"
        case .notSQLite(let p):
            return "\(p) exists and is not an SQLite database; refusing to overwrite it (choose another --db)"
        case .foreignDatabase(let p, let tables):
            return "\(p) is an SQLite database but not a Canary results database (tables: \(tables.prefix(8).joined(separator: ", "))); refusing to modify it"
        case .badPath(let p, let why):
            return "cannot use \(p): \(why)"
        }
    }
}

/// The SQLite file that holds runs and their results (WAL mode, so a reader such as `sqlite3`
/// or a report can open it while a run writes, and a killed run leaves a consistent file).
///
/// Crash safety (docs/reliability.md): a file that is not an (empty or Canary) SQLite database
/// is refused before anything is written to it; writers wait up to `busyTimeout` for each
/// other, so several runs can share a file; every run records its process id and a wall-clock
/// heartbeat in `run_liveness`, so a `running` row whose process has died is recognised on
/// the next open and marked `incomplete`.
public final class ResultStore {
    public let path: String
    let db: DatabaseQueue
    /// The build recorded with every run this store begins (`runs.simulator_version`,
    /// `runs.git_commit`); the CLI sets the commit it finds.
    public var build = BuildInfo()
    /// Runs found `running` although their process is gone, marked `incomplete` by this open.
    public private(set) var recoveredRuns: [Int64] = []
    /// How long a write waits for another process's transaction.
    public static let busyTimeout: TimeInterval = 60
    /// A `running` run from another host (or a reused pid) whose heartbeat is older than this
    /// is considered dead.
    public static let staleAfter: Double = 600

    public init(path: String) throws {
        self.path = path
        try ResultStore.checkUsable(path)
        var config = Configuration()
        config.busyMode = .timeout(ResultStore.busyTimeout)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        try db.write { db in
            for s in Schema.statements { try db.execute(sql: s) }
            try Schema.migrate(db)
            try db.execute(sql: ResultStore.livenessTable)
        }
        recoveredRuns = try recoverStaleRuns()
    }

    /// Process liveness of runs: not results (excluded from the digest), only for recognising
    /// runs whose process died. Created here rather than in Schema so the results schema stays
    /// the documented one.
    static let livenessTable = """
        CREATE TABLE IF NOT EXISTS run_liveness (
            run_id INTEGER PRIMARY KEY REFERENCES runs(id), pid INTEGER NOT NULL, host TEXT NOT NULL,
            heartbeat_unix REAL NOT NULL
        )
        """

    /// Refuses paths whose results would be lost and existing files that are not Canary's.
    static func checkUsable(_ path: String) throws {
        if path.isEmpty || path == ":memory:" || path.hasPrefix("file:") { throw StoreError.notAFile(path) }
        var isDir: ObjCBool = false
        let fm = FileManager.default
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw StoreError.badPath(path, "it is a directory") }
            guard let h = FileHandle(forReadingAtPath: path) else { throw StoreError.badPath(path, "the file is not readable") }
            let header = h.readData(ofLength: 16)
            try? h.close()
            if header.isEmpty { return }  // an empty file is a new database
            guard header == Data("SQLite format 3\u{0}".utf8) else { throw StoreError.notSQLite(path) }
            var ro = Configuration()
            ro.readonly = true
            let tables: [String]
            do {
                let q = try DatabaseQueue(path: path, configuration: ro)
                tables = try q.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") }
                let columns = try q.read { try Row.fetchAll($0, sql: "PRAGMA table_info(runs)").map { $0["name"] as String } }
                try q.close()
                if tables.isEmpty || Set(["id", "scenario", "status", "seed", "digest"]).isSubset(of: columns) { return }
            } catch {
                throw StoreError.notSQLite(path)
            }
            throw StoreError.foreignDatabase(path, tables: tables)
        } else {
            let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
            if !fm.fileExists(atPath: dir, isDirectory: &isDir) || !isDir.boolValue {
                throw StoreError.badPath(path, "the directory \(dir) does not exist")
            }
        }
    }

    /// This process, as `run_liveness` records it.
    static var processIdentity: (pid: Int64, host: String) {
        (Int64(ProcessInfo.processInfo.processIdentifier), ProcessInfo.processInfo.hostName)
    }

    /// Wall-clock seconds since 1970, for heartbeats only (never part of a result). // wall-clock ok
    static var unixNow: Double { Date().timeIntervalSince1970 } // wall-clock ok

    /// Marks `running` runs whose process is gone as `incomplete`: same host and the pid no
    /// longer exists, or the heartbeat is older than `staleAfter`. Runs stored before liveness
    /// was recorded have no row and are left as they are (they cannot be told apart).
    func recoverStaleRuns() throws -> [Int64] {
        let me = ResultStore.processIdentity
        let now = ResultStore.unixNow
        return try db.write { db -> [Int64] in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.id, l.pid, l.host, l.heartbeat_unix FROM runs r JOIN run_liveness l ON l.run_id = r.id
                WHERE r.status = 'running' ORDER BY r.id
                """)
            var dead: [Int64] = []
            for row in rows {
                let pid: Int64 = row["pid"], host: String = row["host"], beat: Double = row["heartbeat_unix"]
                let gone = host == me.host && pid != me.pid && kill(pid_t(pid), 0) != 0 && errno == ESRCH
                if gone || now - beat > ResultStore.staleAfter { dead.append(row["id"]) }
            }
            for id in dead {
                try db.execute(sql: "UPDATE runs SET status = 'incomplete' WHERE id = ? AND status = 'running'", arguments: [id])
            }
            return dead
        }
    }

    /// Records that this process is alive and working on `run`.
    func heartbeat(run: Int64, _ db: Database) throws {
        let me = ResultStore.processIdentity
        try db.execute(sql: "INSERT OR REPLACE INTO run_liveness (run_id, pid, host, heartbeat_unix) VALUES (?, ?, ?, ?)",
                       arguments: [run, me.pid, me.host, ResultStore.unixNow])
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
            let id = db.lastInsertedRowID
            try heartbeat(run: id, db)
            return id
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

    /// The metric that reports the peak resident memory of a run's process (`runs.peak_rss_bytes`).
    public static let peakRSSMetric = "process.peak_rss_bytes"

    /// Hash over every result row of a run: each table that has rows for it (all but the
    /// bookkeeping tables `runs`, `sweep_points`, `run_liveness` and the host measurements
    /// `process_samples`, by name), rows in primary-key order, values encoded canonically (integers in decimal,
    /// reals by their IEEE bit pattern, text length-prefixed), so the digest depends on the
    /// data only — not on the run id or on other runs sharing the file. Expectations on
    /// `process.*` metrics (host memory, not simulation) are left out too.
    public func digest(run: Int64) throws -> String {
        try db.read { db in
            var sha = SHA256()
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table'
                AND name NOT IN ('runs', 'sweep_points', 'sqlite_sequence', 'run_liveness', 'process_samples')
                AND name NOT LIKE 'sqlite_%' ORDER BY name
                """)
            for table in tables {
                let info = try Row.fetchAll(db, sql: "PRAGMA table_info(\(Schema.quote(table)))")
                let key = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
                    .map { Schema.quote($0["name"] as String) }
                let order = key.isEmpty ? "rowid" : key.joined(separator: ", ")
                let host = table == "expectations" ? " AND expectation NOT LIKE 'process.%'" : ""
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(Schema.quote(table)) WHERE run_id = ?\(host) ORDER BY \(order)", arguments: [run])
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
