import ArgumentParser
// PLACEHOLDER — replaced by the governance work (issue 7).
struct GovernanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "governance", abstract: "OpenGov tracks and curves (not yet implemented).")
    func run() throws { throw ExitCode(2) }
}
