// pallet-conviction-voting: votes with conviction, split and abstain votes, per-track delegation,
// and the locks they leave behind.

/// Vote multiplier and lock duration (`pallet_conviction_voting::Conviction`).
public enum Conviction: UInt8, Sendable, Hashable, CaseIterable, Comparable {
    /// 0.1x votes, no lock beyond the poll.
    case none = 0
    case locked1x, locked2x, locked3x, locked4x, locked5x, locked6x

    /// Lock periods after a winning vote: 0, 1, 2, 4, 8, 16, 32 (× VoteLockingPeriod).
    public var lockPeriods: UInt32 { self == .none ? 0 : 1 << (rawValue - 1) }

    /// Votes for `capital`: capital / 10 for `none` (integer division), capital × n otherwise.
    public func votes(_ capital: Balance) -> Balance {
        self == .none ? capital / 10 : capital.saturatingMul(Balance(rawValue))
    }

    /// Votes and capital (`as_delegations`).
    public func delegations(_ capital: Balance) -> Delegations { Delegations(votes: votes(capital), capital: capital) }

    public static func < (l: Conviction, r: Conviction) -> Bool { l.rawValue < r.rawValue }

    /// Parses `none`, `0.1x`, `1x`..`6x`, `locked1x`..`locked6x`.
    public init?(name: String) {
        switch name.lowercased() {
        case "none", "0.1x", "0": self = .none
        case "1x", "locked1x", "1": self = .locked1x
        case "2x", "locked2x", "2": self = .locked2x
        case "3x", "locked3x", "3": self = .locked3x
        case "4x", "locked4x", "4": self = .locked4x
        case "5x", "locked5x", "5": self = .locked5x
        case "6x", "locked6x", "6": self = .locked6x
        default: return nil
        }
    }
}

/// Post-conviction votes and raw capital (`Delegations`).
public struct Delegations: Sendable, Hashable {
    public var votes: Balance
    public var capital: Balance
    public init(votes: Balance = 0, capital: Balance = 0) {
        self.votes = votes
        self.capital = capital
    }
    func adding(_ o: Delegations) -> Delegations {
        Delegations(votes: votes.saturatingAdd(o.votes), capital: capital.saturatingAdd(o.capital))
    }
    func subtracting(_ o: Delegations) -> Delegations {
        Delegations(votes: votes.saturatingSub(o.votes), capital: capital.saturatingSub(o.capital))
    }
}

/// One account's vote on one poll (`AccountVote`).
public enum AccountVote: Sendable, Hashable {
    /// Aye or nay with a conviction.
    case standard(aye: Bool, conviction: Conviction, balance: Balance)
    /// Split between aye and nay, no conviction (0.1x).
    case split(aye: Balance, nay: Balance)
    /// Split with an abstain part, which counts towards support only.
    case splitAbstain(aye: Balance, nay: Balance, abstain: Balance)

    /// The balance this vote uses (and locks).
    public var balance: Balance {
        switch self {
        case .standard(_, _, let b): return b
        case let .split(a, n): return a.saturatingAdd(n)
        case let .splitAbstain(a, n, x): return a.saturatingAdd(n).saturatingAdd(x)
        }
    }

    /// `as_standard`: the direction of a standard vote (the only kind that carries delegations).
    public var standardAye: Bool? {
        if case .standard(let aye, _, _) = self { return aye }
        return nil
    }

    /// `locked_if(approved)`: a standard vote on the winning side stays locked for its periods.
    public func lockedIf(approved: Bool) -> (periods: UInt32, balance: Balance)? {
        if case let .standard(aye, conviction, balance) = self, aye == approved {
            return (conviction.lockPeriods, balance)
        }
        return nil
    }
}

