import CanaryArithmetic
import CanaryEconomics
import CanaryEngine
import CanaryNPoS

/// `consensus: statistical`: eras of staking driven by the engine, with block authorship drawn
/// from the BABE slot-lottery distribution instead of simulated block production.
///
/// Genesis (in `init`, from the `staking.genesis` stream): validator candidates with self-bonds
/// and commissions, nominators with wealth over several orders of magnitude, part of it bonded
/// behind up to 24 targets, a treasury and one holder account for the rest of the issuance. One
/// engine timer per era then: draw the era's authors (`drawAuthorship`), report drawn offences,
/// `StakingState.endEra` (exact payout, issuance, slashes), apply the behaviour rule
/// (`YieldBehaviour`), and either run the full election or re-apply the last one's split to the
/// new bonds (`ElectionTemplate`). Everything is integer arithmetic on seeded streams.
public struct StatisticalStakingModel: SimulationModel, ResultProducing, Sendable {
    public typealias Message = UInt8
    public static let messageClasses: [String] = []
    public static let eraTimer = EventKind(rawValue: EventKind.firstModelKind)

    public static let metrics: [MetricDefinition] = [
        MetricDefinition("eras", .count, "Staking eras completed (statistical staking)."),
        MetricDefinition("elections", .count, "Full elections run (the first one included)."),
        MetricDefinition("staking.final_rate", .ratio, "Staking rate (ErasTotalStake / issuance) of the last era."),
        MetricDefinition("staking.settled_rate", .ratio, "Mean staking rate over the last 10% of eras."),
        MetricDefinition("staking.min_rate", .ratio, "Lowest staking rate of any era."),
        MetricDefinition("staking.max_rate", .ratio, "Highest staking rate of any era."),
        MetricDefinition("staking.final_inflation", .ratio, "Annualised inflation (everything minted / issuance) of the last era."),
        MetricDefinition("staking.final_staking_inflation", .ratio, "Annual inflation paid to stakers (the model's staking inflation) in the last era."),
        MetricDefinition("staking.settled_staking_inflation", .ratio, "Mean staking inflation over the last 10% of eras."),
        MetricDefinition("staking.final_yield", .ratio, "Annualised staker yield (to_stakers / total staked) of the last era."),
        MetricDefinition("staking.settled_yield", .ratio, "Mean staker yield over the last 10% of eras."),
        MetricDefinition("staking.final_nominators", .count, "Nominators with an active bond at the end."),
        MetricDefinition("issuance.final", .count, "Total issuance at the end, in planck."),
        MetricDefinition("issuance.growth", .ratio, "Total issuance at the end over genesis, minus one."),
        MetricDefinition("treasury.final", .count, "Treasury balance at the end, in planck."),
        MetricDefinition("treasury.share", .ratio, "Treasury over total issuance at the end."),
        MetricDefinition("blocks.primary_share", .ratio, "Share of authored blocks from primary slots (BABE c)."),
        MetricDefinition("slashes", .count, "Slash records applied (one per slashed staker)."),
        MetricDefinition("staking.failed", .count, "1 if an era could not be processed (see the run's staking_errors table)."),
        MetricDefinition("invariants.violations", .count, "Broken invariants (issuance conservation every era); see the invariant_violations table."),
    ] + StatisticalGovernance.metrics

    public let config: StakingSimulationConfig
    public let validators: Int
    public let seed: UInt64

    /// The staking runtime the model drives (the full-fidelity runtime drives it too, through
    /// `applyBehaviour`, so both levels share genesis and behaviour).
    public var state: StakingState
    public private(set) var template = ElectionTemplate()
    /// Validator candidates and nominators (account ids, ascending).
    public private(set) var candidateIDs: [AccountID] = []
    public private(set) var nominatorIDs: [AccountID] = []
    /// The holder of the unstaked rest of the issuance.
    public private(set) var holderID: AccountID = 0
    /// Reservation yield of each account (Perbill parts; used for nominators).
    public private(set) var reservation: [UInt32] = []
    /// Whether each account is currently a validator candidate (dense by id).
    var isCandidate: [Bool] = []
    var commissionOf: [Perbill] = []
    /// Candidates that validate now, ascending, and a scratch permutation for target draws.
    var validating: [AccountID] = []
    var draw: [AccountID] = []
    var babe: Xoshiro256StarStar
    var behaviourRNG: Xoshiro256StarStar
    var offences: Xoshiro256StarStar

