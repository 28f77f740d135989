// pallet-referenda's state machine, driven the way the chain drives it: by alarms in a scheduler
// agenda that runs at the start of each block (`serviceBlock(now:)`).

/// When an approved proposal is dispatched (`DispatchTime`).
public enum DispatchTime: Sendable, Hashable {
    /// At this block (or at approval + min_enactment_period, whichever is later).
    case at(BlockNumber)
    /// This many blocks after approval (at least min_enactment_period).
    case after(BlockNumber)

    func evaluate(_ now: BlockNumber) -> BlockNumber {
        switch self {
        case .at(let n): return n
        case .after(let n): return now.addingReportingOverflow(n).overflow ? .max : now + n
        }
    }
}

/// The call a referendum would dispatch. Opaque to the referenda logic; the simulation gives it
/// meaning at enactment (e.g. `set_code` to a runtime version it defines).
public struct ProposalCall: Sendable, Hashable, CustomStringConvertible {
    /// What the call does, e.g. `system.set_code`, `system.remark`, `staking.set_validator_count`.
    public var name: String
    /// Free-form arguments, in order (e.g. `["1003000"]` for a spec version).
    public var arguments: [String]

    public init(_ name: String, _ arguments: [String] = []) {
        self.name = name
        self.arguments = arguments
    }

    /// `system.set_code` to the runtime with this spec version.
    public static func setCode(specVersion: UInt32) -> ProposalCall { ProposalCall("system.set_code", [String(specVersion)]) }
    /// `system.remark` (a no-op proposal).
    public static func remark(_ text: String = "") -> ProposalCall { ProposalCall("system.remark", [text]) }

    public var description: String { arguments.isEmpty ? name : "\(name)(\(arguments.joined(separator: ", ")))" }
}

/// A reserved deposit.
public struct Deposit: Sendable, Hashable {
    public var who: AccountId
    public var amount: Balance
    public init(who: AccountId, amount: Balance) {
        self.who = who
        self.amount = amount
    }
}

/// `DecidingStatus`: when deciding began and, if confirming, when confirmation ends.
public struct DecidingStatus: Sendable, Hashable {
    public var since: BlockNumber
    public var confirming: BlockNumber?
}

/// An ongoing referendum (`ReferendumStatus`).
public struct ReferendumStatus: Sendable, Hashable {
    public var track: TrackId
    public var origin: ProposalOrigin
    public var proposal: ProposalCall
    public var enactment: DispatchTime
    public var submitted: BlockNumber
    public var submissionDeposit: Deposit
    public var decisionDeposit: Deposit?
    public var deciding: DecidingStatus?
    public var tally: Tally
    public var inQueue: Bool
    /// The next wake-up and its scheduler task.
    public var alarm: (block: BlockNumber, task: UInt64)? {
        get { alarmBlock.map { ($0, alarmTask) } }
        set { alarmBlock = newValue?.block; alarmTask = newValue?.task ?? 0 }
    }
    var alarmBlock: BlockNumber?
    var alarmTask: UInt64 = 0
}

/// A referendum, present or past (`ReferendumInfo`). Terminal states keep the block they ended in
/// and the deposits still held (nil once refunded).
public enum ReferendumInfo: Sendable, Hashable {
    case ongoing(ReferendumStatus)
    case approved(BlockNumber, submission: Deposit?, decision: Deposit?)
    case rejected(BlockNumber, submission: Deposit?, decision: Deposit?)
    case cancelled(BlockNumber, submission: Deposit?, decision: Deposit?)
    case timedOut(BlockNumber, submission: Deposit?, decision: Deposit?)
    case killed(BlockNumber)

    public var ongoing: ReferendumStatus? {
        if case .ongoing(let s) = self { return s }
        return nil
    }

    /// `ongoing`, `approved`, `rejected`, `cancelled`, `timed_out` or `killed`.
    public var stateName: String {
        switch self {
        case .ongoing: return "ongoing"
        case .approved: return "approved"
        case .rejected: return "rejected"
        case .cancelled: return "cancelled"
        case .timedOut: return "timed_out"
        case .killed: return "killed"
        }
    }
}

