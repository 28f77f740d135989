/// The sweep file format as data, like `ScenarioFormat`: the sweep decoder checks keys against
/// it and `canary schema --sweep` prints it as a JSON Schema, so the two cannot drift apart.
/// Reference: docs/sweeps.md.
public enum SweepFormat {
    /// A value a grid parameter can take: whatever the scenario accepts at that path (scalars,
    /// lists such as node selectors, small mappings). The scenario decoder checks it per point.
    static let value: FieldType = .oneOf([.string, .number(min: -1e18, max: 1e18), .boolean,
                                          .array(.oneOf([.string, .number(min: -1e18, max: 1e18)])), .map(.string)])

    /// The top level of a sweep file.
    public static let root: [Field] = [
        Field("name", .string, required: true, "Sweep name, stored with every run (sweep_points.sweep)."),
        Field("description", .string, "Free text."),
        Field("base", .string, required: true, "The base scenario file, relative to the sweep file."),
        Field("grid", .map(.array(value)), required: true,
              "Parameters to vary: a scenario path such as staking.inflation.ideal, validators.count or network.loss, mapped to the list of its values. Every combination is a point (the first parameter varies slowest)."),
        Field("seeds", .oneOf([.integer(min: 1, max: 100_000), .array(.integer(min: 0, max: Int64.max))]),
              "Runs per point: a count N (seeds base, base+1, …, base+N-1, where base is the scenario's seed) or a list of seeds (default 1)."),
        Field("set", .map(value), "Overrides applied to every point, by path, before the grid's (e.g. duration: 365d)."),
        Field("expect", .array(.expectation),
              "Expectations checked for every point, replacing the base scenario's. `{path}` is replaced by the point's value of that grid parameter, `{seed}` by the seed."),
        Field("metrics", .array(.string),
              "Key scalar metrics (names from `canary metrics`) stored in sweep_points and summarised per point at the end of the sweep."),
    ]
}

extension ScenarioSchema {
    /// The JSON Schema of sweep files (`canary schema --sweep`), from `SweepFormat`.
    public static func sweepJSON() -> String { document(SweepFormat.root, title: "Canary sweep") }
}
