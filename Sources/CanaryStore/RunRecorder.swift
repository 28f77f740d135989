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

    init(store: ResultStore, runId: Int64) {
        self.store = store
        self.runId = runId
    }

    public func record(time: SimTime, name: String, node: UInt32?, value: Double) {
        pending.append((name, node.map(Int64.init) ?? -1, time.nanoseconds, value))
        if pending.count >= batchSize { try? flush() }
    }

    public func flush() throws {
        guard !pending.isEmpty else { return }
        let rows = pending
        pending.removeAll(keepingCapacity: true)
        try store.db.write { db in
            let stmt = try db.makeStatement(sql: "INSERT OR REPLACE INTO metric_samples (run_id, name, node, time_ns, value) VALUES (?, ?, ?, ?, ?)")
            for r in rows { try stmt.execute(arguments: [runId, r.name, r.node, r.time, r.value]) }
        }
    }

    /// Stores the network's counters and latency distributions and the run-level metrics.
    public func storeNetwork<M>(_ network: Network<M>, classes: [String], regions: [String],
                                events: UInt64, simulated: SimTime) throws {
        try flush()
        try store.db.write { db in
            let t = try db.makeStatement(sql: "INSERT INTO node_traffic VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            for (i, tr) in network.traffic.enumerated() {
                try t.execute(arguments: [runId, i, regions[Int(network.nodeRegion[i])], Int64(tr.sent), Int64(tr.received),
                                          Int64(tr.bytesSent), Int64(tr.bytesReceived), Int64(tr.dropped)])
            }
            let c = try db.makeStatement(sql: "INSERT INTO message_counts VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            var total = MessageClassStats()
            var all = LogHistogram()
            for (i, s) in network.classStats.enumerated() {
                let name = i < classes.count ? classes[i] : "class\(i)"
                try c.execute(arguments: [runId, name, Int64(s.sent), Int64(s.delivered), Int64(s.droppedLoss),
                                          Int64(s.droppedPartition), Int64(s.droppedCrash), Int64(s.bytesDelivered)])
                total.sent += s.sent; total.delivered += s.delivered; total.droppedLoss += s.droppedLoss
                total.droppedPartition += s.droppedPartition; total.droppedCrash += s.droppedCrash
                for b in network.latency[i].buckets { all.record(b.lower, count: b.count) }
                try insertDistribution(db, name: "latency.\(name)", network.latency[i])
                try insertMetric(db, "messages.\(name).sent", Double(s.sent))
                try insertMetric(db, "messages.\(name).delivered", Double(s.delivered))
            }
            try insertDistribution(db, name: "latency", all)
            let dropped = total.droppedLoss + total.droppedPartition + total.droppedCrash
            try insertMetric(db, "messages.sent", Double(total.sent))
            try insertMetric(db, "messages.delivered", Double(total.delivered))
            try insertMetric(db, "messages.dropped", Double(dropped))
            try insertMetric(db, "messages.dropped.loss", Double(total.droppedLoss))
            try insertMetric(db, "messages.dropped.partition", Double(total.droppedPartition))
            try insertMetric(db, "messages.dropped.crash", Double(total.droppedCrash))
            if total.sent > 0 { try insertMetric(db, "messages.delivery_ratio", Double(total.delivered) / Double(total.sent)) }
            try insertMetric(db, "events", Double(events))
            try insertMetric(db, "simulated_seconds", simulated.seconds)
        }
    }

    private func insertMetric(_ db: Database, _ name: String, _ value: Double) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO run_metrics VALUES (?, ?, ?)", arguments: [runId, name, value])
    }

    private func insertDistribution(_ db: Database, name: String, _ h: LogHistogram) throws {
        for b in h.buckets {
            try db.execute(sql: "INSERT INTO distributions VALUES (?, ?, ?, ?)",
                           arguments: [runId, name, Int64(b.lower), Int64(b.count)])
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
        try store.db.read { try Double.fetchOne($0, sql: "SELECT value FROM run_metrics WHERE run_id = ? AND name = ?", arguments: [runId, name]) }
    }

    func distribution(_ name: String) throws -> LogHistogram? {
        let rows = try store.db.read {
            try Row.fetchAll($0, sql: "SELECT bucket, count FROM distributions WHERE run_id = ? AND name = ? ORDER BY bucket", arguments: [runId, name])
        }
        if rows.isEmpty { return nil }
        return LogHistogram(buckets: rows.map { (UInt64($0["bucket"] as Int64), UInt64($0["count"] as Int64)) })
    }
}