/// What happened to a referendum, for the simulation to record.
public struct ReferendumEvent: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case submitted(track: TrackId)
        case decisionDepositPlaced(who: AccountId, amount: Balance)
        /// Not an on-chain event: the track was full and the referendum joined its queue.
        case queued(ayes: Balance)
        case decisionStarted(track: TrackId, tally: Tally)
        case confirmStarted
        case confirmAborted
        /// Confirmed and approved; the proposal is scheduled for `enactmentAt`.
        case approved(tally: Tally, enactmentAt: BlockNumber)
        case rejected(tally: Tally)
        case timedOut(tally: Tally)
        case cancelled(tally: Tally)
        case killed(tally: Tally)
        /// The scheduler dispatched the approved proposal from `origin` in this block.
        case enacted(track: TrackId, origin: ProposalOrigin, call: ProposalCall)
    }

    public var block: BlockNumber
    public var index: ReferendumIndex
    public var kind: Kind

    public var description: String { "#\(block) ref \(index): \(kind)" }
}

/// Why a call was refused (`pallet_referenda::Error`).
public enum ReferendaError: Error, Equatable, CustomStringConvertible {
    case noTrack(ProposalOrigin)
    case badReferendum(ReferendumIndex)
    case notOngoing(ReferendumIndex)
    case hasDeposit(ReferendumIndex)
    case unfinished(ReferendumIndex)
    case noDeposit(ReferendumIndex)
    case badStatus(ReferendumIndex)

    public var description: String {
        switch self {
        case .noTrack(let o): return "no track for origin '\(o)'"
        case .badReferendum(let i): return "no referendum \(i)"
        case .notOngoing(let i): return "referendum \(i) is not ongoing"
        case .hasDeposit(let i): return "referendum \(i) already has a decision deposit"
        case .unfinished(let i): return "referendum \(i) has not finished"
        case .noDeposit(let i): return "referendum \(i) has no such deposit"
        case .badStatus(let i): return "referendum \(i) is in the wrong state for that"
        }
    }
}

/// Milestones of one referendum, for result tables (filled as it goes).
public struct ReferendumTimeline: Sendable, Hashable {
    public var track: TrackId
    public var submitted: BlockNumber
    public var decisionDepositPlaced: BlockNumber?
    public var queuedAt: BlockNumber?
    public var decisionStarted: BlockNumber?
    /// The last time confirming started (it restarts after an abort).
    public var confirmStarted: BlockNumber?
    public var confirmAborts: Int = 0
    public var ended: BlockNumber?
    /// `approved`, `rejected`, `cancelled`, `timed_out`, `killed`; nil while ongoing.
    public var outcome: String?
    public var enactmentScheduledFor: BlockNumber?
    public var enacted: BlockNumber?
}

/// The referenda pallet: tracks, referenda, per-track deciding counts and queues, and the
/// scheduler agenda that wakes them.
///
/// Call order within a block, as on chain: `serviceBlock(now: n)` first (the scheduler runs in
/// `on_initialize`), then the block's calls (`submit`, `placeDecisionDeposit`, votes through
/// `ConvictionVoting`, `cancel`, `kill`) with the same `now`. A tally change in block n sets the
/// referendum's alarm to n + 1, so its effect is evaluated in the next block, like the chain.
public struct Referenda: Sendable {
    public let tracks: TrackTable
    public let config: ReferendaConfig
    /// `MaxTurnout`, the support denominator (Kusama: active issuance). The simulation updates it.
    public var activeIssuance: Balance

    /// Every referendum by index.
    public private(set) var referenda: [ReferendumInfo] = []
    /// Milestones by index.
    public private(set) var timelines: [ReferendumTimeline] = []
    /// `DecidingCount` by track.
    public private(set) var decidingCount: [TrackId: UInt32] = [:]
    /// `TrackQueue` by track: (index, ayes), ascending by ayes; the last entry decides next.
    public private(set) var trackQueue: [TrackId: [QueueEntry]] = [:]
    /// Events not yet taken by `takeEvents()`.
    public private(set) var events: [ReferendumEvent] = []