extension Tally {
    /// `Tally::add`: nil on overflow.
    mutating func add(_ vote: AccountVote) -> Bool {
        switch vote {
        case let .standard(aye, conviction, balance):
            let d = conviction.delegations(balance)
            if aye {
                guard let s = support.checkedAdd(d.capital), let a = ayes.checkedAdd(d.votes) else { return false }
                support = s; ayes = a
            } else {
                guard let n = nays.checkedAdd(d.votes) else { return false }
                nays = n
            }
        case let .split(aye, nay):
            return add(.splitAbstain(aye: aye, nay: nay, abstain: 0))
        case let .splitAbstain(aye, nay, abstain):
            let a = Conviction.none.delegations(aye), n = Conviction.none.delegations(nay)
            guard let s1 = support.checkedAdd(a.capital), let s2 = s1.checkedAdd(abstain),
                  let ay = ayes.checkedAdd(a.votes), let ny = nays.checkedAdd(n.votes) else { return false }
            support = s2; ayes = ay; nays = ny
        }
        return true
    }

    /// `Tally::remove`: nil on underflow.
    mutating func remove(_ vote: AccountVote) -> Bool {
        switch vote {
        case let .standard(aye, conviction, balance):
            let d = conviction.delegations(balance)
            if aye {
                guard support >= d.capital, ayes >= d.votes else { return false }
                support -= d.capital; ayes -= d.votes
            } else {
                guard nays >= d.votes else { return false }
                nays -= d.votes
            }
        case let .split(aye, nay):
            return remove(.splitAbstain(aye: aye, nay: nay, abstain: 0))
        case let .splitAbstain(aye, nay, abstain):
            let a = Conviction.none.delegations(aye), n = Conviction.none.delegations(nay)
            guard support >= a.capital, support - a.capital >= abstain, ayes >= a.votes, nays >= n.votes else { return false }
            support = support - a.capital - abstain; ayes -= a.votes; nays -= n.votes
        }
        return true
    }

    /// `Tally::increase` / `reduce`: delegated votes follow a delegate's standard vote.
    mutating func increase(aye: Bool, _ d: Delegations) {
        if aye { support = support.saturatingAdd(d.capital); ayes = ayes.saturatingAdd(d.votes) }
        else { nays = nays.saturatingAdd(d.votes) }
    }

    mutating func reduce(aye: Bool, _ d: Delegations) {
        if aye { support = support.saturatingSub(d.capital); ayes = ayes.saturatingSub(d.votes) }
        else { nays = nays.saturatingSub(d.votes) }
    }
}

/// A lock that outlives the votes that caused it (`PriorLock`): until `until`, keep `amount`.
public struct PriorLock: Sendable, Hashable {
    public var until: BlockNumber = 0
    public var amount: Balance = 0

    mutating func accumulate(until u: BlockNumber, amount a: Balance) {
        until = max(until, u)
        amount = max(amount, a)
    }

    mutating func rejig(now: BlockNumber) {
        if now >= until { self = PriorLock() }
    }
}

/// An account's state in one class (track): casting its own votes, or delegating.
public enum Voting: Sendable, Hashable {
    /// Votes sorted by poll index, the delegations it receives, and its prior lock.
    case casting(votes: [(poll: ReferendumIndex, vote: AccountVote)], delegations: Delegations, prior: PriorLock)
    case delegating(balance: Balance, target: AccountId, conviction: Conviction, delegations: Delegations, prior: PriorLock)

    public static let idle = Voting.casting(votes: [], delegations: Delegations(), prior: PriorLock())

    /// `locked_balance`: the most any vote (or the delegation) uses, or the prior lock.
    public var lockedBalance: Balance {
        switch self {
        case let .casting(votes, _, prior): return votes.reduce(prior.amount) { max($0, $1.vote.balance) }
        case let .delegating(balance, _, _, _, prior): return max(balance, prior.amount)
        }
    }

