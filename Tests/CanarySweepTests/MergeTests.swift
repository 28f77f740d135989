import Testing
import Foundation
import GRDB
import CanaryScenario
import CanaryStore
@testable import CanarySweep
import CanaryReport

@Suite struct MergeTests {
    static let sweepText = """
        name: merge-test
        base: base.yaml
        grid:
          network.loss: [0%, 10%]
          validators.count: [6, 10]
        seeds: 2
        set:
          duration: 10s
        metrics: [messages.delivery_ratio]
        """

    /// (label, seed, digest) of every run, in id order, and the ids.
    func runs(_ path: String) throws -> [String] {
        let db = try DatabaseQueue(path: path)
        return try db.read { db in
            try Row.fetchAll(db, sql: "SELECT r.id, p.label, p.seed, r.digest FROM runs r JOIN sweep_points p ON p.run_id = r.id ORDER BY r.id")
                .map { "\($0["id"] as Int64) \($0["label"] as String) seed \($0["seed"] as Int64) \($0["digest"] as String)" }
        }
    }

    @Test func shardsMergeIntoExactlyTheRunsOfOneFile() throws {
        let f = SweepFixture()
        let sweep = try SweepDecoder.load(path: f.write("sweep.yaml", Self.sweepText))
        let dir = f.dir.path
        // Unsharded: every run in one file, in reverse order (the merge renumbers in sweep order).
        let whole = try SweepWorker(sweep: sweep, path: "\(dir)/whole.sqlite")
        for run in sweep.runs.reversed() { #expect(try whole.run(run.index).status == "complete") }
        // Three shards, the last one with two workers.
        var shardFiles: [String] = []
        for i in 0..<3 {
            let layout = SweepLayout(directory: dir, sweep: sweep, shard: Shard(index: i, count: 3))
            let mine = sweep.runs.filter { layout.shard!.contains($0) }
            let workers = try (0..<(i == 2 ? 2 : 1)).map { try SweepWorker(sweep: sweep, path: layout.workerFile($0)) }
            for (k, run) in mine.enumerated() { _ = try workers[k % workers.count].run(run.index) }
            shardFiles += layout.existingFiles()
            #expect(try layout.finishedRuns().count == mine.count)
        }
        #expect(shardFiles.count == 4)
        let a = try ShardMerger.merge(into: "\(dir)/a.sqlite", inputs: ["\(dir)/whole.sqlite"])
        let b = try ShardMerger.merge(into: "\(dir)/b.sqlite", inputs: shardFiles.reversed())
        #expect(a.runs == 8 && b.runs == 8 && b.sweepRuns == 8 && b.digestsVerified == 8)
        #expect(Set(b.tables).isSuperset(of: ["runs", "run_metrics", "distributions", "message_counts", "sweep_points"]))
        let ra = try runs("\(dir)/a.sqlite"), rb = try runs("\(dir)/b.sqlite")
        #expect(ra.count == 8)
        #expect(ra == rb)
        #expect(ra.first!.hasPrefix("1 network.loss=0%, validators.count=6 seed 7 "))
        // Row counts of every table agree too.
        let da = try DatabaseQueue(path: "\(dir)/a.sqlite"), db = try DatabaseQueue(path: "\(dir)/b.sqlite")
        for t in b.tables {
            let ca = try da.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \"\(t)\"") }
            let cb = try db.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \"\(t)\"") }
            #expect(ca == cb, "\(t)")
        }
        // Key metrics are in sweep_points.
        let rows = try SweepPoints.rows(file: "\(dir)/b.sqlite")
        #expect(rows.allSatisfy { ($0.metrics["messages.delivery_ratio"] ?? 0) > 0.8 })
        #expect(rows.first { $0.parameters["network.loss"] == "10%" }!.metrics["messages.delivery_ratio"]! < 0.95)
        let table = SweepSummary.table(rows, metrics: ["messages.delivery_ratio"], seedsPerPoint: 2)
        #expect(table.contains("network.loss=10%, validators.count=10  2/2"))

        // canary report --sweep: the key metric against the numeric parameter, one colour per
        // validator count, each seed a dot.
        let report = try SweepReport(database: RunDatabase(path: "\(dir)/b.sqlite"), sweep: "merge-test")
        #expect(report.points.count == 8 && report.parameters == ["network.loss", "validators.count"])
        #expect(report.charts.map(\.title) == ["messages.delivery_ratio against network.loss"])
        let svg = report.charts[0].svg
        #expect(svg.contains("validators.count=6 (seeds)") && svg.contains("validators.count=10"))
        let plotArea = svg.components(separatedBy: "</g>")[0]  // the legend comes after it
        #expect(plotArea.components(separatedBy: "<circle").count - 1 == 8)
        let html = try report.html()
        #expect(html.contains("<code>network.loss=10%, validators.count=10</code></td><td>2</td><td>0</td>"))
        #expect(try SweepReport(database: RunDatabase(path: "\(dir)/a.sqlite"), sweep: "merge-test").html() == html)
        #expect(throws: (any Error).self) { try SweepReport(database: RunDatabase(path: "\(dir)/b.sqlite"), sweep: "nope") }
    }

    @Test func refusesExistingOutputForeignFilesAndMixedVersions() throws {
        let f = SweepFixture()
        let sweep = try SweepDecoder.load(path: f.write("sweep.yaml", Self.sweepText))
        let dir = f.dir.path
        for (name, index) in [("x", 0), ("y", 1)] {
            _ = try SweepWorker(sweep: sweep, path: "\(dir)/\(name).sqlite").run(index)
        }
        #expect(throws: ShardMerger.MergeError.self) { try ShardMerger.merge(into: "\(dir)/x.sqlite", inputs: ["\(dir)/y.sqlite"]) }
        #expect(throws: ShardMerger.MergeError.self) { try ShardMerger.merge(into: "\(dir)/o1.sqlite", inputs: ["\(dir)/missing.sqlite"]) }
        _ = f.write("text.sqlite", "not a database")
        #expect(throws: ShardMerger.MergeError.self) { try ShardMerger.merge(into: "\(dir)/o2.sqlite", inputs: ["\(dir)/text.sqlite"]) }
        // Two simulator versions (a commit of one build, none of the other: also two builds).
        try DatabaseQueue(path: "\(dir)/x.sqlite").write { try $0.execute(sql: "UPDATE runs SET git_commit = 'abc'") }
        #expect(throws: ShardMerger.MergeError.self) {
            try ShardMerger.merge(into: "\(dir)/o5.sqlite", inputs: ["\(dir)/x.sqlite", "\(dir)/y.sqlite"])
        }
        try DatabaseQueue(path: "\(dir)/x.sqlite").write { try $0.execute(sql: "UPDATE runs SET git_commit = NULL") }
        for (name, version) in [("x", "1.0"), ("y", "1.1")] {
            try DatabaseQueue(path: "\(dir)/\(name).sqlite").write {
                try $0.execute(sql: "UPDATE runs SET simulator_version = ?", arguments: [version])
            }
        }
        do {
            _ = try ShardMerger.merge(into: "\(dir)/o3.sqlite", inputs: ["\(dir)/x.sqlite", "\(dir)/y.sqlite"])
            Issue.record("mixed versions were merged")
        } catch let e as ShardMerger.MergeError {
            #expect(e.description.contains("different Canary builds") && e.description.contains("1.0") && e.description.contains("1.1"))
        }
        try DatabaseQueue(path: "\(dir)/y.sqlite").write { try $0.execute(sql: "UPDATE runs SET simulator_version = '1.0'") }
        let ok = try ShardMerger.merge(into: "\(dir)/o4.sqlite", inputs: ["\(dir)/x.sqlite", "\(dir)/y.sqlite"])
        #expect(ok.runs == 2 && ok.digestsVerified == 2)
    }
}
