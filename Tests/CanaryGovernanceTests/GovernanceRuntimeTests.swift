import Testing
@testable import CanaryGovernance

/// The governance runtime a simulation executes per block height.
@Suite struct GovernanceRuntimeTests {
    static let ksm: Balance = 1_000_000_000_000
    /// A root track scaled down: prepare 1, decision 140, confirm 10, min enactment 10 blocks.
    static func tracks() throws -> TrackTable {
        var root = TrackTable.kusama.track(named: "root")!
        root.preparePeriod = 1; root.decisionPeriod = 140; root.confirmPeriod = 10; root.minEnactmentPeriod = 10
        return try TrackTable([root])
    }

    /// Proposer 0 submits set_code(1003000) in block 2; whale 1 (60% of the issuance) votes aye in block 3.
    static func setup(spec: UInt32 = 1_003_000, genesis: UInt32 = 1_002_006, extra: [GovernanceAction] = []) throws -> GovernanceSetup {
        let v = RuntimeVersion(specVersion: 1_003_000, importTime: 300_000_000, proposalTime: 400_000_000,
                               migrationTime: 15_000_000_000, notUpgraded: [4])
        return GovernanceSetup(
            tracks: try tracks(), activeIssuance: 1_000_000 * ksm, balances: [5_000 * ksm, 600_000 * ksm],
            genesisSpecVersion: genesis, versions: [v],
            actions: [
                GovernanceAction(.block(2), .submit(ref: 0, who: 0, origin: .root, call: .setCode(specVersion: spec), enactment: .after(0))),
                GovernanceAction(.block(2), .placeDecisionDeposit(ref: 0, who: 0)),
                GovernanceAction(.time(18_000_000_000), .vote(ref: 0, who: 1, vote: .standard(aye: true, conviction: .locked1x, balance: 600_000 * ksm))),
            ] + extra,
            sampleEvery: 10, referendumCount: 1)
    }

    /// Runs blocks 1...n at 6 s each.
    static func run(_ rt: inout GovernanceRuntime, to n: BlockNumber) {
        for b in (rt.lastExecuted + 1)...n { rt.execute(block: b, at: Int64(b) * 6_000_000_000) }
    }

    @Test func setCodeSwitchesTheRuntimeFromTheNextBlock() throws {
        var rt = GovernanceRuntime(setup: try Self.setup())
        Self.run(&rt, to: 60)
        let u = try #require(rt.upgrades.first)
        // Deciding from block 3 (prepare 1 after submission in 2)... the vote in block 3 acts in 4,
        // confirm 10 blocks, enactment min 10 blocks after approval.
        let t = rt.gov.referenda.timelines[0]
        #expect(t.outcome == "approved")
        #expect(u.enactedBlock == t.enacted)
        #expect(u.enactedBlock == t.ended! + 10)
        let n = u.enactedBlock
        #expect(rt.specVersion(forBlock: n) == 1_002_006)      // the enactment block runs the old code
        #expect(rt.specVersion(forBlock: n + 1) == 1_003_000)  // the next one the new
        #expect(rt.migration(forBlock: n) == nil)
        #expect(rt.migration(forBlock: n + 1)?.specVersion == 1_003_000)
        #expect(rt.migration(forBlock: n + 2) == nil)
        // Import/proposal: base before, the version's value plus migration at n+1, the version's after.
        #expect(rt.importTime(forBlock: n, base: 250_000_000) == 250_000_000)
        #expect(rt.importTime(forBlock: n + 1, base: 250_000_000) == 15_300_000_000)
        #expect(rt.importTime(forBlock: n + 2, base: 250_000_000) == 300_000_000)
        #expect(rt.proposalTime(forBlock: n + 1, base: 500_000_000) == 15_400_000_000)
        #expect(rt.canExecute(node: 4, block: n) && !rt.canExecute(node: 4, block: n + 1) && rt.canExecute(node: 3, block: n + 1))
        #expect(rt.calls.allSatisfy { $0.result == "ok" })
    }

    @Test func timedCallsLandInTheFirstBlockAtOrAfterTheirTime() throws {
        var rt = GovernanceRuntime(setup: try Self.setup())
        rt.execute(block: 1, at: 6_000_000_000)
        rt.execute(block: 2, at: 17_000_000_000)   // before the vote's 18 s
        #expect(rt.calls.map(\.call) == ["submit", "place_decision_deposit"])
        rt.execute(block: 3, at: 30_000_000_000)   // a slow block: the vote lands here
        #expect(rt.calls.last?.call == "vote" && rt.calls.last?.block == 3)
        // Only the next height executes: a fork block at height 3 changes nothing.
        let fork = rt.execute(block: 3, at: 31_000_000_000)
        let gap = rt.execute(block: 5, at: 31_000_000_000)
        #expect(!fork && !gap)
        #expect(rt.lastExecuted == 3)
    }

    @Test func failedCallsAreRecordedNotApplied() throws {
        let extra = [GovernanceAction(.block(4), .vote(ref: 0, who: 0, vote: .standard(aye: false, conviction: .none, balance: 9_000 * Self.ksm)))]
        var rt = GovernanceRuntime(setup: try Self.setup(extra: extra))
        Self.run(&rt, to: 5)
        let failed = rt.calls.filter { $0.result != "ok" }
        #expect(failed.count == 1 && failed[0].call == "vote" && failed[0].who == 0)
        #expect(rt.gov.referenda.status(0)?.tally.nays == 0)
    }

    @Test func setCodeMustIncreaseTheSpecVersion() throws {
        var rt = GovernanceRuntime(setup: try Self.setup(genesis: 1_003_000))
        Self.run(&rt, to: 60)
        #expect(rt.gov.referenda.timelines[0].enacted != nil)
        #expect(rt.upgrades.isEmpty)
        #expect(rt.calls.contains { $0.result == "SpecVersionNeedsToIncrease" })
        #expect(rt.specVersion(forBlock: 60) == 1_003_000)
    }

    @Test func tallySamplesCarryTheThresholds() throws {
        var rt = GovernanceRuntime(setup: try Self.setup())
        Self.run(&rt, to: 60)
        let deciding = rt.samples.filter { $0.approvalThreshold != nil }
        #expect(!deciding.isEmpty)
        let track = try Self.tracks().track(id: 0)!
        let since = try #require(rt.gov.referenda.timelines[0].decisionStarted)
        for s in deciding {
            let th = track.thresholds(elapsed: s.block - since)
            #expect(s.approvalThreshold == th.approval && s.supportThreshold == th.support)
        }
        // Milestones are sampled: decision start and the approval block.
        #expect(rt.samples.contains { $0.block == since })
        #expect(rt.samples.contains { $0.state == "approved" })
    }
}
