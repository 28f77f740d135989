// The governance part of the runtime, executed block by block inside a simulation: OpenGov plus
// the scenario's scripted calls (submissions, deposits, votes, delegations) and the meaning of
// `system.set_code` (a switch to a scenario-defined runtime version from the next block on).
//
// Pure like the rest of the module: times are nanoseconds of simulated time (`Int64`), passed in
// by the caller; nothing here reads a clock or draws randomness (behaviour models are expanded
// into explicit calls before the run, from the scenario's seeded streams).

/// A runtime version a `set_code` can switch to, and what it changes.
public struct RuntimeVersion: Sendable, Hashable {
    public var specVersion: UInt32
    /// Block import (verify + execute) time under this runtime, ns (nil: unchanged).
    public var importTime: Int64?
    /// Block proposal (authoring) time under this runtime, ns (nil: unchanged).
    public var proposalTime: Int64?
    /// Extra execution time of the first block run by this runtime (`on_runtime_upgrade`), ns:
    /// its author's proposal and every node's import take this much longer.
    public var migrationTime: Int64 = 0
    /// Inflation parameters this runtime sets (`pallet_parameters`), recorded; applied by
    /// models that run staking (statistical mode), nil: unchanged.
    public var inflation: InflationParameters?
    /// Validators whose client cannot execute this runtime ("not upgraded"): from the first
    /// block of this version on they neither author nor import blocks of it.
    public var notUpgraded: [UInt32] = []

    public init(specVersion: UInt32, importTime: Int64? = nil, proposalTime: Int64? = nil, migrationTime: Int64 = 0,
                inflation: InflationParameters? = nil, notUpgraded: [UInt32] = []) {
        self.specVersion = specVersion; self.importTime = importTime; self.proposalTime = proposalTime
        self.migrationTime = migrationTime; self.inflation = inflation; self.notUpgraded = notUpgraded
    }
}

/// Kusama's inflation parameters (`pallet_parameters` `Inflation::*`), as Perquintill parts.
public struct InflationParameters: Sendable, Hashable {
    public var idealStake: Perquintill?
    public var minInflation: Perquintill?
    public var maxInflation: Perquintill?
    public var falloff: Perquintill?
    public init(idealStake: Perquintill? = nil, minInflation: Perquintill? = nil, maxInflation: Perquintill? = nil,
                falloff: Perquintill? = nil) {
        self.idealStake = idealStake; self.minInflation = minInflation; self.maxInflation = maxInflation; self.falloff = falloff
    }
    /// `ideal=60%,min=2.5%` style summary (only the parameters set).
    public var summary: String {
        var parts: [String] = []
        if let v = idealStake { parts.append("ideal=\(v)") }
        if let v = minInflation { parts.append("min=\(v)") }
        if let v = maxInflation { parts.append("max=\(v)") }
        if let v = falloff { parts.append("falloff=\(v)") }
        return parts.joined(separator: ",")
    }
}

/// A call the scenario makes, and when it lands in a block.
public struct GovernanceAction: Sendable, Hashable {
    public enum Trigger: Sendable, Hashable {
        /// In the first block authored at or after this simulated time (ns).
        case time(Int64)
        /// In the block with this number.
        case block(BlockNumber)
    }
    public enum Kind: Sendable, Hashable {
        /// Submits the scenario's referendum `ref` (its position in the scenario's list).
        case submit(ref: Int, who: AccountId, origin: ProposalOrigin, call: ProposalCall, enactment: DispatchTime)
        case placeDecisionDeposit(ref: Int, who: AccountId)
        case vote(ref: Int, who: AccountId, vote: AccountVote)
        case removeVote(ref: Int, who: AccountId)
        case delegate(who: AccountId, to: AccountId, track: TrackId, conviction: Conviction, balance: Balance)
        case cancel(ref: Int)
        case kill(ref: Int)

        public var name: String {
            switch self {
            case .submit: "submit"
            case .placeDecisionDeposit: "place_decision_deposit"
            case .vote: "vote"
            case .removeVote: "remove_vote"
            case .delegate: "delegate"
            case .cancel: "cancel"
            case .kill: "kill"
            }
        }
    }
    public var trigger: Trigger
    public var kind: Kind
    public init(_ trigger: Trigger, _ kind: Kind) { self.trigger = trigger; self.kind = kind }
}