    public static func == (l: Voting, r: Voting) -> Bool {
        switch (l, r) {
        case let (.casting(v1, d1, p1), .casting(v2, d2, p2)):
            return d1 == d2 && p1 == p2 && v1.count == v2.count && zip(v1, v2).allSatisfy { $0.poll == $1.poll && $0.vote == $1.vote }
        case let (.delegating(b1, t1, c1, d1, p1), .delegating(b2, t2, c2, d2, p2)):
            return b1 == b2 && t1 == t2 && c1 == c2 && d1 == d2 && p1 == p2
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case let .casting(votes, d, p):
            h.combine(0); h.combine(d); h.combine(p)
            for v in votes { h.combine(v.poll); h.combine(v.vote) }
        case let .delegating(b, t, c, d, p):
            h.combine(1); h.combine(b); h.combine(t); h.combine(c); h.combine(d); h.combine(p)
        }
    }
}

public enum ConvictionVotingError: Error, Equatable, CustomStringConvertible {
    case notOngoing(ReferendumIndex)
    case insufficientFunds
    case alreadyDelegating
    case alreadyVoting
    case notDelegating
    case notVoter
    case noPermission
    case noPermissionYet
    case maxVotesReached
    case nonsense
    case badClass(TrackId)
    case classNeeded
    case overflow

    public var description: String {
        switch self {
        case .notOngoing(let i): return "referendum \(i) is not ongoing"
        case .insufficientFunds: return "vote balance exceeds the account's total balance"
        case .alreadyDelegating: return "account is delegating in this track"
        case .alreadyVoting: return "account has votes in this track; remove them before delegating"
        case .notDelegating: return "account is not delegating in this track"
        case .notVoter: return "account has no vote on that referendum"
        case .noPermission: return "only the voter may remove a vote on an ongoing referendum"
        case .noPermissionYet: return "the vote's lock has not expired yet"
        case .maxVotesReached: return "too many votes in this track"
        case .nonsense: return "cannot delegate to oneself"
        case .badClass(let c): return "no track \(c)"
        case .classNeeded: return "the referendum has ended; name its track"
        case .overflow: return "tally overflow"
        }
    }
}

/// The conviction-voting pallet's state: each account's voting per track and its class locks.
///
/// Every tally change goes through `Referenda.accessPoll`, so the referendum is re-evaluated in
/// the next block. Balances are checked against `totalBalance`, which the caller supplies
/// (free + reserved: staked funds can vote).
public struct ConvictionVoting: Sendable {
    /// `VoteLockingPeriod` (Kusama: 7 days = 100,800 blocks).
    public var voteLockingPeriod: BlockNumber
    /// `MaxVotes` per account per track (Kusama: 512).
    public var maxVotes: Int

    struct Key: Hashable, Sendable {
        var who: AccountId
        var track: TrackId
    }
    var votingFor: [Key: Voting] = [:]
    /// `ClassLocksFor`: per account, the lock each track needs.
    var classLocksFor: [AccountId: [(track: TrackId, amount: Balance)]] = [:]

    public init(voteLockingPeriod: BlockNumber = Kusama.voteLockingPeriod, maxVotes: Int = 512) {
        self.voteLockingPeriod = voteLockingPeriod
        self.maxVotes = maxVotes
    }

    /// The account's voting state in a track (idle when never used).
    public func voting(_ who: AccountId, track: TrackId) -> Voting { votingFor[Key(who: who, track: track)] ?? .idle }

    /// The `pyconvot` lock on the account: the maximum over its tracks' locks.
    public func lockedBalance(of who: AccountId) -> Balance {
        (classLocksFor[who] ?? []).reduce(0) { max($0, $1.amount) }
    }

    /// The lock a track currently asks of the account.
    public func classLock(of who: AccountId, track: TrackId) -> Balance {
        (classLocksFor[who] ?? []).first { $0.track == track }?.amount ?? 0
    }

    // MARK: Calls

