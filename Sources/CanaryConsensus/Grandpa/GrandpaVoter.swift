import CanaryEngine

/// GRANDPA parameters of the node software.
public struct GrandpaConfig: Sendable, Equatable {
    /// T: prevote at 2T, precommit at 4T after the round start, commits within [0, 2T)
    /// (Polkadot/Kusama node: 1 s).
    public var gossipDuration: SimTime = .seconds(1)
    /// Voting rule `BeforeBestBlockBy(n)` (Substrate default 2; 0 disables it).
    public var beforeBestBy: UInt32 = 2
    /// Voting rule `ThreeQuartersOfTheUnfinalizedChain`.
    public var threeQuartersRule = true
    /// Request a catch-up when a peer is this many rounds ahead (`CATCH_UP_THRESHOLD`).
    public var catchUpThreshold: UInt64 = 2
    /// At most one catch-up request outstanding for this long (Substrate 45 s).
    public var catchUpTimeout: SimTime = .seconds(45)
    /// A round still running after this long re-sends the voter's own votes, then again every
    /// period (stands for gossip re-propagation to peers that missed them, e.g. after a heal).
    public var rebroadcastAfter: SimTime = .seconds(8)
    /// Completed rounds kept running in the background (votes and commits still accepted).
    public var keepRounds = 3
    /// Keep each round's vote history (`GrandpaRound.history`; nothing reads it in a run).
    public var keepVoteHistory = false
    public var sizes = GrandpaMessageSizes()
    public init() {}

    /// Polkadot/Kusama node settings.
    public static let kusama = GrandpaConfig()
}

/// One voter (a node) of GRANDPA, after finality-grandpa's `Voter` and `VotingRound`, driven
/// by events: messages, timers and block imports. It never touches the network or the clock
/// itself: every effect is a `GrandpaOutput` appended to the caller's buffer.
///
/// Rounds: the best round runs the voting state machine (propose, prevote, precommit); once it
/// is completable, this voter has precommitted and the previous round's estimate is
/// finalized, the next round starts and the old one keeps accepting votes in the background
/// (up to `keepRounds`), with a commit timer. Votes for the next round are buffered; a message
/// from `catchUpThreshold` or more rounds ahead triggers a catch-up request.
public struct GrandpaVoter {
    enum VotingState: UInt8 { case start, proposed, prevoted, precommitted }

    struct Slot {
        var round: GrandpaRound
        var startedAt: SimTime
        var voting: VotingState = .start
        var prevoteTimerFired = false
        var precommitTimerFired = false
        var primaryBlock: GrandpaTarget? = nil
        /// This voter's own votes (second entries for equivocating voters).
        var myVotes: [GrandpaVoteMessage] = []
        /// Highest commit target seen for this round (suppresses our own commit).
        var commitSeen: GrandpaTarget? = nil
        var commitPending = false
        var catchUpOrigin = false
        /// Votes of a batch were imported without refreshing the round (`importBatchedVote`):
        /// prevotes, precommits.
        var stalePrevotes = false
        var stalePrecommits = false
    }
    /// A refresh changed a round's state and `progress` has not run since (`refreshBatch`).
    var unpolledChange = false

    public let node: UInt32
    public let config: GrandpaConfig
    public var role: GrandpaRole
    public private(set) var setId: UInt64
    public private(set) var voters: GrandpaVoterSet
    /// This node's index in the voter set (nil: not a voter of this set, observes only).
    public private(set) var voterIndex: Int?
    /// Rounds in ascending order; the last one is the best (current) round.
    var slots: [Slot] = []
    /// State of the round before the first kept one (the set's round 0 at genesis).
    var anchorState: GrandpaRoundState
    /// Highest block this voter finalized (through rounds, commits or catch-ups).
    public private(set) var lastFinalized: GrandpaTarget
    /// Highest block finalized by this voter's own rounds: the base of new rounds.
    public private(set) var lastFinalizedInRounds: GrandpaTarget
    /// Messages for the round after the best one, replayed when it starts.
    var future: [(GrandpaMessage, UInt32)] = []
    var catchUpOutstandingUntil: SimTime = .zero
    /// The last completed round once its slot is dropped (its estimate finalized): what a
    /// catch-up request is answered with, as finality-grandpa keeps `last_completed_round`
    /// apart from the background rounds. Without it a voter whose background rounds were all
    /// finalized could not answer, and a restarted voter never caught up.
    var lastCompleted: GrandpaRound? = nil
    /// This voter's own votes of the last dropped round: still re-sent with the live rounds' (the
    /// gossip layer keeps the previous round live and rebroadcasts it), so a voter stuck one round
    /// behind (too close for a catch-up) can still complete it.
    var droppedVotes: [GrandpaVoteMessage] = []
    /// Highest block number this voter may prevote for (a pending standard set change).
    public var voteLimit: UInt32? = nil
    var rng: Xoshiro256StarStar

