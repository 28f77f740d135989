import Testing
import CanaryArithmetic
import CanaryEngine
import CanaryChain
import CanaryStaking
import CanaryGovernance
@testable import CanaryRuntime

/// The runtime driven by a hand-built block tree: each block's epoch is `slot / epochLength`.
struct Chain {
    var tree = BlockTree(genesis: ChainState(genesisRandomness: .zero))
    var runtime: RelayRuntime
    let epochLength: UInt64

    init(validators: Int = 12, seats: Int = 8, nominators: Int = 40, sessionsPerEra: UInt64 = 2,
         epochLength: UInt64 = 5, slashDefer: UInt32 = 1, leave: Perbill = .zero, staking: Bool = true,
         governance: GovernanceSetup? = nil) {
        var s = StakingSimulationConfig()
        s.activeValidators = seats
        s.slashDeferDuration = slashDefer
        s.bondingDuration = 2
        s.nominators = nominators
        s.targets = 2...6
        s.behaviour.validatorLeave = leave
        s.behaviour.validatorReturn = leave
        var c = RelayRuntimeConfig(staking: staking ? s : nil, governance: governance, validators: validators, seed: 9)
        c.sessionsPerEra = sessionsPerEra
        runtime = RelayRuntime(config: c)
        self.epochLength = epochLength
    }

    /// Adds and executes a block in `slot` on `parent`, authored by `author` (default: an
    /// authority of the block's epoch, by slot).
    @discardableResult
    mutating func block(on parent: BlockId, slot: UInt64, author: UInt32? = nil, at time: SimTime? = nil) -> BlockId {
        var st = ChainState(genesisRandomness: .zero)
        st.epochIndex = slot / epochLength
        st.number = tree.number[Int(parent)] + 1
        let auths = runtime.authorities(epoch: st.epochIndex, parent: parent, in: tree)
        let a = author ?? auths[Int(slot) % auths.count]
        let b = tree.add(parent: parent, slot: slot, author: a, kind: .primary, size: 0,
                         producedAt: time ?? .seconds(Int64(slot) * 6), state: st)
        runtime.execute(b, in: tree)
        return b
    }

    /// A linear chain of one block per slot from `from` through `to`, on `parent`.
    mutating func extend(_ parent: BlockId, slots: ClosedRange<UInt64>) -> BlockId {
        var p = parent
        for s in slots { p = block(on: p, slot: s) }
        return p
    }
}

@Suite struct RelayRuntimeTests {
    @Test func electionHandsTheSetOverAtTheEraBoundary() {
        // 2 sessions per era, 5-slot epochs: era 0 = sessions 0-1 (slots 0-9), era 1 starts at slot 10.
        var c = Chain(validators: 12, seats: 8, leave: .fromPercent(50))
        let genesisSet = c.runtime.genesisAuthorities
        #expect(genesisSet.count == 8)
        let lastSessionStart = c.extend(BlockTree.genesis, slots: 1...5)   // slot 5 opens session 1 (the era's last)
        let st = c.runtime.state(lastSessionStart)!
        #expect(st.session == 1)
        // The election ran when session 1 started; its winners are the next epoch's authorities.
        #expect(st.queued != nil)
        #expect(c.runtime.authorities(epoch: 1, parent: lastSessionStart, in: c.tree) == genesisSet)
        #expect(c.runtime.authorities(epoch: 2, parent: lastSessionStart, in: c.tree) == st.nextAuthorities)
        #expect(c.runtime.setChanges(at: lastSessionStart).isEmpty)
        let eraStart = c.extend(lastSessionStart, slots: 6...10)            // slot 10: session 2 = era 1
        let e1 = c.runtime.state(eraStart)!
        #expect(e1.staking.currentEra == 1)
        #expect(e1.authorities == st.nextAuthorities)
        #expect(e1.activeSet == st.nextAuthorities)
        if e1.activeSet != genesisSet {
            // GRANDPA: a standard change with delay 0 signalled in the era's first block.
            let changes = c.runtime.setChanges(at: eraStart)
            #expect(changes.count == 1 && changes[0].signalNumber == c.tree.number[Int(eraStart)] && changes[0].delay == 0)
            #expect(changes[0].voters == e1.activeSet)
        }
        #expect(c.runtime.records.violations.isEmpty)
    }

