import CanaryArithmetic
import CanaryEconomics
import CanaryNPoS

/// The staking runtime: balances with total issuance, bonds, validators and nominators, the era
/// election, era payouts split as pallet-staking splits them, unbonding and deferred slashing.
///
/// Lifecycle: create accounts, `bond`, `validate` / `nominate`, then `startFirstEra()` (runs the
/// first election); every `endEra(points:)` pays the ending era, applies due slashes, unlocks, and
/// elects the next era's validators. All iteration is over dense account ids or arrays, never over
/// hashed collections, so results are the same in every process.
public struct StakingState: Sendable {
    public var config: StakingConfig
    public internal(set) var accounts: [Account] = []
    /// Total issuance: every account's free and bonded balance plus the treasury.
    public internal(set) var totalIssuance: Balance = 0
    public internal(set) var treasury: Balance = 0
    /// The era being staked in (its exposures are `exposures`).
    public internal(set) var currentEra: EraIndex = 0
    public internal(set) var started = false
    /// The active set of `currentEra`, ascending by validator id.
    public internal(set) var exposures: [(validator: AccountID, exposure: Exposure)] = []
    /// Commission of each active validator, snapshotted at election (`ErasValidatorPrefs`).
    public internal(set) var eraCommission: [AccountID: Perbill] = [:]
    public internal(set) var lastScore: ElectionScore?
    public internal(set) var pendingSlashes: [PendingSlash] = []
    /// Totals for issuance accounting: `totalIssuance == genesis + minted − burned`.
    public internal(set) var genesisIssuance: Balance = 0
    public internal(set) var minted: Balance = 0
    public internal(set) var burned: Balance = 0

    private var election: any ElectionProvider

    public init(config: StakingConfig = .kusama, election: any ElectionProvider = SeqPhragmenElection()) {
        self.config = config
        self.election = election
    }

    // MARK: accounts and balances

    /// A new account with `free` balance at genesis (counted into the genesis issuance).
    @discardableResult
    public mutating func createAccount(free: Balance) -> AccountID {
        precondition(!started, "accounts with genesis balance must be created before the first era")
        let id = AccountID(accounts.count)
        accounts.append(Account(free: free, payee: config.defaultPayee))
        totalIssuance += free
        genesisIssuance += free
        return id
    }

    /// Genesis treasury funds.
    public mutating func fundTreasury(_ amount: Balance) {
        precondition(!started, "genesis only")
        treasury += amount
        totalIssuance += amount
        genesisIssuance += amount
    }

    public func account(_ id: AccountID) -> Account { accounts[Int(id)] }

    private func check(_ id: AccountID) throws {
        guard Int(id) < accounts.count else { throw StakingError("unknown account \(id)") }
    }

    // MARK: staking calls

    /// `bond` / `bond_extra`: moves `amount` of free balance into the active bond.
    public mutating func bond(_ who: AccountID, _ amount: Balance) throws {
        try check(who)
        guard accounts[Int(who)].free >= amount else { throw StakingError("account \(who): bond above free balance") }
        accounts[Int(who)].free -= amount
        accounts[Int(who)].active += amount
    }

    public mutating func setPayee(_ who: AccountID, _ payee: Payee) throws {
        try check(who)
        accounts[Int(who)].payee = payee
    }

    /// `validate(prefs)`: become a validator candidate with `commission` (stops nominating).
    public mutating func validate(_ who: AccountID, commission: Perbill) throws {
        try check(who)
        guard accounts[Int(who)].active > 0 else { throw StakingError("account \(who): validate without a bond") }
        accounts[Int(who)].validatorPrefs = commission
        accounts[Int(who)].nominations = nil
    }

    /// `nominate(targets)`: up to `maxNominations` distinct targets (stops validating).
    public mutating func nominate(_ who: AccountID, _ targets: [AccountID]) throws {
        try check(who)
        guard accounts[Int(who)].active > 0 else { throw StakingError("account \(who): nominate without a bond") }
        guard !targets.isEmpty else { throw StakingError("account \(who): no targets") }
        var unique: [AccountID] = []
        for t in targets where !unique.contains(t) {
            try check(t)
            unique.append(t)
        }
        guard unique.count <= config.maxNominations else {
            throw StakingError("account \(who): \(unique.count) targets, at most \(config.maxNominations)")
        }
        accounts[Int(who)].nominations = unique
        accounts[Int(who)].validatorPrefs = nil
    }

    /// `chill`: neither validate nor nominate from the next election on.
    public mutating func chill(_ who: AccountID) throws {
        try check(who)
        accounts[Int(who)].nominations = nil
        accounts[Int(who)].validatorPrefs = nil
    }

