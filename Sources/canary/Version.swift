import Foundation
import CanaryStore

extension BuildInfo {
    /// This binary's build: the version constant and the git commit of the source tree it was
    /// built from. CLI code only (it runs git and reads the environment; no simulation result
    /// depends on it). `CANARY_GIT_COMMIT` overrides the lookup (for binaries installed away
    /// from their checkout); otherwise `git rev-parse HEAD` runs in the package directory
    /// recorded at compile time, with `+dirty` when tracked files differ from that commit. Nil
    /// when neither is available (a source tarball, no git).
    static let current: BuildInfo = BuildInfo(commit: lookUpCommit())

    private static func lookUpCommit() -> String? {
        if let env = ProcessInfo.processInfo.environment["CANARY_GIT_COMMIT"], !env.isEmpty { return env }
        // Sources/canary/Version.swift → package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent(".git").path),
              let head = git(["rev-parse", "HEAD"], in: root)?.trimmingCharacters(in: .whitespacesAndNewlines),
              head.count == 40 else { return nil }
        let changes = git(["status", "--porcelain", "--untracked-files=no"], in: root) ?? ""
        return changes.isEmpty ? head : head + "+dirty"
    }

    private static func git(_ args: [String], in dir: URL) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir.path] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// `canary --version`: the version, and the commit when known.
    static var versionLine: String { current.commit.map { "\(version) (\($0))" } ?? version }
}
