import ArgumentParser
import Foundation

/// Reports bad input on stderr as `canary COMMAND: message` and returns exit code 2, for the
/// report, check and diff commands (which exit 1 for a failed expectation or a flagged change,
/// so bad input must not also be 1).
func badInput(_ command: String, _ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("canary \(command): \(message)\n".utf8))
    return ExitCode(2)
}