/// Everything the governance runtime starts from: tracks, electorate, accounts, the calls to
/// make and the runtime versions `set_code` may install.
public struct GovernanceSetup: Sendable, Hashable {
    public var tracks: TrackTable
    public var config: ReferendaConfig
    /// The support denominator (`MaxTurnout` = active issuance), planck.
    public var activeIssuance: Balance
    /// Balance of every account, indexed by `AccountId`.
    public var balances: [Balance]
    /// Account names (same indexing), for results.
    public var accountNames: [String]
    /// Spec version at genesis.
    public var genesisSpecVersion: UInt32
    /// Versions `set_code` can install (by spec version).
    public var versions: [RuntimeVersion]
    /// Calls, in the order they are applied when due in the same block.
    public var actions: [GovernanceAction]
    /// Tally samples: every this many blocks while a referendum is ongoing (plus its milestones).
    public var sampleEvery: BlockNumber
    /// Number of referenda the scenario defines (scenario index → on-chain index once submitted).
    public var referendumCount: Int

    public init(tracks: TrackTable = .kusama, config: ReferendaConfig = .kusama, activeIssuance: Balance,
                balances: [Balance], accountNames: [String]? = nil, genesisSpecVersion: UInt32 = 1_000_000,
                versions: [RuntimeVersion] = [], actions: [GovernanceAction], sampleEvery: BlockNumber = 100,
                referendumCount: Int) {
        self.tracks = tracks; self.config = config; self.activeIssuance = activeIssuance; self.balances = balances
        self.accountNames = accountNames ?? balances.indices.map { "account\($0)" }
        self.genesisSpecVersion = genesisSpecVersion; self.versions = versions; self.actions = actions
        self.sampleEvery = max(sampleEvery, 1); self.referendumCount = referendumCount
    }
}

/// A referendum's tally with the thresholds it had to meet, sampled at a block.
public struct TallySample: Sendable, Hashable {
    public var block: BlockNumber
    public var time: Int64
    public var referendum: ReferendumIndex
    public var state: String
    public var tally: Tally
    public var approval: Perbill
    public var support: Perbill
    /// Thresholds at the elapsed fraction of the decision period (nil before deciding).
    public var approvalThreshold: Perbill?
    public var supportThreshold: Perbill?
}

/// A runtime upgrade that happened: `set_code` dispatched in `enactedBlock`; the new code runs
/// from `enactedBlock + 1`.
public struct UpgradeRecord: Sendable, Hashable {
    public var specVersion: UInt32
    public var previousSpecVersion: UInt32
    public var enactedBlock: BlockNumber
    public var enactedAt: Int64
    public var referendum: ReferendumIndex?
    /// Index into `GovernanceSetup.versions`.
    public var version: Int
    public var firstBlock: BlockNumber { enactedBlock + 1 }
}

/// One scripted call and what came of it.
public struct CallRecord: Sendable, Hashable {
    public var block: BlockNumber
    public var time: Int64
    public var call: String
    public var who: AccountId?
    public var referendum: Int?
    /// `ok` or the pallet error.
    public var result: String
}

/// The governance runtime of one chain, executed once per block height (the first block
/// authored at each height; see docs/governance.md, "Governance in a simulation").
public struct GovernanceRuntime: Sendable {
    public let setup: GovernanceSetup
    public private(set) var gov: OpenGov
    /// The highest block number executed so far (0: genesis only).
    public private(set) var lastExecuted: BlockNumber = 0
    /// Simulated time of every executed block number (index = number; genesis at 0).
    public private(set) var blockTimes: [Int64] = [0]
    /// On-chain index of each scenario referendum once submitted.
    public private(set) var chainIndex: [ReferendumIndex?]
    public private(set) var upgrades: [UpgradeRecord] = []
    public private(set) var samples: [TallySample] = []
    public private(set) var calls: [CallRecord] = []
    public private(set) var events: [ReferendumEvent] = []
    var blockActions: [GovernanceAction]
    var timeActions: [GovernanceAction]
    var nextBlockAction = 0, nextTimeAction = 0
    /// Set by `useUniformSlots`: block n is produced at `n × uniformSlot` ns (every slot gets a
    /// block, as at the statistical level) and `blockTimes` is not kept.
    public private(set) var uniformSlot: Int64? = nil