    public struct QueueEntry: Sendable, Hashable {
        public var index: ReferendumIndex
        public var ayes: Balance
    }

    // Scheduler agenda (pallet-scheduler): tasks by block, run in (priority, insertion) order.
    enum Task: Sendable, Hashable {
        case nudge(ReferendumIndex)
        case oneFewerDeciding(TrackId)
        case enact(ReferendumIndex, origin: ProposalOrigin, call: ProposalCall)
    }
    struct Scheduled: Sendable, Hashable {
        var id: UInt64
        var priority: UInt8
        var task: Task
    }
    var agenda: [BlockNumber: [Scheduled]] = [:]
    /// The agenda's blocks, ascending.
    var pendingBlocks: [BlockNumber] = []
    var nextTaskId: UInt64 = 1
    /// The block whose agenda ran last (tasks cannot be scheduled at or before it).
    public private(set) var lastServiced: BlockNumber? = nil

    public init(tracks: TrackTable = .kusama, config: ReferendaConfig = .kusama, activeIssuance: Balance) {
        self.tracks = tracks
        self.config = config
        self.activeIssuance = activeIssuance
    }

    /// Number of referenda ever submitted (`ReferendumCount`).
    public var referendumCount: ReferendumIndex { ReferendumIndex(referenda.count) }

    public func info(_ index: ReferendumIndex) -> ReferendumInfo? {
        Int(index) < referenda.count ? referenda[Int(index)] : nil
    }

    public func status(_ index: ReferendumIndex) -> ReferendumStatus? { info(index)?.ongoing }

    /// Drains and returns the events produced so far, in order.
    public mutating func takeEvents() -> [ReferendumEvent] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    // MARK: Calls

    /// `submit`: reserves the submission deposit (the caller's balance logic), sets the timeout
    /// alarm and returns the new index.
    @discardableResult
    public mutating func submit(who: AccountId, origin: ProposalOrigin, proposal: ProposalCall,
                                enactment: DispatchTime, now: BlockNumber) throws(ReferendaError) -> ReferendumIndex {
        guard let track = tracks.trackFor(origin) else { throw .noTrack(origin) }
        let index = referendumCount
        var status = ReferendumStatus(
            track: track.id, origin: origin, proposal: proposal, enactment: enactment, submitted: now,
            submissionDeposit: Deposit(who: who, amount: config.submissionDeposit), decisionDeposit: nil,
            deciding: nil, tally: .empty, inQueue: false)
        status.alarm = setAlarm(.nudge(index), at: sat(now, config.undecidingTimeout), now: now)
        referenda.append(.ongoing(status))
        timelines.append(ReferendumTimeline(track: track.id, submitted: now))
        emit(now, index, .submitted(track: track.id))
        return index
    }

    /// `place_decision_deposit`: reserves the track's decision deposit and services the
    /// referendum at once (it may start deciding in this very block).
    public mutating func placeDecisionDeposit(_ index: ReferendumIndex, who: AccountId, now: BlockNumber) throws(ReferendaError) {
        var status = try ensureOngoing(index)
        guard status.decisionDeposit == nil else { throw .hasDeposit(index) }
        let track = trackInfo(status.track)
        status.decisionDeposit = Deposit(who: who, amount: track.decisionDeposit)
        timelines[Int(index)].decisionDepositPlaced = now
        let (info, _) = serviceReferendum(now: now, index: index, status: status)
        referenda[Int(index)] = info
        emit(now, index, .decisionDepositPlaced(who: who, amount: track.decisionDeposit))
    }

