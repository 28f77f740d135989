import Foundation
import GRDB
import CanaryEngine
import CanaryScenario

/// Streams one run's results into the store: samples in batched transactions while the run
/// goes, then the summary tables, the expectations and the digest at the end.
public final class RunRecorder: SampleRecorder {
    public let runId: Int64
    let store: ResultStore
    private var pending: [(name: String, node: Int64, time: Int64, value: Double)] = []
    /// Samples per transaction: large enough that commits are rare, small enough that a killed
    /// run loses little.
    public var batchSize = 5_000
    /// Wall-clock seconds between commits at most, so a run killed with `kill -9` keeps its
    /// samples up to about this long ago, and its heartbeat stays fresh (docs/reliability.md).
    public var flushInterval: Double = 1
    private var lastFlush = -Double.infinity
    /// Wall-clock start of the run (process samples are timed from it).
    private let startedUnix = ResultStore.unixNow
    /// Highest resident size measured so far (bytes; 0 where it cannot be measured).
    public private(set) var peakResidentBytes: UInt64 = 0
    /// The peak, nil when it could not be measured.
    public var peakResident: UInt64? { peakResidentBytes > 0 ? peakResidentBytes : nil }
    /// Rows of model tables written while the run went (`storeRows`).
    public private(set) var streamedRows = 0

    init(store: ResultStore, runId: Int64) {
        self.store = store
        self.runId = runId
    }

    public func record(time: SimTime, name: String, node: UInt32?, value: Double) {
        pending.append((name, node.map(Int64.init) ?? -1, time.nanoseconds, value))
        if pending.count >= batchSize || ResultStore.unixNow - lastFlush >= flushInterval { try? flush() }
    }

    /// Called often while the run goes (between chunks of events): commits what is pending,
    /// refreshes the heartbeat and samples the process's memory once `flushInterval` has passed.
    public func tick(simulated: SimTime) {
        if ResultStore.unixNow - lastFlush >= flushInterval { try? flush(simulated: simulated) }
    }

    /// Commits the pending samples with a heartbeat and a process memory sample.
    public func flush(simulated: SimTime? = nil) throws {
        let rows = pending
        pending.removeAll(keepingCapacity: true)
        lastFlush = ResultStore.unixNow
        let memory = ProcessMemory.current()
        if let m = memory { peakResidentBytes = max(peakResidentBytes, m.peakResidentBytes) }
        let peak = peakResidentBytes
        let sim = simulated ?? rows.last.map { SimTime.ns($0.time) }
        try store.db.write { db in
            try store.heartbeat(run: runId, db)
            let stmt = try db.makeStatement(sql: "INSERT OR REPLACE INTO metric_samples (run_id, name, node, time_ns, value) VALUES (?, ?, ?, ?, ?)")
            for r in rows { try stmt.execute(arguments: [runId, r.name, r.node, r.time, r.value]) }
            if let m = memory {
                try db.execute(sql: "INSERT OR REPLACE INTO process_samples (run_id, wall_seconds, simulated_ns, rss_bytes, peak_rss_bytes) VALUES (?, ?, ?, ?, ?)",
                               arguments: [runId, ResultStore.unixNow - startedUnix, sim?.nanoseconds, Int64(m.residentBytes), Int64(m.peakResidentBytes)])
                try db.execute(sql: "UPDATE runs SET peak_rss_bytes = ? WHERE id = ?", arguments: [Int64(peak), runId])
            }
        }
    }

    /// Writes rows a model finished while the run goes (`ResultProducing.drainFinishedRows`),
    /// in one transaction, at once: a run killed later keeps them.
    public func storeRows(_ tables: [ResultTable]) throws {
        guard tables.contains(where: { !$0.rows.isEmpty }) else { return }
        try store.db.write { db in
            try store.heartbeat(run: runId, db)
            try insert(tables, db)
        }
        streamedRows += tables.reduce(0) { $0 + $1.rows.count }
    }

