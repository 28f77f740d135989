/// Whether a candidate is approved under a block: a line-by-line port of polkadot-sdk
/// `polkadot/node/core/approval-voting/src/approval_checking.rs` (`tranches_to_approve`,
/// `check_approval`), on 500 ms ticks.
public enum ApprovalChecking {
    /// Ticks per second (`TICK_DURATION_MILLIS` = 500).
    public static let tickMillis = 500
    /// `APPROVAL_DELAY`: ticks that must pass after the last counted assignment.
    public static let approvalDelay = 2
    /// Ticks of one relay slot (6 s).
    public static let ticksPerSlot = 12

    /// The required tranches of assignments (`RequiredTranches`).
    public enum RequiredTranches: Equatable, Sendable {
        /// Every validator appears to be needed.
        case all
        /// More tranches are needed.
        case pending(considered: Int, nextNoShow: Int?, maximumBroadcast: Int, clockDrift: Int)
        /// Enough assignments up to `needed`, tolerating `toleratedMissing` covered no-shows.
        case exact(needed: Int, toleratedMissing: Int, nextNoShow: Int?, lastAssignmentTick: Int?)
    }

    /// The result of a check (`Check`).
    public enum Check: Equatable, Sendable {
        case unapproved
        case approved(noShows: Int, lastAssignmentTick: Int?)
        /// More than a third of all validators approved.
        case approvedOneThird

        /// Approved, and every counted assignment is at most `maxAssignmentTick` (callers pass
        /// `now − APPROVAL_DELAY`).
        public func isApproved(maxAssignmentTick: Int) -> Bool {
            switch self {
            case .unapproved: return false
            case .approved(_, let last): return last.map { $0 <= maxAssignmentTick } ?? true
            case .approvedOneThird: return true
            }
        }

        public var knownNoShows: Int { if case .approved(let n, _) = self { return n } else { return 0 } }
    }

    /// The assignments of one candidate under one block (`ApprovalEntry`): per tranche, who
    /// announced an assignment and at which tick it was received.
    public struct Entry: Sendable {
        public let validators: Int
        /// Tranches in increasing order, only non-empty ones.
        public private(set) var tranches: [(tranche: Int, assignments: [(validator: Int, tick: Int)])] = []

        public init(validators: Int) { self.validators = validators }

        /// `import_assignment`.
        public mutating func importAssignment(tranche: Int, validator: Int, tick: Int) {
            var idx = tranches.count
            while idx > 0 && tranches[idx - 1].tranche >= tranche { idx -= 1 }
            if idx < tranches.count, tranches[idx].tranche == tranche {
                tranches[idx].assignments.append((validator, tick))
            } else {
                tranches.insert((tranche, [(validator, tick)]), at: idx)
            }
        }

        /// Validators with an assignment in tranches 0...tranche (`assignments_up_to`).
        public func assignmentsUpTo(_ tranche: Int) -> [Bool] {
            var m = Array(repeating: false, count: validators)
            for t in tranches where t.tranche <= tranche {
                for a in t.assignments where a.validator < validators { m[a.validator] = true }
            }
            return m
        }
    }

    /// `check_approval`: `approvals[v]` is whether validator v approved the candidate.
    public static func check(approvals: [Bool], entry: Entry, required: RequiredTranches) -> Check {
        check(approvals: approvals, approvalCount: approvals.reduce(0) { $0 + ($1 ? 1 : 0) }, entry: entry, required: required)
    }

    /// `check_approval` with the number of approvals already counted (`approvalCount`), walking
    /// the assignments instead of a validator-sized mask (a validator has at most one assignment
    /// per candidate, so each assigned validator is counted once).
    public static func check(approvals: [Bool], approvalCount: Int, entry: Entry, required: RequiredTranches) -> Check {
        // Any set of f+1 contains an honest node: more than a third approving is enough.
        if 3 * approvalCount > approvals.count { return .approvedOneThird }
        switch required {
        case .pending, .all: return .unapproved
        case .exact(let needed, let tolerated, _, let last):
            var nAssigned = 0, nApproved = 0
            for t in entry.tranches where t.tranche <= needed {
                for a in t.assignments where a.validator < entry.validators {
                    nAssigned += 1
                    if a.validator < approvals.count, approvals[a.validator] { nApproved += 1 }
                }
            }
            return nApproved + tolerated >= nAssigned ? .approved(noShows: tolerated, lastAssignmentTick: last) : .unapproved
        }
    }

    /// The covering state machine of `tranches_to_approve`.
    struct State {
        var assignments = 0, depth = 0, covered = 0, covering: Int, uncovered = 0
        var nextNoShow: Int? = nil, lastAssignmentTick: Int? = nil
        init(covering: Int) { self.covering = covering }

        func clockDrift(_ noShowDuration: Int) -> Int { depth * noShowDuration }

