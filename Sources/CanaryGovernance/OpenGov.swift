// One value holding both pallets, for simulations that want a single entry point.

/// Referenda plus conviction voting, wired together (the runtime's `Referenda` and
/// `ConvictionVoting` pallets). Every method forwards to the pallet that owns the call.
public struct OpenGov: Sendable {
    public var referenda: Referenda
    public var voting: ConvictionVoting

    public init(tracks: TrackTable = .kusama, config: ReferendaConfig = .kusama, activeIssuance: Balance,
                voteLockingPeriod: BlockNumber = Kusama.voteLockingPeriod, maxVotes: Int = 512) {
        referenda = Referenda(tracks: tracks, config: config, activeIssuance: activeIssuance)
        voting = ConvictionVoting(voteLockingPeriod: voteLockingPeriod, maxVotes: maxVotes)
    }

    /// Updates the support denominator (active issuance) before the block's evaluations.
    public mutating func setActiveIssuance(_ value: Balance) { referenda.activeIssuance = value }

    /// Runs block `now`'s scheduled work; call once per block before the block's calls.
    @discardableResult
    public mutating func serviceBlock(now: BlockNumber) -> [ReferendumEvent] { referenda.serviceBlock(now: now) }

    /// Drains every event so far (scheduled work and calls), in order.
    public mutating func takeEvents() -> [ReferendumEvent] { referenda.takeEvents() }

    @discardableResult
    public mutating func submit(who: AccountId, origin: ProposalOrigin, proposal: ProposalCall,
                                enactment: DispatchTime, now: BlockNumber) throws(ReferendaError) -> ReferendumIndex {
        try referenda.submit(who: who, origin: origin, proposal: proposal, enactment: enactment, now: now)
    }

    public mutating func placeDecisionDeposit(_ index: ReferendumIndex, who: AccountId, now: BlockNumber) throws(ReferendaError) {
        try referenda.placeDecisionDeposit(index, who: who, now: now)
    }

    public mutating func vote(_ who: AccountId, on index: ReferendumIndex, _ vote: AccountVote, totalBalance: Balance,
                              now: BlockNumber) throws(ConvictionVotingError) {
        try voting.vote(who, on: index, vote, totalBalance: totalBalance, referenda: &referenda, now: now)
    }

    public mutating func removeVote(_ who: AccountId, on index: ReferendumIndex, track: TrackId? = nil,
                                    now: BlockNumber) throws(ConvictionVotingError) {
        try voting.removeVote(who, on: index, track: track, referenda: &referenda, now: now)
    }

    public mutating func delegate(_ who: AccountId, to target: AccountId, track: TrackId, conviction: Conviction,
                                  balance: Balance, totalBalance: Balance, now: BlockNumber) throws(ConvictionVotingError) {
        try voting.delegate(who, to: target, track: track, conviction: conviction, balance: balance,
                            totalBalance: totalBalance, referenda: &referenda, now: now)
    }

    public mutating func undelegate(_ who: AccountId, track: TrackId, now: BlockNumber) throws(ConvictionVotingError) {
        try voting.undelegate(who, track: track, referenda: &referenda, now: now)
    }

    public mutating func cancel(_ index: ReferendumIndex, now: BlockNumber) throws(ReferendaError) {
        try referenda.cancel(index, now: now)
    }

    public mutating func kill(_ index: ReferendumIndex, now: BlockNumber) throws(ReferendaError) {
        try referenda.kill(index, now: now)
    }
}
