import ArgumentParser
// Temporary — replaced by the engine skeleton (issue 2) within this session.
struct RunCommand: ParsableCommand { static let configuration = CommandConfiguration(commandName: "run") }
struct ValidateCommand: ParsableCommand { static let configuration = CommandConfiguration(commandName: "validate") }
struct SchemaCommand: ParsableCommand { static let configuration = CommandConfiguration(commandName: "schema") }
struct BenchEngineCommand: ParsableCommand { static let configuration = CommandConfiguration(commandName: "engine") }