    /// Message classes on the wire (the fourth, neighbour packets, is the gossip layer's).
    public static let messageClasses = ["grandpa-vote", "grandpa-commit", "grandpa-catchup", "grandpa-neighbor"]
    public static let commitPurpose = StreamPurpose.grandpaCommit

    public init(node: UInt32, config: GrandpaConfig, setId: UInt64 = 0, voters: GrandpaVoterSet,
                base: GrandpaTarget, role: GrandpaRole = .honest, streams: RandomStreams) {
        self.node = node
        self.config = config
        self.role = role
        self.setId = setId
        self.voters = voters
        voterIndex = voters.index(ofNode: node)
        anchorState = .genesis(base)
        lastFinalized = base
        lastFinalizedInRounds = base
        rng = streams.stream(Self.commitPurpose, node: node)
    }

    // MARK: Observation

    /// Number of the best (current) round, 0 before `start`.
    public var currentRound: UInt64 { slots.last?.round.number ?? 0 }
    /// The best round's vote tracking.
    public var bestRound: GrandpaRound? { slots.last?.round }
    /// A kept round by number.
    public func round(_ number: UInt64) -> GrandpaRound? { slots.first { $0.round.number == number }?.round }
    /// Numbers of the kept rounds, ascending.
    public var keptRounds: [UInt64] { slots.map { $0.round.number } }
    var isVoter: Bool { voterIndex != nil }

    func lastRoundState(before i: Int) -> GrandpaRoundState {
        i > 0 ? slots[i - 1].round.state : anchorState
    }

    // MARK: Lifecycle

    /// Starts round 1 of the current set (base: the set's base block).
    public mutating func start<E: GrandpaEnvironment>(now: SimTime, env: E, out: inout [GrandpaOutput]) {
        startRound(1, now: now, out: &out)
        progress(now: now, env: env, out: &out)
    }

    /// Enacts a new authority set: round numbers restart at 1 on `base` (the change block).
    public mutating func changeSet<E: GrandpaEnvironment>(setId: UInt64, voters: GrandpaVoterSet, base: GrandpaTarget,
                                                         now: SimTime, env: E, out: inout [GrandpaOutput]) {
        self.setId = setId
        self.voters = voters
        voterIndex = voters.index(ofNode: node)
        slots.removeAll()
        lastCompleted = nil
        droppedVotes = []
        future.removeAll()
        anchorState = .genesis(base)
        if base.number > lastFinalized.number { lastFinalized = base }
        lastFinalizedInRounds = base
        voteLimit = nil
        catchUpOutstandingUntil = .zero
        start(now: now, env: env, out: &out)
    }

    /// The node came back after a crash: its timers are gone, its vote state persisted
    /// (Substrate keeps the voter set state on disk). Re-arms the best round's timers from now
    /// and re-sends its own votes.
    public mutating func restarted<E: GrandpaEnvironment>(now: SimTime, env: E, out: inout [GrandpaOutput]) {
        guard let last = slots.indices.last else { return }
        let r = slots[last].round.number
        catchUpOutstandingUntil = .zero
        if slots[last].voting == .start || slots[last].voting == .proposed {
            slots[last].prevoteTimerFired = false
            out.append(.timer(at: now + config.gossipDuration * 2, kind: .prevote, setId: setId, round: r))
        }
        if slots[last].voting != .precommitted {
            slots[last].precommitTimerFired = false
            out.append(.timer(at: now + config.gossipDuration * 4, kind: .precommit, setId: setId, round: r))
        }
        out.append(.timer(at: now + config.rebroadcastAfter, kind: .rebroadcast, setId: setId, round: r))
        rebroadcast(out: &out)
        progress(now: now, env: env, out: &out)
    }