    /// `cancel` (CancelOrigin): ends the referendum, deposits refundable.
    public mutating func cancel(_ index: ReferendumIndex, now: BlockNumber) throws(ReferendaError) {
        let status = try ensureOngoing(index)
        if let a = status.alarm { cancelTask(a.task, at: a.block) }
        noteOneFewerDeciding(status.track, now: now)
        emit(now, index, .cancelled(tally: status.tally))
        referenda[Int(index)] = .cancelled(now, submission: status.submissionDeposit, decision: status.decisionDeposit)
        finish(index, now, "cancelled")
    }

    /// `kill` (KillOrigin): ends the referendum and slashes both deposits.
    public mutating func kill(_ index: ReferendumIndex, now: BlockNumber) throws(ReferendaError) {
        let status = try ensureOngoing(index)
        if let a = status.alarm { cancelTask(a.task, at: a.block) }
        noteOneFewerDeciding(status.track, now: now)
        emit(now, index, .killed(tally: status.tally))
        referenda[Int(index)] = .killed(now)
        finish(index, now, "killed")
    }

    /// `refund_decision_deposit`: only once the referendum is no longer ongoing.
    public mutating func refundDecisionDeposit(_ index: ReferendumIndex) throws(ReferendaError) -> Deposit {
        guard let info = info(index) else { throw .badReferendum(index) }
        switch info {
        case .ongoing(let s): throw s.decisionDeposit == nil ? .noDeposit(index) : .unfinished(index)
        case .killed: throw .noDeposit(index)
        case let .approved(at, s, d), let .rejected(at, s, d), let .cancelled(at, s, d), let .timedOut(at, s, d):
            guard let d else { throw .noDeposit(index) }
            referenda[Int(index)] = info.replacingDeposits(at, submission: s, decision: nil)
            return d
        }
    }

    /// `refund_submission_deposit`: only for approved or cancelled referenda.
    public mutating func refundSubmissionDeposit(_ index: ReferendumIndex) throws(ReferendaError) -> Deposit {
        guard let info = info(index) else { throw .badReferendum(index) }
        switch info {
        case let .approved(at, s, d), let .cancelled(at, s, d):
            guard let s else { throw .noDeposit(index) }
            referenda[Int(index)] = info.replacingDeposits(at, submission: nil, decision: d)
            return s
        default: throw .badStatus(index)
        }
    }

    /// `Polling::access_poll`: lets a voting pallet change an ongoing referendum's tally; the
    /// referendum is re-evaluated in the next block. Returns nil if it is not ongoing.
    @discardableResult
    public mutating func accessPoll<R>(_ index: ReferendumIndex, now: BlockNumber,
                                       _ body: (inout Tally, TrackId) throws -> R) rethrows -> R? {
        guard var status = status(index) else { return nil }
        let r = try body(&status.tally, status.track)
        ensureAlarm(&status, index: index, at: sat(now, 1), now: now)
        referenda[Int(index)] = .ongoing(status)
        return r
    }

    /// What a voting pallet sees of a poll (`PollStatus`).
    public enum PollStatus: Sendable, Hashable {
        case ongoing(Tally, TrackId)
        /// Approved or rejected at `end`.
        case completed(end: BlockNumber, approved: Bool)
        /// Unknown, cancelled, timed out or killed.
        case none
    }

    /// The poll status a voting pallet gets from `access_poll`.
    public func pollStatus(_ index: ReferendumIndex) -> PollStatus {
        switch info(index) {
        case .ongoing(let s)?: return .ongoing(s.tally, s.track)
        case .approved(let end, _, _)?: return .completed(end: end, approved: true)
        case .rejected(let end, _, _)?: return .completed(end: end, approved: false)
        default: return .none
        }
    }

    /// Whether an ongoing referendum would pass now (`is_referendum_passing`).
    public func isPassing(_ index: ReferendumIndex, now: BlockNumber) -> Bool? {
        guard let s = status(index) else { return nil }
        let elapsed = s.deciding.map { now >= $0.since ? now - $0.since : 0 } ?? 0
        return isPassing(s.tally, elapsed: elapsed, track: trackInfo(s.track))
    }

    // MARK: Block servicing