        func output(tranche: Int, needed: Int, validators: Int, noShowDuration: Int) -> RequiredTranches {
            let cov = depth == 0 ? 0 : covering
            if depth != 0 && assignments + cov + uncovered >= validators { return .all }
            if assignments >= needed && cov + uncovered == 0 {
                return .exact(needed: tranche, toleratedMissing: covered, nextNoShow: nextNoShow, lastAssignmentTick: lastAssignmentTick)
            }
            let drift = clockDrift(noShowDuration)
            if depth == 0 {
                return .pending(considered: tranche, nextNoShow: nextNoShow, maximumBroadcast: Int(UInt32.max), clockDrift: drift)
            }
            return .pending(considered: tranche, nextNoShow: nextNoShow, maximumBroadcast: tranche + cov + uncovered, clockDrift: drift)
        }

        func advance(newAssignments: Int, newNoShows: Int, nextNoShow nns: Int?, lastAssignmentTick lat: Int?) -> State {
            // While covering no-shows, a non-empty tranche covers one, however many it holds.
            let newCovered = depth == 0 ? newAssignments : min(newAssignments, 1)
            var s = self
            s.assignments = assignments + newAssignments
            let cov = max(covering - newCovered, 0)
            s.covered = depth == 0 ? 0 : covered + newCovered
            let unc = uncovered + newNoShows
            s.nextNoShow = minPreferSome(nextNoShow, nns)
            s.lastAssignmentTick = maxOptional(lastAssignmentTick, lat)
            if cov == 0 {
                if unc == 0 { s.covering = 0; s.uncovered = 0 }
                else { s.depth = depth + 1; s.covering = unc; s.uncovered = 0 }
            } else {
                s.covering = cov; s.uncovered = unc
            }
            return s
        }
    }

    static func minPreferSome(_ a: Int?, _ b: Int?) -> Int? {
        switch (a, b) {
        case (nil, nil): return nil
        case (nil, let x?), (let x?, nil): return x
        case (let x?, let y?): return min(x, y)
        }
    }

    static func maxOptional(_ a: Int?, _ b: Int?) -> Int? {
        switch (a, b) {
        case (nil, nil): return nil
        case (nil, let x?), (let x?, nil): return x
        case (let x?, let y?): return max(x, y)
        }
    }

    /// `tranches_to_approve`.
    public static func tranchesToApprove(entry: Entry, approvals: [Bool], trancheNow: Int, blockTick: Int,
                                         noShowDuration: Int, neededApprovals: Int) -> RequiredTranches {
        let tickNow = trancheNow + blockTick
        var state = State(covering: neededApprovals)
        var next = 0   // index into entry.tranches
        var tranche = 0
        var last: RequiredTranches = .all
        while true {
            let drift = state.clockDrift(noShowDuration)
            let driftedTickNow = max(tickNow - drift, 0)
            let driftedTrancheNow = max(driftedTickNow - blockTick, 0)
            // Tranche 0 is always taken.
            if tranche > driftedTrancheNow { return last }
            // One pass over the tranche's assignments (no copies: this runs on every evaluation).
            var nAssignments = 0, noShows = 0
            var lastTick: Int? = nil, nextNoShow: Int? = nil
            if next < entry.tranches.count, entry.tranches[next].tranche == tranche {
                let k = next
                next += 1
                for j in entry.tranches[k].assignments.indices {
                    let a = entry.tranches[k].assignments[j]
                    if a.validator < entry.validators { nAssignments += 1 }
                    lastTick = max(lastTick ?? a.tick, a.tick)
                    // `count_no_shows`
                    guard a.validator < approvals.count else { continue }
                    let at = max(max(a.tick, blockTick) - drift, 0) + noShowDuration
                    let approved = approvals[a.validator]
                    if !approved && at <= driftedTickNow { noShows += 1 }
                    else if !approved { nextNoShow = minPreferSome(nextNoShow, at + drift) }
                }
            }
            state = state.advance(newAssignments: nAssignments, newNoShows: noShows, nextNoShow: nextNoShow, lastAssignmentTick: lastTick)
            let out = state.output(tranche: tranche, needed: neededApprovals, validators: entry.validators, noShowDuration: noShowDuration)
            switch out {
            case .exact, .all: return out
            case .pending: last = out
            }
            tranche += 1
        }
    }

    /// Whether a candidate can skip approval checking: `needed_approvals > n_validators −
    /// backing_group_size` (too few non-backers to ever gather the approvals).
    public static func instaApproved(neededApprovals: Int, validators: Int, backingGroupSize: Int) -> Bool {
        neededApprovals > validators - backingGroupSize
    }

    /// The full per-candidate decision at tick `now` for a block whose slot starts at `blockTick`:
    /// the required tranches, then `check_approval`, approved once the last counted assignment is
    /// at least `APPROVAL_DELAY` ticks old.
    public static func isApproved(entry: Entry, approvals: [Bool], approvalCount: Int? = nil, now: Int, blockTick: Int,
                                  noShowSlots: Int, neededApprovals: Int) -> (approved: Bool, required: RequiredTranches, check: Check) {
        let req = tranchesToApprove(entry: entry, approvals: approvals, trancheNow: max(now - blockTick, 0), blockTick: blockTick,
                                    noShowDuration: noShowSlots * ticksPerSlot, neededApprovals: neededApprovals)
        let count = approvalCount ?? approvals.reduce(0) { $0 + ($1 ? 1 : 0) }
        let c = check(approvals: approvals, approvalCount: count, entry: entry, required: req)
        return (c.isApproved(maxAssignmentTick: now - approvalDelay), req, c)
    }
}
