import GRDB
import CanaryEngine

/// The SQLite schema: `runs`, plus the generic tables every run uses. Tables that models
/// declare (`ResultTable`) are created on first use. Documented in README.md (Results).
enum Schema {
    static let statements: [String] = [
        """
        CREATE TABLE IF NOT EXISTS runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            scenario TEXT NOT NULL,
            file TEXT,
            file_hash TEXT,
            seed INTEGER NOT NULL,
            parameters TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'incomplete')),
            duration_ns INTEGER NOT NULL,
            simulated_ns INTEGER NOT NULL DEFAULT 0,
            events INTEGER NOT NULL DEFAULT 0,
            digest TEXT,
            wall_seconds REAL,
            simulator_version TEXT,
            git_commit TEXT,
            scenario_text TEXT,
            peak_rss_bytes INTEGER
        )
        """,
        // The host process's memory while the run went (ProcessMemory): measured by the store
        // layer at wall-clock intervals, so not a result of the simulation and left out of the
        // digest (like `runs`).
        """
        CREATE TABLE IF NOT EXISTS process_samples (
            run_id INTEGER NOT NULL REFERENCES runs(id), wall_seconds REAL NOT NULL, simulated_ns INTEGER,
            rss_bytes INTEGER NOT NULL, peak_rss_bytes INTEGER NOT NULL,
            PRIMARY KEY (run_id, wall_seconds)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS metric_samples (
            run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL, node INTEGER NOT NULL,
            time_ns INTEGER NOT NULL, value REAL NOT NULL,
            PRIMARY KEY (run_id, name, node, time_ns)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS run_metrics (
            run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL, value REAL NOT NULL,
            PRIMARY KEY (run_id, name)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS distributions (
            run_id INTEGER NOT NULL REFERENCES runs(id), name TEXT NOT NULL, bucket INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (run_id, name, bucket)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS expectations (
            run_id INTEGER NOT NULL REFERENCES runs(id), idx INTEGER NOT NULL, expectation TEXT NOT NULL,
            observed REAL, passed INTEGER NOT NULL,
            PRIMARY KEY (run_id, idx)
        )
        """,
    ]

    /// Columns added to `runs` after its first release, with their types: databases written
    /// by an older build get them (NULL for their old runs) when a newer build opens them.
    static let addedRunColumns: [(name: String, type: String)] = [
        ("simulator_version", "TEXT"), ("git_commit", "TEXT"), ("scenario_text", "TEXT"), ("peak_rss_bytes", "INTEGER"),
    ]

    /// Brings an existing database's tables up to the current schema (additive changes only).
    static func migrate(_ db: Database) throws {
        let existing = Set(try Row.fetchAll(db, sql: "PRAGMA table_info(runs)").map { $0["name"] as String })
        for column in addedRunColumns where !existing.contains(column.name) {
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN \(quote(column.name)) \(column.type)")
        }
    }

    /// `CREATE TABLE` for a model's result table: a `run_id` column first, the key after it.
    static func create(_ t: ResultTable) -> String {
        let cols = t.columns.map { "\(quote($0.name)) \($0.type.rawValue)" }.joined(separator: ", ")
        let key = (["run_id"] + t.key).map(quote).joined(separator: ", ")
        return "CREATE TABLE IF NOT EXISTS \(quote(t.name)) (run_id INTEGER NOT NULL REFERENCES runs(id), \(cols), PRIMARY KEY (\(key)))"
    }

    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
