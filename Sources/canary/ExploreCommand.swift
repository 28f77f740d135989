import ArgumentParser
import Foundation
import CanaryEngine
import CanaryScenario
import CanaryExplore

/// Options shared by `canary explore` and `canary shrink`: which invariants, which bounds.
struct InvariantOptions: ParsableArguments {
    @Option(help: "Liveness bound: finality must resume within this after the last fault (default 3m).")
    var recovery: String = "3m"

    @Option(help: "Also require finality to trail the best block by at most this many blocks (a strict, optional invariant).")
    var maxFinalityLag: UInt32?

    func explorer() throws -> Explorer {
        var e = Explorer()
        guard let r = SimTime(parsing: recovery), r > .zero, r <= Limits.runDurationValue else {
            throw CLIError.badInput("--recovery: expected a duration such as 3m, found '\(recovery)'")
        }
        e.recovery = r
        e.maxFinalityLag = maxFinalityLag
        return e
    }

    /// The flags that reproduce these options, for reproducer headers.
    var flags: String {
        (recovery != "3m" ? " --recovery \(recovery)" : "") + (maxFinalityLag.map { " --max-finality-lag \($0)" } ?? "")
    }
}

/// Reads a scenario as an explore case, reporting bad input as exit code 2.
func loadCase(_ path: String) throws -> ExploreCase {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        throw CLIError.badInput("\(path): cannot read the file (does it exist, and is it readable?)")
    }
    do { return try ExploreCase.load(text: text, file: path).0 } catch let e as ScenarioError {
        FileHandle.standardError.write(Data((e.description + "\n").utf8))
        throw ExitCode(2)
    }
}

func writeCase(_ c: ExploreCase, to path: String, header: [String]) throws {
    do { try c.yaml(header: header).write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw CLIError.badInput("cannot write \(path): \(error.localizedDescription)")
    }
}

/// `canary explore`: random fault schedules on top of a scenario, invariants checked.
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Run a scenario under random fault schedules, one per seed, and check invariants.",
        discussion: """
        For each seed, draws faults from the seed (crashes and restarts, partitions and heals with \
        bridges, loss and latency spikes, clock-skewed and slow nodes, Byzantine GRANDPA roles \
        below a third of the voters) on top of the scenario, runs \
        it and checks: no two honest nodes finalize conflicting blocks (grandpa.safety), and \
        finality resumes within --recovery after the last fault while more than 2/3 are honest and \
        up (grandpa.liveness); with a staking: section also issuance conservation every era \
        (staking.issuance-conservation) and the same runtime state for the same block \
        (runtime.same-state). A failing seed writes a standalone scenario that reproduces it \
        (--out); --shrink also writes a minimal one. --replay runs a file as written. \
        Needs consensus.mode full with GRANDPA. See docs/reliability.md.

        Exit codes: 0 every invariant held, 1 a violation, 2 bad input.
        """
    )

    @Argument(help: "The base scenario (or, with --replay, the file to check).")
    var scenario: String

    @Option(help: "Number of seeds to explore.")
    var seeds: Int = 20

    @Option(help: "First seed.")
    var firstSeed: UInt64 = 1

    @Option(help: "Fault intensity: light or heavy.")
    var faults: String = "light"

    @Option(help: "Override the base scenario's duration (faults are drawn to end --recovery before it).")
    var duration: String?

    @Option(help: "Directory for reproducer files.")
    var out: String = "."

    @Flag(help: "Shrink every failing case to a minimal reproducer.")
    var shrink = false

    @Flag(help: "Run the file as written (no faults drawn) and check the invariants.")
    var replay = false

    @Flag(help: "Print each seed's run digest (what the run did: blocks, finality, traffic).")
    var printDigests = false

    @Flag(help: "Run the seeds in two separate child processes (and in --compare-with) and check that every seed's run digest is identical.")
    var checkDeterminism = false

    @Option(help: "With --check-determinism: another canary executable (e.g. a release build) whose digests must match too.")
    var compareWith: String?

    @OptionGroup var invariants: InvariantOptions

    func run() throws {
        let explorer = try invariants.explorer()
        var base = try loadCase(scenario)
        if checkDeterminism { return try DeterminismCheck(command: self).run() }
        if replay {
            let outcome = explorer.run(base, file: scenario)
            if let bad = outcome.invalid { throw CLIError.badInput(bad) }
            if outcome.violations.isEmpty {
                print("\(scenario): every invariant held (\(outcome.events) events)")
                return
            }
            for v in outcome.violations { print("\(scenario): \(v)") }
            throw ExitCode(1)
        }
        guard let intensity = FaultIntensity(rawValue: faults) else {
            throw CLIError.badInput("--faults: expected light or heavy, found '\(faults)'")
        }
        guard seeds >= 1 && seeds <= 1_000_000 else { throw CLIError.badInput("--seeds: expected 1 to 1000000, found \(seeds)") }
        if let d = duration {
            guard let t = SimTime(parsing: d), t > .zero, t <= Limits.runDurationValue else {
                throw CLIError.badInput("--duration: expected a duration such as 10m, found '\(d)'")
            }
            base.duration = t
            let keep = base.events.indices.filter { base.events[$0].at <= t }
            base.events = keep.map { base.events[$0] }; base.units = keep.map { base.units[$0] }
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: out, isDirectory: &isDir), isDir.boolValue else {
            throw CLIError.badInput("--out: \(out) is not a directory")
        }
        var failures = 0
        var totalEvents: UInt64 = 0
        let (lastSeed, overflow) = firstSeed.addingReportingOverflow(UInt64(seeds - 1))
        guard !overflow else { throw CLIError.badInput("--first-seed + --seeds exceeds 2^64") }
        for seed in firstSeed...lastSeed {
            // One line per seed as it finishes, even into a file or pipe: if Canary itself traps,
            // the output so far names the seeds that completed.
            fflush(nil)
            let c = FaultPlan.draw(base: base, seed: seed, intensity: intensity, recovery: explorer.recovery)
            // The case is written before it runs and removed when it passes: should Canary itself
            // trap on it, the file that reproduces the trap is left behind.
            let path = (out as NSString).appendingPathComponent("\(base.name)-seed\(seed).yaml")
            try writeCase(c, to: path, header: [
                "Written by canary explore \(scenario) (seed \(seed), --faults \(faults)) before running it; removed when it passes.",
                "If this file is left without a result line for the seed, Canary itself crashed on it.",
                "Replay: canary explore \(path) --replay\(invariants.flags)",
            ])
            let outcome = explorer.run(c)
            totalEvents += outcome.events
            let size = c.size
            if let bad = outcome.invalid {
                // A drawn case that does not decode is a bug in the fault plan: report it loudly.
                print("seed \(seed): INVALID CASE: \(bad)")
                failures += 1
                continue
            }
            guard let first = outcome.violations.first else {
                print("seed \(seed): ok (\(size.events) fault events, \(size.byzantine) byzantine, \(outcome.events) sim events)"
                      + (printDigests ? " digest \(outcome.digest)" : ""))
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            failures += 1
            try writeCase(c, to: path, header: [
                "Reproducer written by canary explore \(scenario) (seed \(seed), --faults \(faults)).",
                "\(first)",
                "Replay: canary explore \(path) --replay\(invariants.flags)",
            ])
            print("seed \(seed): FAIL \(first)" + (printDigests ? " digest \(outcome.digest)" : ""))
            print("  reproducer: \(path)")
            if shrink {
                var shrinker = Shrinker(explorer: explorer)
                if let r = shrinker.shrink(c, invariant: first.invariant) {
                    let minPath = (out as NSString).appendingPathComponent("\(base.name)-seed\(seed)-min.yaml")
                    try writeCase(r.minimal, to: minPath, header: [
                        "Minimal reproducer (canary explore --shrink, \(r.runs) runs, \(r.steps.count) steps) of seed \(seed) of \(scenario).",
                        "\(r.violation)",
                        "Replay: canary explore \(minPath) --replay\(invariants.flags)",
                    ])
                    print("  shrunk in \(r.runs) runs: \(r.minimal.validators) validators, \(r.minimal.duration), \(r.minimal.size.events) fault events, \(r.minimal.size.byzantine) byzantine")
                    print("  minimal reproducer: \(minPath)")
                }
            }
        }
        print("\(seeds) seeds, \(failures) failed (\(totalEvents) simulated events); invariants: \(explorer.invariantNames(for: base).joined(separator: ", "))")
        if failures > 0 { throw ExitCode(1) }
    }
}