    /// `vote`: casts or replaces `who`'s vote on an ongoing referendum.
    public mutating func vote(_ who: AccountId, on index: ReferendumIndex, _ vote: AccountVote, totalBalance: Balance,
                              referenda: inout Referenda, now: BlockNumber) throws(ConvictionVotingError) {
        guard vote.balance <= totalBalance else { throw .insufficientFunds }
        guard case .ongoing(_, let track) = referenda.pollStatus(index) else { throw .notOngoing(index) }
        let key = Key(who: who, track: track)
        guard case .casting(var votes, let delegations, let prior) = voting(who, track: track) else { throw .alreadyDelegating }
        var tally = referenda.status(index)!.tally
        switch Self.search(votes, index) {
        case .found(let i):
            guard tally.remove(votes[i].vote) else { throw .overflow }
            if let aye = votes[i].vote.standardAye { tally.reduce(aye: aye, delegations) }
            votes[i].vote = vote
        case .insertAt(let i):
            guard votes.count < maxVotes else { throw .maxVotesReached }
            votes.insert((index, vote), at: i)
        }
        guard tally.add(vote) else { throw .overflow }
        if let aye = vote.standardAye { tally.increase(aye: aye, delegations) }
        referenda.accessPoll(index, now: now) { t, _ in t = tally }
        votingFor[key] = .casting(votes: votes, delegations: delegations, prior: prior)
        extendLock(who, track: track, amount: vote.balance)
    }

    /// `remove_vote` (by the voter) / `remove_other_vote` (`byOther`: only expired locks).
    /// `track` is needed once the referendum has ended.
    public mutating func removeVote(_ who: AccountId, on index: ReferendumIndex, track hint: TrackId? = nil,
                                    byOther: Bool = false, referenda: inout Referenda,
                                    now: BlockNumber) throws(ConvictionVotingError) {
        let status = referenda.pollStatus(index)
        var track = hint
        if track == nil, case .ongoing(_, let t) = status { track = t }
        guard let track else { throw .classNeeded }
        guard case .casting(var votes, let delegations, var prior) = voting(who, track: track) else { return }
        guard case .found(let i) = Self.search(votes, index) else { throw .notVoter }
        let v = votes[i].vote
        switch status {
        case .ongoing(var tally, _):
            if byOther { throw .noPermission }
            guard tally.remove(v) else { throw .overflow }
            if let aye = v.standardAye { tally.reduce(aye: aye, delegations) }
            referenda.accessPoll(index, now: now) { t, _ in t = tally }
        case let .completed(end, approved):
            if let (periods, balance) = v.lockedIf(approved: approved) {
                let unlockAt = Self.sat(end, voteLockingPeriod.multipliedReportingOverflow(by: periods).overflow
                                        ? .max : voteLockingPeriod * periods)
                if now < unlockAt {
                    if byOther { throw .noPermissionYet }
                    prior.accumulate(until: unlockAt, amount: balance)
                }
            }
        case .none:
            break  // cancelled, timed out or killed: no lock beyond the vote itself
        }
        votes.remove(at: i)
        votingFor[Key(who: who, track: track)] = .casting(votes: votes, delegations: delegations, prior: prior)
    }

    /// `delegate`: lends `balance` with `conviction` to `target`'s standard votes in `track`.
    public mutating func delegate(_ who: AccountId, to target: AccountId, track: TrackId, conviction: Conviction,
                                  balance: Balance, totalBalance: Balance, referenda: inout Referenda,
                                  now: BlockNumber) throws(ConvictionVotingError) {
        guard who != target else { throw .nonsense }
        guard referenda.tracks.track(id: track) != nil else { throw .badClass(track) }
        guard balance <= totalBalance else { throw .insufficientFunds }
        switch voting(who, track: track) {
        case .delegating: throw .alreadyDelegating
        case let .casting(votes, delegations, prior):
            guard votes.isEmpty else { throw .alreadyVoting }
            votingFor[Key(who: who, track: track)] = .delegating(balance: balance, target: target, conviction: conviction,
                                                                 delegations: delegations, prior: prior)
        }
        changeUpstreamDelegation(target, track: track, conviction.delegations(balance), increase: true,
                                 referenda: &referenda, now: now)
        extendLock(who, track: track, amount: balance)
    }