    /// `unbond(value)`: moves up to `amount` of the active bond into a chunk that unlocks at
    /// `currentEra + bondingDuration`. Returns the amount unbonded.
    @discardableResult
    public mutating func unbond(_ who: AccountID, _ amount: Balance) throws -> Balance {
        try check(who)
        let value = min(amount, accounts[Int(who)].active)
        guard value > 0 else { return 0 }
        accounts[Int(who)].active -= value
        let era = currentEra + config.bondingDuration
        if let i = accounts[Int(who)].unlocking.firstIndex(where: { $0.era == era }) {
            accounts[Int(who)].unlocking[i].value += value
        } else {
            accounts[Int(who)].unlocking.append(UnlockChunk(value: value, era: era))
        }
        return value
    }

    /// `withdraw_unbonded`: frees every chunk whose era has come (`chunk.era <= currentEra`).
    @discardableResult
    public mutating func withdrawUnbonded(_ who: AccountID) throws -> Balance {
        try check(who)
        var freed: Balance = 0
        accounts[Int(who)].unlocking.removeAll { chunk in
            if chunk.era <= currentEra { freed += chunk.value; return true }
            return false
        }
        accounts[Int(who)].free += freed
        return freed
    }

    /// Takes up to `amount` from `who`'s bond: the active part first, then unlocking chunks, the
    /// latest-unlocking first. Returns what was taken (less if the bond is smaller).
    mutating func takeFromBond(_ who: AccountID, _ amount: Balance) -> Balance {
        var remaining = amount
        let i = Int(who)
        let fromActive = min(remaining, accounts[i].active)
        accounts[i].active -= fromActive
        remaining -= fromActive
        if remaining > 0 {
            for k in accounts[i].unlocking.indices.sorted(by: { accounts[i].unlocking[$0].era > accounts[i].unlocking[$1].era }) {
                let take = min(remaining, accounts[i].unlocking[k].value)
                accounts[i].unlocking[k].value -= take
                remaining -= take
                if remaining == 0 { break }
            }
            accounts[i].unlocking.removeAll { $0.value == 0 }
        }
        return amount - remaining
    }

    /// Records slashed funds burned: they leave the issuance.
    mutating func noteBurned(_ amount: Balance) {
        totalIssuance -= amount
        burned += amount
    }

    // MARK: election

    /// The election input: candidates (validators with enough bond, ascending id) and voters (their
    /// self-votes plus nominators), the top `maxElectingVoters` by stake (ties: lower id first),
    /// stakes saturated to `u64` (`SaturatingCurrencyToVote`).
    public func electionSnapshot() -> (candidates: [AccountID], voters: [NPoSVoter<AccountID>]) {
        var candidates: [AccountID] = []
        var voters: [NPoSVoter<AccountID>] = []
        func weight(_ b: Balance) -> VoteWeight { b > Balance(VoteWeight.max) ? .max : VoteWeight(b) }
        for (i, a) in accounts.enumerated() {
            let id = AccountID(i)
            if a.validatorPrefs != nil, a.active > 0, a.active >= config.minValidatorBond {
                candidates.append(id)
                voters.append(NPoSVoter(id: id, stake: weight(a.active), targets: [id]))
            } else if let targets = a.nominations, a.active > 0, a.active >= config.minNominatorBond {
                voters.append(NPoSVoter(id: id, stake: weight(a.active), targets: targets))
            }
        }
        if voters.count > config.maxElectingVoters {
            let top = voters.enumerated().sorted {
                $0.element.stake != $1.element.stake ? $0.element.stake > $1.element.stake : $0.offset < $1.offset
            }.prefix(config.maxElectingVoters).map(\.offset).sorted()
            voters = top.map { voters[$0] }
        }
        return (candidates, voters)
    }

    /// Runs the election and installs its exposures as the active set of `currentEra`.
    public mutating func elect() throws {
        let (candidates, voters) = electionSnapshot()
        let (supports, score) = try election.elect(toElect: config.validatorCount, candidates: candidates, voters: voters)
        var set: [(AccountID, Exposure)] = []
        var commission: [AccountID: Perbill] = [:]
        for s in supports.sorted(by: { $0.target < $1.target }) {
            var own: Balance = 0
            var others: [Exposure.Backer] = []
            for b in s.voters {
                if b.voter == s.target { own += b.stake } else { others.append(.init(who: b.voter, value: b.stake)) }
            }
            set.append((s.target, Exposure(total: s.total, own: own, others: others)))
            commission[s.target] = accounts[Int(s.target)].validatorPrefs ?? .zero
        }
        exposures = set
        eraCommission = commission
        lastScore = score
    }

    /// Elects the first era's validators. Call once after genesis.
    public mutating func startFirstEra() throws {
        precondition(!started, "already started")
        started = true
        try elect()
    }

    /// `ErasTotalStake` of the current era.
    public var eraTotalStake: Balance { exposures.reduce(0) { $0 + $1.exposure.total } }

    // MARK: era end