    mutating func startRound(_ number: UInt64, now: SimTime, out: inout [GrandpaOutput]) {
        let round = GrandpaRound(number: number, voters: voters, base: lastFinalizedInRounds, keepsHistory: config.keepVoteHistory)
        slots.append(Slot(round: round, startedAt: now))
        let T = config.gossipDuration
        out.append(.timer(at: now + T * 2, kind: .prevote, setId: setId, round: number))
        out.append(.timer(at: now + T * 4, kind: .precommit, setId: setId, round: number))
        out.append(.timer(at: now + config.rebroadcastAfter, kind: .rebroadcast, setId: setId, round: number))
        // Primary proposal: the previous round's estimate, if it is above that round's finalized block.
        let last = lastRoundState(before: slots.count - 1)
        if let vi = voterIndex, voters.primary(round: number) == vi, role != .withhold,
           let est = last.estimate, est.number > (last.finalized?.number ?? 0) || last.finalized == nil {
            out.append(.broadcast(.propose(setId: setId, round: number, voter: UInt32(vi), target: est)))
        }
    }

    // MARK: Events

    public mutating func timer<E: GrandpaEnvironment>(_ kind: GrandpaTimerKind, setId s: UInt64, round r: UInt64,
                                                       now: SimTime, env: E, out: inout [GrandpaOutput]) {
        guard s == setId, let i = slots.firstIndex(where: { $0.round.number == r }) else { return }
        refreshStaleRounds()
        switch kind {
        case .prevote: slots[i].prevoteTimerFired = true
        case .precommit: slots[i].precommitTimerFired = true
        case .commit:
            slots[i].commitPending = false
            sendCommit(i, env: env, out: &out)
        case .rebroadcast:
            guard i == slots.count - 1 else { return }
            rebroadcast(out: &out)
            out.append(.timer(at: now + config.rebroadcastAfter, kind: .rebroadcast, setId: setId, round: r))
        }
        progress(now: now, env: env, out: &out)
    }

    public mutating func receive<E: GrandpaEnvironment>(_ message: GrandpaMessage, from: UInt32, now: SimTime,
                                                         env: E, out: inout [GrandpaOutput]) {
        refreshStaleRounds()
        switch message {
        case .vote(let v):
            guard v.setId == setId else { return }
            if !routeRound(v.round, message, from: from, now: now, out: &out) { return }
            guard let i = slots.firstIndex(where: { $0.round.number == v.round }) else { return }
            let voter = Int(v.voter)
            let outcome = v.phase == .prevote
                ? slots[i].round.importPrevote(voter, v.target.block, chain: env)
                : slots[i].round.importPrecommit(voter, v.target.block, chain: env)
            if case .equivocation(let e) = outcome { out.append(.equivocation(e, setId: setId)) }
            if case .duplicate = outcome { return }
            if case .ignored = outcome { return }
            progress(now: now, env: env, out: &out)
        case .propose(let s, let r, let voter, let target):
            guard s == setId else { return }
            if !routeRound(r, message, from: from, now: now, out: &out) { return }
            guard let i = slots.indices.last, slots[i].round.number == r, Int(voter) == voters.primary(round: r),
                  slots[i].primaryBlock == nil, slots[i].voting == .start else { return }
            slots[i].primaryBlock = target
            slots[i].voting = .proposed
            progress(now: now, env: env, out: &out)
        case .commit(let c):
            guard c.setId == setId else { return }
            if c.round >= currentRound + config.catchUpThreshold { requestCatchUp(from: from, now: now, out: &out) }
            importCommit(c, now: now, env: env, out: &out)
        case .catchUpRequest(let s, let r):
            guard s == setId, role != .withhold else { return }
            guard let done = slots.count >= 2 ? slots[slots.count - 2].round : lastCompleted else { return }
            guard done.number > r, done.completable else { return }
            let cu = GrandpaCatchUp(setId: setId, round: done.number, base: done.base,
                                    prevotes: done.votes(.prevote, chain: env),
                                    precommits: done.votes(.precommit, chain: env))
            out.append(.send(.catchUp(cu), to: from))
        case .catchUp(let cu):
            guard cu.setId == setId else { return }
            catchUpOutstandingUntil = .zero
            processCatchUp(cu, now: now, env: env, out: &out)
        case .colluding:
            return   // unwrapped by the host before it reaches a voter instance
        }
    }

