import ArgumentParser
// PLACEHOLDER — replaced by the NPoS work (issue 5).
struct BenchNPoSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "npos", abstract: "NPoS election benchmark (not yet implemented).")
    func run() throws { throw ExitCode(2) }
}