    public private(set) var eras: [EraRecord] = []
    public private(set) var payoutRows: [PayoutRow] = []
    public private(set) var slashRows: [SlashRecord] = []
    public private(set) var elections = 0
    public private(set) var failure: String?
    /// Broken invariants (issuance conservation, checked at every era end).
    public private(set) var violations: [(era: EraIndex, block: UInt32?, violation: InvariantViolation)] = []
    var conservation = IssuanceConservation()
    var erasSinceElection = 0
    var activeAtElection: Balance = 0
    var primaryBlocks: UInt64 = 0
    var allBlocks: UInt64 = 0
    /// OpenGov and runtime upgrades (`config.governance`): run before each era's payout.
    public private(set) var governance: StatisticalGovernance?

    public init(config: StakingSimulationConfig, validators: Int, seed: UInt64) {
        self.config = config
        self.validators = validators
        self.seed = seed
        let streams = RandomStreams(seed: seed)
        babe = streams.stream(StreamPurpose.stakingBabe)
        behaviourRNG = streams.stream(StreamPurpose.stakingBehaviour)
        offences = streams.stream(StreamPurpose.stakingOffences)
        var sc = StakingConfig.kusama
        sc.validatorCount = config.activeValidators ?? min(validators, 1_000)
        sc.maxElectingVoters = config.electingVoters
        sc.maxNominations = config.maxNominations
        sc.bondingDuration = config.bondingDuration
        sc.slashDeferDuration = config.slashDeferDuration
        sc.slashDestination = config.slashDestination
        sc.eraMillis = UInt64(config.eraDuration.nanoseconds / 1_000_000)
        sc.inflation = config.inflation
        sc.autoWithdraw = true
        state = StakingState(config: sc)
        governance = config.governance.map { StatisticalGovernance(setup: $0, slot: config.slotDuration) }
        var genesis = streams.stream(StreamPurpose.stakingGenesis)
        buildGenesis(&genesis)
    }

    // MARK: genesis

    /// A draw in `range`, log-uniform by octaves: an octave `[lo·2^k, lo·2^(k+1))` uniformly among
    /// those the range spans, then a uniform value in it, clamped to the range. Integers only.
    static func logUniform(_ range: ClosedRange<Balance>, _ rng: inout Xoshiro256StarStar) -> Balance {
        let lo = max(range.lowerBound, 1)
        guard range.upperBound > lo else { return range.upperBound }
        var octaves: UInt64 = 0
        var top = lo
        while top < range.upperBound { top <<= 1; octaves += 1 }
        let k = rng.nextBelow(octaves)
        let base = lo << Balance(k)
        let v = base + uniform(base, &rng)
        return min(v, range.upperBound)
    }

    /// Uniform in `0..<bound` for a 128-bit bound (two 64-bit draws when needed).
    static func uniform(_ bound: Balance, _ rng: inout Xoshiro256StarStar) -> Balance {
        guard bound > 0 else { return 0 }
        if bound <= Balance(UInt64.max) { return Balance(rng.nextBelow(UInt64(bound))) }
        let hi = rng.nextBelow(UInt64(bound >> 64) + 1)
        return ((Balance(hi) << 64) | Balance(rng.next())) % bound
    }

    static func chance(_ p: Perbill, _ rng: inout Xoshiro256StarStar) -> Bool {
        p.parts > 0 && rng.nextBelow(1_000_000_000) < UInt64(p.parts)
    }

