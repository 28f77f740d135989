import CanaryArithmetic
import CanaryEconomics
import CanaryEngine
import CanaryChain
import CanaryStaking
import CanaryNPoS
import CanaryGovernance
import CanaryParachains

/// The relay chain's runtime at full fidelity: one `execute(block)` on the parent block's
/// post-state, for every block any node authors (each fork has its own state).
///
/// Per block, in order (as the pallets' hooks run):
/// 1. **Sessions** (`pallet_session`, on the first block of a new BABE epoch): the next
///    session's validators become current (BABE authorities); at an era boundary the ending era
///    is paid (`StakingState.endEra` with the era's real elapsed time from slot timestamps),
///    the election queued a session ago is installed as the new active set, the behaviour rule
///    runs, issuance conservation is checked, and GRANDPA gets a standard set change (delay 0)
///    signalled in this block when the set changed. At the start of an era's last session the
///    NPoS election runs on the era's snapshot; its winners are announced as the next epoch's
///    BABE authorities.
/// 2. **Era points** (`pallet_authorship` → staking): 20 per block to its author.
/// 3. **Offences** (`pallet_offences`): equivocations honest nodes detected before the block's
///    production and not yet reported on this chain are reported: the offender is slashed
///    `min((3k/n)², 1)` (k = 1 per report) after `slash_defer` eras and disabled for the rest of
///    the era (its blocks are rejected).
///
/// Records (eras, elections, offences, invariant violations) are kept per executing block and
/// filtered to the canonical chain when results are written.
public struct RelayRuntime: BlockRuntime {
    public let config: RelayRuntimeConfig
    /// Post-state per block id (nil: pruned or not executed). Boxed, so that reading one field
    /// of a block's state (per slot, import and vote) does not copy the whole state.
    var states: [StateBox?] = []
    var prunedBelow: UInt32 = 0
    /// Offences detected by honest nodes, in detection order (transaction propagation is not
    /// modelled: a report is available to every author from its detection on).
    public private(set) var pool: [OffenceReport] = []
    var poolKeys: Set<UInt64> = []
    public private(set) var records = RuntimeRecords()
    public private(set) var genesisFailure: String?
    /// `config.staking != nil`, kept apart: the node stack asks on every GRANDPA message.
    public let decidesAuthorities: Bool
    let hasGovernance: Bool

    public init(config: RelayRuntimeConfig) {
        self.config = config
        decidesAuthorities = config.staking != nil
        hasGovernance = config.governance != nil
        var winners = (0..<config.validators).map { UInt32($0) }
        var population: StatisticalStakingModel? = nil
        if let staking = config.staking {
            var p = StatisticalStakingModel(config: staking, validators: config.validators, seed: config.seed)
            let balancing = config.balancingIterations > 0 ? BalancingConfig(iterations: config.balancingIterations) : nil
            switch config.election {
            case .seqPhragmen: p.state.useElection(SeqPhragmenElection(balancing: balancing))
            case .phragmms: p.state.useElection(PhragmmsElection(balancing: balancing))
            }
            p.startFirstEra()
            genesisFailure = p.failure
            winners = p.state.exposures.map { UInt32($0.validator) }
            population = p
        }
        var genesis = RuntimeState(population: population, eraPoints: Array(repeating: 0, count: config.validators),
                                   eraBlocks: Array(repeating: 0, count: config.validators),
                                   authorities: winners, nextAuthorities: winners)
        genesis.governance = config.governance.map(GovernanceRuntime.init(setup:))
        genesis.configuration = config.hostConfiguration.map(ConfigurationState.init)
        // Scenario set_config entries for sessions 1 and 2 were "called" before the chain began.
        for (k, call) in config.configurationCalls where k - ConfigurationState.sessionDelay <= 0 {
            _ = genesis.configuration?.dispatch(call, current: k - ConfigurationState.sessionDelay)
        }
        states = [StateBox(genesis)]
        if let p = population {
            records.elections.append(ElectionRecord(block: BlockTree.genesis, number: 0, era: 0, session: 0,
                                                    winners: winners, score: p.state.lastScore, changed: winners.count))
        }
    }

    /// The post-state of `b` (nil once pruned or if never executed).
    /// Era points for backers (`RewardValidatorsWithEraPoints`, 20 per backed candidate).
    public mutating func rewardBackers(_ block: BlockId, validators: [UInt32], points: UInt32) {
        guard Int(block) < states.count, var st = states[Int(block)]?.state, config.staking != nil else { return }
        for v in validators where Int(v) < st.eraPoints.count && st.activeSet.sortedContains(v) { st.eraPoints[Int(v)] &+= points }
        states[Int(block)] = StateBox(st)
    }

