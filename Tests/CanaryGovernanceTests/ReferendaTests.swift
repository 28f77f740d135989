import Testing
@testable import CanaryGovernance

let KSM = Kusama.units
let issuance: Balance = 1_000_000 * KSM

/// A minimal driver: services every block in order and keeps every event.
struct GovSim {
    var referenda = Referenda(tracks: .kusama, config: .kusama, activeIssuance: issuance)
    var voting = ConvictionVoting()
    var now: BlockNumber = 0
    var log: [ReferendumEvent] = []

    /// Runs the scheduler of each block up to and including `block`.
    mutating func advance(to block: BlockNumber) {
        while now < block {
            now += 1
            referenda.serviceBlock(now: now)
            log += referenda.takeEvents()
        }
    }

    mutating func submit(_ origin: ProposalOrigin = .root, who: AccountId = 1, call: ProposalCall = .remark("x"),
                         enactment: DispatchTime = .after(0), deposit: Bool = true) throws -> ReferendumIndex {
        let i = try referenda.submit(who: who, origin: origin, proposal: call, enactment: enactment, now: now)
        if deposit { try referenda.placeDecisionDeposit(i, who: who, now: now) }
        log += referenda.takeEvents()
        return i
    }

    mutating func vote(_ who: AccountId, _ index: ReferendumIndex, _ v: AccountVote) throws {
        try voting.vote(who, on: index, v, totalBalance: issuance, referenda: &referenda, now: now)
        log += referenda.takeEvents()
    }

    mutating func aye(_ who: AccountId, _ index: ReferendumIndex, ksm: Balance, _ c: Conviction = .locked1x) throws {
        try vote(who, index, .standard(aye: true, conviction: c, balance: ksm * KSM))
    }

    mutating func nay(_ who: AccountId, _ index: ReferendumIndex, ksm: Balance, _ c: Conviction = .locked1x) throws {
        try vote(who, index, .standard(aye: false, conviction: c, balance: ksm * KSM))
    }

    /// Blocks at which `index` had an event matching `pred`.
    func blocks(_ index: ReferendumIndex, _ pred: (ReferendumEvent.Kind) -> Bool) -> [BlockNumber] {
        log.filter { $0.index == index && pred($0.kind) }.map(\.block)
    }

    func decisionStarted(_ i: ReferendumIndex) -> [BlockNumber] {
        blocks(i) { if case .decisionStarted = $0 { return true } else { return false } }
    }
    func confirmStarted(_ i: ReferendumIndex) -> [BlockNumber] {
        blocks(i) { $0 == .confirmStarted }
    }
    func confirmAborted(_ i: ReferendumIndex) -> [BlockNumber] {
        blocks(i) { $0 == .confirmAborted }
    }
    func approved(_ i: ReferendumIndex) -> [BlockNumber] {
        blocks(i) { if case .approved = $0 { return true } else { return false } }
    }
    func rejected(_ i: ReferendumIndex) -> [BlockNumber] {
        blocks(i) { if case .rejected = $0 { return true } else { return false } }
    }
    func timedOut(_ i: ReferendumIndex) -> [BlockNumber] {
        blocks(i) { if case .timedOut = $0 { return true } else { return false } }
    }
    func enacted(_ i: ReferendumIndex) -> [BlockNumber] {
        blocks(i) { if case .enacted = $0 { return true } else { return false } }
    }
    func queued(_ i: ReferendumIndex) -> [BlockNumber] {
        blocks(i) { if case .queued = $0 { return true } else { return false } }
    }
}

