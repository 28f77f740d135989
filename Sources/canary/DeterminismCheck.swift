import ArgumentParser
import Foundation

/// `canary explore --check-determinism`: the same seeds explored in separate processes (and by
/// another build, `--compare-with`) must give identical run digests, seed by seed.
struct DeterminismCheck {
    let command: ExploreCommand

    /// This executable (the children are started from it).
    static func selfExecutable() -> String {
        if let p = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return p }
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }

    /// The child's arguments: the same exploration, printing digests, reproducers to `out`.
    func arguments(out: String) -> [String] {
        var a = ["explore", command.scenario, "--seeds", String(command.seeds), "--first-seed", String(command.firstSeed),
                 "--faults", command.faults, "--out", out, "--print-digests", "--recovery", command.invariants.recovery]
        if let d = command.duration { a += ["--duration", d] }
        if let l = command.invariants.maxFinalityLag { a += ["--max-finality-lag", String(l)] }
        return a
    }

    /// Starts `executable` with `args`; its stdout is collected by `collect`.
    func start(_ executable: String, _ args: [String]) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { throw CLIError.badInput("cannot start \(executable): \(error.localizedDescription)") }
        return (p, pipe)
    }

    /// Digest per seed from a child's output lines `seed S: ... digest D`.
    static func digests(_ text: String) -> [UInt64: String] {
        var out: [UInt64: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("seed ") {
            let words = line.split(separator: " ")
            guard words.count >= 4, let s = UInt64(words[1].dropLast()), let i = words.lastIndex(of: "digest"), i + 1 < words.count else { continue }
            out[s] = String(words[i + 1])
        }
        return out
    }

    func run() throws {
        guard command.seeds >= 1 && command.seeds <= 1_000_000 else {
            throw CLIError.badInput("--seeds: expected 1 to 1000000, found \(command.seeds)")
        }
        let fm = FileManager.default
        if let other = command.compareWith, !fm.isExecutableFile(atPath: other) {
            throw CLIError.badInput("--compare-with: \(other) is not an executable file")
        }
        let dir = fm.temporaryDirectory.appendingPathComponent("canary-determinism-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let me = Self.selfExecutable()
        var runs: [(label: String, executable: String)] = [("process 1", me), ("process 2", me)]
        if let other = command.compareWith { runs.append(("\(other)", other)) }
        print("exploring seeds \(command.firstSeed)...\(command.firstSeed + UInt64(command.seeds - 1)) of \(command.scenario) in \(runs.count) separate processes")
        // The two processes of this build run at once; the other build after them.
        var results: [[UInt64: String]] = []
        var i = 0
        while i < runs.count {
            let batch = Array(runs[i..<min(i + 2, runs.count)])
            let started = try batch.enumerated().map { (k, r) in
                let out = dir.appendingPathComponent("\(i + k)").path
                try? fm.createDirectory(atPath: out, withIntermediateDirectories: true)
                return try start(r.executable, arguments(out: out))
            }
            for (k, (p, pipe)) in started.enumerated() {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                let got = Self.digests(String(decoding: data, as: UTF8.self))
                guard got.count == command.seeds else {
                    throw CLIError.badInput("\(batch[k].label): printed \(got.count) of \(command.seeds) digests (exit \(p.terminationStatus))")
                }
                results.append(got)
            }
            i += batch.count
        }
        var mismatches = 0
        for seed in results[0].keys.sorted() {
            let values = results.map { $0[seed] ?? "missing" }
            if Set(values).count != 1 {
                mismatches += 1
                print("seed \(seed): DIFFERENT digests: " + zip(runs, values).map { "\($0.label) \($1.prefix(16))" }.joined(separator: ", "))
            }
        }
        let labels = runs.map(\.label).joined(separator: ", ")
        if mismatches == 0 {
            print("\(command.seeds) seeds: every run digest identical across \(labels)")
        } else {
            print("\(command.seeds) seeds: \(mismatches) with different digests across \(labels)")
            throw ExitCode(1)
        }
    }
}