    @Test func payoutsFollowTheExactFormulaOnTheBlockTree() throws {
        var c = Chain(validators: 10, seats: 10, nominators: 30)
        let before = c.runtime.state(BlockTree.genesis)!.staking
        // Era 0: slots 1-9 on one chain, then the era ends at slot 10.
        let head = c.extend(BlockTree.genesis, slots: 1...9)
        var authored = [UInt32](repeating: 0, count: 10)
        var x = head
        while x != BlockTree.genesis { authored[Int(c.tree.author[Int(x)])] += 1; x = c.tree.parent[Int(x)] }
        let end = c.block(on: head, slot: 10)
        let era = try #require(c.runtime.records.eras.first { $0.block == end })
        let s = era.summary
        // Era length from slot timestamps: slot 10 at 60 s, the era started at 0.
        #expect(s.eraMillis == 60_000)
        // Blocks 1-9 belong to era 0 (block 10 opens era 1); the helper authors primary blocks only.
        #expect(era.blocks == 9 && era.primaryBlocks == 9)
        let expectedPayout = try before.config.inflation.eraPayout(totalStaked: before.eraTotalStake, totalIssuance: before.totalIssuance,
                                                                   eraMillis: 60_000, relayBlock: c.tree.number[Int(end)])
        #expect(s.payout.toStakers == expectedPayout.toStakers && s.toTreasury == expectedPayout.toTreasury)
        let totalPoints = authored.reduce(UInt64(0)) { $0 + UInt64($1) * 20 }
        for (v, exposure) in before.exposures {
            let expected = validatorPayouts(era: 0, validator: v, exposure: exposure, commission: before.eraCommission[v] ?? .zero,
                                            points: UInt64(authored[Int(v)]) * 20, totalPoints: totalPoints,
                                            eraPayout: s.payout.toStakers, pageSize: before.config.exposurePageSize)
            let got = s.payouts.filter { $0.validator == v }
            #expect(got.map(\.amount) == expected.filter { $0.amount > 0 }.map(\.amount), "validator \(v)")
        }
    }

    @Test func offencesDisableAndSlashAfterTheDeferral() throws {
        var c = Chain(validators: 10, seats: 10, nominators: 30, slashDefer: 1)
        let offender: UInt32 = 3
        let exposure = c.runtime.state(BlockTree.genesis)!.staking.exposures.first { $0.validator == AccountID(offender) }!.exposure
        let a = c.extend(BlockTree.genesis, slots: 1...2)
        c.runtime.noteOffence(OffenceReport(kind: .babeEquivocation, offender: offender, timeSlot: 2, detectedAt: .seconds(13)))
        let reported = c.block(on: a, slot: 3)
        #expect(c.runtime.isDisabled(offender, parent: reported))
        let o = try #require(c.runtime.records.offences.first)
        #expect(o.block == reported && o.era == 0 && o.applyAt == 1)
        // (3k/n)^2 with k = 1, n = 10: 9%.
        #expect(o.fraction == equivocationSlashFraction(offenders: 1, validatorSetSize: 10) && o.fraction == Perbill(parts: 90_000_000))
        // The same offence is not reported twice on this chain.
        let next = c.block(on: reported, slot: 4)
        #expect(c.runtime.records.offences.count == 1)
        // Era 0 ends at slot 10: the slash (due in era 1) is applied then, and disabling ends.
        let end = c.extend(next, slots: 5...10)
        #expect(!c.runtime.isDisabled(offender, parent: end))
        let era = try #require(c.runtime.records.eras.first { $0.block == end })
        let own = try #require(era.summary.slashes.first { $0.who == AccountID(offender) })
        #expect(own.amount == Perbill(parts: 90_000_000) * exposure.own && own.appliedEra == 1)
        #expect(era.summary.slashes.count == 1 + exposure.others.count)
        #expect(c.runtime.records.violations.isEmpty)
    }

    @Test func forksKeepTheirOwnState() {
        var c = Chain(validators: 10, seats: 10, nominators: 20)
        let base = c.extend(BlockTree.genesis, slots: 1...2)
        c.runtime.noteOffence(OffenceReport(kind: .babeEquivocation, offender: 4, timeSlot: 2, detectedAt: .seconds(20)))
        // Fork A produced before the detection does not report it; fork B, produced after, does.
        let a = c.block(on: base, slot: 3, at: .seconds(18))
        let b = c.block(on: base, slot: 4, at: .seconds(24))
        #expect(!c.runtime.isDisabled(4, parent: a))
        #expect(c.runtime.isDisabled(4, parent: b))
        #expect(c.runtime.state(a)!.staking.pendingSlashes.isEmpty)
        #expect(c.runtime.state(b)!.staking.pendingSlashes.count == 1)
        // A's successor reports it too, on A's fork, once.
        let a2 = c.block(on: a, slot: 5)
        #expect(c.runtime.isDisabled(4, parent: a2))
        #expect(c.runtime.records.offences.filter { $0.block == a2 || $0.block == b }.count == 2)
        // Pruning below a number drops those states only.
        c.runtime.prune(below: 3, in: c.tree)
        #expect(c.runtime.state(base) == nil && c.runtime.state(a) != nil)
    }

