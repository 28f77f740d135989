import ArgumentParser
import Foundation
import CanaryScenario

/// `canary validate`: checks scenario files without running them.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario (and sweep) files without running them.",
        discussion: "Prints every problem as file:line:column: error: message. Exit code 0 when all files are valid, 2 otherwise."
    )

    @Argument(help: "Scenario files (YAML).")
    var files: [String]

    func run() throws {
        var bad = 0
        for f in files {
            do {
                if SweepDecoder.isSweepFile(path: f) {
                    let s = try SweepDecoder.load(path: f)
                    print("\(f): ok (sweep \(s.name): \(s.points.count) points × \(s.seeds.count) seeds = \(s.runs.count) runs, every point a valid scenario)")
                    continue
                }
                let s = try ScenarioDecoder.load(path: f)
                print("\(f): ok (\(s.name): \(s.validatorCount) validators, \(s.duration), \(s.events.count) events, \(s.expectations.count) expectations)")
            } catch {
                bad += 1
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
            }
        }
        if bad > 0 { throw ExitCode(2) }
    }
}

/// `canary schema`: the JSON Schema of scenario files.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of scenario files (for editor completion and checking).",
        discussion: "--sweep prints the schema of sweep files instead (see docs/sweeps.md)."
    )
    @Flag(help: "The schema of sweep files (canary sweep) instead of scenario files.")
    var sweep = false
    func run() throws { print(sweep ? ScenarioSchema.sweepJSON() : ScenarioSchema.json()) }
}

/// `canary metrics`: every metric the expectation language knows.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "List the metrics expectations can name, with their kind and meaning."
    )
    func run() throws {
        let width = MetricCatalog.all.map(\.name.count).max() ?? 10
        for m in MetricCatalog.all {
            let kind: String
            switch m.unit {
            case .count: kind = m.isDistribution ? "distribution" : "count"
            case .duration: kind = m.isDistribution ? "distribution (time)" : "duration"
            case .ratio: kind = "ratio"
            }
            print(m.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + kind.padding(toLength: 21, withPad: " ", startingAt: 0) + m.doc)
        }
    }
}