    public func state(_ b: BlockId) -> RuntimeState? { Int(b) < states.count ? states[Int(b)]?.state : nil }

    /// The genesis validator set (the first election's winners).
    public var genesisAuthorities: [UInt32] { states[0]!.state.authorities }

    // MARK: BlockRuntime


    // The accessors below read fields of a block's state in place: `state(_:)` would copy the
    // whole state (every array retained and released), and they run per slot, import or vote.

    public func authorities(epoch: UInt64, parent: BlockId, in tree: BlockTree) -> [UInt32] {
        guard Int(parent) < states.count, let session = states[Int(parent)]?.state.session else { return [] }
        return (epoch <= session ? states[Int(parent)]?.state.authorities : states[Int(parent)]?.state.nextAuthorities) ?? []
    }

    public func isDisabled(_ node: UInt32, parent: BlockId) -> Bool {
        guard Int(parent) < states.count else { return false }
        return states[Int(parent)]?.state.disabled.sortedContains(node) ?? false
    }

    public func setChanges(at block: BlockId) -> [GrandpaSetChange] {
        guard Int(block) < states.count else { return [] }
        return states[Int(block)]?.state.setChanges ?? []
    }

    // Governance: the version that will execute a block is decided by its parent's state.

    public func proposalTime(childOf parent: BlockId, in tree: BlockTree, base: SimTime) -> SimTime {
        guard hasGovernance, Int(parent) < states.count,
              let t = states[Int(parent)]?.state.governance?.proposalTime(forBlock: tree.number[Int(parent)] + 1, base: base.nanoseconds)
        else { return base }
        return .ns(t)
    }

    public func importTime(_ block: BlockId, in tree: BlockTree, base: SimTime) -> SimTime {
        let parent = Int(tree.parent[Int(block)])
        guard hasGovernance, parent < states.count,
              let t = states[parent]?.state.governance?.importTime(forBlock: tree.number[Int(block)], base: base.nanoseconds)
        else { return base }
        return .ns(t)
    }

    public func canExecute(node: UInt32, childOf parent: BlockId, in tree: BlockTree) -> Bool {
        guard hasGovernance, Int(parent) < states.count else { return true }
        return states[Int(parent)]?.state.governance?.canExecute(node: node, block: tree.number[Int(parent)] + 1) ?? true
    }

    public func canExecute(node: UInt32, block: BlockId, in tree: BlockTree) -> Bool {
        let parent = Int(tree.parent[Int(block)])
        guard hasGovernance, parent < states.count else { return true }
        return states[parent]?.state.governance?.canExecute(node: node, block: tree.number[Int(block)]) ?? true
    }

    public mutating func noteOffence(_ offence: OffenceReport) {
        guard poolKeys.insert(offence.key).inserted else { return }
        pool.append(offence)
    }

    public mutating func prune(below number: UInt32, in tree: BlockTree) {
        guard number > prunedBelow else { return }
        for i in states.indices where states[i] != nil && tree.number[i] < number { states[i] = nil }
        prunedBelow = number
    }

