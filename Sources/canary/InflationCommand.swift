import ArgumentParser
// PLACEHOLDER — replaced by the economics work (issue 6).
struct InflationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inflation", abstract: "Era inflation calculator (not yet implemented).")
    func run() throws { throw ExitCode(2) }
}