    public init(setup: GovernanceSetup) {
        self.setup = setup
        gov = OpenGov(tracks: setup.tracks, config: setup.config, activeIssuance: setup.activeIssuance)
        chainIndex = Array(repeating: nil, count: setup.referendumCount)
        // Stable orders: by block / by time, ties in scenario order.
        blockActions = setup.actions.enumerated().compactMap { e -> (BlockNumber, Int, GovernanceAction)? in
            if case .block(let b) = e.element.trigger { return (b, e.offset, e.element) }
            return nil
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
        timeActions = setup.actions.enumerated().compactMap { e -> (Int64, Int, GovernanceAction)? in
            if case .time(let t) = e.element.trigger { return (t, e.offset, e.element) }
            return nil
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    // MARK: Runtime versions

    /// Index of the version (into `setup.versions`) that executes block `number`; nil: genesis runtime.
    public func versionIndex(forBlock number: BlockNumber) -> Int? {
        for u in upgrades.reversed() where u.firstBlock <= number { return u.version }
        return nil
    }

    /// The spec version that executes block `number`.
    public func specVersion(forBlock number: BlockNumber) -> UInt32 {
        versionIndex(forBlock: number).map { setup.versions[$0].specVersion } ?? setup.genesisSpecVersion
    }

    /// The runtime version executing `number` if it is the first block of that version (it runs
    /// the migrations), else nil.
    public func migration(forBlock number: BlockNumber) -> RuntimeVersion? {
        guard let u = upgrades.last(where: { $0.firstBlock == number }) else { return nil }
        return setup.versions[u.version]
    }

    /// Import time for block `number`: the executing runtime's (or `base`), plus its migration
    /// time if it is that runtime's first block.
    public func importTime(forBlock number: BlockNumber, base: Int64) -> Int64 {
        var t = base
        for u in upgrades where u.firstBlock <= number {
            if let v = setup.versions[u.version].importTime { t = v }
        }
        return t + (migration(forBlock: number)?.migrationTime ?? 0)
    }

    /// Proposal time for block `number` (same rule as `importTime`).
    public func proposalTime(forBlock number: BlockNumber, base: Int64) -> Int64 {
        var t = base
        for u in upgrades where u.firstBlock <= number {
            if let v = setup.versions[u.version].proposalTime { t = v }
        }
        return t + (migration(forBlock: number)?.migrationTime ?? 0)
    }

    /// Whether `node`'s client can execute block `number` (false once a version listing the
    /// node as not upgraded runs).
    public func canExecute(node: UInt32, block number: BlockNumber) -> Bool {
        for u in upgrades where u.firstBlock <= number {
            if setup.versions[u.version].notUpgraded.contains(node) { return false }
        }
        return true
    }

    // MARK: Execution

    /// Executes block `number`, authored at `time` (ns). Only the next height runs (a fork's
    /// second block at a height executed already changes nothing): returns false otherwise.
    ///
    /// `dispatch` runs enacted calls that belong to pallets outside governance (the parachains'
    /// `configuration.set_config`): it returns the dispatch result (`ok` or the pallet error),
    /// or nil for a call it does not know (recorded as dispatched, without effect).
    @discardableResult
    public mutating func execute(block number: BlockNumber, at time: Int64,
                                 dispatch: (ProposalCall) -> String? = { _ in nil }) -> Bool {
        guard number == lastExecuted + 1 else { return false }
        lastExecuted = number
        if uniformSlot == nil { blockTimes.append(time) }
        // on_initialize: the scheduler agenda (enactments, referendum alarms).
        for e in gov.serviceBlock(now: number) {
            if case let .enacted(_, _, call) = e.kind { enact(call, referendum: e.index, block: number, time: time, dispatch: dispatch) }
        }
        // The block's extrinsics: scripted calls that are due.
        while nextBlockAction < blockActions.count, case .block(let b) = blockActions[nextBlockAction].trigger, b <= number {
            apply(blockActions[nextBlockAction].kind, block: number, time: time)
            nextBlockAction += 1
        }
        while nextTimeAction < timeActions.count, case .time(let t) = timeActions[nextTimeAction].trigger, t <= time {
            apply(timeActions[nextTimeAction].kind, block: number, time: time)
            nextTimeAction += 1
        }
        let new = gov.takeEvents()
        events += new
        sample(block: number, time: time, milestones: new)
        return true
    }

    mutating func enact(_ call: ProposalCall, referendum: ReferendumIndex, block: BlockNumber, time: Int64,
                        dispatch: (ProposalCall) -> String? = { _ in nil }) {
        guard call.name == "system.set_code" else {
            calls.append(CallRecord(block: block, time: time, call: "dispatch \(call)", who: nil, referendum: Int(referendum),
                                    result: dispatch(call) ?? "ok"))
            return
        }
        let current = specVersion(forBlock: block + 1)
        guard let s = call.arguments.first.flatMap(UInt32.init), let i = setup.versions.firstIndex(where: { $0.specVersion == s }) else {
            calls.append(CallRecord(block: block, time: time, call: "dispatch \(call)", who: nil, referendum: Int(referendum), result: "InvalidCode"))
            return
        }
        guard s > current else {
            // `can_set_code`: the spec version must increase.
            calls.append(CallRecord(block: block, time: time, call: "dispatch \(call)", who: nil, referendum: Int(referendum), result: "SpecVersionNeedsToIncrease"))
            return
        }
        calls.append(CallRecord(block: block, time: time, call: "dispatch \(call)", who: nil, referendum: Int(referendum), result: "ok"))
        upgrades.append(UpgradeRecord(specVersion: s, previousSpecVersion: current, enactedBlock: block, enactedAt: time,
                                      referendum: referendum, version: i))
    }

    func balance(_ who: AccountId) -> Balance { Int(who) < setup.balances.count ? setup.balances[Int(who)] : 0 }

    mutating func apply(_ kind: GovernanceAction.Kind, block: BlockNumber, time: Int64) {
        var who: AccountId? = nil, ref: Int? = nil
        var result = "ok"
        func index(_ r: Int) -> ReferendumIndex? { r < chainIndex.count ? chainIndex[r] : nil }
        do {
            switch kind {
            case let .submit(r, w, origin, call, enactment):
                who = w; ref = r
                let i = try gov.submit(who: w, origin: origin, proposal: call, enactment: enactment, now: block)
                if r < chainIndex.count { chainIndex[r] = i }
            case let .placeDecisionDeposit(r, w):
                who = w; ref = r
                guard let i = index(r) else { result = "NotSubmitted"; break }
                try gov.placeDecisionDeposit(i, who: w, now: block)
            case let .vote(r, w, v):
                who = w; ref = r
                guard let i = index(r) else { result = "NotSubmitted"; break }
                try gov.vote(w, on: i, v, totalBalance: balance(w), now: block)
            case let .removeVote(r, w):
                who = w; ref = r
                guard let i = index(r) else { result = "NotSubmitted"; break }
                try gov.removeVote(w, on: i, now: block)
            case let .delegate(w, to, track, conviction, amount):
                who = w
                try gov.delegate(w, to: to, track: track, conviction: conviction, balance: amount, totalBalance: balance(w), now: block)
            case let .cancel(r):
                ref = r
                guard let i = index(r) else { result = "NotSubmitted"; break }
                try gov.cancel(i, now: block)
            case let .kill(r):
                ref = r
                guard let i = index(r) else { result = "NotSubmitted"; break }
                try gov.kill(i, now: block)
            }
        } catch {
            result = "\(error)"
        }
        calls.append(CallRecord(block: block, time: time, call: kind.name, who: who, referendum: ref, result: result))
    }

    /// Samples every ongoing referendum every `sampleEvery` blocks, and any referendum with a
    /// milestone (decision start, confirm start/abort, end) in this block.
    mutating func sample(block: BlockNumber, time: Int64, milestones: [ReferendumEvent]) {
        let periodic = block % setup.sampleEvery == 0
        let referenda = gov.referenda
        for i in 0..<referenda.referendumCount {
            let info = referenda.info(i)!
            let marked = milestones.contains { $0.index == i && $0.isMilestone }
            guard marked || (periodic && info.ongoing != nil) else { continue }
            let timeline = referenda.timelines[Int(i)]
            let track = setup.tracks.track(id: timeline.track)!
            let tally = info.ongoing?.tally ?? lastTally(i) ?? .empty
            var appT: Perbill? = nil, supT: Perbill? = nil
            if let since = info.ongoing?.deciding?.since {
                let x = Curve.elapsedFraction(elapsed: block >= since ? block - since : 0, period: track.decisionPeriod)
                appT = track.minApproval.threshold(at: x)
                supT = track.minSupport.threshold(at: x)
            }
            samples.append(TallySample(block: block, time: time, referendum: i, state: info.stateName, tally: tally,
                                       approval: tally.approval, support: tally.supportFraction(of: referenda.activeIssuance),
                                       approvalThreshold: appT, supportThreshold: supT))
        }
    }

    /// The final tally of a finished referendum, from its ending event.
    public func lastTally(_ i: ReferendumIndex) -> Tally? {
        for e in events.reversed() where e.index == i {
            switch e.kind {
            case .approved(let t, _), .rejected(let t), .timedOut(let t), .cancelled(let t), .killed(let t): return t
            default: continue
            }
        }
        return nil
    }

    /// Simulated time of an executed block number.
    public func time(ofBlock n: BlockNumber) -> Int64? {
        if let s = uniformSlot { return n <= lastExecuted ? Int64(n) * s : nil }
        return Int(n) < blockTimes.count ? blockTimes[Int(n)] : nil
    }

    // MARK: Blocks on a regular grid (statistical level)

    /// Switches to a chain where block n is produced at `n × slot` ns (one block per slot, no
    /// forks), as the statistical level assumes. Call before executing any block.
    public mutating func useUniformSlots(_ slot: Int64) {
        precondition(lastExecuted == 0, "useUniformSlots before the first block")
        uniformSlot = max(slot, 1)
    }

    /// The first block after `lastExecuted` in which something can happen: the scheduler
    /// agenda's next block (`nextScheduledBlock`: alarms, enactments), the next scripted call
    /// (by block, or the first block at or after its time), and while a referendum is ongoing
    /// the next periodic tally sample. Nil: nothing will ever happen again. Needs `useUniformSlots`.
    public func nextBlockWithWork() -> BlockNumber? {
        let slot = uniformSlot ?? 1
        let from = lastExecuted + 1
        var best: BlockNumber? = nil
        func consider(_ b: BlockNumber) { let b = max(b, from); best = min(best ?? b, b) }
        if let b = gov.referenda.nextScheduledBlock { consider(b) }
        if nextBlockAction < blockActions.count, case .block(let b) = blockActions[nextBlockAction].trigger { consider(b) }
        if nextTimeAction < timeActions.count, case .time(let t) = timeActions[nextTimeAction].trigger {
            consider(BlockNumber(clamping: (max(t, 0) + slot - 1) / slot))
        }
        let r = gov.referenda
        if (0..<r.referendumCount).contains(where: { r.info($0)?.ongoing != nil }) {
            let every = setup.sampleEvery
            let (q, overflow) = ((from + every - 1) / every).multipliedReportingOverflow(by: every)
            if !overflow { consider(q) }
        }
        return best
    }

    /// Executes blocks `lastExecuted + 1 ... last` on the uniform grid, skipping the blocks in
    /// which nothing can happen (`nextBlockWithWork`): the result is the same as executing every
    /// block, since a block with no agenda, no due call and no sample changes nothing.
    public mutating func run(through last: BlockNumber) {
        precondition(uniformSlot != nil, "run(through:) needs useUniformSlots")
        let slot = uniformSlot!
        while lastExecuted < last {
            guard let next = nextBlockWithWork(), next <= last else { lastExecuted = last; return }
            lastExecuted = next - 1
            execute(block: next, at: Int64(next) * slot)
        }
    }
}

extension ReferendumEvent {
    /// Decision start, confirm start/abort and endings (the moments tally samples are taken).
    public var isMilestone: Bool {
        switch kind {
        case .decisionStarted, .confirmStarted, .confirmAborted, .approved, .rejected, .timedOut, .cancelled, .killed: return true
        default: return false
        }
    }
}