    /// Ends `currentEra`: mints its payout and pays every active validator's pages in full, applies
    /// slashes due now, withdraws unlocked chunks if `autoWithdraw`, then starts the next era with a
    /// fresh election. `points` are the era's reward points (`(validator, points)`; repeats add up;
    /// points of accounts outside the active set are ignored). With `electNext: false` the next
    /// era keeps the current active set and exposures until the caller installs new ones
    /// (`installExposures`), as the statistical model does between elections.
    public mutating func endEra(points: [(AccountID, UInt32)], eraMillis: UInt64? = nil,
                                relayBlock: UInt32? = nil, electNext: Bool = true) throws -> EraSummary {
        precondition(started, "call startFirstEra() first")
        let millis = eraMillis ?? config.eraMillis
        let era = currentEra
        let issuanceBefore = totalIssuance
        let staked = eraTotalStake

        // 1. The era payout (`end_era`): remainder minted to the treasury now, rewards when paid.
        let payout = try config.inflation.eraPayout(totalStaked: staked, totalIssuance: issuanceBefore,
                                                    eraMillis: millis, relayBlock: relayBlock)
        treasury += payout.toTreasury
        totalIssuance += payout.toTreasury
        minted += payout.toTreasury

        // 2. Reward points of the active set, in validator order.
        var eraPoints = [UInt32](repeating: 0, count: exposures.count)
        var index: [AccountID: Int] = [:]
        index.reserveCapacity(exposures.count)
        for (i, e) in exposures.enumerated() { index[e.validator] = i }
        for (who, p) in points {
            if let i = index[who] { eraPoints[i] = eraPoints[i] &+ p }
        }
        let totalPoints = eraPoints.reduce(UInt64(0)) { $0 + UInt64($1) }

        // 3. Pay every validator, every page (`payout_stakers_by_page`).
        var payouts: [Payout] = []
        payouts.reserveCapacity(exposures.reduce(0) { $0 + $1.exposure.others.count + 1 })
        var paid: Balance = 0
        for (i, entry) in exposures.enumerated() {
            let commission = eraCommission[entry.validator] ?? .zero
            let pays = validatorPayouts(era: era, validator: entry.validator, exposure: entry.exposure,
                                        commission: commission, points: UInt64(eraPoints[i]),
                                        totalPoints: totalPoints, eraPayout: payout.toStakers,
                                        pageSize: config.exposurePageSize)
            for var p in pays where p.amount > 0 {
                let rebond = accounts[Int(p.who)].payee == .staked
                p.rebonded = rebond
                if rebond { accounts[Int(p.who)].active += p.amount } else { accounts[Int(p.who)].free += p.amount }
                paid += p.amount
                payouts.append(p)
            }
        }
        totalIssuance += paid
        minted += paid

        // 4. Next era: apply slashes due at it, unlock, elect.
        currentEra += 1
        let (slashes, burnedNow) = applyDueSlashes()
        var withdrawn: Balance = 0
        if config.autoWithdraw {
            for i in accounts.indices where !accounts[i].unlocking.isEmpty { withdrawn += try withdrawUnbonded(AccountID(i)) }
        }
        let backing = exposures.map(\.exposure.total)
        let summary = EraSummary(
            era: era, eraMillis: millis, totalIssuanceBefore: issuanceBefore, totalIssuanceAfter: totalIssuance,
            totalStaked: staked, stakingRate: Perquintill.fromRational(staked, issuanceBefore), payout: payout,
            annualInflation: annualised(payout.toTreasury + paid, eraMillis: millis, of: issuanceBefore),
            paidToStakers: paid, unpaidRemainder: payout.toStakers > paid ? payout.toStakers - paid : 0,
            overpaid: paid > payout.toStakers ? paid - payout.toStakers : 0, toTreasury: payout.toTreasury,
            payouts: payouts, slashes: slashes, burned: burnedNow, validators: exposures.count,
            minBacking: backing.min() ?? 0,
            avgBacking: backing.isEmpty ? 0 : backing.reduce(0, +) / Balance(backing.count),
            electionScore: lastScore, withdrawn: withdrawn)
        if electNext { try elect() }
        return summary
    }
}

extension StakingState {
    /// Era reward points from the relay blocks each validator authored: 20 per block
    /// (`PointsPerBlock`), summed per author, in ascending author order.
    public static func points(authoredBlocks authors: [AccountID], perBlock: UInt32 = 20) -> [(AccountID, UInt32)] {
        var counts: [AccountID: UInt32] = [:]
        for a in authors { counts[a, default: 0] &+= perBlock }
        return counts.keys.sorted().map { ($0, counts[$0]!) }
    }
}

extension StakingState {
    /// Installs the election result `elected` holds (a copy of this state that ran `elect()`
    /// earlier): its exposures, commissions and score become the active set, as pallet-staking
    /// installs the exposures snapshotted when the election ran at the start of the next era.
    public mutating func installElection(from elected: StakingState) {
        exposures = elected.exposures
        eraCommission = elected.eraCommission
        lastScore = elected.lastScore
    }

    /// Replaces the election algorithm (seq-Phragmén by default).
    public mutating func useElection(_ provider: any ElectionProvider) { election = provider }

    /// Free and bonded balances of every account plus the treasury: what `totalIssuance` must
    /// equal if no planck was created or lost outside minting and burning.
    public var sumOfBalances: Balance {
        accounts.reduce(treasury) { $0 + $1.total }
    }
}
