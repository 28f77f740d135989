import ArgumentParser
import CanaryNPoS
import Foundation

/// `canary elect SNAPSHOT.json`: runs seq-Phragmén or Phragmms on a snapshot exactly as
/// sp-npos-elections does and prints winners, supports and score (`--json`: the vectors'
/// `expected` object). Exit code 2 on bad input.
struct ElectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "elect",
        abstract: "Run an NPoS election (seq-Phragmén or Phragmms) on a snapshot.",
        discussion: """
        The snapshot is the format of the NPoS conformance vectors \
        (Tests/Fixtures/vectors/npos/*.json) without `expected`; Scenarios/elections/example.json \
        is an example: {"to_elect": N, "algorithm": "seq-phragmen"|"phragmms", "balancing": \
        null|{"iterations": K, "tolerance": "T"}, "accuracy": "perbill", "candidates": [ids], \
        "voters": [{"id", "stake", "targets"}]}. Stakes are integers below 2^64 (numbers or \
        strings). Targets that are not candidates are ignored and duplicate targets count once, \
        as in Substrate. Options override the file. Exit code 2 for a malformed snapshot.
        """
    )

    @Argument(help: "Snapshot JSON file.")
    var snapshot: String

    @Option(help: "seq-phragmen or phragmms (overrides the file).")
    var algorithm: String?

    @Option(name: .customLong("to-elect"), help: "Number of winners (overrides the file).")
    var toElect: Int?

    @Option(name: .customLong("balancing-iterations"), help: "Balancing iterations; 0 disables balancing (overrides the file).")
    var balancingIterations: Int?

    @Option(help: "Balancing tolerance, an integer (overrides the file).")
    var tolerance: String?

    @Flag(help: "Print one JSON object with the fields of the vectors' `expected`.")
    var json = false

    func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("canary elect: \(message)\n".utf8))
        return ExitCode(2)
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: snapshot) else {
            throw fail("\(snapshot): cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw fail("\(snapshot): not UTF-8 text")
        }
        var snap: ElectionSnapshot
        do {
            snap = try ElectionSnapshot.decode(json: text)
        } catch {
            throw fail("\(snapshot): \(error.description)")
        }
        if let algorithm {
            guard let a = ElectionAlgorithm(rawValue: algorithm) else {
                throw fail("--algorithm must be seq-phragmen or phragmms, got \"\(algorithm)\"")
            }
            snap.algorithm = a
        }
        if let toElect {
            guard toElect > 0 else { throw fail("--to-elect must be at least 1, got \(toElect)") }
            snap.toElect = toElect
        }
        guard snap.toElect != nil else {
            throw fail("\(snapshot): to_elect: missing (set it in the file or with --to-elect)")
        }
        var tol: UInt128?
        if let tolerance {
            guard !tolerance.isEmpty, tolerance.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let t = UInt128(tolerance) else {
                throw fail("--tolerance must be a non-negative integer below 2^128, got \"\(tolerance)\"")
            }
            tol = t
        }
        if let balancingIterations {
            guard balancingIterations >= 0 else { throw fail("--balancing-iterations must be >= 0, got \(balancingIterations)") }
            snap.balancing = balancingIterations == 0
                ? nil
                : BalancingConfig(iterations: balancingIterations, tolerance: tol ?? snap.balancing?.tolerance ?? 0)
        } else if let tol {
            if snap.balancing == nil {
                FileHandle.standardError.write(Data("canary elect: note: --tolerance has no effect without balancing (use --balancing-iterations)\n".utf8))
            } else {
                snap.balancing?.tolerance = tol
            }
        }

        let ignored = snap.ignoredTargets()
        if ignored.notCandidates > 0 {
            FileHandle.standardError.write(Data("canary elect: note: \(ignored.notCandidates) target(s) are not candidates and were ignored, as Substrate does\n".utf8))
        }
        if ignored.duplicates > 0 {
            FileHandle.standardError.write(Data("canary elect: note: \(ignored.duplicates) duplicate target(s) within a voter counted once, as Substrate does\n".utf8))
        }

        let outcome: ElectionOutcome
        do {
            outcome = try snap.run()
        } catch {
            throw fail("\(snapshot): \(error)")
        }

        if json {
            print(outcome.expectedJSON())
            return
        }
        var lines: [String] = []
        let balancingText = snap.balancing.map { "\($0.iterations) iterations, tolerance \($0.tolerance)" } ?? "none"
        lines.append("election: \(snap.algorithm.rawValue), to_elect \(snap.toElect!), balancing \(balancingText), accuracy \(snap.accuracy.rawValue)")
        lines.append("input: \(snap.candidates.count) candidates, \(snap.voters.count) voters, \(snap.edgeCount) edges")
        lines.append("elected: \(outcome.winners.count)")
        lines.append("score: minimal_stake \(outcome.score.minimalStake), sum_stake \(outcome.score.sumStake), sum_stake_squared \(outcome.score.sumStakeSquared)")
        lines.append("")
        var supportOf: [UInt64: Support<UInt64>] = [:]
        for s in outcome.supports { supportOf[s.target] = s }
        let header = ["round", "id", "backing", "support", "backers"]
        var rows: [[String]] = []
        for w in outcome.winners {
            let s = supportOf[w.id]
            rows.append([String(w.round), String(w.id), String(w.backedStake), String(s?.total ?? 0), String(s?.voters.count ?? 0)])
        }
        var width = header.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { width[i] = max(width[i], c.count) } }
        func fmt(_ r: [String]) -> String {
            r.enumerated().map { i, c in String(repeating: " ", count: width[i] - c.count) + c }.joined(separator: "  ")
        }
        lines.append(fmt(header))
        for r in rows { lines.append(fmt(r)) }
        print(lines.joined(separator: "\n"))
    }
}
