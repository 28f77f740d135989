/// The scenario file format as data: one description that both the decoder (which keys are
/// allowed where) and `canary schema` (the JSON Schema editors use) are built from, so the two
/// cannot drift apart.
public indirect enum FieldType: Sendable {
    case string, boolean
    case integer(min: Int64, max: Int64)
    case number(min: Double, max: Double)
    case duration, size, bandwidth, probability
    /// A duration that may be negative (a leading `-`), e.g. a clock offset.
    case signedDuration
    case object([Field])
    case array(FieldType)
    /// A map from free-form names (e.g. region names) to values.
    case map(FieldType)
    /// Any of several shapes.
    case oneOf([FieldType])
    /// A string in the expectation language.
    case expectation
    /// A node selector: region name, node index, or `a-b` range.
    case nodeSelector
}

public struct Field: Sendable {
    public var name: String
    public var type: FieldType
    public var required: Bool
    public var doc: String
    public init(_ name: String, _ type: FieldType, required: Bool = false, _ doc: String) {
        self.name = name; self.type = type; self.required = required; self.doc = doc
    }
}

public enum ScenarioFormat {
    static let latencyEntry: [Field] = [
        Field("between", .array(.string), required: true, "Two region names (order does not matter; the same name twice sets intra-region latency)."),
        Field("median", .duration, required: true, "Median one-way latency, e.g. 45ms."),
        Field("jitter", .number(min: 0, max: 3), "Sigma of the log-normal distribution (0.1 = about ±10%). Defaults to network.jitter."),
    ]
    static let network: [Field] = [
        Field("preset", .string, "Starting point: `three-continents` (europe, north-america, asia with measured latencies)."),
        Field("regions", .array(.string), "Region names, when not given by the preset."),
        Field("latency", .array(.object(latencyEntry)), "Latency per region pair; overrides the preset's pairs."),
        Field("jitter", .number(min: 0, max: 3), "Default log-normal sigma for pairs without their own (default 0.1)."),
        Field("upload", .bandwidth, "Upload bandwidth per node, e.g. 100Mbps (default 100Mbps, or the preset's)."),
        Field("loss", .probability, "Probability that a message copy is lost, e.g. 0.5% (default 0)."),
    ]
    static let validators: [Field] = [
        Field("count", .integer(min: 1, max: 100_000), required: true, "Number of validator nodes."),
        Field("regions", .map(.integer(min: 0, max: 1_000_000)), "Weight per region; validators are split in proportion, as contiguous index blocks in region order (default: equal weights)."),
    ]
    static let traffic: [Field] = [
        Field("gossip_interval", .duration, "Mean interval between a node's gossip messages (default 1s)."),
        Field("fanout", .integer(min: 0, max: 10_000), "Peers each gossip message goes to (default 8)."),
        Field("gossip_size", .size, "Gossip message size (default 1KiB)."),
        Field("block_interval", .duration, "Interval between blocks broadcast to all nodes (default 6s)."),
        Field("block_size", .size, "Block size (default 256KiB)."),
    ]
    static let event: [Field] = [
        Field("at", .duration, required: true, "When the event happens (simulated time since start)."),
        Field("partition", .array(.array(.nodeSelector)), "Groups that can only reach their own members; unlisted nodes form one more group."),
        Field("bridges", .array(.nodeSelector), "With partition: nodes that reach every group (e.g. colluding attackers talking to both sides)."),
        Field("heal", .boolean, "Ends the partition in force."),
        Field("crash", .array(.nodeSelector), "Nodes that stop (losing timers and messages in flight)."),
        Field("restart", .array(.nodeSelector), "Crashed nodes that come back."),
        Field("loss", .probability, "Loss spike: every message copy (from or to `nodes`, if given) is also lost with this probability, on top of network.loss, until the next loss event; `loss: 0` ends it."),
        Field("latency", .duration, "Latency spike: every message copy (from or to `nodes`, if given) takes this much longer one way, until the next latency event; `latency: 0s` ends it (at most 60s)."),
        Field("clock_skew", .signedDuration, "The clocks of `nodes` run this far ahead of real time (a leading - : behind), e.g. 3s or -2s, until changed; BABE slots follow the node's clock (at most 1h either way)."),
        Field("slow", .integer(min: 1, max: 1000), "`nodes` compute this many times slower (block authoring and import) until changed; `slow: 1` restores them."),
        Field("nodes", .array(.nodeSelector), "The nodes of a loss, latency, clock_skew or slow event (required for clock_skew and slow; loss and latency without it affect every node)."),
    ]
    /// The top level of a scenario file.
    public static let root: [Field] = [
        Field("name", .string, required: true, "Scenario name, stored with every run."),
        Field("description", .string, "Free text."),
        Field("seed", .integer(min: 0, max: Int64.max), "The one seed that decides every random draw (default 0; `--seed` overrides)."),
        Field("duration", .duration, required: true, "Simulated time to run, e.g. 10m, 2h, 3d (`--duration` overrides)."),
        Field("network", .object(network), "Regions, latencies, bandwidth and loss."),
        Field("validators", .object(validators), required: true, "The validator nodes."),
        Field("traffic", .object(traffic), "Synthetic gossip and block traffic (when no consensus runs)."),
        Field("consensus", .object(ConsensusSection.fields), "Which protocols run and how: `mode: full` (BABE over the network) or `statistical` (staking eras with drawn authorship)."),
        Field("staking", .object(StakingSection.fields), "Staking population, inflation model and behaviour (with consensus.mode statistical or full)."),
        Field("governance", .object(GovernanceSection.fields), "OpenGov: tracks, accounts, referenda, votes and runtime versions, run inside block production (consensus.mode full)."),
        Field("parachains", .object(ParachainsSection.fields), "Parachains on the node stack: collators, backing, availability, approvals, disputes (consensus.mode full with GRANDPA; see docs/parachains.md)."),
        Field("events", .array(.object(event)), "Timeline of faults: exactly one of partition, heal, crash, restart, loss, latency, clock_skew, slow per entry."),
        Field("expect", .array(.expectation), "Expectations checked at the end; see README (Expectations)."),
    ]
}
