import ArgumentParser
import Foundation
import CanaryReport

/// `canary report`: one run's HTML report with its charts, from the result database alone.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's HTML report with charts (self-contained, readable offline).",
        discussion: """
        Writes OUT/index.html (inline CSS and SVG, no scripts, nothing fetched) and each chart as \
        OUT/<chart>.svg. The run is --run N, or the last finished run of --scenario NAME, or the \
        database's last finished run. Charts follow the tables the run has: finality lag over \
        time and its distribution (GRANDPA); slot outcomes per epoch, blocks and block-import \
        delay (BABE); staking rate, inflation and yield per era on the model's inflation curve, \
        era payouts, issuance and treasury (staking); each referendum's approval and support \
        against its track's curves with its phases (governance); traffic by message class, \
        delivery rate, messages in flight and nodes up (network). The expectations table comes \
        first, every metric and the scenario text last.

        Reports depend only on the stored results: the same results give the same bytes. \
        Reports/regenerate.sh rebuilds the shipped reports in Reports/.

        Exit codes: 0 written, 2 bad input (no such database or run).
        """
    )

    @Argument(help: "The result database (SQLite) written by canary run.")
    var database: String

    @Option(name: .customLong("run"), help: "The run id (default: the last finished run).")
    var runId: Int64?

    @Option(help: "The last finished run of this scenario name.")
    var scenario: String?

    @Option(name: [.short, .customLong("out")], help: "Output directory (default: Reports/<scenario name>).")
    var out: String?

    @Option(help: "Report a sweep instead of a run: metric-against-parameter charts over its seeds (docs/sweeps.md).")
    var sweep: String?

    func run() throws {
        if let sweep {
            if runId != nil || scenario != nil { throw badInput("report", "give --sweep, or --run / --scenario, not both") }
            return try sweepReport(sweep)
        }
        if runId != nil && scenario != nil { throw badInput("report", "give --run or --scenario, not both") }
        let report: RunReport
        do {
            let db = try RunDatabase(path: database)
            var id = runId
            if let scenario {
                let runs = try db.runs().filter { $0.scenario == scenario && ($0.status == "complete" || $0.status == "failed") }
                guard let last = runs.last else {
                    let names = Array(Set(try db.runs().map(\.scenario))).sorted().joined(separator: ", ")
                    throw ReportError.badInput("\(database): no finished run of scenario '\(scenario)' (scenarios: \(names))")
                }
                id = last.id
            }
            report = try RunReport(database: db, run: id)
        } catch let e as ReportError {
            throw badInput("report", e.description)
        }
        let dir = URL(fileURLWithPath: out ?? "Reports/\(report.run.scenario)")
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            // Charts of an earlier report in this directory would linger: remove them.
            for f in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] where f.hasSuffix(".svg") {
                try fm.removeItem(at: dir.appendingPathComponent(f))
            }
            try Data(try report.html().utf8).write(to: dir.appendingPathComponent("index.html"))
            for c in report.charts { try Data(c.svg.utf8).write(to: dir.appendingPathComponent(c.file)) }
        } catch {
            throw badInput("report", "\(dir.path): cannot write the report (\(error.localizedDescription))")
        }
        print("\(dir.appendingPathComponent("index.html").path): run \(report.run.id) of \(report.run.scenario), \(report.charts.count) charts, "
              + (report.passed ? "expectations hold" : "\(report.expectations.filter { !$0.passed }.count) expectations failed"))
    }

    /// `--sweep NAME`: OUT/index.html with a chart per key metric, and each chart as OUT/sweep-NN.svg.
    func sweepReport(_ name: String) throws {
        let report: SweepReport
        do { report = try SweepReport(database: try RunDatabase(path: database), sweep: name) } catch let e as ReportError {
            throw badInput("report", e.description)
        }
        let dir = URL(fileURLWithPath: out ?? "Reports/sweep-\(report.sweep)")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(try report.html().utf8).write(to: dir.appendingPathComponent("index.html"))
            for c in report.charts { try Data(c.svg.utf8).write(to: dir.appendingPathComponent(c.file)) }
        } catch {
            throw badInput("report", "\(dir.path): cannot write the report (\(error.localizedDescription))")
        }
        print("\(dir.appendingPathComponent("index.html").path): sweep \(report.sweep), \(report.points.count) runs, \(report.charts.count) charts")
    }
}