/// `canary shrink`: a failing scenario reduced to a minimal one that fails the same way.
struct ShrinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shrink",
        abstract: "Reduce a scenario that violates an invariant to a minimal reproducer.",
        discussion: """
        Runs FILE with the invariant checkers of `canary explore` (pass the same options), then \
        repeatedly drops fault units, Byzantine nodes, crashed nodes, validators and simulated \
        time while the same invariant still fails, and writes the smallest case found.

        Exit codes: 0 written, 1 the file does not violate any invariant, 2 bad input.
        """
    )

    @Argument(help: "A failing scenario, e.g. a reproducer written by canary explore.")
    var file: String

    @Option(help: "Output file (default: FILE with -min before .yaml).")
    var out: String?

    @Option(help: "Most candidate runs to try.")
    var maxRuns: Int = 200

    @OptionGroup var invariants: InvariantOptions

    func run() throws {
        let explorer = try invariants.explorer()
        let c = try loadCase(file)
        let outcome = explorer.run(c, file: file)
        if let bad = outcome.invalid { throw CLIError.badInput(bad) }
        guard let first = outcome.violations.first else {
            print("\(file): every invariant held; nothing to shrink")
            throw ExitCode(1)
        }
        print("\(file): \(first)")
        var shrinker = Shrinker(explorer: explorer)
        shrinker.maxRuns = maxRuns
        shrinker.onStep = { what, _ in print("  \(what)") }
        guard let r = shrinker.shrink(c, invariant: first.invariant) else { throw ExitCode(1) }
        let path = out ?? (file.hasSuffix(".yaml") ? String(file.dropLast(5)) + "-min.yaml" : file + "-min.yaml")
        try writeCase(r.minimal, to: path, header: [
            "Minimal reproducer (canary shrink, \(r.runs) runs) of \(file).",
            "\(r.violation)",
            "Replay: canary explore \(path) --replay\(invariants.flags)",
        ])
        print("shrunk in \(r.runs) runs: \(r.minimal.validators) validators, \(r.minimal.duration), \(r.minimal.size.events) fault events, \(r.minimal.size.byzantine) byzantine")
        print("minimal reproducer: \(path)")
    }
}