    /// Runs the scheduler agenda of block `now`: enactments (priority 63) first, then referendum
    /// alarms and track nudges (priority 128) in the order they were scheduled. Returns the
    /// events this produced. Agendas of skipped blocks run first, oldest first, as
    /// pallet-scheduler catches up (`IncompleteSince`), so a simulation may also jump straight to
    /// `nextScheduledBlock`. Blocks with nothing due cost one comparison.
    @discardableResult
    public mutating func serviceBlock(now: BlockNumber) -> [ReferendumEvent] {
        let start = events.count
        lastServiced = now
        while let block = pendingBlocks.first, block <= now {
            pendingBlocks.removeFirst()
            guard let tasks = agenda.removeValue(forKey: block) else { continue }
            let ordered = tasks.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }
            for (_, scheduled) in ordered {
                switch scheduled.task {
                case .nudge(let index): nudgeReferendum(index, now: now)
                case .oneFewerDeciding(let track): oneFewerDeciding(track, now: now)
                case let .enact(index, origin, call):
                    timelines[Int(index)].enacted = now
                    emit(now, index, .enacted(track: timelines[Int(index)].track, origin: origin, call: call))
                }
            }
        }
        return Array(events[start...])
    }

    /// The next block with something scheduled (for simulations that skip idle blocks).
    public var nextScheduledBlock: BlockNumber? { pendingBlocks.first }

    // MARK: Internals (names follow pallet-referenda)

    mutating func nudgeReferendum(_ index: ReferendumIndex, now: BlockNumber) {
        guard var status = status(index) else { return }
        status.alarm = nil  // this is our wake-up
        let (info, _) = serviceReferendum(now: now, index: index, status: status)
        referenda[Int(index)] = info
    }

    mutating func oneFewerDeciding(_ trackId: TrackId, now: BlockNumber) {
        let track = trackInfo(trackId)
        var queue = trackQueue[trackId] ?? []
        // next_for_deciding: pop the highest-ayes entry that is still ongoing.
        while let entry = queue.popLast() {
            guard var status = status(entry.index) else { continue }
            let alarm = beginDeciding(&status, index: entry.index, now: now, track: track)
            ensureAlarm(&status, index: entry.index, at: alarm, now: now)
            referenda[Int(entry.index)] = .ongoing(status)
            trackQueue[trackId] = queue
            return
        }
        // As upstream: with nothing left to decide the popped (finished) entries are not written
        // back, so stale entries stay in the stored queue until a later successful pop.
        let c = decidingCount[trackId] ?? 0
        decidingCount[trackId] = c > 0 ? c - 1 : 0
    }

    /// `service_referendum`: advances one referendum and re-arms its alarm.
    mutating func serviceReferendum(now: BlockNumber, index: ReferendumIndex,
                                    status input: ReferendumStatus) -> (ReferendumInfo, Bool) {
        var status = input
        let track = trackInfo(status.track)
        let timeout = sat(status.submitted, config.undecidingTimeout)
        var alarm = BlockNumber.max
        var dirty = false
        if var deciding = status.deciding {
            let passing = isPassing(status.tally, elapsed: now >= deciding.since ? now - deciding.since : 0, track: track)
            if passing {
                if let end = deciding.confirming, now >= end {
                    ensureNoAlarm(&status)
                    noteOneFewerDeciding(status.track, now: now)
                    let when = scheduleEnactment(index, track: track, desired: status.enactment,
                                                 origin: status.origin, call: status.proposal, now: now)
                    emit(now, index, .approved(tally: status.tally, enactmentAt: when))
                    finish(index, now, "approved")
                    timelines[Int(index)].enactmentScheduledFor = when
                    return (.approved(now, submission: status.submissionDeposit, decision: status.decisionDeposit), true)
                } else if deciding.confirming == nil {
                    dirty = true
                    deciding.confirming = sat(now, track.confirmPeriod)
                    timelines[Int(index)].confirmStarted = now
                    emit(now, index, .confirmStarted)
                }
            } else {
                if now >= sat(deciding.since, track.decisionPeriod) {
                    ensureNoAlarm(&status)
                    noteOneFewerDeciding(status.track, now: now)
                    emit(now, index, .rejected(tally: status.tally))
                    finish(index, now, "rejected")
                    return (.rejected(now, submission: status.submissionDeposit, decision: status.decisionDeposit), true)
                }
                if deciding.confirming != nil {
                    dirty = true
                    deciding.confirming = nil
                    timelines[Int(index)].confirmAborts += 1
                    emit(now, index, .confirmAborted)
                }
            }
            status.deciding = deciding
            alarm = decisionTime(deciding, tally: status.tally, track: track)
        } else {
            if status.inQueue {
                requeue(index, ayes: status.tally.ayes, track: status.track)
            } else if status.decisionDeposit != nil {
                let prepareEnd = sat(status.submitted, track.preparePeriod)
                if now >= prepareEnd {
                    if let a = readyForDeciding(now: now, track: track, index: index, status: &status) {
                        alarm = min(alarm, a)
                    }
                    dirty = true
                } else {
                    alarm = min(alarm, prepareEnd)
                }
            } else {
                alarm = timeout
            }
            if status.deciding == nil && now >= timeout && !status.inQueue {
                ensureNoAlarm(&status)
                emit(now, index, .timedOut(tally: status.tally))
                finish(index, now, "timed_out")
                return (.timedOut(now, submission: status.submissionDeposit, decision: status.decisionDeposit), true)
            }
        }
        let dirtyAlarm: Bool
        if alarm < BlockNumber.max {
            dirtyAlarm = ensureAlarm(&status, index: index, at: alarm, now: now)
        } else {
            dirtyAlarm = ensureNoAlarm(&status)
        }
        return (.ongoing(status), dirty || dirtyAlarm)
    }

    /// `ready_for_deciding`: begin deciding if the track has room, else join its queue.
    mutating func readyForDeciding(now: BlockNumber, track: TrackInfo, index: ReferendumIndex,
                                   status: inout ReferendumStatus) -> BlockNumber? {
        let count = decidingCount[track.id] ?? 0
        if count < track.maxDeciding {
            decidingCount[track.id] = count + 1
            return beginDeciding(&status, index: index, now: now, track: track)
        }
        status.inQueue = true
        var queue = trackQueue[track.id] ?? []
        let pos = Self.rustBinarySearch(queue, ayes: status.tally.ayes)
        _ = Self.forceInsertKeepRight(&queue, at: pos, QueueEntry(index: index, ayes: status.tally.ayes),
                                      bound: config.maxQueued)
        trackQueue[track.id] = queue
        timelines[Int(index)].queuedAt = now
        emit(now, index, .queued(ayes: status.tally.ayes))
        return nil
    }

    /// `begin_deciding`: starts the decision period (confirming at once if already passing).
    mutating func beginDeciding(_ status: inout ReferendumStatus, index: ReferendumIndex, now: BlockNumber,
                                track: TrackInfo) -> BlockNumber {
        let passing = isPassing(status.tally, elapsed: 0, track: track)
        status.inQueue = false
        emit(now, index, .decisionStarted(track: track.id, tally: status.tally))
        timelines[Int(index)].decisionStarted = now
        var confirming: BlockNumber? = nil
        if passing {
            emit(now, index, .confirmStarted)
            timelines[Int(index)].confirmStarted = now
            confirming = sat(now, track.confirmPeriod)
        }
        let deciding = DecidingStatus(since: now, confirming: confirming)
        status.deciding = deciding
        return max(decisionTime(deciding, tally: status.tally, track: track), sat(now, 1))
    }

    /// In-queue branch of `service_referendum`: move the entry to its place for the new ayes.
    mutating func requeue(_ index: ReferendumIndex, ayes: Balance, track: TrackId) {
        var queue = trackQueue[track] ?? []
        let oldPos = queue.firstIndex { $0.index == index }
        let newPos = Self.rustBinarySearch(queue, ayes: ayes)
        if oldPos == nil && newPos > 0 {
            _ = Self.forceInsertKeepRight(&queue, at: newPos, QueueEntry(index: index, ayes: ayes), bound: config.maxQueued)
        } else if let old = oldPos {
            queue[old].ayes = ayes
            Self.slide(&queue, from: old, to: newPos)
        }
        trackQueue[track] = queue
    }

    /// `decision_time`: the confirm end, or when the current tally would start passing.
    func decisionTime(_ deciding: DecidingStatus, tally: Tally, track: TrackInfo) -> BlockNumber {
        if let c = deciding.confirming { return c }
        let untilApproval = track.minApproval.delay(for: tally.approval)
        let untilSupport = track.minSupport.delay(for: tally.supportFraction(of: activeIssuance))
        let offset = max(untilApproval, untilSupport)
        let blocks = offset.mulCeil(UInt128(track.decisionPeriod))
        return sat(deciding.since, BlockNumber(min(blocks, UInt128(BlockNumber.max))))
    }

    /// `is_passing`: support and approval both meet their curves at the elapsed fraction.
    func isPassing(_ tally: Tally, elapsed: BlockNumber, track: TrackInfo) -> Bool {
        let x = Curve.elapsedFraction(elapsed: elapsed, period: track.decisionPeriod)
        return track.minSupport.passing(x: x, y: tally.supportFraction(of: activeIssuance))
            && track.minApproval.passing(x: x, y: tally.approval)
    }

    /// `schedule_enactment`: at max(desired, now + min_enactment_period), priority 63.
    mutating func scheduleEnactment(_ index: ReferendumIndex, track: TrackInfo, desired: DispatchTime,
                                    origin: ProposalOrigin, call: ProposalCall, now: BlockNumber) -> BlockNumber {
        // The scheduler refuses a block at or before `now`; min_enactment_period is ≥ 1 on Kusama.
        let when = max(desired.evaluate(now), sat(now, track.minEnactmentPeriod), sat(now, 1))
        _ = schedule(.enact(index, origin: origin, call: call), at: when, priority: 63, now: now)
        return when
    }

    /// `note_one_fewer_deciding`: a `one_fewer_deciding(track)` call in the next block.
    mutating func noteOneFewerDeciding(_ track: TrackId, now: BlockNumber) {
        _ = setAlarm(.oneFewerDeciding(track), at: sat(now, 1), now: now)
    }

    /// `ensure_alarm_at`: re-arms the referendum's nudge if it is not already at `block`.
    @discardableResult
    mutating func ensureAlarm(_ status: inout ReferendumStatus, index: ReferendumIndex, at block: BlockNumber,
                              now: BlockNumber) -> Bool {
        if let a = status.alarm, a.block == block { return false }
        ensureNoAlarm(&status)
        status.alarm = setAlarm(.nudge(index), at: block, now: now)
        return true
    }

    @discardableResult
    mutating func ensureNoAlarm(_ status: inout ReferendumStatus) -> Bool {
        guard let a = status.alarm else { return false }
        cancelTask(a.task, at: a.block)
        status.alarm = nil
        return true
    }

    /// `set_alarm`: rounds up to `AlarmInterval`, priority 128. Nil if the scheduler refuses it.
    mutating func setAlarm(_ task: Task, at when: BlockNumber, now: BlockNumber) -> (block: BlockNumber, task: UInt64)? {
        let interval = max(config.alarmInterval, 1)
        let rounded = UInt64(when) + UInt64(interval - 1)
        let at = BlockNumber(min(rounded / UInt64(interval) * UInt64(interval), UInt64(BlockNumber.max)))
        guard let id = schedule(task, at: at, priority: 128, now: now) else { return nil }
        return (at, id)
    }

    /// pallet-scheduler `schedule`: refuses a target at or before the current block.
    mutating func schedule(_ task: Task, at when: BlockNumber, priority: UInt8, now: BlockNumber) -> UInt64? {
        if when <= now { return nil }
        if let last = lastServiced, when <= last { return nil }
        let id = nextTaskId
        nextTaskId += 1
        if agenda[when] == nil {
            var lo = 0, hi = pendingBlocks.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if pendingBlocks[mid] < when { lo = mid + 1 } else { hi = mid }
            }
            pendingBlocks.insert(when, at: lo)
        }
        agenda[when, default: []].append(Scheduled(id: id, priority: priority, task: task))
        return id
    }

    mutating func cancelTask(_ id: UInt64, at block: BlockNumber) {
        guard var tasks = agenda[block] else { return }
        tasks.removeAll { $0.id == id }
        if tasks.isEmpty {
            agenda[block] = nil
            if let i = pendingBlocks.firstIndex(of: block) { pendingBlocks.remove(at: i) }
        } else {
            agenda[block] = tasks
        }
    }

    func ensureOngoing(_ index: ReferendumIndex) throws(ReferendaError) -> ReferendumStatus {
        guard let info = info(index) else { throw .notOngoing(index) }
        guard let s = info.ongoing else { throw .notOngoing(index) }
        return s
    }

    func trackInfo(_ id: TrackId) -> TrackInfo {
        guard let t = tracks.track(id: id) else { preconditionFailure("referendum on unknown track \(id)") }
        return t
    }

    mutating func emit(_ block: BlockNumber, _ index: ReferendumIndex, _ kind: ReferendumEvent.Kind) {
        events.append(ReferendumEvent(block: block, index: index, kind: kind))
    }

    mutating func finish(_ index: ReferendumIndex, _ now: BlockNumber, _ outcome: String) {
        timelines[Int(index)].ended = now
        timelines[Int(index)].outcome = outcome
    }

    func sat(_ a: BlockNumber, _ b: BlockNumber) -> BlockNumber {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? .max : s
    }

    // MARK: Rust slice / BoundedVec semantics the queue depends on

    /// `binary_search_by_key(&ayes, |x| x.1).unwrap_or_else(|x| x)` with Rust's current (1.82+)
    /// algorithm, which decides where equal-ayes referenda go.
    static func rustBinarySearch(_ queue: [QueueEntry], ayes: Balance) -> Int {
        var size = queue.count
        if size == 0 { return 0 }
        var base = 0
        while size > 1 {
            let half = size / 2
            let mid = base + half
            if !(queue[mid].ayes > ayes) { base = mid }
            size -= half
        }
        let k = queue[base].ayes
        if k == ayes { return base }
        return base + (k < ayes ? 1 : 0)
    }

    /// `BoundedVec::force_insert_keep_right`: when full, drops the lowest entry, or refuses an
    /// entry that would itself be the lowest.
    static func forceInsertKeepRight(_ queue: inout [QueueEntry], at index: Int, _ element: QueueEntry, bound: Int) -> Bool {
        if index > bound || index > queue.count { return false }
        if queue.count < bound {
            queue.insert(element, at: index)
            return true
        }
        if index == 0 { return false }
        queue.removeFirst()
        queue.insert(element, at: index - 1)
        return true
    }

    /// `BoundedVec::slide`: moves the entry at `from` to before position `to`.
    static func slide(_ queue: inout [QueueEntry], from index: Int, to insertAt: Int) {
        if index == insertAt || index >= queue.count || insertAt > queue.count { return }
        let e = queue.remove(at: index)
        queue.insert(e, at: index < insertAt ? insertAt - 1 : insertAt)
    }
}

extension ReferendumInfo {
    func replacingDeposits(_ at: BlockNumber, submission: Deposit?, decision: Deposit?) -> ReferendumInfo {
        switch self {
        case .approved: return .approved(at, submission: submission, decision: decision)
        case .rejected: return .rejected(at, submission: submission, decision: decision)
        case .cancelled: return .cancelled(at, submission: submission, decision: decision)
        case .timedOut: return .timedOut(at, submission: submission, decision: decision)
        default: return self
        }
    }
}