    /// A vote of a batch (votes that reached the node together, `Network.setBatching`): imported
    /// into its round like `receive` does, but the round's GHOST, estimate and completability
    /// and the voting state machine wait for `finishBatch`, so a batch of k votes costs one
    /// GHOST search instead of k. Needs only the chain's ancestry (no fork choice). Returns
    /// true when the vote changed a round (`finishBatch` then has work to do).
    public mutating func importBatchedVote<C: GrandpaChain>(_ v: GrandpaVoteMessage, from: UInt32, now: SimTime,
                                                           chain: C, out: inout [GrandpaOutput]) -> Bool {
        guard v.setId == setId else { return false }
        if !routeRound(v.round, .vote(v), from: from, now: now, out: &out) { return false }
        guard let i = slots.firstIndex(where: { $0.round.number == v.round }) else { return false }
        let outcome = slots[i].round.importVote(v.phase, Int(v.voter), v.target.block, chain: chain)
        switch outcome {
        case .accepted: break
        case .equivocation(let e): out.append(.equivocation(e, setId: setId))
        case .duplicate, .ignored: return false
        }
        if v.phase == .prevote { slots[i].stalePrevotes = true } else { slots[i].stalePrecommits = true }
        return true
    }

    /// `importBatchedVote` for votes that differ only by voter (one set, round, phase and
    /// target; `v.voter` is ignored): the round's vote graph is walked once for the run
    /// (`GrandpaRound.importVotes`). Votes for a round that is not kept or is ahead of the best
    /// one go through `importBatchedVote` one by one. Returns true when a vote changed a round.
    public mutating func importBatchedVotes<C: GrandpaChain>(_ v: GrandpaVoteMessage, voters list: ArraySlice<Int>, from: ArraySlice<UInt32>,
                                                            now: SimTime, chain: C, out: inout [GrandpaOutput]) -> Bool {
        guard v.setId == setId else { return false }
        guard v.round <= currentRound, let i = slots.firstIndex(where: { $0.round.number == v.round }) else {
            var changed = false
            for (voter, f) in zip(list, from) {
                var one = v
                one.voter = UInt32(voter)
                if importBatchedVote(one, from: f, now: now, chain: chain, out: &out) { changed = true }
            }
            return changed
        }
        var changed = false
        let set = setId
        slots[i].round.importVotes(v.phase, list, v.target.block, chain: chain) { outcome in
            switch outcome {
            case .accepted: changed = true
            case .equivocation(let e): changed = true; out.append(.equivocation(e, setId: set))
            case .duplicate, .ignored: break
            }
        }
        if changed { if v.phase == .prevote { slots[i].stalePrevotes = true } else { slots[i].stalePrecommits = true } }
        return changed
    }

    /// Ends a batch, in two steps so that the host builds the chain view only when needed:
    /// `refreshBatch` refreshes the rounds the batch's votes touched and says whether any
    /// round's state (prevote-GHOST, finalized, estimate, completable) changed; only then does
    /// `poll` have anything to do.
    ///
    /// Why skipping it is exact: the voting state machine (`progress`) ran after every earlier
    /// change of this voter's rounds and timers, and each of its steps is guarded by round
    /// states and timers alone (the chain view is read only once a guard passes, to pick a
    /// target); with no round state changed, no guard can flip, and it would do nothing.
    public mutating func refreshBatch() -> Bool {
        refreshStaleRounds()
        return unpolledChange
    }

    /// `refreshBatch` and `poll` in one call.
    public mutating func finishBatch<E: GrandpaEnvironment>(now: SimTime, env: E, out: inout [GrandpaOutput]) {
        if refreshBatch() { progress(now: now, env: env, out: &out) }
    }

    /// Refreshes the rounds that batched votes left stale; true when one's state changed. Every
    /// path into the voting state machine (`progress`) calls it first, so no decision ever reads
    /// a stale round, whatever arrives between a batch's votes and its end.
    @discardableResult
    mutating func refreshStaleRounds() -> Bool {
        var changed = false
        for i in slots.indices where slots[i].stalePrevotes || slots[i].stalePrecommits {
            if slots[i].round.refresh(prevotesChanged: slots[i].stalePrevotes) { changed = true }
            slots[i].stalePrevotes = false
            slots[i].stalePrecommits = false
        }
        if changed { unpolledChange = true }
        return changed
    }