@Suite("Referenda lifecycle")
struct ReferendaTests {
    @Test("Root referendum: prepare 2 h, confirm 24 h, enact ≥ 24 h after approval")
    func happyPath() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit(call: .setCode(specVersion: 1_003_000))
        try s.aye(10, r, ksm: 600_000)  // 60 % support, 100 % approval
        s.advance(to: 50_000)
        #expect(s.decisionStarted(r) == [1 + 1_200])
        #expect(s.confirmStarted(r) == [1_201])
        #expect(s.approved(r) == [1_201 + 14_400])
        #expect(s.enacted(r) == [15_601 + 14_400])
        let e = try #require(s.log.first { if case .enacted = $0.kind { return true } else { return false } })
        #expect(e.kind == .enacted(track: 0, origin: .root, call: .setCode(specVersion: 1_003_000)))
        #expect(s.referenda.info(r) == .approved(15_601, submission: Deposit(who: 1, amount: Kusama.quid),
                                                 decision: Deposit(who: 1, amount: 100 * Kusama.grand)))
        #expect(s.referenda.decidingCount[0] == 0)
        let t = s.referenda.timelines[Int(r)]
        #expect(t.outcome == "approved" && t.ended == 15_601 && t.enactmentScheduledFor == 30_001 && t.enacted == 30_001)
    }

    @Test("A vote takes effect in the next block")
    func voteEffectiveNextBlock() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit()
        s.advance(to: 5_000)  // deciding since 1201, no votes: not passing
        #expect(s.decisionStarted(r) == [1_201])
        #expect(s.confirmStarted(r).isEmpty)
        try s.aye(10, r, ksm: 600_000)
        // The tally already passes in block 5000, but nothing happens until block 5001's scheduler runs.
        #expect(s.referenda.isPassing(r, now: 5_000) == true)
        #expect(s.referenda.status(r)?.deciding?.confirming == nil)
        #expect(s.referenda.status(r)?.alarm?.block == 5_001)
        s.advance(to: 5_001)
        #expect(s.confirmStarted(r) == [5_001])
        #expect(s.referenda.status(r)?.deciding?.confirming == BlockNumber(19_401))
    }

    @Test("Confirmation restarts from zero when the referendum stops passing")
    func confirmRestart() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit()
        try s.aye(10, r, ksm: 600_000)
        s.advance(to: 10_000)  // confirming since 1201, would end at 15601
        #expect(s.confirmStarted(r) == [1_201])
        try s.nay(11, r, ksm: 300_000, .locked6x)  // 1.8M nay votes vs 600k ayes
        s.advance(to: 10_001)
        #expect(s.confirmAborted(r) == [10_001])
        s.advance(to: 12_000)
        try s.voting.removeVote(11, on: r, referenda: &s.referenda, now: s.now)
        s.advance(to: 12_001)
        #expect(s.confirmStarted(r) == [1_201, 12_001])
        s.advance(to: 40_000)
        // Approved a full confirm period after the restart, not at the original 15601.
        #expect(s.approved(r) == [12_001 + 14_400])
        #expect(s.referenda.timelines[Int(r)].confirmAborts == 1)
    }

    @Test("A full track queues by ayes; queued referenda never time out; a freed slot is filled one block later")
    func queueing() throws {
        var s = GovSim()
        s.advance(to: 1)
        let a = try s.submit()  // decides from 1201
        try s.nay(30, a, ksm: 1)  // approval 0 %: A is rejected when its decision period ends
        s.advance(to: 2)
        let b = try s.submit()  // queued at 1202
        let c = try s.submit()  // queued at 1202
        s.advance(to: 1_202)
        #expect(s.decisionStarted(a) == [1_201])
        #expect(s.queued(b) == [1_202] && s.queued(c) == [1_202])
        // Equal ayes: the earlier entry stays last in the queue and would decide first.
        #expect(s.referenda.trackQueue[0]?.map(\.index) == [c, b])
        // C gains ayes (but too little support to pass): it moves to the end of the queue next block.
        try s.aye(20, c, ksm: 1_000, .none)
        s.advance(to: 1_203)
        #expect(s.referenda.trackQueue[0]?.map(\.index) == [b, c])
        #expect(s.referenda.trackQueue[0]?.last?.ayes == 100 * KSM)
        // A only has a nay: rejected when its decision period ends (1201 + 14 d). B and C were
        // submitted in block 2, so their 14-day UndecidingTimeout (201602) passes while queued.
        s.advance(to: 1_201 + 201_600 + 5)
        #expect(s.rejected(a) == [202_801])
        #expect(s.timedOut(b).isEmpty && s.timedOut(c).isEmpty)
        // The slot frees in 202801; one_fewer_deciding runs in 202802 and picks C (more ayes).
        #expect(s.decisionStarted(c) == [202_802])
        #expect(s.decisionStarted(b).isEmpty)
        #expect(s.referenda.status(b)?.inQueue == true)
        #expect(s.referenda.decidingCount[0] == 1)
    }

    @Test("Without a decision deposit a referendum times out after UndecidingTimeout")
    func timeout() throws {
        var s = GovSim()
        s.advance(to: 7)
        let r = try s.submit(.stakingAdmin, deposit: false)
        s.advance(to: 7 + 201_599)
        #expect(s.timedOut(r).isEmpty)
        s.advance(to: 7 + 201_600)
        #expect(s.timedOut(r) == [201_607])
        #expect(s.referenda.info(r)?.stateName == "timed_out")
        // Timed-out submission deposits stay reserved: no refund.
        #expect(throws: ReferendaError.badStatus(r)) { try s.referenda.refundSubmissionDeposit(r) }
    }

    @Test("A deposit placed after the prepare period starts deciding in the same block")
    func lateDeposit() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit(.whitelistedCaller, deposit: false)
        s.advance(to: 1_000)
        #expect(s.decisionStarted(r).isEmpty)
        try s.referenda.placeDecisionDeposit(r, who: 3, now: s.now)
        s.log += s.referenda.takeEvents()
        #expect(s.decisionStarted(r) == [1_000])
        #expect(throws: ReferendaError.hasDeposit(r)) { try s.referenda.placeDecisionDeposit(r, who: 3, now: 1_000) }
    }

    @Test("Confirming when the decision period ends keeps confirming to approval")
    func confirmingPastDecisionPeriod() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit()
        // Deciding 1201 .. 202801; turn passing 1000 blocks before the end (support 1 % suffices then).
        s.advance(to: 201_800)
        try s.aye(10, r, ksm: 10_000)
        s.advance(to: 250_000)
        #expect(s.confirmStarted(r) == [201_801])
        #expect(s.rejected(r).isEmpty)
        #expect(s.approved(r) == [201_801 + 14_400])
    }

    @Test("Rejected at the end of the decision period when not passing")
    func rejection() throws {
        var s = GovSim()
        s.advance(to: 1)
        let r = try s.submit(.smallTipper)
        try s.nay(5, r, ksm: 1_000)
        s.advance(to: 200_000)
        // small_tipper: prepare 10, decision 7 d.
        #expect(s.decisionStarted(r) == [11])
        #expect(s.rejected(r) == [11 + 100_800])
        #expect(try s.referenda.refundDecisionDeposit(r) == Deposit(who: 1, amount: Kusama.quid))
        #expect(throws: ReferendaError.noDeposit(r)) { try s.referenda.refundDecisionDeposit(r) }
    }

    @Test("Enactment at a fixed block, never earlier than the minimum enactment period")
    func enactmentAt() throws {
        var s = GovSim()
        s.advance(to: 1)
        let late = try s.submit(.whitelistedCaller, enactment: .at(5_000))
        let early = try s.submit(.whitelistedCaller, enactment: .at(2))
        try s.aye(10, late, ksm: 600_000)
        try s.aye(10, early, ksm: 600_000)
        s.advance(to: 10_000)
        // whitelisted: prepare 300, confirm 100, min enactment 100.
        #expect(s.approved(late) == [401] && s.approved(early) == [401])
        #expect(s.enacted(late) == [5_000])
        #expect(s.enacted(early) == [501])
    }

    @Test("Cancel refunds both deposits; kill slashes them; the track is nudged next block")
    func cancelAndKill() throws {
        var s = GovSim()
        s.advance(to: 1)
        let a = try s.submit()
        let b = try s.submit()
        s.advance(to: 2_000)
        #expect(s.queued(b) == [1_201])
        try s.referenda.cancel(a, now: s.now)
        s.log += s.referenda.takeEvents()
        s.advance(to: 2_001)
        #expect(s.decisionStarted(b) == [2_001])
        #expect(try s.referenda.refundSubmissionDeposit(a) == Deposit(who: 1, amount: Kusama.quid))
        #expect(try s.referenda.refundDecisionDeposit(a).amount == 100 * Kusama.grand)
        try s.referenda.kill(b, now: s.now)
        #expect(s.referenda.info(b) == .killed(2_001))
        #expect(throws: ReferendaError.noDeposit(b)) { try s.referenda.refundDecisionDeposit(b) }
        #expect(throws: ReferendaError.notOngoing(b)) { try s.referenda.cancel(b, now: 2_001) }
        #expect(throws: ReferendaError.noTrack(ProposalOrigin("nobody"))) {
            try s.referenda.submit(who: 1, origin: ProposalOrigin("nobody"), proposal: .remark(), enactment: .after(0), now: 2_001)
        }
    }

    @Test("Queue helpers follow Rust's binary search and BoundedVec semantics")
    func queueHelpers() {
        typealias E = Referenda.QueueEntry
        let q = [E(index: 0, ayes: 10), E(index: 1, ayes: 20), E(index: 2, ayes: 20), E(index: 3, ayes: 30)]
        #expect(Referenda.rustBinarySearch(q, ayes: 5) == 0)
        #expect(Referenda.rustBinarySearch(q, ayes: 20) == 2)  // the last of the equal run
        #expect(Referenda.rustBinarySearch(q, ayes: 25) == 3)
        #expect(Referenda.rustBinarySearch(q, ayes: 40) == 4)
        #expect(Referenda.rustBinarySearch([], ayes: 1) == 0)
        var full = q
        // Bound 4: inserting at 0 is refused; elsewhere the lowest entry is pushed out.
        #expect(!Referenda.forceInsertKeepRight(&full, at: 0, E(index: 9, ayes: 1), bound: 4))
        #expect(Referenda.forceInsertKeepRight(&full, at: 4, E(index: 9, ayes: 99), bound: 4))
        #expect(full.map(\.index) == [1, 2, 3, 9])
        var s = q
        Referenda.slide(&s, from: 0, to: 3)
        #expect(s.map(\.index) == [1, 2, 0, 3])
        Referenda.slide(&s, from: 3, to: 0)
        #expect(s.map(\.index) == [3, 1, 2, 0])
    }
}

