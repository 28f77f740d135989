import CanaryEngine

/// A decoded, validated sweep: a base scenario, a grid of overrides and seeds, expanded into
/// runs whose scenarios have all been decoded (so a sweep that starts cannot fail on bad input
/// half-way). Format: `SweepFormat`; reference: docs/sweeps.md.
public struct Sweep: Sendable {
    public var name: String
    public var description: String?
    /// The sweep file, as given.
    public var file: String
    /// The base scenario file, resolved against the sweep file's directory.
    public var basePath: String
    /// The varied parameters, in file order (the first varies slowest).
    public var parameters: [SweepParameter]
    public var seeds: [UInt64]
    /// Key metrics for `sweep_points` and the summary table.
    public var metrics: [String]
    /// Every combination of parameter values, in grid order.
    public var points: [SweepPoint]
    /// Points × seeds, point-major: the unit of work, of sharding and of resuming.
    public var runs: [SweepRun]
}

/// One varied parameter: a scenario path and the values it takes (as written in the file).
public struct SweepParameter: Sendable, Equatable {
    public var path: String
    public var values: [String]
}

/// One combination of parameter values.
public struct SweepPoint: Sendable {
    public var index: Int
    /// (path, value as written), one per parameter, in parameter order.
    public var values: [(path: String, value: String)]
    /// `path=value, path=value` — how the point is shown and stored.
    public var label: String {
        values.map { "\($0.path)=\($0.value)" }.joined(separator: ", ")
    }
}

/// One run of a sweep: a point with a seed, its fully decoded scenario, and a key that
/// identifies exactly what it runs (the resolved scenario tree and seed), so a rerun can skip
/// runs already done even when the grid was reordered, and redoes them when the base changed.
public struct SweepRun: Sendable {
    /// Position in `Sweep.runs` (decides the shard: `index mod N`).
    public var index: Int
    public var point: Int
    public var seed: UInt64
    public var scenario: Scenario
    /// The resolved scenario (the base file's tree with the overrides applied), as YAML.
    public var yaml: String
    /// SHA-256 (hex) of the resolved scenario YAML and the seed.
    public var key: String

    /// The shard (0-based, of `count`) that runs this run: round-robin over the run order, so
    /// shards get an even mix of cheap and expensive points and the assignment depends on the
    /// sweep file alone.
    public func shard(of count: Int) -> Int { index % count }
}

/// `--shard I/N`: run only the runs with `index mod N == I - 1` (I is 1-based, as people count
/// array tasks; the environment fallbacks are converted by the CLI).
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// 0-based.
    public var index: Int
    public var count: Int
    public init(index: Int, count: Int) { self.index = index; self.count = count }

    /// Parses `I/N` with 1 ≤ I ≤ N.
    public init?(parsing s: String) {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else { return nil }
        self.init(index: i - 1, count: n)
    }

    public var description: String { "\(index + 1)/\(count)" }
    public func contains(_ run: SweepRun) -> Bool { run.shard(of: count) == index }
}
