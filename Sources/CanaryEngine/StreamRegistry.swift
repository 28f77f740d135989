/// Every random-stream purpose of the simulator, in one place.
///
/// A stream is keyed by (seed, purpose, node); two sub-protocols that used the same purpose would
/// draw correlated numbers. Declaring every purpose here, with a test that no two names or
/// tags collide (`StreamRegistryTests`), keeps them apart as protocols are added.
extension StreamPurpose {
    // Engine.
    // (`network`, `traffic`, `bench` are declared with the type.)
    // BABE.
    public static let babePeers = StreamPurpose("babe-peers")
    public static let babeGenesis = StreamPurpose("babe-genesis")
    public static let babeVRFKey = StreamPurpose("babe-vrf-key")
    // GRANDPA.
    public static let grandpaCommit = StreamPurpose("grandpa-commit")
    /// Polite gossip: each node's lucky (first-stage) and second-stage peers, reshuffled per round.
    public static let grandpaGossip = StreamPurpose("grandpa-gossip")
    /// Flood delivery (`GrandpaFlood`): each variant's relay graph and edge latencies, and the
    /// salt that picks a round's variant.
    public static let grandpaFlood = StreamPurpose("grandpa-flood")
    // Parachain protocols: the session's grid topology shuffle (`GridTopology`).
    public static let gridTopology = StreamPurpose("grid-topology")
    // Parachains.
    public static let paraCollator = StreamPurpose("para-collator")
    public static let paraAssignmentKey = StreamPurpose("para-assignment-key")
    public static let paraExecution = StreamPurpose("para-execution")
    /// Approval distribution's random routing (`RandomRouting`): each node's picks.
    public static let paraRouting = StreamPurpose("para-routing")
    // Staking (statistical level and the runtime's genesis).
    public static let stakingBabe = StreamPurpose("staking.babe")
    public static let stakingBehaviour = StreamPurpose("staking.behaviour")
    public static let stakingOffences = StreamPurpose("staking.offences")
    public static let stakingGenesis = StreamPurpose("staking.genesis")
    // Governance.
    public static let governanceVoters = StreamPurpose("governance-voters")
    public static let governanceBalances = StreamPurpose("governance-balances")

    /// Every registered purpose with its name.
    public static let registry: [(name: String, purpose: StreamPurpose)] = [
        ("network", .network), ("traffic", .traffic), ("bench", .bench),
        ("babe-peers", .babePeers), ("babe-genesis", .babeGenesis), ("babe-vrf-key", .babeVRFKey),
        ("grandpa-commit", .grandpaCommit), ("grandpa-gossip", .grandpaGossip), ("grid-topology", .gridTopology),
        ("grandpa-flood", .grandpaFlood),
        ("para-collator", .paraCollator), ("para-assignment-key", .paraAssignmentKey), ("para-execution", .paraExecution),
        ("para-routing", .paraRouting),
        ("staking.babe", .stakingBabe), ("staking.behaviour", .stakingBehaviour),
        ("staking.offences", .stakingOffences), ("staking.genesis", .stakingGenesis),
        ("governance-voters", .governanceVoters), ("governance-balances", .governanceBalances),
    ]
}