@Suite("Referenda scheduling")
struct ReferendaSchedulingTests {
    @Test("Jumping between scheduled blocks gives the same transitions as servicing every block")
    func skipIdleBlocks() throws {
        func run(jump: Bool) throws -> [ReferendumEvent] {
            var r = Referenda(tracks: .kusama, config: .kusama, activeIssuance: issuance)
            var v = ConvictionVoting()
            r.serviceBlock(now: 1)
            let a = try r.submit(who: 1, origin: .root, proposal: .remark(), enactment: .after(0), now: 1)
            try r.placeDecisionDeposit(a, who: 1, now: 1)
            let b = try r.submit(who: 2, origin: .root, proposal: .remark(), enactment: .after(0), now: 1)
            try r.placeDecisionDeposit(b, who: 2, now: 1)
            try v.vote(5, on: a, .standard(aye: true, conviction: .locked1x, balance: 600_000 * KSM),
                       totalBalance: issuance, referenda: &r, now: 1)
            try v.vote(6, on: b, .standard(aye: true, conviction: .locked1x, balance: 20_000 * KSM),
                       totalBalance: issuance, referenda: &r, now: 1)
            var now: BlockNumber = 1
            while now < 300_000 {
                now = jump ? (r.nextScheduledBlock ?? 300_000) : now + 1
                r.serviceBlock(now: now)
            }
            return r.takeEvents()
        }
        let every = try run(jump: false)
        let jumping = try run(jump: true)
        #expect(every == jumping)
        // A passes first; B (2 % support) decides from the block after A's approval and passes
        // once the root support curve has fallen to 2 %.
        let approvals = every.filter { if case .approved = $0.kind { return true } else { return false } }
        #expect(approvals.map(\.index) == [0, 1])
        #expect(approvals.first?.block == 15_601)
        let starts = every.filter { if case .decisionStarted = $0.kind { return true } else { return false } }
        #expect(starts.map(\.block) == [1_201, 15_602])
    }
}