    /// `undelegate`: withdraws the delegation; the balance stays locked for the conviction's
    /// periods counted from now.
    public mutating func undelegate(_ who: AccountId, track: TrackId, referenda: inout Referenda,
                                    now: BlockNumber) throws(ConvictionVotingError) {
        guard case let .delegating(balance, target, conviction, delegations, prior) = voting(who, track: track) else {
            throw .notDelegating
        }
        changeUpstreamDelegation(target, track: track, conviction.delegations(balance), increase: false,
                                 referenda: &referenda, now: now)
        var p = prior
        let periods = voteLockingPeriod.multipliedReportingOverflow(by: conviction.lockPeriods)
        p.accumulate(until: Self.sat(now, periods.overflow ? .max : periods.partialValue), amount: balance)
        votingFor[Key(who: who, track: track)] = .casting(votes: [], delegations: delegations, prior: p)
    }

    /// `unlock`: recomputes the account's lock for `track` (expired prior locks drop).
    public mutating func unlock(_ who: AccountId, track: TrackId, now: BlockNumber) {
        let key = Key(who: who, track: track)
        var v = voting(who, track: track)
        switch v {
        case .casting(let votes, let d, var prior):
            prior.rejig(now: now)
            v = .casting(votes: votes, delegations: d, prior: prior)
        case .delegating(let b, let t, let c, let d, var prior):
            prior.rejig(now: now)
            v = .delegating(balance: b, target: t, conviction: c, delegations: d, prior: prior)
        }
        if v != .idle || votingFor[key] != nil { votingFor[key] = v }
        let needed = v.lockedBalance
        var locks = classLocksFor[who] ?? []
        locks.removeAll { $0.track == track }
        if needed > 0 { locks.append((track, needed)) }
        classLocksFor[who] = locks.isEmpty ? nil : locks
    }

    // MARK: Internals

    mutating func extendLock(_ who: AccountId, track: TrackId, amount: Balance) {
        var locks = classLocksFor[who] ?? []
        if let i = locks.firstIndex(where: { $0.track == track }) {
            locks[i].amount = max(locks[i].amount, amount)
        } else {
            locks.append((track, amount))
        }
        classLocksFor[who] = locks
    }

    /// `increase_upstream_delegation` / `reduce_upstream_delegation`: no transitive delegation.
    mutating func changeUpstreamDelegation(_ target: AccountId, track: TrackId, _ amount: Delegations, increase: Bool,
                                           referenda: inout Referenda, now: BlockNumber) {
        let key = Key(who: target, track: track)
        switch voting(target, track: track) {
        case let .delegating(b, t, c, d, p):
            votingFor[key] = .delegating(balance: b, target: t, conviction: c,
                                         delegations: increase ? d.adding(amount) : d.subtracting(amount), prior: p)
        case let .casting(votes, d, p):
            votingFor[key] = .casting(votes: votes, delegations: increase ? d.adding(amount) : d.subtracting(amount), prior: p)
            for (poll, vote) in votes {
                guard let aye = vote.standardAye else { continue }
                referenda.accessPoll(poll, now: now) { tally, _ in
                    if increase { tally.increase(aye: aye, amount) } else { tally.reduce(aye: aye, amount) }
                }
            }
        }
    }

    enum SearchResult { case found(Int), insertAt(Int) }

    static func search(_ votes: [(poll: ReferendumIndex, vote: AccountVote)], _ index: ReferendumIndex) -> SearchResult {
        var lo = 0, hi = votes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if votes[mid].poll < index { lo = mid + 1 } else { hi = mid }
        }
        if lo < votes.count && votes[lo].poll == index { return .found(lo) }
        return .insertAt(lo)
    }

    static func sat(_ a: BlockNumber, _ b: BlockNumber) -> BlockNumber {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? .max : s
    }
}
