import ArgumentParser
import CanaryStore
import Foundation

/// The `canary` command-line tool: one subcommand per user task.
@main
struct Canary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canary",
        abstract: "Deterministic network simulator for Kusama-style relay chains.",
        discussion: """
        Scenario files (YAML) describe a network, a timeline of faults and the expectations a run \
        must meet. `canary run` simulates one and stores every result in SQLite; the exit code is \
        0 when all expectations hold, 1 when one fails and 2 for bad input.

        `canary check` runs a suite of scenarios for CI (JUnit XML), `canary report` draws a run \
        as an HTML page with charts, `canary diff` compares two runs. Shell completion: \
        `canary --generate-completion-script bash|zsh|fish` (see README).
        """,
        version: BuildInfo.versionLine,
        subcommands: [
            RunCommand.self, ValidateCommand.self, SchemaCommand.self, MetricsCommand.self, BenchCommand.self,
            ElectCommand.self, InflationCommand.self, GovernanceCommand.self, SweepCommand.self, MergeCommand.self,
            CheckCommand.self, DiffCommand.self, ReportCommand.self,
            ExploreCommand.self, ShrinkCommand.self,
        ]
    )

    /// Parses and runs, mapping every kind of bad input to exit code 2 as the README says:
    /// command-line errors (ArgumentParser's usage code 64) and `CLIError.badInput`.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var c = command as? AsyncParsableCommand { try await c.run() } else { try command.run() }
        } catch let e as CLIError {
            FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
            Foundation.exit(2)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// `canary bench ...`: release-build benchmarks that print rates, never timed unit tests.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (build with -c release). Each prints a rate; --json for scripts.",
        subcommands: [BenchEngineCommand.self, BenchNPoSCommand.self, BenchGrandpaCommand.self]
    )
}
