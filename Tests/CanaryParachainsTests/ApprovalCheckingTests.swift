import Testing
@testable import CanaryParachains

/// Cases ported from polkadot-sdk `polkadot/node/core/approval-voting/src/approval_checking.rs`
/// (module tests; inputs and expected values as there).
@Suite struct ApprovalCheckingTests {
    typealias R = ApprovalChecking.RequiredTranches

    func bits(_ n: Int, _ set: [Int] = [], all: Bool = false) -> [Bool] {
        var b = Array(repeating: all, count: n)
        for i in set { b[i] = true }
        return b
    }

    /// Two assignments in each of tranches 0, 1 and 2 (the last received after a no-show period).
    func threeTranches(blockTick: Int, noShow: Int) -> ApprovalChecking.Entry {
        var e = ApprovalChecking.Entry(validators: 8)
        for (v, t, tick) in [(0, 0, 0), (1, 0, 0), (2, 1, 1), (3, 1, 1), (4, 2, noShow + 2), (5, 2, noShow + 2)] {
            e.importAssignment(tranche: t, validator: v, tick: blockTick + tick)
        }
        return e
    }

    @Test func pendingIsNotApproved() {
        let e = ApprovalChecking.Entry(validators: 0)
        let c = ApprovalChecking.check(approvals: [], entry: e, required: .pending(considered: 0, nextNoShow: nil, maximumBroadcast: 0, clockDrift: 0))
        #expect(!c.isApproved(maxAssignmentTick: Int.max))
    }

    @Test func exactTakesOnlyAssignmentsUpTo() {
        var e = ApprovalChecking.Entry(validators: 10)
        for i in 0..<2 { e.importAssignment(tranche: 0, validator: i, tick: 0) }
        for i in 2..<5 { e.importAssignment(tranche: 1, validator: i, tick: 1) }
        for i in 5..<10 { e.importAssignment(tranche: 2, validator: i, tick: 0) }
        let a = bits(10, [0, 1, 2])
        #expect(ApprovalChecking.check(approvals: a, entry: e, required: .exact(needed: 0, toleratedMissing: 0, nextNoShow: nil, lastAssignmentTick: nil)).isApproved(maxAssignmentTick: Int.max))
        #expect(!ApprovalChecking.check(approvals: a, entry: e, required: .exact(needed: 1, toleratedMissing: 0, nextNoShow: nil, lastAssignmentTick: nil)).isApproved(maxAssignmentTick: Int.max))
        #expect(ApprovalChecking.check(approvals: a, entry: e, required: .exact(needed: 1, toleratedMissing: 2, nextNoShow: nil, lastAssignmentTick: nil)).isApproved(maxAssignmentTick: Int.max))
    }

    /// `3 × approvals > n`: 3 of 10 is not enough under `All`, 4 of 10 is, whatever the tranches.
    @Test func oneThirdApprovesUnconditionally() {
        var e = ApprovalChecking.Entry(validators: 10)
        for i in 0..<4 { e.importAssignment(tranche: 0, validator: i, tick: 0) }
        for i in 4..<6 { e.importAssignment(tranche: 1, validator: i, tick: 1) }
        for i in 6..<10 { e.importAssignment(tranche: 2, validator: i, tick: 0) }
        var a = bits(10, [0, 1, 2])
        let exactAll = R.exact(needed: 10, toleratedMissing: 0, nextNoShow: nil, lastAssignmentTick: nil)
        let pendingAll = R.pending(considered: 5, nextNoShow: nil, maximumBroadcast: 8, clockDrift: 12)
        for r in [R.all, exactAll, pendingAll] {
            #expect(!ApprovalChecking.check(approvals: a, entry: e, required: r).isApproved(maxAssignmentTick: Int.max))
        }
        a[3] = true
        for r in [R.all, exactAll, pendingAll] {
            #expect(ApprovalChecking.check(approvals: a, entry: e, required: r) == .approvedOneThird)
        }
    }

    @Test func everyonePresent() {
        let blockTick = 20, noShow = 10
        var e = ApprovalChecking.Entry(validators: 5)
        e.importAssignment(tranche: 0, validator: 0, tick: blockTick)
        e.importAssignment(tranche: 0, validator: 1, tick: blockTick)
        e.importAssignment(tranche: 1, validator: 2, tick: blockTick + 1)
        e.importAssignment(tranche: 1, validator: 3, tick: blockTick + 1)
        e.importAssignment(tranche: 2, validator: 4, tick: blockTick + 2)
        let r = ApprovalChecking.tranchesToApprove(entry: e, approvals: bits(5, all: true), trancheNow: 2, blockTick: blockTick,
                                                   noShowDuration: noShow, neededApprovals: 4)
        #expect(r == .exact(needed: 1, toleratedMissing: 0, nextNoShow: nil, lastAssignmentTick: 21))
    }

    @Test func notEnoughInitialCount() {
        let blockTick = 20, noShow = 10
        var e = ApprovalChecking.Entry(validators: 10)
        e.importAssignment(tranche: 0, validator: 0, tick: blockTick)
        e.importAssignment(tranche: 1, validator: 2, tick: blockTick)
        let r = ApprovalChecking.tranchesToApprove(entry: e, approvals: bits(10), trancheNow: 2, blockTick: blockTick,
                                                   noShowDuration: noShow, neededApprovals: 4)
        #expect(r == .pending(considered: 2, nextNoShow: blockTick + noShow, maximumBroadcast: Int(UInt32.max), clockDrift: 0))
    }