    public mutating func execute(_ b: BlockId, in tree: BlockTree) {
        let parent = tree.parent[Int(b)]
        if states.count <= Int(b) { states.append(contentsOf: repeatElement(nil, count: Int(b) + 1 - states.count)) }
        guard var st = state(parent) else {
            records.violations.append(RuntimeViolation(block: b, era: 0, violation: InvariantViolation(
                invariant: "runtime.parent-state", time: tree.producedAt[Int(b)], detail: "parent \(parent) has no state (pruned)")))
            return
        }
        let number = tree.number[Int(b)]
        let slot = tree.slot[Int(b)]
        let now = UInt64(max(config.slotDuration.nanoseconds, 0) / 1_000_000) &* slot
        let epoch = tree.state(b)?.epochIndex ?? st.session
        // Governance (on_initialize: the scheduler agenda; then the block's calls). Enacted
        // configuration calls are scheduled from the session before any session change in this
        // block: the parachains initializer applies a new session at the end of its first block
        // (`on_finalize`), so `shared::CurrentSessionIndex` is still the old one until then.
        if st.governance != nil {
            let session = Int(st.session)
            var configuration = st.configuration
            st.governance!.execute(block: number, at: tree.producedAt[Int(b)].nanoseconds) { call in
                Self.dispatchConfiguration(call, &configuration, session: session)
            }
            st.configuration = configuration
        }
        let sessionBefore = st.session
        guard st.population != nil else {
            st.session = max(st.session, epoch)
            newConfigurationSessions(&st, after: sessionBefore, block: b, at: tree.producedAt[Int(b)])
            states[Int(b)] = StateBox(st)
            return
        }
        while st.session < epoch {
            st.session += 1
            rotateSession(&st, block: b, number: number, millis: now)
        }
        newConfigurationSessions(&st, after: sessionBefore, block: b, at: tree.producedAt[Int(b)])
        // Era points of the author.
        let author = Int(tree.author[Int(b)])
        if author < st.eraPoints.count {
            st.eraBlocks[author] &+= 1
            if tree.kind[Int(b)] == .primary { st.eraPrimaryBlocks += 1 }
            if st.activeSet.sortedContains(UInt32(author)) { st.eraPoints[author] &+= config.staking!.pointsPerBlock }
        }
        // Offences detected before this block was produced.
        let producedAt = tree.producedAt[Int(b)]
        for o in pool where o.detectedAt <= producedAt && !st.reported.sortedContains(o.key) {
            st.reported.sortedInsert(o.key)
            let era = st.staking.currentEra
            let created: [PendingSlash]
            switch o.kind {
            case .babeEquivocation, .grandpaEquivocation:
                created = st.staking.reportEquivocation(offenders: [AccountID(o.offender)])
            case .disputeForInvalidBacked:
                created = st.staking.reportOffence(offenders: [AccountID(o.offender)], fraction: .fromPercent(100))
            case .disputeForInvalidApproved:
                created = st.staking.reportOffence(offenders: [AccountID(o.offender)], fraction: .fromPercent(2))
            }
            if !created.isEmpty { st.disabled.sortedInsert(o.offender) }
            records.offences.append(OffenceRecord(block: b, number: number, era: era, report: o,
                                                  fraction: created.first?.fraction, applyAt: created.first?.applyAt))
        }
        states[Int(b)] = StateBox(st)
    }

    // MARK: The parachains configuration pallet

    /// Dispatches an enacted `configuration.set_config` call in `session` (nil for other calls:
    /// governance records them itself).
    static func dispatchConfiguration(_ call: ProposalCall, _ configuration: inout ConfigurationState?, session: Int) -> String? {
        guard call.name == HostConfigurationCall.callName else { return nil }
        guard configuration != nil else { return "CallUnavailable" }   // no parachains (the decoder refuses such scenarios)
        guard let c = HostConfigurationCall(arguments: call.arguments) else { return "CallDecodeFailed" }
        return configuration!.dispatch(c, current: session) ?? "ok"
    }

    /// The sessions `old + 1 ... st.session` begin (`initializer_on_new_session`): the changes
    /// staged for each are enacted, then the scenario's `set_config` entries due two sessions
    /// later are dispatched in it.
    mutating func newConfigurationSessions(_ st: inout RuntimeState, after old: UInt64, block b: BlockId, at time: SimTime) {
        guard st.configuration != nil, st.session > old else { return }
        for k in Int(old + 1)...Int(st.session) {
            st.configuration!.newSession(k)
            for (s, call) in config.configurationCalls where s - ConfigurationState.sessionDelay == k {
                guard let error = st.configuration!.dispatch(call, current: k) else { continue }
                // Possible only when a governance call made the base inconsistent with this entry.
                records.violations.append(RuntimeViolation(block: b, era: 0, violation: InvariantViolation(
                    invariant: "configuration.set_config", time: time, detail: "parachains.set_config for session \(s) refused: \(error)")))
            }
        }
    }

    // MARK: Sessions and eras

    mutating func rotateSession(_ st: inout RuntimeState, block b: BlockId, number: UInt32, millis: UInt64) {
        let k = st.session, perEra = max(config.sessionsPerEra, 1)
        st.authorities = st.nextAuthorities
        if k % perEra == 0 { endEra(&st, block: b, number: number, millis: millis) }
        if (k + 1) % perEra == 0 {
            // The era's last session starts: elect the next era's validators on this snapshot
            // and announce them as the next epoch's authorities.
            var elected = st.staking
            do {
                try elected.elect()
                let winners = elected.exposures.map { UInt32($0.validator) }
                st.queued = elected
                st.nextAuthorities = winners
                records.elections.append(ElectionRecord(block: b, number: number, era: st.staking.currentEra + 1, session: k,
                                                        winners: winners, score: elected.lastScore,
                                                        changed: Self.difference(winners, st.authorities)))
            } catch {
                records.violations.append(RuntimeViolation(block: b, era: st.staking.currentEra, violation: InvariantViolation(
                    invariant: "staking.election", time: .ms(Int64(millis)), detail: "election failed: \(error)")))
                st.nextAuthorities = st.authorities
            }
        } else {
            st.nextAuthorities = st.authorities
        }
    }

