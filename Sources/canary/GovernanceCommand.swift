import ArgumentParser
import Foundation
import CanaryGovernance

/// `canary governance ...`: OpenGov track tables and curve thresholds (see docs/governance.md).
struct GovernanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "governance",
        abstract: "OpenGov tracks and their approval/support curves, computed as the runtime does.",
        discussion: """
        Durations are written 1d, 12h, 30m, 6s or 100b (blocks); blocks are 6 s. Thresholds are \
        Perbill (1e9 = 100%) with Substrate's rounding. Exit code 2 for an unknown preset or track \
        or a bad duration.
        """,
        subcommands: [GovernanceTracksCommand.self, GovernanceCurveCommand.self]
    )
}

/// Prints `message` to stderr and exits with code 2 (bad input).
private func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    return ExitCode(2)
}

private func loadPreset(_ name: String) throws -> TrackTable {
    guard let table = TrackTable.preset(name) else {
        throw fail("unknown preset '\(name)'; known: \(TrackTable.presetNames.joined(separator: ", "))")
    }
    return table
}

struct GovernanceTracksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracks",
        abstract: "Print a track table: ids, names, max_deciding, deposits, periods and curve constants."
    )

    @Option(help: "Track preset.")
    var preset: String = "kusama"

    @Flag(help: "JSON output: every field and curve constant as an integer.")
    var json = false

    func run() throws {
        let table = try loadPreset(preset)
        print(json ? TrackReport.tracksJSON(table, preset: preset.lowercased())
                   : TrackReport.tracksText(table, preset: preset.lowercased()), terminator: json ? "\n" : "")
    }
}

struct GovernanceCurveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curve",
        abstract: "Print a track's approval and support thresholds over its decision period.",
        discussion: "Without --at, samples every --step (default 1/28 of the decision period) from 0 to the end."
    )

    @Option(help: "Track name (root, whitelisted_caller, ...) or id.")
    var track: String

    @Option(help: "One point: time since deciding started (e.g. 1d, 36h, 100b).")
    var at: String?

    @Option(help: "Sampling step when --at is absent (e.g. 12h).")
    var step: String?

    @Option(help: "Track preset.")
    var preset: String = "kusama"

    @Flag(help: "JSON output; approval and support as Perbill parts.")
    var json = false

    func run() throws {
        let table = try loadPreset(preset)
        guard let info = TrackReport.resolve(track, in: table) else {
            throw fail("unknown track '\(track)'; known: \(table.tracks.map(\.name).joined(separator: ", "))")
        }
        func blocks(_ s: String, _ flag: String) throws -> BlockNumber {
            do { return try BlockDuration.parse(s) } catch { throw fail("--\(flag): \(error.description)") }
        }
        if let at {
            let p = info.curvePoint(elapsed: try blocks(at, "at"))
            if json {
                print(TrackReport.pointJSON(track: info, p))
            } else {
                print("\(info.name) at \(BlockDuration.format(p.elapsed)) (\(p.elapsed) blocks, x = \(TrackReport.percent(p.x))): "
                      + "approval \(TrackReport.percent(p.approval)) (\(p.approval.parts)), "
                      + "support \(TrackReport.percent(p.support)) (\(p.support.parts))")
            }
            return
        }
        var stepBlocks: BlockNumber? = nil
        if let step {
            stepBlocks = try blocks(step, "step")
            if stepBlocks == 0 { throw fail("--step must be positive") }
        }
        let points = info.curvePoints(step: stepBlocks)
        if json { print(TrackReport.pointsJSON(track: info, points)) } else { print(TrackReport.pointsText(track: info, points), terminator: "") }
    }
}