    mutating func buildGenesis(_ g: inout Xoshiro256StarStar) {
        let c = config
        let issuance = c.issuance
        // Validators: self-bond and commission.
        var selfBonds: Balance = 0
        for _ in 0..<validators {
            let bond = max(Self.logUniform(c.selfBond, &g), 1)
            let span = UInt64(c.commission.upperBound - c.commission.lowerBound) + 1
            let commission = Perbill(parts: c.commission.lowerBound + UInt32(g.nextBelow(span)))
            let rebond = Self.chance(c.rebondShare, &g)
            let id = state.createAccount(free: bond)
            try! state.bond(id, bond)
            try! state.validate(id, commission: commission)
            try! state.setPayee(id, rebond ? .staked : .stash)
            candidateIDs.append(id)
            selfBonds += bond
        }
        // Nominators: relative wealth, scaled to their share of the issuance (clamped to what is
        // left after the treasury and the self-bonds).
        let room = issuance > c.treasury + selfBonds ? issuance - c.treasury - selfBonds : 0
        let pool = min(c.nominatorShare.mulFloor(issuance), room)
        var raw: [Balance] = []
        raw.reserveCapacity(c.nominators)
        for _ in 0..<c.nominators { raw.append(max(Self.logUniform(c.nominatorWealth, &g), 1)) }
        let rawTotal = raw.reduce(Balance(0), +)
        let wealth = raw.map { rawTotal == 0 ? 0 : (multiplyByRationalDown($0, pool, rawTotal) ?? 0) }
        let wealthTotal = wealth.reduce(Balance(0), +)
        let wantStaked = c.initialStakingRate.mulFloor(issuance)
        let nominatorStake = wantStaked > selfBonds ? min(wantStaked - selfBonds, wealthTotal) : 0
        let fraction = wealthTotal == 0 ? Perquintill.zero : Perquintill.fromRational(nominatorStake, wealthTotal)

        isCandidate = Array(repeating: true, count: validators)
        commissionOf = candidateIDs.map { state.account($0).validatorPrefs ?? .zero }
        validating = candidateIDs
        draw = candidateIDs
        reservation = Array(repeating: 0, count: validators)
        let b = c.behaviour
        let lowYield = b.targetYield.parts > b.yieldSpread.parts ? b.targetYield.parts - b.yieldSpread.parts : 0
        let yieldSpan = UInt64(b.targetYield.parts - lowYield) + UInt64(b.yieldSpread.parts) + 1
        for w in wealth {
            let id = state.createAccount(free: w)
            let rebond = Self.chance(c.rebondShare, &g)
            try! state.setPayee(id, rebond ? .staked : .stash)
            nominatorIDs.append(id)
            isCandidate.append(false)
            commissionOf.append(.zero)
            reservation.append(UInt32(min(UInt64(lowYield) + g.nextBelow(yieldSpan), UInt64(UInt32.max))))
            let bond = fraction.mulFloor(w)
            if bond > 0 {
                try! state.bond(id, bond)
                try! state.nominate(id, pickTargets(&g))
            }
        }
        let holderFree = issuance > c.treasury + selfBonds + wealthTotal ? issuance - c.treasury - selfBonds - wealthTotal : 0
        holderID = state.createAccount(free: holderFree)
        isCandidate.append(false)
        commissionOf.append(.zero)
        reservation.append(0)
        state.fundTreasury(min(c.treasury, issuance))
    }

    /// Fresh targets: a uniform count in the configured range (at most the candidates validating
    /// and `maxNominations`), drawn without replacement from the validating candidates.
    mutating func pickTargets(_ rng: inout Xoshiro256StarStar) -> [AccountID] {
        let n = validating.count
        guard n > 0 else { return [] }
        let lo = max(config.targets.lowerBound, 1)
        let hi = max(config.targets.upperBound, lo)
        let want = min(lo + Int(rng.nextBelow(UInt64(hi - lo + 1))), n, config.maxNominations)
        var out: [AccountID] = []
        out.reserveCapacity(want)
        for i in 0..<want {
            let j = i + Int(rng.nextBelow(UInt64(n - i)))
            draw.swapAt(i, j)
            out.append(draw[i])
        }
        return out
    }

    // MARK: engine

    public mutating func start(_ ctx: inout SimContext<UInt8>) {
        startFirstEra()
        ctx.schedule(after: config.eraDuration, node: Event.global, kind: Self.eraTimer)
    }

    public mutating func timer(_ event: Event, _ ctx: inout SimContext<UInt8>) {
        guard event.kind == Self.eraTimer, failure == nil else { return }
        runEra(endingAt: ctx.now)
        if failure == nil { ctx.schedule(after: config.eraDuration, node: Event.global, kind: Self.eraTimer) }
    }