@Suite("OpenGov facade")
struct OpenGovTests {
    @Test("A whitelisted-caller upgrade through the facade: 30 min prepare, 10 min confirm, 10 min enactment")
    func whitelistedUpgrade() throws {
        var gov = OpenGov(activeIssuance: issuance)
        gov.serviceBlock(now: 10)
        let r = try gov.submit(who: 1, origin: .whitelistedCaller, proposal: .setCode(specVersion: 1_003_000),
                               enactment: .after(0), now: 10)
        try gov.placeDecisionDeposit(r, who: 1, now: 10)
        // 25 % support: above the whitelisted support curve once it falls below 25 % (before 12 h).
        try gov.vote(2, on: r, .standard(aye: true, conviction: .locked1x, balance: 250_000 * KSM),
                     totalBalance: issuance, now: 10)
        var block: BlockNumber = 10
        while let next = gov.referenda.nextScheduledBlock {
            block = next
            gov.serviceBlock(now: block)
        }
        let events = gov.takeEvents()
        let started = try #require(events.first { $0.kind == .confirmStarted })
        let x = Curve.elapsedFraction(elapsed: started.block - 310, period: 201_600)
        // It starts confirming at the first block the falling support curve is at or below 25 %.
        #expect(Kusama.supWhitelistedCaller.threshold(at: x) <= Perbill.fromPercent(25))
        let before = Curve.elapsedFraction(elapsed: started.block - 311, period: 201_600)
        #expect(Kusama.supWhitelistedCaller.threshold(at: before) > Perbill.fromPercent(25))
        let enacted = try #require(events.last)
        #expect(enacted.kind == .enacted(track: 1, origin: .whitelistedCaller, call: .setCode(specVersion: 1_003_000)))
        #expect(enacted.block == started.block + 100 + 100)
        #expect(gov.referenda.timelines[Int(r)].decisionStarted == 310)
    }
}
