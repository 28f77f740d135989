import ArgumentParser
import Foundation
import CanaryScenario
import CanaryReport

/// `canary check`: runs a suite of scenarios in parallel processes (each a `canary run`),
/// prints a table, writes JUnit XML for CI, exits 0 only when every expectation holds.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run a suite of scenarios in parallel and report pass/fail (for CI).",
        discussion: """
        Each argument is a scenario file or a directory; directories contribute their *.yaml and \
        *.yml files (subdirectories included), in path order. Every file is validated before \
        anything runs. Each scenario then runs as its own `canary run` process, --jobs at a time, \
        into its own database under --db (one file per scenario, named after its path).

        Prints one row per scenario (result, expectations held, simulated and wall time) and, for \
        each failure, the failing expectations with their observed values. --junit writes JUnit \
        XML (one testcase per scenario, each expectation as a property and in system-out, \
        failures with their observed values) for GitHub Actions, GitLab and Jenkins.

        Exit codes: 0 every expectation of every scenario holds; 1 an expectation failed or a \
        run did not finish; 2 bad input (a missing or invalid scenario file: nothing is run); \
        130 interrupted.
        """
    )

    @Argument(help: "Scenario files or directories of them.")
    var paths: [String]

    @Option(help: "Scenarios run at the same time (default: the number of processors).")
    var jobs: Int?

    @Option(help: "Write JUnit XML results to this file.")
    var junit: String?

    @Option(help: "Directory for the result databases, kept after the run (default: a temporary directory, removed at the end).")
    var db: String?

    func run() throws {
        let files = try collectFiles()
        // Validate everything first: a typo in one file should not cost a whole suite's time.
        var scenarios: [(file: String, scenario: Scenario)] = []
        var invalid = 0
        for f in files {
            do { scenarios.append((f, try ScenarioDecoder.load(path: f))) } catch {
                invalid += 1
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
            }
        }
        if invalid > 0 {
            FileHandle.standardError.write(Data("canary check: \(invalid) invalid scenario file\(invalid == 1 ? "" : "s"); nothing was run\n".utf8))
            throw ExitCode(2)
        }
        let jobs = max(1, self.jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        if let j = self.jobs, j < 1 { throw badInput("check", "--jobs must be at least 1, got \(j)") }

        let fm = FileManager.default
        let dir: URL
        let keep = db != nil
        if let db {
            dir = URL(fileURLWithPath: db)
            do { try fm.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
                throw badInput("check", "--db \(db): cannot create the directory (\(error.localizedDescription))")
            }
        } else {
            dir = fm.temporaryDirectory.appendingPathComponent("canary-check-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        defer { if !keep { try? fm.removeItem(at: dir) } }

        Interrupt.install()
        let clock = WallClock()
        let runner = SuiteRunner(executable: selfExecutable(), directory: dir, jobs: jobs)
        FileHandle.standardError.write(Data("canary check: \(scenarios.count) scenario\(scenarios.count == 1 ? "" : "s"), \(jobs) at a time\n".utf8))
        var cases = runner.run(scenarios.map { ($0.file, $0.scenario.name) })
        if !keep { for i in cases.indices { cases[i].database = nil } }
        let wall = clock.seconds // wall-clock ok: reporting only

        printTable(cases, wall: wall, jobs: jobs, keptIn: keep ? dir.path : nil)
        if let junit {
            let xml = JUnit.xml(suite: paths.joined(separator: " "), cases: cases, seconds: wall)
            do { try Data(xml.utf8).write(to: URL(fileURLWithPath: junit)) } catch {
                throw badInput("check", "--junit \(junit): cannot write (\(error.localizedDescription))")
            }
        }
        if Interrupt.requested { throw ExitCode(130) }
        if cases.contains(where: { $0.outcome != .passed }) { throw ExitCode(1) }
    }

    /// Scenario files named by the arguments, each directory's files in path order.
    func collectFiles() throws -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { throw badInput("check", "\(p): no such file or directory") }
            if !isDir.boolValue { out.append(p); continue }
            guard let walker = fm.enumerator(atPath: p) else { throw badInput("check", "\(p): cannot list the directory") }
            var found: [String] = []
            while let rel = walker.nextObject() as? String {
                if rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") { found.append((p as NSString).appendingPathComponent(rel)) }
            }
            if found.isEmpty { throw badInput("check", "\(p): no scenario files (*.yaml, *.yml) in the directory") }
            out += found.sorted()
        }
        return out
    }

    func printTable(_ cases: [SuiteCase], wall: Double, jobs: Int, keptIn: String?) {
        let width = max(8, cases.map(\.scenario.count).max() ?? 0)
        func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
        print(pad("scenario", width) + "  result  expectations  simulated  wall")
        for c in cases {
            let held = "\(c.expectations.filter(\.passed).count)/\(c.expectations.count)"
            let result = c.outcome == .passed ? "pass" : (c.outcome == .failed ? "FAIL" : "ERROR")
            print(pad(c.scenario, width) + "  " + pad(result, 6) + "  " + pad(held, 12) + "  " + pad(c.simulated ?? "-", 9)
                  + "  " + String(format: "%.1f s", c.seconds))
        }
        for c in cases where c.outcome != .passed {
            print("")
            print("\(c.outcome == .failed ? "FAIL" : "ERROR") \(c.scenario) (\(c.file))")
            if let m = c.errorMessage { for line in m.split(separator: "\n").prefix(20) { print("    \(line)") } }
            for e in c.failedExpectations { print("    \(e.text)    observed \(e.observed)") }
        }
        let passed = cases.filter { $0.outcome == .passed }.count
        let failed = cases.filter { $0.outcome == .failed }.count
        let errors = cases.filter { $0.outcome == .error }.count
        print("")
        print("\(cases.count) scenarios: \(passed) passed, \(failed) failed, \(errors) did not finish"
              + String(format: " (%.1f s wall, %d jobs)", wall, jobs) + (keptIn.map { "; databases in \($0)" } ?? ""))
    }

    /// This executable, to start `canary run` children with.
    func selfExecutable() -> URL {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return URL(fileURLWithPath: p) }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }
}