    @Test func noShowsBeforeInitialCountTreatedSameAsNotInitial() {
        let blockTick = 20, noShow = 10
        var e = ApprovalChecking.Entry(validators: 10)
        e.importAssignment(tranche: 0, validator: 0, tick: blockTick)
        e.importAssignment(tranche: 0, validator: 1, tick: blockTick)
        e.importAssignment(tranche: 1, validator: 2, tick: blockTick)
        let r = ApprovalChecking.tranchesToApprove(entry: e, approvals: bits(10, [0, 1]), trancheNow: noShow + 1, blockTick: blockTick,
                                                   noShowDuration: noShow, neededApprovals: 4)
        #expect(r == .pending(considered: 11, nextNoShow: nil, maximumBroadcast: Int(UInt32.max), clockDrift: 0))
    }

    @Test func coverNoShowNotEnough() {
        let blockTick = 20, noShow = 10
        var e = ApprovalChecking.Entry(validators: 8)
        e.importAssignment(tranche: 0, validator: 0, tick: blockTick)
        e.importAssignment(tranche: 0, validator: 1, tick: blockTick)
        e.importAssignment(tranche: 1, validator: 2, tick: blockTick)
        e.importAssignment(tranche: 1, validator: 3, tick: blockTick)
        var a = bits(8, [0, 1, 3])
        var r = ApprovalChecking.tranchesToApprove(entry: e, approvals: a, trancheNow: noShow + 1, blockTick: blockTick, noShowDuration: noShow, neededApprovals: 4)
        #expect(r == .pending(considered: 1, nextNoShow: nil, maximumBroadcast: 2, clockDrift: noShow))
        a[0] = false
        r = ApprovalChecking.tranchesToApprove(entry: e, approvals: a, trancheNow: noShow + 1, blockTick: blockTick, noShowDuration: noShow, neededApprovals: 4)
        #expect(r == .pending(considered: 1, nextNoShow: nil, maximumBroadcast: 3, clockDrift: noShow))
    }

    @Test func multiCoverNotEnough() {
        let blockTick = 20, noShow = 10
        let e = threeTranches(blockTick: blockTick, noShow: noShow)
        let a = bits(8, [0, 1, 3, 5])
        func req(_ now: Int) -> R {
            ApprovalChecking.tranchesToApprove(entry: e, approvals: a, trancheNow: now, blockTick: blockTick, noShowDuration: noShow, neededApprovals: 4)
        }
        #expect(req(1) == .exact(needed: 1, toleratedMissing: 0, nextNoShow: blockTick + noShow + 1, lastAssignmentTick: blockTick + 1))
        #expect(req(noShow + 2) == .exact(needed: 2, toleratedMissing: 1, nextNoShow: blockTick + 2 * noShow + 2, lastAssignmentTick: blockTick + noShow + 2))
        #expect(req(2 * noShow + 2) == .pending(considered: 2, nextNoShow: nil, maximumBroadcast: 3, clockDrift: 2 * noShow))
    }

    @Test func coverNoShow() {
        let blockTick = 20, noShow = 10
        var e = threeTranches(blockTick: blockTick, noShow: noShow)
        var a = bits(8, [0, 1, 3, 4, 5])
        func req(_ now: Int) -> R {
            ApprovalChecking.tranchesToApprove(entry: e, approvals: a, trancheNow: now, blockTick: blockTick, noShowDuration: noShow, neededApprovals: 4)
        }
        #expect(req(noShow + 2) == .exact(needed: 2, toleratedMissing: 1, nextNoShow: nil, lastAssignmentTick: blockTick + noShow + 2))
        // Tranche 2 holds two validators but covers one no-show only.
        a[0] = false
        #expect(req(noShow + 2) == .pending(considered: 2, nextNoShow: nil, maximumBroadcast: 3, clockDrift: noShow))
        e.importAssignment(tranche: 3, validator: 6, tick: blockTick)
        a[6] = true
        #expect(req(noShow + 3) == .exact(needed: 3, toleratedMissing: 2, nextNoShow: nil, lastAssignmentTick: blockTick + noShow + 2))
        // And the check then approves with the two tolerated no-shows (approvals read against 16
        // validators, so the one-third rule does not apply).
        let c = ApprovalChecking.check(approvals: a + Array(repeating: false, count: 8), entry: e, required: req(noShow + 3))
        #expect(c == .approved(noShows: 2, lastAssignmentTick: blockTick + noShow + 2))
    }

    /// needed_approvals: with 3 needed and 2 tranche-0 approvals the candidate waits; the third
    /// assignment in tranche 1 approves it once APPROVAL_DELAY ticks have passed.
    @Test func neededApprovalsAndApprovalDelay() {
        var e = ApprovalChecking.Entry(validators: 20)
        e.importAssignment(tranche: 0, validator: 0, tick: 100)
        e.importAssignment(tranche: 0, validator: 1, tick: 100)
        var a = bits(20, [0, 1])
        #expect(!ApprovalChecking.isApproved(entry: e, approvals: a, now: 104, blockTick: 100, noShowSlots: 2, neededApprovals: 3).approved)
        #expect(ApprovalChecking.isApproved(entry: e, approvals: a, now: 104, blockTick: 100, noShowSlots: 2, neededApprovals: 2).approved)
        e.importAssignment(tranche: 1, validator: 2, tick: 105)
        a[2] = true
        #expect(!ApprovalChecking.isApproved(entry: e, approvals: a, now: 106, blockTick: 100, noShowSlots: 2, neededApprovals: 3).approved)
        #expect(ApprovalChecking.isApproved(entry: e, approvals: a, now: 107, blockTick: 100, noShowSlots: 2, neededApprovals: 3).approved)
    }

    @Test func instaApproval() {
        #expect(ApprovalChecking.instaApproved(neededApprovals: 30, validators: 32, backingGroupSize: 5))
        #expect(!ApprovalChecking.instaApproved(neededApprovals: 30, validators: 35, backingGroupSize: 5))
    }
}