    public mutating func receive(_ message: UInt8, from: UInt32, at node: UInt32, _ ctx: inout SimContext<UInt8>) {}

    /// Runs the first election (era 0). Called by `start`; tests may call it directly.
    public mutating func startFirstEra() {
        guard !state.started else { return }
        do {
            try state.startFirstEra()
            elections += 1
            template = ElectionTemplate(state)
            activeAtElection = activeStake()
        } catch {
            failure = "first election: \(error)"
        }
    }

    /// Everything bonded and active by validating or nominating accounts.
    func activeStake() -> Balance {
        var total: Balance = 0
        for a in state.accounts where a.validatorPrefs != nil || a.nominations != nil { total += a.active }
        return total
    }

    /// Blocks per active validator (in `state.exposures` order) for one era, and how many slots
    /// had a primary claim. With equal weights the BABE threshold gives every validator the same
    /// primary probability `p = 1 − (1 − c)^(1/n)`, so a slot has at least one primary claim with
    /// probability exactly `c` and, by symmetry, its author (the primary winner, or the slot's
    /// secondary author when no one won) is uniform over the set. Per slot: one draw for
    /// "primary" (`c` as an exact fraction) and one for the author.
    public static func drawAuthorship(slots: Int, validators n: Int, primary c: (numerator: UInt64, denominator: UInt64),
                                      _ rng: inout Xoshiro256StarStar) -> (blocks: [UInt32], primary: Int) {
        var blocks = [UInt32](repeating: 0, count: n)
        guard n > 0 else { return (blocks, 0) }
        var primary = 0
        for _ in 0..<slots {
            if rng.nextBelow(c.denominator) < c.numerator { primary += 1 }
            blocks[Int(rng.nextBelow(UInt64(n)))] += 1
        }
        return (blocks, primary)
    }

    var slotsPerEra: Int { Int(config.eraDuration.nanoseconds / max(config.slotDuration.nanoseconds, 1)) }

    /// Ends the current era at `end`: authorship, offences, payout, behaviour, next exposures.
    public mutating func runEra(endingAt end: SimTime) {
        guard failure == nil else { return }
        if !state.started { startFirstEra(); if failure != nil { return } }
        let era = state.currentEra
        let slots = slotsPerEra
        let (blocks, primary) = Self.drawAuthorship(slots: slots, validators: state.exposures.count,
                                                    primary: config.primaryProbability, &babe)
        primaryBlocks += UInt64(primary)
        allBlocks += UInt64(slots)
        var points: [(AccountID, UInt32)] = []
        points.reserveCapacity(blocks.count)
        for (i, e) in state.exposures.enumerated() where blocks[i] > 0 {
            points.append((e.validator, blocks[i] &* config.pointsPerBlock))
        }
        if Self.chance(config.equivocationChance, &offences), !state.exposures.isEmpty {
            let who = state.exposures[Int(offences.nextBelow(UInt64(state.exposures.count)))].validator
            state.reportEquivocation(offenders: [who])
        }
        let freshElection = erasSinceElection == 0
        let eraValidators = state.exposures.map(\.validator)
        let eraCommission = state.eraCommission
        if governance != nil {
            governance!.runEra(era, start: end - config.eraDuration, end: end, inflation: &state.config.inflation)
        }
        let summary: EraSummary
        do {
            summary = try state.endEra(points: points, eraMillis: UInt64(config.eraDuration.nanoseconds / 1_000_000),
                                       relayBlock: config.relayBlockStart &+ UInt32(truncatingIfNeeded: Int(era) * slots),
                                       electNext: false)
        } catch {
            failure = "era \(era): \(error)"
            return
        }
        if let v = conservation.check(EraClose(summary: summary, ledger: state), at: end) {
            violations.append((era, nil, v))
        }
        let yield = annualised(summary.payout.toStakers, eraMillis: summary.eraMillis, of: summary.totalStaked)
        governance?.recordPayout(stakingInflation: summary.payout.stakingInflation, yield: yield, toStakers: summary.payout.toStakers)
        if config.behaviour.enabled { applyBehaviour(yield: yield) }

        erasSinceElection += 1
        let active = activeStake()
        var due = erasSinceElection >= max(config.electionEvery ?? StakingSimulationConfig.statisticalElectionEvery, 1)
        if !due, let drift = config.reelectOnDrift, activeAtElection > 0 {
            let moved = active > activeAtElection ? active - activeAtElection : activeAtElection - active
            due = Perbill.fromRational(min(moved, activeAtElection), activeAtElection) > drift
        }
        if due {
            do {
                try state.elect()
            } catch {
                failure = "election after era \(era): \(error)"
                return
            }
            elections += 1
            erasSinceElection = 0
            template = ElectionTemplate(state)
            activeAtElection = active
        } else {
            state.reexpose(template)
        }
        record(summary, yield: yield, start: end - config.eraDuration, end: end, validators: eraValidators,
               commission: eraCommission, blocks: blocks, slots: slots, primary: primary, fresh: freshElection)
    }