    /// Re-evaluates the voting state (after a block import changed the node's view).
    public mutating func poll<E: GrandpaEnvironment>(now: SimTime, env: E, out: inout [GrandpaOutput]) {
        progress(now: now, env: env, out: &out)
    }

    /// Whether a message for round `r` should be processed now; buffers next-round messages
    /// and requests a catch-up for messages far ahead.
    mutating func routeRound(_ r: UInt64, _ m: GrandpaMessage, from: UInt32, now: SimTime, out: inout [GrandpaOutput]) -> Bool {
        let best = currentRound
        if r <= best { return true }
        if r >= best + config.catchUpThreshold {
            requestCatchUp(from: from, now: now, out: &out)
        } else if future.count < 4 * voters.count + 8 {
            future.append((m, from))
        }
        return false
    }

    mutating func requestCatchUp(from: UInt32, now: SimTime, out: inout [GrandpaOutput]) {
        guard now >= catchUpOutstandingUntil, from != node else { return }
        catchUpOutstandingUntil = now + config.catchUpTimeout
        out.append(.send(.catchUpRequest(setId: setId, round: currentRound), to: from))
    }

    // MARK: Voting

    /// The voting-round `poll`: propose/prevote/precommit in the best round, finality from any
    /// kept round, and moving to the next round while the best one can complete.
    mutating func progress<E: GrandpaEnvironment>(now: SimTime, env: E, out: inout [GrandpaOutput]) {
        refreshStaleRounds()
        unpolledChange = false
        while !slots.isEmpty {
            var i = slots.count - 1
            let last = lastRoundState(before: i)
            tryPrevote(i, last, env: env, out: &out)
            tryPrecommit(i, last, env: env, out: &out)
            notifyFinality(now: now, out: &out)
            i = slots.count - 1   // finality may have dropped background rounds
            let round = slots[i].round
            guard round.completable, slots[i].voting == .precommitted else { break }
            // The previous round's estimate must be finalized, in that round or in this one.
            if let est = last.estimate {
                let inLast = last.finalized.map { est.number <= $0.number } ?? false
                let inThis = round.finalized.map { est.number <= $0.number } ?? false
                guard inLast || inThis else { break }
            }
            completeBestRound(now: now, env: env, out: &out)
        }
    }

    mutating func tryPrevote<E: GrandpaEnvironment>(_ i: Int, _ last: GrandpaRoundState, env: E, out: inout [GrandpaOutput]) {
        guard slots[i].voting == .start || slots[i].voting == .proposed else { return }
        guard slots[i].prevoteTimerFired || slots[i].round.completable else { return }
        slots[i].voting = .prevoted
        guard let vi = voterIndex, role != .withhold, let target = prevoteTarget(i, last, env: env) else { return }
        castVote(i, .prevote, vi, target, env: env, out: &out)
    }

    /// `construct_prevote` with Substrate's `best_chain_containing` and voting rules.
    func prevoteTarget<E: GrandpaEnvironment>(_ i: Int, _ last: GrandpaRoundState, env: E) -> BlockId? {
        guard let est = last.estimate else { return nil }
        var baseBlock = est.block
        if let p = slots[i].primaryBlock, let lastGhost = last.prevoteGhost {
            if p == lastGhost {
                baseBlock = p.block
            } else if p.number < lastGhost.number, p.number > est.number,
                      env.isEqualOrDescendant(lastGhost.block, of: est.block),
                      env.ancestor(of: lastGhost.block, atNumber: p.number) == p.block {
                baseBlock = p.block
            }
        }
        guard let containing = env.bestContaining(baseBlock) else { return nil }
        var target = GrandpaVotingRules.restrict(env, base: baseBlock, best: env.bestBlock, target: containing,
                                                 beforeBestBy: config.beforeBestBy, threeQuarters: config.threeQuartersRule)
        if let limit = voteLimit, env.number(of: target) > limit, limit >= env.number(of: baseBlock) {
            target = env.ancestor(of: target, atNumber: limit)
        }
        if role == .minorityFork, let fork = env.minorityFork(base: slots[i].round.base.block, avoid: target) {
            return fork
        }
        return target
    }

