import ArgumentParser
import Foundation
import CanarySweep

/// `canary merge`: shard databases (or any results files) into one.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge results files (e.g. the shards of a sweep) into one new SQLite file.",
        discussion: """
        Every table is carried; runs are renumbered (sweep runs in sweep order: sweep, point,
        seed, so a sweep merged from shards is numbered like the same sweep run in one place)
        and every run_id follows. Each run's digest is recomputed on the merged file and must
        equal the one it had. Inputs written by different Canary versions are refused.
        A table per sweep point (seeds, failures, key metrics) is printed when the inputs hold
        sweep runs.

        Exit codes: 0 merged and verified, 1 a digest changed in the merge, 2 bad input
        (missing or foreign files, mixed versions, an existing OUT).
        """
    )

    @Argument(help: "The new SQLite file to write (must not exist).")
    var out: String

    @Argument(help: "The results files to merge (e.g. DIR/*.sqlite from canary sweep).")
    var inputs: [String]

    func run() throws {
        let report: ShardMerger.Report
        do { report = try ShardMerger.merge(into: out, inputs: inputs) } catch let e as ShardMerger.MergeError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            throw ExitCode(e.isVerification ? 1 : 2)
        }
        print("merged \(report.runs) runs (\(report.sweepRuns) from sweeps) from \(report.inputs) files into \(out): "
              + "\(report.tables.count) tables, \(report.digestsVerified) digests verified")
        let rows = try SweepPoints.rows(file: out)
        if !rows.isEmpty {
            print("")
            print(SweepSummary.table(rows), terminator: "")
        }
    }
}
