import ArgumentParser
// PLACEHOLDER — replaced by the NPoS work (issue 5).
struct ElectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "elect", abstract: "Run an NPoS election on a snapshot (not yet implemented).")
    func run() throws { throw ExitCode(2) }
}