    mutating func tryPrecommit<E: GrandpaEnvironment>(_ i: Int, _ last: GrandpaRoundState, env: E, out: inout [GrandpaOutput]) {
        guard slots[i].voting == .prevoted else { return }
        guard let est = last.estimate, let ghost = slots[i].round.prevoteGhost,
              ghost == est || env.isEqualOrDescendant(ghost.block, of: est.block) else { return }
        guard slots[i].precommitTimerFired || slots[i].round.completable else { return }
        slots[i].voting = .precommitted
        guard let vi = voterIndex, role != .withhold else { return }
        var target = ghost.block
        if role == .minorityFork, let fork = env.minorityFork(base: slots[i].round.base.block, avoid: ghost.block) {
            target = fork
        }
        castVote(i, .precommit, vi, target, env: env, out: &out)
    }

    mutating func castVote<E: GrandpaEnvironment>(_ i: Int, _ phase: GrandpaPhase, _ vi: Int, _ block: BlockId,
                                                   env: E, out: inout [GrandpaOutput]) {
        var targets = [block]
        if role == .equivocate {
            // A second, different vote: the parent (if still above the base) or the best block.
            let base = slots[i].round.base
            let p = env.parent(of: block)
            if env.number(of: block) > base.number && p != BlockTree.none {
                targets.append(p)
            } else if env.bestBlock != block && env.isEqualOrDescendant(env.bestBlock, of: base.block) {
                targets.append(env.bestBlock)
            }
        }
        for b in targets {
            let v = GrandpaVoteMessage(setId: setId, round: slots[i].round.number, phase: phase, voter: UInt32(vi),
                                       target: GrandpaTarget(b, env.number(of: b)))
            slots[i].myVotes.append(v)
            _ = phase == .prevote ? slots[i].round.importPrevote(vi, b, chain: env)
                                  : slots[i].round.importPrecommit(vi, b, chain: env)
            out.append(.broadcast(.vote(v)))
        }
    }

    mutating func rebroadcast(out: inout [GrandpaOutput]) {
        guard role != .withhold else { return }
        if slots.count < 2, let previous = droppedVotes.first?.round, previous + 1 >= currentRound {
            for v in droppedVotes { out.append(.broadcast(.vote(v))) }
        }
        for i in slots.indices.suffix(2) {
            for v in slots[i].myVotes { out.append(.broadcast(.vote(v))) }
        }
    }

    /// Finality from kept rounds: a completable round in which this voter precommitted (or
    /// that it took from a catch-up) finalizes its finalized block if it is new.
    mutating func notifyFinality(now: SimTime, out: inout [GrandpaOutput]) {
        for i in slots.indices {
            // Fields, not a copy of the round (a copy retains every array of it).
            guard slots[i].round.completable, slots[i].voting == .precommitted || slots[i].catchUpOrigin,
                  let f = slots[i].round.finalized else { continue }
            if f.number > lastFinalizedInRounds.number { lastFinalizedInRounds = f }
            if f.number > lastFinalized.number {
                lastFinalized = f
                out.append(.finalized(f, round: slots[i].round.number, viaCommit: slots[i].catchUpOrigin))
            }
        }
        // Background rounds whose estimate is finalized and commit is done are dropped.
        while slots.count > 1 {
            let s = slots[0]
            let done = !s.commitPending && (s.round.estimate.map { $0.number <= lastFinalized.number } ?? false)
            guard done || slots.count > config.keepRounds + 1 else { break }
            anchorState = s.round.state
            if s.round.completable, s.round.number > (lastCompleted?.number ?? 0) { lastCompleted = s.round }
            droppedVotes = s.myVotes
            slots.removeFirst()
        }
    }

    mutating func completeBestRound<E: GrandpaEnvironment>(now: SimTime, env: E, out: inout [GrandpaOutput]) {
        let i = slots.count - 1
        out.append(.roundCompleted(round: slots[i].round.number, startedAt: slots[i].startedAt, state: slots[i].round.state, caughtUp: false))
        scheduleCommit(i, now: now, out: &out)
        startRound(slots[i].round.number + 1, now: now, out: &out)
        replayFuture(now: now, env: env, out: &out)
    }

    mutating func scheduleCommit(_ i: Int, now: SimTime, out: inout [GrandpaOutput]) {
        guard isVoter, role != .withhold, slots[i].voting == .precommitted else { return }
        let maxDelay = UInt64(config.gossipDuration.nanoseconds * 2)
        let delay = maxDelay == 0 ? 0 : rng.nextBelow(maxDelay)
        slots[i].commitPending = true
        out.append(.timer(at: now + .ns(Int64(delay)), kind: .commit, setId: setId, round: slots[i].round.number))
    }

