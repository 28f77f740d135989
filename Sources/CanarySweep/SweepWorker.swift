import Foundation
import GRDB
import CanaryEngine
import CanaryScenario
import CanaryStore

/// What one sweep run ended as.
public struct SweepRunResult: Sendable, Equatable {
    public var index: Int
    public var runId: Int64
    /// `complete`, `failed` (an expectation failed), `incomplete` (interrupted) or `error`.
    public var status: String
    public var digest: String?
    public var wallSeconds: Double

    public init(index: Int, runId: Int64, status: String, digest: String?, wallSeconds: Double) {
        self.index = index; self.runId = runId; self.status = status; self.digest = digest; self.wallSeconds = wallSeconds
    }

    /// One line of the worker protocol (worker → coordinator), and back.
    public var line: String { "\(index) \(runId) \(status) \(digest ?? "-") \(wallSeconds)" }
    public init?(line: String) {
        let f = line.split(separator: " ")
        guard f.count == 5, let i = Int(f[0]), let id = Int64(f[1]), let w = Double(f[4]) else { return nil }
        self.init(index: i, runId: id, status: String(f[2]), digest: f[3] == "-" ? nil : String(f[3]), wallSeconds: w)
    }
}

/// Runs sweep runs one after another into one SQLite file (one worker = one file, so workers
/// never contend for a write lock), recording each in `sweep_points`.
public final class SweepWorker {
    public let sweep: Sweep
    public let path: String
    let store: ResultStore
    let points: DatabaseQueue
    let baseHash: String?

    /// - Parameter build: recorded with every run (`runs.simulator_version`, `git_commit`).
    public init(sweep: Sweep, path: String, build: BuildInfo = BuildInfo()) throws {
        self.sweep = sweep
        self.path = path
        store = try ResultStore(path: path)
        store.build = build
        points = try DatabaseQueue(path: path)
        baseHash = FileManager.default.contents(atPath: sweep.basePath).map { SHA256.hex(SHA256.hash($0)) }
    }

    /// Runs `sweep.runs[index]`. `wallClock` and `shouldStop` come from the CLI (simulation
    /// code reads neither the clock nor signals itself).
    public func run(_ index: Int, wallClock: @escaping () -> Double = { 0 },
                    shouldStop: @escaping () -> Bool = { false }) throws -> SweepRunResult {
        let run = sweep.runs[index]
        let outcome = try ScenarioRunner.run(run.scenario, store: store, file: sweep.basePath, fileHash: baseHash,
                                             parameters: parameters(run), wallClock: wallClock, shouldStop: shouldStop)
        // The point's scenario as it ran (the base with the overrides applied).
        try store.setScenarioText(run.yaml, run: outcome.runId)
        if outcome.status != .incomplete {
            try SweepPoints.record(points, runId: outcome.runId, sweep: sweep, run: run)
        }
        return SweepRunResult(index: index, runId: outcome.runId, status: outcome.status.rawValue,
                              digest: outcome.digest, wallSeconds: outcome.wallSeconds)
    }

    /// Moves everything from the write-ahead log into the database file, so the `.sqlite` file
    /// alone holds all results (to copy it off a node's scratch disk, or when the process ends
    /// without closing its connections).
    public func checkpoint() throws {
        try points.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// The `runs.parameters` JSON: the scenario's shape (as `canary run` stores it) plus the
    /// sweep point.
    func parameters(_ run: SweepRun) -> String {
        let s = run.scenario
        var point: [String: String] = [:]
        for v in sweep.points[run.point].values { point[v.path] = v.value }
        let obj: [String: Any] = [
            "seed": String(s.seed), "duration": s.duration.description, "validators": s.validatorCount,
            "regions": s.network.regions, "upload_bps": s.network.uploadBitsPerSecond, "loss": s.network.loss,
            "sweep": sweep.name, "sweep_point": point,
        ]
        return String(decoding: try! JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self)
    }
}

/// Where a sweep's files go in `--db DIR`, and which runs they already hold.
public struct SweepLayout: Sendable {
    public let directory: String
    public let sweep: Sweep
    public let shard: Shard?

    public init(directory: String, sweep: Sweep, shard: Shard?) {
        self.directory = directory; self.sweep = sweep; self.shard = shard
    }

    /// `NAME-wK.sqlite`, or `NAME-shardIofN-wK.sqlite` for a shard: names differ between shards,
    /// so array tasks can share one directory.
    public var prefix: String {
        let safe = String(sweep.name.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" })
        return shard.map { "\(safe)-shard\($0.index + 1)of\($0.count)" } ?? safe
    }

    public func workerFile(_ worker: Int) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("\(prefix)-w\(worker).sqlite").path
    }

    /// This sweep's (or shard's) worker files already in the directory, by name. Other shards'
    /// files are not opened: on a cluster they may be written by another machine right now.
    public func existingFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { name in
            guard name.hasPrefix(prefix + "-w"), name.hasSuffix(".sqlite") else { return false }
            return Int(name.dropFirst(prefix.count + 2).dropLast(7)) != nil
        }.sorted().map { URL(fileURLWithPath: directory).appendingPathComponent($0).path }
    }

    /// Runs already finished (`complete` or `failed`) in this sweep's files, by run key: a rerun
    /// skips them. Interrupted or killed runs are not in `sweep_points` and run again.
    public func finishedRuns() throws -> [String: SweepPoints.Row] {
        var done: [String: SweepPoints.Row] = [:]
        for file in existingFiles() {
            let db = try DatabaseQueue(path: file)
            for row in try SweepPoints.rows(db) where row.sweep == sweep.name && (row.status == "complete" || row.status == "failed") {
                done[row.runKey] = row
            }
        }
        return done
    }
}