    /// Pays the ending era, installs the queued election, runs the behaviour rule and checks
    /// issuance conservation.
    mutating func endEra(_ st: inout RuntimeState, block b: BlockId, number: UInt32, millis: UInt64) {
        let oldSet = st.activeSet
        var points: [(AccountID, UInt32)] = []
        for v in oldSet where st.eraPoints[Int(v)] > 0 { points.append((AccountID(v), st.eraPoints[Int(v)])) }
        let eraMillis = millis >= st.eraStartMillis ? millis - st.eraStartMillis : 0
        let era = st.staking.currentEra
        let commission = st.staking.eraCommission
        let summary: EraSummary
        do {
            summary = try st.staking.endEra(points: points, eraMillis: max(eraMillis, 1), relayBlock: number, electNext: false)
        } catch {
            records.violations.append(RuntimeViolation(block: b, era: era, violation: InvariantViolation(
                invariant: "staking.era-payout", time: .ms(Int64(millis)), detail: "\(error)")))
            return
        }
        if let q = st.queued { st.staking.installElection(from: q); st.queued = nil }
        let yield = annualised(summary.payout.toStakers, eraMillis: summary.eraMillis, of: summary.totalStaked)
        if config.staking!.behaviour.enabled { st.population!.applyBehaviour(yield: yield) }
        // Conservation: issuance after = before + minted − burned, and every planck accounted for.
        var conservation = IssuanceConservation()
        if let v = conservation.check(EraClose(summary: summary, ledger: st.staking), at: .ms(Int64(millis))) {
            records.violations.append(RuntimeViolation(block: b, era: era, violation: v))
        }
        let newSet = st.activeSet
        if newSet != oldSet {
            st.setChanges.append(GrandpaSetChange(signalNumber: number, delay: 0, voters: newSet))
        }
        var blocks = 0
        for v in 0..<st.eraBlocks.count { blocks += Int(st.eraBlocks[v]) }
        records.eras.append(EraResult(block: b, number: number, startNumber: st.eraStartNumber, startMillis: st.eraStartMillis,
                                      endMillis: millis, summary: summary, yield: yield, treasury: st.staking.treasury,
                                      blocks: blocks, primaryBlocks: st.eraPrimaryBlocks, points: points, commission: commission,
                                      eraBlocks: st.eraBlocks, nominators: Self.nominating(st),
                                      setChanged: newSet != oldSet, newSetSize: newSet.count))
        st.eraStartMillis = millis
        st.eraStartNumber = number
        for i in st.eraPoints.indices { st.eraPoints[i] = 0; st.eraBlocks[i] = 0 }
        st.eraPrimaryBlocks = 0
        st.disabled = []
    }

    static func nominating(_ st: RuntimeState) -> Int {
        var n = 0
        for id in st.population!.nominatorIDs where st.staking.accounts[Int(id)].nominations != nil && st.staking.accounts[Int(id)].active > 0 { n += 1 }
        return n
    }

    /// Members of `a` not in `b` (both ascending).
    static func difference(_ a: [UInt32], _ b: [UInt32]) -> Int { a.filter { !b.sortedContains($0) }.count }
}

/// One block's post-state, immutable once executed (children copy it).
final class StateBox: @unchecked Sendable {
    let state: RuntimeState
    init(_ state: RuntimeState) { self.state = state }
}

extension RelayRuntime: HostConfigurationSource {
    /// The `configuration` pallet's view from `block`'s post-state (or the nearest executed
    /// ancestor's, if it was pruned): the configuration staged for `session` or earlier.
    public func hostConfiguration(session: Int, at block: BlockId, in tree: BlockTree) -> HostConfiguration? {
        guard config.hostConfiguration != nil else { return nil }
        var b = block
        while b != BlockTree.none {
            if Int(b) < states.count, let c = states[Int(b)]?.state.configuration { return c.configuration(forSession: session) }
            b = tree.parent[Int(b)]
        }
        return nil
    }
}