/// Runs scenarios as child processes, `jobs` at a time, and collects their results in the
/// order given (whatever order they finish in).
struct SuiteRunner: Sendable {
    let executable: URL
    let directory: URL
    let jobs: Int

    /// Shared between the worker threads, always under `lock`.
    final class State: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var done = 0
        var results: [SuiteCase?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
    }

    func run(_ items: [(file: String, name: String)]) -> [SuiteCase] {
        let state = State(count: items.count)
        let group = DispatchGroup()
        let stems = uniqueStems(items.map(\.file))
        let me = self
        for _ in 0..<min(jobs, items.count) {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while true {
                    state.lock.lock()
                    let i = state.next
                    state.next += 1
                    state.lock.unlock()
                    if i >= items.count || Interrupt.requested { return }
                    let c = me.runOne(file: items[i].file, name: items[i].name, stem: stems[i])
                    state.lock.lock()
                    state.results[i] = c
                    state.done += 1
                    let line = "[\(state.done)/\(items.count)] \(c.scenario) \(c.outcome == .passed ? "pass" : c.outcome == .failed ? "FAIL" : "ERROR")"
                        + String(format: " (%.1f s)\n", c.seconds)
                    FileHandle.standardError.write(Data(line.utf8))
                    state.lock.unlock()
                }
            }
            thread.start()
        }
        group.wait()
        return state.results.enumerated().map { i, c in
            c ?? SuiteCase(file: items[i].file, scenario: items[i].name, outcome: .error, expectations: [], seconds: 0,
                           errorMessage: "not run: interrupted")
        }
    }

    /// Database names from the files' paths (`Scenarios/regression/babe.yaml` →
    /// `Scenarios_regression_babe`), unique even when two paths flatten alike.
    func uniqueStems(_ files: [String]) -> [String] {
        var seen: [String: Int] = [:]
        return files.map { f in
            var base = (f as NSString).deletingPathExtension
            while base.hasPrefix("./") { base.removeFirst(2) }
            base = String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
            let n = seen[base, default: 0]
            seen[base] = n + 1
            return n == 0 ? base : "\(base)-\(n + 1)"
        }
    }

    func runOne(file: String, name: String, stem: String) -> SuiteCase {
        let dbPath = directory.appendingPathComponent(stem + ".sqlite").path
        let outURL = directory.appendingPathComponent(stem + ".json")
        let errURL = directory.appendingPathComponent(stem + ".stderr")
        let fm = FileManager.default
        // A fresh database per suite run, so run ids and the report are about this run only.
        for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: dbPath + suffix) }
        fm.createFile(atPath: outURL.path, contents: nil)
        fm.createFile(atPath: errURL.path, contents: nil)
        let clock = WallClock()
        let p = Process()
        p.executableURL = executable
        p.arguments = ["run", file, "--db", dbPath, "--json"]
        do {
            let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
            defer { try? out.close(); try? err.close() }
            p.standardOutput = out
            p.standardError = err
            try p.run()
            p.waitUntilExit()
        } catch {
            return SuiteCase(file: file, scenario: name, outcome: .error, expectations: [], seconds: clock.seconds,
                             database: dbPath, errorMessage: "cannot start \(executable.path): \(error)")
        }
        let seconds = clock.seconds // wall-clock ok: reporting only
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        if stderr.isEmpty { try? fm.removeItem(at: errURL) }
        let status = p.terminationStatus
        guard let data = try? Data(contentsOf: outURL),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let exps = obj["expectations"] as? [[String: Any]] else {
            let how = p.terminationReason == .uncaughtSignal ? "killed by signal \(status)" : "exit code \(status)"
            return SuiteCase(file: file, scenario: name, outcome: .error, expectations: [], seconds: seconds, database: dbPath,
                             errorMessage: "canary run \(file): \(how)\n" + stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let expectations = exps.map {
            SuiteCase.ExpectationOutcome(text: $0["expectation"] as? String ?? "?", passed: $0["passed"] as? Bool ?? false,
                                         observed: $0["observed_text"] as? String ?? "no data")
        }
        let runStatus = obj["status"] as? String ?? "?"
        let outcome: SuiteCase.Outcome
        var message: String? = nil
        switch (runStatus, status) {
        case ("complete", 0): outcome = .passed
        case ("failed", 1): outcome = .failed
        default:
            outcome = .error
            message = "canary run \(file): status \(runStatus), exit code \(status)\n" + stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let simulated = (obj["simulated_seconds"] as? Double).map { formatSeconds($0) }
        return SuiteCase(file: file, scenario: name, outcome: outcome, expectations: expectations, seconds: seconds,
                         seed: obj["seed"] as? String, digest: obj["digest"] as? String, database: dbPath,
                         simulated: simulated, errorMessage: message)
    }

    func formatSeconds(_ s: Double) -> String {
        if s >= 86_400, s.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(s / 86_400))d" }
        if s >= 3600, s.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(s / 3600))h" }
        if s >= 60, s.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(s / 60))m" }
        return String(format: "%gs", s)
    }
}