    func insert(_ tables: [ResultTable], _ db: Database) throws {
        for table in tables {
            try db.execute(sql: Schema.create(table))
            let cols = (["run_id"] + table.columns.map(\.name)).map(Schema.quote).joined(separator: ", ")
            let marks = Array(repeating: "?", count: table.columns.count + 1).joined(separator: ", ")
            let stmt = try db.makeStatement(sql: "INSERT INTO \(Schema.quote(table.name)) (\(cols)) VALUES (\(marks))")
            for row in table.rows {
                precondition(row.count == table.columns.count, "row width of \(table.name)")
                var args: [DatabaseValueConvertible?] = [runId]
                for v in row {
                    switch v {
                    case .integer(let i): args.append(i)
                    case .real(let d): args.append(d)
                    case .text(let t): args.append(t)
                    case .null: args.append(nil)
                    }
                }
                try stmt.execute(arguments: StatementArguments(args))
            }
        }
    }

    /// Stores a model's results: its tables (created on first use), scalars and distributions,
    /// in one transaction.
    public func store(_ results: RunResults) throws {
        try flush()
        try store.db.write { db in
            try insert(results.tables, db)
            for (name, value) in results.scalars {
                try db.execute(sql: "INSERT OR REPLACE INTO run_metrics VALUES (?, ?, ?)", arguments: [runId, name, value])
            }
            for (name, h) in results.distributions {
                for b in h.buckets {
                    try db.execute(sql: "INSERT OR REPLACE INTO distributions VALUES (?, ?, ?, ?)",
                                   arguments: [runId, name, Int64(b.lower), Int64(b.count)])
                }
            }
        }
    }

    /// Evaluates the expectations against what is stored and stores their results.
    public func evaluate(_ expectations: [Expectation]) throws -> [ExpectationResult] {
        let source = StoreMetricSource(store: store, runId: runId)
        let results = try expectations.map { try $0.evaluate(source) }
        try store.db.write { db in
            for (i, r) in results.enumerated() {
                try db.execute(sql: "INSERT INTO expectations VALUES (?, ?, ?, ?, ?)",
                               arguments: [runId, i, r.expectation.text, r.observed, r.passed ? 1 : 0])
            }
        }
        return results
    }

    /// Marks the run finished (`complete` or `failed`), writing its digest; returns the digest.
    @discardableResult
    public func finish(passed: Bool, events: UInt64, simulated: SimTime, wallSeconds: Double) throws -> String {
        try flush()
        let digest = try store.digest(run: runId)
        try store.db.write { db in
            try db.execute(sql: "UPDATE runs SET status = ?, events = ?, simulated_ns = ?, digest = ?, wall_seconds = ? WHERE id = ?",
                           arguments: [passed ? "complete" : "failed", Int64(events), simulated.nanoseconds, digest, wallSeconds, runId])
        }
        return digest
    }

    /// Marks an interrupted run `incomplete`, keeping what it wrote.
    public func markIncomplete(events: UInt64, simulated: SimTime) throws {
        try? flush()
        try store.db.write { db in
            try db.execute(sql: "UPDATE runs SET status = 'incomplete', events = ?, simulated_ns = ? WHERE id = ?",
                           arguments: [Int64(events), simulated.nanoseconds, runId])
        }
    }
}

/// Reads metrics of one run back from SQLite for expectations.
struct StoreMetricSource: MetricSource {
    let store: ResultStore
    let runId: Int64

    func scalar(_ name: String) throws -> Double? {
        if name == ResultStore.peakRSSMetric {
            return try store.db.read { try Double.fetchOne($0, sql: "SELECT peak_rss_bytes FROM runs WHERE id = ?", arguments: [runId]) }
        }
        return try store.db.read { try Double.fetchOne($0, sql: "SELECT value FROM run_metrics WHERE run_id = ? AND name = ?", arguments: [runId, name]) }
    }

    func distribution(_ name: String) throws -> LogHistogram? {
        let rows = try store.db.read {
            try Row.fetchAll($0, sql: "SELECT bucket, count FROM distributions WHERE run_id = ? AND name = ? ORDER BY bucket", arguments: [runId, name])
        }
        if rows.isEmpty { return nil }
        return LogHistogram(buckets: rows.map { (UInt64($0["bucket"] as Int64), UInt64($0["count"] as Int64)) })
    }
}