    // MARK: behaviour

    /// The yield-reactive rule after an era's payout (`YieldBehaviour`).
    public mutating func applyBehaviour(yield: Perquintill) {
        let b = config.behaviour
        // Validator candidates leave and return.
        if b.validatorLeave.parts > 0 || b.validatorReturn.parts > 0 {
            var changed = false
            for id in candidateIDs {
                if isCandidate[Int(id)] {
                    if Self.chance(b.validatorLeave, &behaviourRNG) {
                        try? state.chill(id); isCandidate[Int(id)] = false; changed = true
                    }
                } else if Self.chance(b.validatorReturn, &behaviourRNG), state.account(id).active > 0 {
                    try? state.validate(id, commission: commissionOf[Int(id)]); isCandidate[Int(id)] = true; changed = true
                }
            }
            if changed {
                validating = candidateIDs.filter { isCandidate[Int($0)] }
                draw = validating
            }
        }
        let y = UInt64(yield.parts / 1_000_000_000)  // Perbill parts
        let checkTargets = b.validatorLeave.parts > 0
        var rng = behaviourRNG
        for id in nominatorIDs {
            let i = Int(id)
            let r = UInt64(reservation[i])
            let free = state.accounts[i].free
            let active = state.accounts[i].active
            let step = perbillMul(b.flow, free + state.accounts[i].bonded)
            if y > r, step > 0 {
                let amount = min(free, step)
                if amount > 0 {
                    try? state.bond(id, amount)
                    if state.accounts[i].nominations == nil {
                        let targets = pickTargets(&rng)
                        if !targets.isEmpty { try? state.nominate(id, targets) }
                        continue
                    }
                }
            } else if y < r, step > 0, active > 0 {
                _ = try? state.unbond(id, min(active, step))
                if state.accounts[i].active == 0 { try? state.chill(id); continue }
            }
            guard state.accounts[i].nominations != nil else { continue }
            if Self.chance(b.renominate, &rng)
                || (checkTargets && state.accounts[i].nominations!.contains(where: { !isCandidate[Int($0)] })) {
                let targets = pickTargets(&rng)
                if !targets.isEmpty { try? state.nominate(id, targets) }
            }
        }
        behaviourRNG = rng
    }

    // MARK: results