    mutating func replayFuture<E: GrandpaEnvironment>(now: SimTime, env: E, out: inout [GrandpaOutput]) {
        guard !future.isEmpty else { return }
        let pending = future
        future.removeAll()
        for (m, from) in pending { receive(m, from: from, now: now, env: env, out: &out) }
    }

    // MARK: Commits

    mutating func sendCommit<E: GrandpaEnvironment>(_ i: Int, env: E, out: inout [GrandpaOutput]) {
        guard let f = slots[i].round.finalized else { return }
        if let seen = slots[i].commitSeen, seen.number >= f.number { return }
        let precommits = slots[i].round.precommits(justifying: f, chain: env)
        slots[i].commitSeen = f
        out.append(.broadcast(.commit(GrandpaCommit(setId: setId, round: slots[i].round.number, target: f, precommits: precommits))))
    }

    /// A commit for a kept background round goes to its committer (validated, its precommits
    /// imported into the round); any other commit is validated on its own and finalizes its
    /// target (`import_commit_for_any_round`).
    public mutating func importCommit<E: GrandpaEnvironment>(_ c: GrandpaCommit, now: SimTime, env: E, out: inout [GrandpaOutput]) {
        if let i = slots.firstIndex(where: { $0.round.number == c.round }), i < slots.count - 1 {
            let fin = slots[i].round.finalized
            if let f = fin, c.target.number < f.number { return }
            // Nothing new: this round already finalized the target and saw a commit for it.
            if let f = fin, c.target.number <= f.number, let seen = slots[i].commitSeen, seen.number >= c.target.number { return }
            let result = GrandpaCommitValidation.validate(target: c.target, precommits: c.precommits, voters: voters, chain: env)
            guard result.isValid else { return }
            for p in c.precommits where Int(p.voter) < voters.count {
                if case .equivocation(let e) = slots[i].round.importPrecommit(Int(p.voter), p.block, chain: env) {
                    out.append(.equivocation(e, setId: setId))
                }
            }
            if (slots[i].commitSeen?.number ?? 0) < c.target.number || slots[i].commitSeen == nil { slots[i].commitSeen = c.target }
            progress(now: now, env: env, out: &out)
            return
        }
        guard c.target.number > lastFinalized.number else { return }
        let result = GrandpaCommitValidation.validate(target: c.target, precommits: c.precommits, voters: voters, chain: env)
        guard let g = result.ghost else { return }
        lastFinalized = g
        out.append(.finalized(g, round: c.round, viaCommit: true))
        progress(now: now, env: env, out: &out)
    }

    // MARK: Catch-up

    /// `process_catch_up`: a valid, completable round ahead of ours becomes our last completed
    /// round and we start the next one.
    public mutating func processCatchUp<E: GrandpaEnvironment>(_ cu: GrandpaCatchUp, now: SimTime, env: E, out: inout [GrandpaOutput]) {
        guard cu.round > currentRound else { return }
        var round = GrandpaRound(number: cu.round, voters: voters, base: cu.base, keepsHistory: config.keepVoteHistory)
        for p in cu.prevotes {
            if case .ignored = round.importPrevote(Int(p.voter), p.block, chain: env) { return }
        }
        for p in cu.precommits {
            if case .ignored = round.importPrecommit(Int(p.voter), p.block, chain: env) { return }
        }
        guard round.prevoteGhost != nil, round.completable else { return }
        if let best = slots.indices.last {
            out.append(.roundCompleted(round: slots[best].round.number, startedAt: slots[best].startedAt,
                                       state: slots[best].round.state, caughtUp: true))
        }
        var slot = Slot(round: round, startedAt: now)
        slot.voting = .precommitted
        slot.catchUpOrigin = true
        slots.append(slot)
        startRound(cu.round + 1, now: now, out: &out)
        while slots.count > config.keepRounds + 1 {
            anchorState = slots[0].round.state
            if slots[0].round.completable, slots[0].round.number > (lastCompleted?.number ?? 0) { lastCompleted = slots[0].round }
            droppedVotes = slots[0].myVotes
            slots.removeFirst()
        }
        future.removeAll()
        progress(now: now, env: env, out: &out)
    }
}
