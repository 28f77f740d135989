import Testing
import Foundation
import CanarySweep

/// `canary sweep` and `canary merge` as a cluster uses them: shards in separate processes
/// that find their index in the array-job environment, merged afterwards.
@Suite(.serialized) struct SweepCLITests {
    static func run(_ args: [String], env: [String: String] = [:], cwd: URL) throws -> CLI.Result {
        let p = Process()
        p.executableURL = CLI.executable
        p.arguments = args
        p.currentDirectoryURL = cwd
        var environment = ProcessInfo.processInfo.environment
        for k in ["SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT", "SLURM_ARRAY_TASK_MIN", "JOB_COMPLETION_INDEX"] {
            environment[k] = nil
        }
        environment.merge(env) { $1 }
        p.environment = environment
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
    }

    static let base = """
        name: tiny
        seed: 3
        duration: 15s
        network: {preset: three-continents, loss: 1%}
        validators: {count: 10}
        """
    static let sweep = """
        name: cli-sweep
        base: base.yaml
        grid:
          network.loss: [0%, 8%]
          validators.count: [5, 9, 12]
        seeds: 2
        expect: ["messages.delivery_ratio > {network.loss * -1}"]
        metrics: [messages.delivery_ratio]
        """

    static func fixture() throws -> URL {
        let dir = CLI.tempDir()
        try base.write(to: dir.appendingPathComponent("base.yaml"), atomically: true, encoding: .utf8)
        try sweep.write(to: dir.appendingPathComponent("sweep.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    /// (id, point, seed, status, digest) of every run of a merged file.
    static func runs(_ cwd: URL, _ db: String) throws -> String {
        try SweepPoints.rows(file: cwd.appendingPathComponent(db).path)
            .map { "\($0.runId) \($0.label) \($0.seed) \($0.status) \($0.digest ?? "-")" }.joined(separator: "\n")
    }

    @Test func threeShardsFromTheSlurmEnvironmentMergeIntoTheUnshardedSweep() throws {
        let dir = try Self.fixture()
        // Unsharded, two worker processes.
        let whole = try Self.run(["sweep", "sweep.yaml", "--jobs", "2", "--db", "whole"], cwd: dir)
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.stderr.contains("6 points × 2 seeds = 12 runs"))
        #expect(whole.stderr.contains("[12/12] 100%"))
        #expect(whole.stdout.contains("network.loss=8%, validators.count=12  2/2"))
        // Three array tasks, as Slurm starts them (ids 1-3 with SLURM_ARRAY_TASK_MIN=1).
        for id in 1...3 {
            let env = ["SLURM_ARRAY_TASK_ID": String(id), "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "1"]
            let shard = try Self.run(["sweep", "sweep.yaml", "--jobs", "1", "--db", "shards"], env: env, cwd: dir)
            #expect(shard.status == 0, "\(shard.stderr)")
            #expect(shard.stderr.contains("shard \(id)/3 (SLURM_ARRAY_TASK_ID=\(id) of SLURM_ARRAY_TASK_COUNT=3): 4 runs"))
        }
        let shardFiles = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("shards").path)
            .filter { $0.hasSuffix(".sqlite") }.sorted().map { "shards/" + $0 }
        #expect(shardFiles == ["shards/cli-sweep-shard1of3-w0.sqlite", "shards/cli-sweep-shard2of3-w0.sqlite", "shards/cli-sweep-shard3of3-w0.sqlite"])
        let wholeFiles = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("whole").path)
            .filter { $0.hasSuffix(".sqlite") }.sorted().map { "whole/" + $0 }
        let m1 = try Self.run(["merge", "whole.sqlite"] + wholeFiles, cwd: dir)
        let m2 = try Self.run(["merge", "sharded.sqlite"] + shardFiles, cwd: dir)
        #expect(m1.status == 0 && m2.status == 0, "\(m1.stderr)\(m2.stderr)")
        #expect(m2.stdout.contains("merged 12 runs (12 from sweeps) from 3 files into sharded.sqlite"))
        #expect(m2.stdout.contains("12 digests verified"))
        let a = try Self.runs(dir, "whole.sqlite"), b = try Self.runs(dir, "sharded.sqlite")
        #expect(a.split(separator: "\n").count == 12)
        #expect(a == b)
        // The sweep's report: one chart per key metric.
        let report = try Self.run(["report", "sharded.sqlite", "--sweep", "cli-sweep", "-o", "report"], cwd: dir)
        #expect(report.status == 0 && report.stdout.contains("sweep cli-sweep, 12 runs, 1 charts"), "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report/sweep-01.svg").path))
        // Rerunning a shard finds its runs done and runs nothing.
        let again = try Self.run(["sweep", "sweep.yaml", "--db", "shards"], env: ["JOB_COMPLETION_INDEX": "0"], cwd: dir)
        #expect(again.status == 2 && again.stderr.contains("pass --shards N"))
        let resumed = try Self.run(["sweep", "sweep.yaml", "--db", "shards", "--shards", "3"], env: ["JOB_COMPLETION_INDEX": "0"], cwd: dir)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("4 already finished in shards, 0 to run"))
        // Merging into an existing file is refused.
        #expect(try Self.run(["merge", "sharded.sqlite"] + shardFiles, cwd: dir).status == 2)
    }

    @Test func aFailedPointMakesTheSweepExitOneAndIsNotRerun() throws {
        let dir = try Self.fixture()
        try Self.sweep.replacingOccurrences(of: "{network.loss * -1}", with: "{network.loss * 12}")
            .write(to: dir.appendingPathComponent("sweep.yaml"), atomically: true, encoding: .utf8)
        // 8% loss × 12 = 96%: fails at loss 8% only.
        let r = try Self.run(["sweep", "sweep.yaml", "--shard", "2/2", "--jobs", "1", "--db", "out"], cwd: dir)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("3 runs failed"))
        #expect(r.stderr.contains("FAILED: network.loss=8%"))
        let again = try Self.run(["sweep", "sweep.yaml", "--shard", "2/2", "--db", "out"], cwd: dir)
        #expect(again.status == 1 && again.stderr.contains("6 already finished in out, 0 to run"))
        // While another process holds the shard's lock, a second sweep of it refuses to start.
        let fd = open(dir.appendingPathComponent("out/cli-sweep-shard2of2.lock").path, O_RDWR)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        let locked = try Self.run(["sweep", "sweep.yaml", "--shard", "2/2", "--db", "out"], cwd: dir)
        #expect(locked.status == 2 && locked.stderr.contains("another canary sweep is running shard 2/2 of cli-sweep"), "\(locked.stderr)")
        close(fd)
        let bad = try Self.run(["sweep", "sweep.yaml", "--shard", "3/2"], cwd: dir)
        #expect(bad.status == 2 && bad.stderr.contains("--shard: expected I/N"))
    }
}
