import ArgumentParser
import Foundation
import CanaryScenario
import CanarySweep

/// `canary sweep`: a grid of scenario variants × seeds, on local worker processes, or one
/// shard of it as a task of a Slurm or Kubernetes array job. Reference: docs/sweeps.md.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a parameter sweep (grid × seeds) on local workers, or one shard of it on a cluster.",
        discussion: """
        Every run goes into DIR, one SQLite file per worker (NAME-wK.sqlite; for a shard
        NAME-shardIofN-wK.sqlite), so workers never wait for each other. Rerunning the same
        command skips runs already finished (complete or failed) and redoes interrupted ones.
        Merge the files with `canary merge OUT.sqlite DIR/*.sqlite`.

        Shards: `--shard I/N` runs every run whose position in the sweep is I-1 modulo N. Without
        --shard, a Slurm array task takes I and N from SLURM_ARRAY_TASK_ID (less
        SLURM_ARRAY_TASK_MIN) and SLURM_ARRAY_TASK_COUNT; a Kubernetes Indexed Job takes I from
        JOB_COMPLETION_INDEX and N from --shards.

        Progress (done/total, failures, ETA) goes to stderr: one self-overwriting line on a
        terminal, a line per finished run otherwise (cluster logs). At the end a table per point
        (seeds finished, failed, key metrics' mean and min–max) goes to stdout.

        Exit codes: 0 every run of this sweep (or shard) finished with its expectations met,
        1 a run failed or could not finish, 2 bad input, 130 interrupted (finished runs are
        kept; rerun to continue).
        """
    )

    @Argument(help: "The sweep file (YAML; `canary schema --sweep` gives its format).")
    var sweep: String

    @Option(help: "Worker processes (default: SLURM_CPUS_PER_TASK, or the number of cores).")
    var jobs: Int?

    @Option(help: "Directory for the results (created if missing; one SQLite file per worker).")
    var db: String = "sweep-results"

    @Option(help: "Run only shard I of N (1-based), e.g. 2/8.")
    var shard: String?

    @Option(help: "Number of shards when the index comes from JOB_COMPLETION_INDEX (a Kubernetes Indexed Job's completions).")
    var shards: Int?

    @Flag(help: "List the runs (with their shard) and exit without running anything.")
    var list = false

    @Option(help: .hidden)
    var worker: Int?

    func run() throws {
        do { try sweepMain() } catch let e as CLIError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(2)
        }
    }

    func sweepMain() throws {
        let sweep: Sweep
        do { sweep = try SweepDecoder.load(path: self.sweep) } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(2)
        }
        let (shard, origin) = try resolveShard(ProcessInfo.processInfo.environment)
        let selected = sweep.runs.filter { shard?.contains($0) ?? true }
        let layout = SweepLayout(directory: db, sweep: sweep, shard: shard)

        if let worker { return try runWorker(sweep, layout: layout, worker: worker) }
        if list { return printList(sweep, shard: shard) }

        do { try FileManager.default.createDirectory(atPath: db, withIntermediateDirectories: true) } catch {
            throw CLIError.badInput("cannot create the results directory \(db): \(error.localizedDescription)")
        }
        // One `canary sweep` per sweep (or shard) and directory at a time: a second one would
        // write the same worker files.
        let lockPath = URL(fileURLWithPath: db).appendingPathComponent("\(layout.prefix).lock").path
        let lock = open(lockPath, O_CREAT | O_RDWR, 0o644)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            throw CLIError.badInput("another canary sweep is running \(shard.map { "shard \($0) of " } ?? "")\(sweep.name) in \(db) (\(lockPath) is locked); wait for it or use another --db")
        }
        defer { close(lock) }
        let finished: [String: SweepPoints.Row]
        do { finished = try layout.finishedRuns() } catch {
            throw CLIError.badInput("cannot read the results already in \(db): \(error)")
        }
        let todo = selected.filter { finished[$0.key] == nil }
        let env = ProcessInfo.processInfo.environment
        let jobs = max(1, min(self.jobs ?? env["SLURM_CPUS_PER_TASK"].flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount,
                              max(todo.count, 1)))
        if let j = self.jobs, j < 1 { throw CLIError.badInput("--jobs must be at least 1") }

        let seedText = sweep.seeds.count == 1 ? "1 seed" : "\(sweep.seeds.count) seeds"
        var header = "sweep \(sweep.name): \(sweep.points.count) points × \(seedText) = \(sweep.runs.count) runs"
        if let shard { header += "; shard \(shard)\(origin.map { " (\($0))" } ?? ""): \(selected.count) runs" }
        header += "; \(selected.count - todo.count) already finished in \(db), \(todo.count) to run"
        if !todo.isEmpty { header += " on \(jobs) worker\(jobs == 1 ? "" : "s")" }
        FileHandle.standardError.write(Data((header + "\n").utf8))

        Interrupt.install()
        let progress = SweepProgress(total: selected.count, alreadyDone: selected.count - todo.count,
                                     alreadyFailed: selected.filter { finished[$0.key]?.status == "failed" }.count,
                                     terminal: isatty(2) != 0)
        let results: [SweepRunResult]
        if jobs == 1 {
            results = try runInProcess(sweep, layout: layout, todo: todo, progress: progress)
        } else {
            results = try runWorkers(layout: layout, todo: todo, jobs: jobs, shard: shard, progress: progress)
        }
        progress.finish()

        // The table over everything this sweep (or shard) has in DIR, including earlier runs.
        let rows = try layout.existingFiles().flatMap { try SweepPoints.rows(file: $0) }
        let keys = Set(selected.map(\.key))
        print(SweepSummary.table(rows.filter { $0.sweep == sweep.name && keys.contains($0.runKey) },
                                 metrics: sweep.metrics, seedsPerPoint: sweep.seeds.count), terminator: "")
        let files = layout.existingFiles()
        print("\nresults: \(files.count) file\(files.count == 1 ? "" : "s") in \(db) (\(layout.prefix)-w*.sqlite); merge with: canary merge OUT.sqlite \(db)/*.sqlite")

        if Interrupt.requested {
            FileHandle.standardError.write(Data("interrupted: finished runs are kept in \(db); rerun the same command to continue\n".utf8))
            throw ExitCode(130)
        }
        // Runs never handed out (every worker died) count as not finished.
        let bad = results.filter { $0.status != "complete" }.count + progress.alreadyFailed + (todo.count - results.count)
        if bad > 0 {
            FileHandle.standardError.write(Data("\(bad) run\(bad == 1 ? "" : "s") failed or did not finish\n".utf8))
            throw ExitCode(1)
        }
    }

    // MARK: - Shards

    /// The shard from --shard, or from the array-job environment. The environment is read here,
    /// in CLI code; the simulation never sees it.
    func resolveShard(_ env: [String: String]) throws -> (Shard?, String?) {
        if let s = shard {
            guard let parsed = Shard(parsing: s) else {
                throw CLIError.badInput("--shard: expected I/N with 1 ≤ I ≤ N, e.g. 2/8, found '\(s)'")
            }
            if let n = shards, n != parsed.count { throw CLIError.badInput("--shards \(n) disagrees with --shard \(s)") }
            return (parsed, nil)
        }
        if let idText = env["SLURM_ARRAY_TASK_ID"] {
            guard let id = Int(idText), let count = env["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) ?? shards, count >= 1 else {
                throw CLIError.badInput("SLURM_ARRAY_TASK_ID=\(idText) is set but SLURM_ARRAY_TASK_COUNT is missing or not a number; pass --shard I/N")
            }
            let minId = env["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            let step = max(1, env["SLURM_ARRAY_TASK_STEP"].flatMap(Int.init) ?? 1)
            let index = (id - minId) / step
            guard index >= 0, index < count, (id - minId) % step == 0 else {
                throw CLIError.badInput("SLURM_ARRAY_TASK_ID=\(id) (min \(minId), step \(step)) is not one of \(count) array tasks; submit with --array=0-\(count - 1) or pass --shard I/N")
            }
            return (Shard(index: index, count: count), "SLURM_ARRAY_TASK_ID=\(id) of SLURM_ARRAY_TASK_COUNT=\(count)")
        }
        if let idText = env["JOB_COMPLETION_INDEX"] {
            guard let id = Int(idText), id >= 0 else { throw CLIError.badInput("JOB_COMPLETION_INDEX=\(idText) is not a number") }
            guard let count = shards else {
                throw CLIError.badInput("JOB_COMPLETION_INDEX=\(id) is set: pass --shards N with the Job's completions (or --shard I/N)")
            }
            guard id < count else { throw CLIError.badInput("JOB_COMPLETION_INDEX=\(id) is not below --shards \(count)") }
            return (Shard(index: id, count: count), "JOB_COMPLETION_INDEX=\(id) of --shards \(count)")
        }
        if let n = shards { throw CLIError.badInput("--shards \(n) needs JOB_COMPLETION_INDEX in the environment, or use --shard I/N") }
        return (nil, nil)
    }

    func printList(_ sweep: Sweep, shard: Shard?) {
        print("run  shard  seed  point")
        for r in sweep.runs where shard?.contains(r) ?? true {
            let s = shard.map { "\(r.shard(of: $0.count) + 1)/\($0.count)" } ?? "-"
            print("\(String(r.index).padding(toLength: 3, withPad: " ", startingAt: 0))  \(s.padding(toLength: 5, withPad: " ", startingAt: 0))  \(String(r.seed).padding(toLength: 4, withPad: " ", startingAt: 0))  \(sweep.points[r.point].label)")
        }
    }

    // MARK: - Running

    func runInProcess(_ sweep: Sweep, layout: SweepLayout, todo: [SweepRun], progress: SweepProgress) throws -> [SweepRunResult] {
        guard !todo.isEmpty else { return [] }
        let worker: SweepWorker
        do { worker = try SweepWorker(sweep: sweep, path: layout.workerFile(0), build: .current) } catch {
            throw CLIError.badInput("cannot open \(layout.workerFile(0)): \(error)")
        }
        let clock = WallClock()
        var out: [SweepRunResult] = []
        for run in todo where !Interrupt.requested {
            let r = try worker.run(run.index, wallClock: { clock.seconds }, shouldStop: { Interrupt.requested }) // wall-clock ok: speed only
            out.append(r)
            progress.record(r, label: "\(sweep.points[run.point].label) seed \(run.seed)")
        }
        try? worker.checkpoint()
        return out
    }

    /// J child processes (`canary sweep … --worker K`), each fed run indices on stdin one at a
    /// time (so a slow point does not hold up the others) and answering with a result line.
    func runWorkers(layout: SweepLayout, todo: [SweepRun], jobs: Int, shard: Shard?, progress: SweepProgress) throws -> [SweepRunResult] {
        let queue = WorkQueue(todo.map(\.index))
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        var children: [WorkerProcess] = []
        for k in 0..<jobs {
            var args = ["sweep", sweep, "--db", db, "--worker", String(k)]
            if let shard { args += ["--shard", shard.description] }
            do { children.append(try WorkerProcess(executable: executable, arguments: args)) } catch {
                throw CLIError.badInput("cannot start a worker process (\(executable)): \(error)")
            }
        }
        let group = DispatchGroup()
        let labels = layout.sweep.runs.map { "\(layout.sweep.points[$0.point].label) seed \($0.seed)" }
        for child in children {
            DispatchQueue.global().async(group: group) {
                while !Interrupt.requested, let index = queue.next() {
                    guard let r = child.run(index) else {
                        progress.record(SweepRunResult(index: index, runId: 0, status: "error", digest: nil, wallSeconds: 0),
                                        label: labels[index] + " (worker \(child.pid) exited)")
                        break
                    }
                    progress.record(r, label: labels[index])
                }
                child.close()
            }
        }
        var forwarded = false
        while group.wait(timeout: .now() + 0.25) == .timedOut {
            if Interrupt.requested && !forwarded {
                forwarded = true
                for c in children { c.interrupt() }
            }
            progress.redraw()
        }
        return progress.results
    }

    /// Worker mode: read run indices from stdin, run each into this worker's file, answer on stdout.
    func runWorker(_ sweep: Sweep, layout: SweepLayout, worker k: Int) throws {
        Interrupt.install()
        let worker = try SweepWorker(sweep: sweep, path: layout.workerFile(k), build: .current)
        let clock = WallClock()
        while let line = readLine(), let index = Int(line), index >= 0, index < sweep.runs.count {
            let result: SweepRunResult
            do {
                result = try worker.run(index, wallClock: { clock.seconds }, shouldStop: { Interrupt.requested }) // wall-clock ok: speed only
            } catch {
                FileHandle.standardError.write(Data("run \(index): \(error)\n".utf8))
                result = SweepRunResult(index: index, runId: 0, status: "error", digest: nil, wallSeconds: 0)
            }
            FileHandle.standardOutput.write(Data((result.line + "\n").utf8))  // unbuffered: the coordinator waits for it
            if Interrupt.requested { break }
        }
        try? worker.checkpoint()
    }
}