    mutating func record(_ s: EraSummary, yield: Perquintill, start: SimTime, end: SimTime, validators: [AccountID],
                         commission: [AccountID: Perbill], blocks: [UInt32], slots: Int, primary: Int, fresh: Bool) {
        var nominating = 0
        for id in nominatorIDs where state.accounts[Int(id)].nominations != nil && state.accounts[Int(id)].active > 0 { nominating += 1 }
        eras.append(EraRecord(
            era: s.era, start: start, end: end, issuanceBefore: s.totalIssuanceBefore, issuanceAfter: s.totalIssuanceAfter,
            staked: s.totalStaked, stakingRate: s.stakingRate, inflation: s.annualInflation,
            stakingInflation: s.payout.stakingInflation, yield: yield, toStakers: s.payout.toStakers,
            paid: s.paidToStakers, toTreasury: s.toTreasury, treasury: state.treasury, validators: s.validators,
            minBacking: s.minBacking, avgBacking: s.avgBacking, score: s.electionScore, freshElection: fresh,
            blocks: slots, primaryBlocks: primary, nominators: nominating,
            slashed: s.slashes.reduce(Balance(0)) { $0 + $1.amount }, burned: s.burned))
        slashRows += s.slashes
        // Payouts per era and validator: payouts come grouped by validator, in exposure order.
        switch config.payoutsDetail {
        case .era:
            var toValidators: Balance = 0, toNominators: Balance = 0, rebonded: Balance = 0
            for p in s.payouts {
                if p.who == p.validator { toValidators += p.amount } else { toNominators += p.amount }
                if p.rebonded { rebonded += p.amount }
            }
            payoutRows.append(PayoutRow(era: s.era, validator: nil, blocks: UInt32(slots), points: UInt64(slots) * UInt64(config.pointsPerBlock),
                                        commission: nil, toValidator: toValidators, toNominators: toNominators,
                                        payees: s.payouts.count, rebonded: rebonded))
        case .validator:
            let perBlock = UInt64(config.pointsPerBlock)
            func blocksOf(_ v: AccountID) -> UInt32 { Self.index(of: v, in: validators).map { blocks[$0] } ?? 0 }
            payoutRows += PayoutRow.perValidator(s, commission: commission, blocks: blocksOf,
                                                 points: { UInt64(blocksOf($0)) * perBlock })
        }
    }

    public func results(at end: SimTime) -> RunResults {
        var r = RunResults()
        r.tables.append(Self.erasTable(eras))
        r.tables.append(Self.payoutsTable(payoutRows))
        r.tables.append(Self.slashesTable(slashRows))
        r.tables.append(Self.violationsTable(violations))
        if let failure {
            r.tables.append(ResultTable(name: "staking_errors", columns: [.init("idx", .integer), .init("message", .text)],
                                        key: ["idx"], rows: [[.integer(0), .text(failure)]]))
        }
        func ratio(_ p: Perquintill) -> Double { Double(p.parts) / 1e18 }
        let tail = eras.suffix(max(eras.count / 10, 1))
        func mean(_ f: (EraRecord) -> Perquintill) -> Double {
            tail.isEmpty ? 0 : tail.reduce(0.0) { $0 + ratio(f($1)) } / Double(tail.count)
        }
        let issuance = state.totalIssuance
        r.scalars += [
            ("eras", Double(eras.count)),
            ("elections", Double(elections)),
            ("staking.final_rate", eras.last.map { ratio($0.stakingRate) } ?? 0),
            ("staking.settled_rate", mean(\.stakingRate)),
            ("staking.min_rate", eras.map { ratio($0.stakingRate) }.min() ?? 0),
            ("staking.max_rate", eras.map { ratio($0.stakingRate) }.max() ?? 0),
            ("staking.final_inflation", eras.last.map { ratio($0.inflation) } ?? 0),
            ("staking.final_staking_inflation", eras.last.map { ratio($0.stakingInflation) } ?? 0),
            ("staking.settled_staking_inflation", mean(\.stakingInflation)),
            ("staking.final_yield", eras.last.map { ratio($0.yield) } ?? 0),
            ("staking.settled_yield", mean(\.yield)),
            ("staking.final_nominators", Double(eras.last?.nominators ?? 0)),
            ("issuance.final", Double(issuance)),
            ("issuance.growth", state.genesisIssuance == 0 ? 0 : Double(issuance) / Double(state.genesisIssuance) - 1),
            ("treasury.final", Double(state.treasury)),
            ("treasury.share", issuance == 0 ? 0 : Double(state.treasury) / Double(issuance)),
            ("blocks.primary_share", allBlocks == 0 ? 0 : Double(primaryBlocks) / Double(allBlocks)),
            ("slashes", Double(slashRows.count)),
            ("staking.failed", failure == nil ? 0 : 1),
            ("invariants.violations", Double(violations.count)),
        ]
        if let governance { r.merge(governance.results(stakingIdeal: state.config.inflation.idealStake)) }
        return r
    }
}

extension StatisticalStakingModel {
    /// Binary search in an ascending id list.
    static func index(of id: AccountID, in sorted: [AccountID]) -> Int? {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < id { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == id ? lo : nil
    }
}
