import ArgumentParser
import Foundation
import CanaryReport

/// `canary diff`: two runs' metrics side by side; exit 1 when any changed beyond the tolerance.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs' metrics and flag changes beyond a tolerance.",
        discussion: """
        Each run is DATABASE or DATABASE:RUN_ID; without a run id the database's last finished \
        run (complete or failed) is used. The runs may be in one database (results.sqlite:1 \
        results.sqlite:2) or in two.

        Compares every scalar metric and, for each distribution, its count, p50, p90, p99, mean \
        and max. A metric is flagged (!) when its relative change |B − A| / |A| exceeds the \
        tolerance, when it changes from 0, or when only one run has it. Prints the metrics that \
        differ (--all: every metric); the headers show each run's scenario, seed, digest, \
        simulator version and commit (identical digests mean identical results).

        --json prints one object: a and b (database, run_id, scenario, seed, status, digest, \
        simulator_version, git_commit), tolerance, same_digest, beyond_tolerance (a count) and \
        metrics (metric, a, b, relative_change, beyond_tolerance, unit; times in seconds).

        Exit codes: 0 no metric beyond the tolerance, 1 some metric beyond it, 2 bad input.
        """
    )

    @Argument(help: "The first run: DATABASE[:RUN_ID].")
    var a: String

    @Argument(help: "The second run: DATABASE[:RUN_ID].")
    var b: String

    @Option(help: "Relative change allowed before a metric is flagged: 5% or 0.05.")
    var tolerance: String = "5%"

    @Flag(help: "Show identical metrics too.")
    var all = false

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func run() throws {
        guard let tol = Self.parseTolerance(tolerance) else {
            throw badInput("diff", "--tolerance: expected a percentage such as 5% or a fraction such as 0.05, found '\(tolerance)'")
        }
        let diff: RunDiff
        do {
            let (pa, ia) = try Self.parseRun(a), (pb, ib) = try Self.parseRun(b)
            diff = try RunDiff(a: (try RunDatabase(path: pa), ia), b: (try RunDatabase(path: pb), ib), tolerance: tol)
        } catch let e as ReportError {
            throw badInput("diff", e.description)
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: diff.json(), options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(diff.text(all: all), terminator: "")
        }
        if !diff.flagged.isEmpty { throw ExitCode(1) }
    }

    /// `path` or `path:id` (a path may itself contain colons: only a numeric suffix is an id).
    static func parseRun(_ s: String) throws -> (String, Int64?) {
        guard let colon = s.lastIndex(of: ":") else { return (s, nil) }
        let suffix = s[s.index(after: colon)...]
        guard !suffix.isEmpty, suffix.allSatisfy({ $0.isASCII && $0.isNumber }) else { return (s, nil) }
        guard let id = Int64(suffix), id > 0 else { throw ReportError.badInput("\(s): the run id must be a positive integer") }
        return (String(s[..<colon]), id)
    }

    static func parseTolerance(_ s: String) -> Double? {
        let t = s.trimmingCharacters(in: .whitespaces)
        let v: Double?
        if t.hasSuffix("%") { v = Double(t.dropLast()).map { $0 / 100 } } else { v = Double(t) }
        guard let v, v >= 0, v.isFinite else { return nil }
        return v
    }
}
