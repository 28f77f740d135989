/// Which build of the simulator produced a run: stored in the `runs` table
/// (`simulator_version`, `git_commit`) so that `canary diff`, reports and merges of databases can
/// tell results of different builds apart. Digests do not include it (they cover results only).
public struct BuildInfo: Sendable, Hashable {
    /// Canary's release version (semantic versioning); `canary --version` prints it.
    public static let version = "0.1.0"

    public var version: String
    /// The git commit of the source tree (40 hex digits, `+dirty` appended when tracked files
    /// differed from it), or nil when it is unknown (no git, a source tarball).
    public var commit: String?

    public init(version: String = BuildInfo.version, commit: String? = nil) {
        self.version = version
        self.commit = commit
    }
}