    @Test func issuanceIsConservedOverManyEras() {
        var c = Chain(validators: 12, seats: 8, nominators: 60, slashDefer: 1, leave: .fromPercent(20))
        c.runtime.noteOffence(OffenceReport(kind: .grandpaEquivocation, offender: c.runtime.genesisAuthorities[0], timeSlot: 1, detectedAt: .zero))
        let head = c.extend(BlockTree.genesis, slots: 1...80)
        #expect(c.runtime.records.eras.count == 8)   // sessions 2, 4, ..., 16 start eras 1-8
        #expect(c.runtime.records.violations.isEmpty)
        let st = c.runtime.state(head)!.staking
        #expect(st.sumOfBalances == st.totalIssuance)
        #expect(st.totalIssuance == st.genesisIssuance + st.minted - st.burned)
        #expect(st.minted > 0)
    }

    /// Governance state is per fork: a call due at 18 s is in the first block produced at or after
    /// 18 s on each fork, so the fork that got it earlier approves and enacts set_code earlier,
    /// and the other fork runs the old runtime at the same heights until it enacts it itself.
    @Test func governanceCallsAndUpgradesArePerFork() throws {
        let ksm: Balance = 1_000_000_000_000
        var root = TrackTable.kusama.track(named: "root")!
        root.preparePeriod = 1; root.decisionPeriod = 140; root.confirmPeriod = 10; root.minEnactmentPeriod = 10
        let setup = GovernanceSetup(
            tracks: try TrackTable([root]), activeIssuance: 1_000_000 * ksm, balances: [5_000 * ksm, 600_000 * ksm],
            genesisSpecVersion: 1_002_006, versions: [RuntimeVersion(specVersion: 1_003_000, migrationTime: 15_000_000_000)],
            actions: [
                GovernanceAction(.block(2), .submit(ref: 0, who: 0, origin: .root, call: .setCode(specVersion: 1_003_000), enactment: .after(0))),
                GovernanceAction(.block(2), .placeDecisionDeposit(ref: 0, who: 0)),
                GovernanceAction(.time(18_000_000_000), .vote(ref: 0, who: 1, vote: .standard(aye: true, conviction: .locked1x, balance: 600_000 * ksm))),
            ],
            sampleEvery: 10, referendumCount: 1)
        var c = Chain(validators: 6, staking: false, governance: setup)
        #expect(!c.runtime.decidesAuthorities)
        let base = c.extend(BlockTree.genesis, slots: 1...2)          // blocks 1, 2 (6 s, 12 s)
        // Fork B: block 3 at 18 s carries the vote. Fork A: blocks 3-5 before 18 s, then 6-s slots.
        var b = c.block(on: base, slot: 3, at: .seconds(18))
        var a = base
        for t in [14, 16, 17] as [Int64] { a = c.block(on: a, slot: UInt64(t), at: .seconds(t)) }
        let votesA = c.runtime.state(a)!.governance!.calls.filter { $0.call.hasPrefix("vote") }.count
        let votesB = c.runtime.state(b)!.governance!.calls.filter { $0.call.hasPrefix("vote") }.count
        #expect(votesA == 0 && votesB == 1)
        // Both forks grow one block per slot until B has enacted the upgrade.
        var slotA: UInt64 = 18, slotB: UInt64 = 4
        while c.runtime.state(b)!.governance!.upgrades.isEmpty && slotB < 200 {
            b = c.block(on: b, slot: slotB); slotB += 1
            a = c.block(on: a, slot: slotA); slotA += 1
        }
        let gB = c.runtime.state(b)!.governance!
        let upgrade = try #require(gB.upgrades.first)
        let first = upgrade.firstBlock
        // At the same height, A still runs the genesis runtime: the upgrade is absent on its fork.
        let gA = c.runtime.state(a)!.governance!
        #expect(gA.upgrades.isEmpty)
        #expect(gB.specVersion(forBlock: first) == 1_003_000 && gA.specVersion(forBlock: first) == 1_002_006)
        // The migration cost applies to B's next block only.
        #expect(c.runtime.proposalTime(childOf: b, in: c.tree, base: .ms(500)) == .ms(500) + .seconds(15))
        #expect(c.runtime.proposalTime(childOf: a, in: c.tree, base: .ms(500)) == .ms(500))
        // A enacts it too once its own (later) vote has gone through the same periods.
        while c.runtime.state(a)!.governance!.upgrades.isEmpty && slotA < 300 { a = c.block(on: a, slot: slotA); slotA += 1 }
        let enactedA = try #require(c.runtime.state(a)!.governance!.upgrades.first)
        #expect(enactedA.enactedBlock > upgrade.enactedBlock)
    }
}
