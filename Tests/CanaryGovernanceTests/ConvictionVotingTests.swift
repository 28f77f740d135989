import Testing
@testable import CanaryGovernance

@Suite("Conviction voting")
struct ConvictionVotingTests {
    @Test("Multipliers and lock periods: None 0.1x .. Locked6x, 0/1/2/4/8/16/32 periods")
    func convictions() {
        #expect(Conviction.allCases.map { $0.votes(1_000) } == [100, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000])
        #expect(Conviction.allCases.map(\.lockPeriods) == [0, 1, 2, 4, 8, 16, 32])
        #expect(Conviction.none.votes(19) == 1)  // integer division
        #expect(Conviction(name: "0.1x") == Conviction.none)
        #expect(Conviction(name: "locked3x") == .locked3x)
        #expect(Conviction(name: "7x") == nil)
        // Kusama: a winning Locked6x vote stays locked 32 weeks = 224 days.
        #expect(Kusama.voteLockingPeriod * Conviction.locked6x.lockPeriods == 224 * Kusama.days)
    }

    @Test("Tally: ayes and nays convicted, support from aye and abstain capital only")
    func tally() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit(.smallTipper)
        try s.vote(1, r, .standard(aye: true, conviction: .locked2x, balance: 100 * KSM))
        try s.vote(2, r, .standard(aye: false, conviction: .locked3x, balance: 50 * KSM))
        try s.vote(3, r, .standard(aye: true, conviction: .none, balance: 40 * KSM))
        try s.vote(4, r, .split(aye: 30 * KSM, nay: 20 * KSM))
        try s.vote(5, r, .splitAbstain(aye: 10 * KSM, nay: 10 * KSM, abstain: 70 * KSM))
        let t = try #require(s.referenda.status(r)?.tally)
        #expect(t.ayes == 200 * KSM + 4 * KSM + 3 * KSM + 1 * KSM)
        #expect(t.nays == 150 * KSM + 2 * KSM + 1 * KSM)
        #expect(t.support == 100 * KSM + 40 * KSM + 30 * KSM + 10 * KSM + 70 * KSM)
        #expect(t.approval == Perbill.fromRational(208, 361))
        #expect(t.supportFraction(of: issuance) == Perbill(parts: 250_000))  // 250 KSM of 1M KSM
        // Re-voting replaces: voter 2 switches to aye with no conviction.
        try s.vote(2, r, .standard(aye: true, conviction: .none, balance: 50 * KSM))
        let t2 = try #require(s.referenda.status(r)?.tally)
        #expect(t2.nays == 3 * KSM && t2.ayes == 213 * KSM && t2.support == 300 * KSM)
        // Removing every vote restores an empty tally.
        for who: AccountId in 1...5 { try s.voting.removeVote(who, on: r, referenda: &s.referenda, now: s.now) }
        #expect(s.referenda.status(r)?.tally == .empty)
        #expect(Tally.empty.approval == .one)  // from_rational(0, 0) saturates to one
    }

    @Test("Votes are limited by the account balance and cannot be cast while delegating")
    func voteChecks() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit(.smallTipper)
        #expect(throws: ConvictionVotingError.insufficientFunds) {
            try s.voting.vote(1, on: r, .standard(aye: true, conviction: .none, balance: 11), totalBalance: 10,
                              referenda: &s.referenda, now: s.now)
        }
        try s.voting.delegate(1, to: 2, track: 30, conviction: .locked1x, balance: 5, totalBalance: 10,
                              referenda: &s.referenda, now: s.now)
        #expect(throws: ConvictionVotingError.alreadyDelegating) {
            try s.voting.vote(1, on: r, .standard(aye: true, conviction: .none, balance: 1), totalBalance: 10,
                              referenda: &s.referenda, now: s.now)
        }
        #expect(throws: ConvictionVotingError.notOngoing(99)) {
            try s.voting.vote(1, on: 99, .standard(aye: true, conviction: .none, balance: 1), totalBalance: 10,
                              referenda: &s.referenda, now: s.now)
        }
        try s.vote(3, r, .standard(aye: true, conviction: .none, balance: 1))
        #expect(throws: ConvictionVotingError.alreadyVoting) {
            try s.voting.delegate(3, to: 2, track: 30, conviction: .locked1x, balance: 5, totalBalance: 10,
                                  referenda: &s.referenda, now: s.now)
        }
        #expect(throws: ConvictionVotingError.nonsense) {
            try s.voting.delegate(4, to: 4, track: 30, conviction: .none, balance: 1, totalBalance: 10,
                                  referenda: &s.referenda, now: s.now)
        }
    }

    @Test("Delegation follows the delegate's standard votes, per track, not transitively")
    func delegation() throws {
        var s = GovSim()
        s.advance(to: 1)
        let tip = try s.submit(.smallTipper)
        let big = try s.submit(.bigTipper)
        try s.vote(10, tip, .standard(aye: true, conviction: .locked1x, balance: 100 * KSM))
        try s.vote(10, big, .standard(aye: false, conviction: .locked1x, balance: 100 * KSM))
        // 1 delegates 1000 KSM at 3x to 10 on small_tipper (track 30) only.
        try s.voting.delegate(1, to: 10, track: 30, conviction: .locked3x, balance: 1_000 * KSM,
                              totalBalance: issuance, referenda: &s.referenda, now: s.now)
        #expect(s.referenda.status(tip)?.tally == Tally(ayes: 3_100 * KSM, nays: 0, support: 1_100 * KSM))
        #expect(s.referenda.status(big)?.tally == Tally(ayes: 0, nays: 100 * KSM, support: 0))
        // 2 delegates to 1 (who is delegating): it only accumulates at 1, not at 10.
        try s.voting.delegate(2, to: 1, track: 30, conviction: .locked1x, balance: 500 * KSM,
                              totalBalance: issuance, referenda: &s.referenda, now: s.now)
        #expect(s.referenda.status(tip)?.tally.ayes == 3_100 * KSM)
        // 10 switches to a split vote: delegations do not follow split votes.
        try s.vote(10, tip, .split(aye: 100 * KSM, nay: 0))
        #expect(s.referenda.status(tip)?.tally == Tally(ayes: 10 * KSM, nays: 0, support: 100 * KSM))
        try s.vote(10, tip, .standard(aye: false, conviction: .none, balance: 100 * KSM))
        #expect(s.referenda.status(tip)?.tally == Tally(ayes: 0, nays: 3_010 * KSM, support: 0))
        // Undelegating removes the delegated votes and locks the balance for 4 periods from now.
        s.advance(to: 100)
        try s.voting.undelegate(1, track: 30, referenda: &s.referenda, now: s.now)
        #expect(s.referenda.status(tip)?.tally == Tally(ayes: 0, nays: 10 * KSM, support: 0))
        #expect(s.voting.voting(1, track: 30) == .casting(votes: [], delegations: Delegations(votes: 500 * KSM, capital: 500 * KSM),
                                                          prior: PriorLock(until: 100 + 4 * 100_800, amount: 1_000 * KSM)))
        #expect(throws: ConvictionVotingError.notDelegating) {
            try s.voting.undelegate(1, track: 30, referenda: &s.referenda, now: s.now)
        }
    }

    @Test("Locks: winning standard votes stay locked for their periods after the referendum ends")
    func locks() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit(.smallTipper)  // decides at 11, confirm 100
        try s.vote(1, r, .standard(aye: true, conviction: .locked2x, balance: 600_000 * KSM))
        try s.vote(3, r, .standard(aye: true, conviction: .none, balance: 5_000 * KSM))
        #expect(s.voting.lockedBalance(of: 1) == 600_000 * KSM)
        // Confirming from 11 with 100 % approval; a small 6x nay during confirmation keeps it
        // above the falling approval curve (99.95 % vs 99.93 % at block 61).
        s.advance(to: 60)
        try s.vote(2, r, .standard(aye: false, conviction: .locked6x, balance: 100 * KSM))
        s.advance(to: 200)
        #expect(s.confirmStarted(r) == [11])
        #expect(s.approved(r) == [111])
        let end: BlockNumber = 111
        // Winner with 2x: locked until end + 2 weeks; removing the vote keeps a prior lock.
        try s.voting.removeVote(1, on: r, track: 30, referenda: &s.referenda, now: s.now)
        s.voting.unlock(1, track: 30, now: s.now)
        #expect(s.voting.lockedBalance(of: 1) == 600_000 * KSM)
        s.voting.unlock(1, track: 30, now: end + 2 * 100_800 - 1)
        #expect(s.voting.lockedBalance(of: 1) == 600_000 * KSM)
        s.voting.unlock(1, track: 30, now: end + 2 * 100_800)
        #expect(s.voting.lockedBalance(of: 1) == 0)
        // Loser (nay 6x): no lock after removal. Winner without conviction: none either.
        try s.voting.removeVote(2, on: r, track: 30, referenda: &s.referenda, now: s.now)
        s.voting.unlock(2, track: 30, now: s.now)
        #expect(s.voting.lockedBalance(of: 2) == 0)
        try s.voting.removeVote(3, on: r, track: 30, byOther: true, referenda: &s.referenda, now: s.now)
        s.voting.unlock(3, track: 30, now: s.now)
        #expect(s.voting.lockedBalance(of: 3) == 0)
        #expect(throws: ConvictionVotingError.classNeeded) {
            try s.voting.removeVote(1, on: r, referenda: &s.referenda, now: s.now)
        }
    }

    @Test("Others may remove a vote only once its lock has expired")
    func removeOther() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit(.smallTipper)
        try s.vote(1, r, .standard(aye: true, conviction: .locked1x, balance: 600_000 * KSM))
        #expect(throws: ConvictionVotingError.noPermission) {
            try s.voting.removeVote(1, on: r, byOther: true, referenda: &s.referenda, now: s.now)
        }
        s.advance(to: 200)
        #expect(throws: ConvictionVotingError.noPermissionYet) {
            try s.voting.removeVote(1, on: r, track: 30, byOther: true, referenda: &s.referenda, now: s.now)
        }
        try s.voting.removeVote(1, on: r, track: 30, byOther: true, referenda: &s.referenda, now: 111 + 100_800)
        #expect(throws: ConvictionVotingError.notVoter) {
            try s.voting.removeVote(1, on: r, track: 30, referenda: &s.referenda, now: s.now)
        }
    }

    @Test("Account lock is the maximum over tracks, not the sum")
    func locksOverlap() throws {
        var s = GovSim()
        s.advance(to: 1)
        let a = try s.submit(.smallTipper)
        let b = try s.submit(.bigTipper)
        try s.vote(7, a, .standard(aye: true, conviction: .locked1x, balance: 300 * KSM))
        try s.vote(7, b, .standard(aye: true, conviction: .locked1x, balance: 500 * KSM))
        #expect(s.voting.classLock(of: 7, track: 30) == 300 * KSM)
        #expect(s.voting.classLock(of: 7, track: 31) == 500 * KSM)
        #expect(s.voting.lockedBalance(of: 7) == 500 * KSM)
    }
}
