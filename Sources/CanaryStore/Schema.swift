import GRDB

/// The SQLite schema. Every table but `runs` holds results keyed by `run_id`; one file holds
/// many runs. Documented in README.md (Results).
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
            wall_seconds REAL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS node_traffic (
            run_id INTEGER NOT NULL REFERENCES runs(id), node INTEGER NOT NULL, region TEXT NOT NULL,
            sent INTEGER NOT NULL, received INTEGER NOT NULL, bytes_sent INTEGER NOT NULL,
            bytes_received INTEGER NOT NULL, dropped INTEGER NOT NULL,
            PRIMARY KEY (run_id, node)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS message_counts (
            run_id INTEGER NOT NULL REFERENCES runs(id), class TEXT NOT NULL,
            sent INTEGER NOT NULL, delivered INTEGER NOT NULL, dropped_loss INTEGER NOT NULL,
            dropped_partition INTEGER NOT NULL, dropped_crash INTEGER NOT NULL, bytes_delivered INTEGER NOT NULL,
            PRIMARY KEY (run_id, class)
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

    /// Result tables and their key columns, in the fixed order the run digest reads them.
    static let digestTables: [(table: String, orderBy: String)] = [
        ("node_traffic", "node"),
        ("message_counts", "class"),
        ("metric_samples", "name, node, time_ns"),
        ("run_metrics", "name"),
        ("distributions", "name, bucket"),
        ("expectations", "idx"),
    ]
}