/// Run indices handed out one at a time to worker threads.
final class WorkQueue: @unchecked Sendable {
    private var items: [Int]
    private var next_ = 0
    private let lock = NSLock()
    init(_ items: [Int]) { self.items = items }
    func next() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next_ < items.count else { return nil }
        next_ += 1
        return items[next_ - 1]
    }
}

/// A `canary sweep --worker K` child: run indices in on stdin, result lines out on stdout;
/// its stderr is the parent's, so its errors reach the user.
final class WorkerProcess: @unchecked Sendable {
    let process = Process()
    let input = Pipe(), output = Pipe()
    private var buffer = Data()

    init(executable: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Sends one run and waits for its result line; nil when the worker died.
    func run(_ index: Int) -> SweepRunResult? {
        do { try input.fileHandleForWriting.write(contentsOf: Data("\(index)\n".utf8)) } catch { return nil }
        while true {
            if let nl = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                if let r = SweepRunResult(line: line) { return r }
                continue
            }
            let more = output.fileHandleForReading.availableData
            if more.isEmpty { return nil }
            buffer.append(more)
        }
    }

    func interrupt() { if process.isRunning { kill(process.processIdentifier, SIGINT) } }

    func close() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// done/total, failures and ETA on stderr.
final class SweepProgress: @unchecked Sendable {
    let total: Int
    let alreadyDone: Int
    let alreadyFailed: Int
    let terminal: Bool
    let clock = WallClock()
    private let lock = NSLock()
    private(set) var results: [SweepRunResult] = []
    private var drawn = false

    init(total: Int, alreadyDone: Int, alreadyFailed: Int, terminal: Bool) {
        self.total = total; self.alreadyDone = alreadyDone; self.alreadyFailed = alreadyFailed; self.terminal = terminal
    }

    func record(_ r: SweepRunResult, label: String) {
        lock.lock(); defer { lock.unlock() }
        results.append(r)
        if r.status != "complete" || !terminal {
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let what = r.status == "complete" ? "done" : r.status.uppercased()
            FileHandle.standardError.write(Data("  \(statusLine())  \(what): \(label)\(r.runId > 0 ? " (run \(r.runId), \(String(format: "%.1f", r.wallSeconds)) s)" : "")\n".utf8))
            drawn = false
        }
        if terminal { draw() }
    }

    func redraw() {
        lock.lock(); defer { lock.unlock() }
        if terminal { draw() }
    }

    private func draw() {
        let done = alreadyDone + results.filter { $0.status != "incomplete" }.count
        let filled = total > 0 ? done * 24 / total : 24
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 24 - filled)
        FileHandle.standardError.write(Data(("\r  " + bar + " " + statusLine() + "\u{1B}[K").utf8))
        drawn = true
    }

    private func statusLine() -> String {
        // Interrupted runs are neither done nor failed: a rerun does them again.
        let interrupted = results.filter { $0.status == "incomplete" }.count
        let done = alreadyDone + results.count - interrupted
        let failed = alreadyFailed + results.filter { $0.status == "failed" || $0.status == "error" }.count
        let elapsed = clock.seconds // wall-clock ok: progress display only
        var s = "[\(done)/\(total)] \(total > 0 ? done * 100 / total : 100)%"
        if failed > 0 { s += ", \(failed) failed" }
        if interrupted > 0 { s += ", \(interrupted) interrupted" }
        s += ", elapsed \(Self.clock(elapsed))"
        if !results.isEmpty && done < total {
            s += ", ETA \(Self.clock(elapsed / Double(results.count) * Double(total - done)))"
        }
        return s
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data(("  " + statusLine() + "\n").utf8))
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s / 60 % 60) : s >= 60 ? String(format: "%dm%02ds", s / 60, s % 60) : "\(s)s"
    }
}
