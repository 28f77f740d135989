import Testing
import CanaryEngine
import CanaryChain
import CanaryGovernance
import CanaryParachains
@testable import CanaryRuntime

/// Governance `set_config` calls reach the parachains' configuration pallet in the runtime:
/// enacted at a block, staged for the session two after the one that block runs in, and read by
/// the parachain layer per session (`HostConfigurationSource`).
@Suite struct ConfigurationGovernanceTests {
    static let ksm: Balance = 1_000_000_000_000

    /// A chain with 5-slot sessions (one block per slot: block n is in session n / 5), a root
    /// track short enough to enact within the first session, and the HostConfiguration pallet.
    func chain(_ actions: [GovernanceAction], referenda: Int, listed: [(session: Int, call: HostConfigurationCall)] = [],
               staking: Bool = false) throws -> Chain {
        var root = TrackTable.kusama.track(named: "root")!
        root.preparePeriod = 1; root.decisionPeriod = 140; root.confirmPeriod = 1; root.minEnactmentPeriod = 1
        root.maxDeciding = 10   // Kusama root decides one at a time; these referenda run together
        let setup = GovernanceSetup(
            tracks: try TrackTable([root]), activeIssuance: 1_000_000 * Self.ksm, balances: [5_000 * Self.ksm, 600_000 * Self.ksm],
            genesisSpecVersion: 1_002_006, versions: [], actions: actions, sampleEvery: 10, referendumCount: referenda)
        var c = Chain(validators: 12, staking: staking, governance: setup)
        var config = c.runtime.config
        config.hostConfiguration = .kusama
        config.configurationCalls = listed
        c.runtime = RelayRuntime(config: config)
        return c
    }

    func referendum(_ k: Int, _ call: HostConfigurationCall, enactment: DispatchTime = .after(0)) -> [GovernanceAction] {
        [GovernanceAction(.block(1), .submit(ref: k, who: 0, origin: .root, call: ProposalCall(HostConfigurationCall.callName, call.arguments), enactment: enactment)),
         GovernanceAction(.block(1), .placeDecisionDeposit(ref: k, who: 0)),
         GovernanceAction(.block(4), .vote(ref: k, who: 1, vote: .standard(aye: true, conviction: .locked1x, balance: 600_000 * Self.ksm)))]
    }

    /// Four referenda: two enacted in one session (they stack into one staged change), one in
    /// the first block of the next session (scheduled from the session before: the new session
    /// is applied at the end of that block, as the initializer's `on_finalize` does) and one in
    /// its second block (two sessions later than that).
    @Test func enactedCallsApplyTwoSessionsLaterAndStack() throws {
        let actions = referendum(0, HostConfigurationCall([(.neededApprovals, 12)]))
            + referendum(1, HostConfigurationCall([(.noShowSlots, 4)]))
            + referendum(2, HostConfigurationCall([(.zerothDelayTrancheWidth, 2)]), enactment: .at(10))
            + referendum(3, HostConfigurationCall([(.nDelayTranches, 30)]), enactment: .at(11))
        var c = try chain(actions, referenda: 4)
        let head = c.extend(BlockTree.genesis, slots: 1...30)
        let calls = c.runtime.state(head)!.governance!.calls.filter { $0.call.hasPrefix("dispatch configuration.set_config") }
        #expect(calls.count == 4 && calls.allSatisfy { $0.result == "ok" })
        let enacted = calls.map { Int($0.block) }
        print("enacted at blocks", enacted, calls.map(\.call))
        // Referenda 0 and 1 are enacted in session 1 (blocks 5-9), 2 and 3 at blocks 10 and 11.
        #expect(enacted[0] / 5 == 1 && enacted[1] / 5 == 1 && enacted[2] == 10 && enacted[3] == 11)
        let base = HostConfiguration.kusama
        var chainBlocks: [BlockId] = []
        var x = head
        while x != BlockTree.genesis { chainBlocks.append(x); x = c.tree.parent[Int(x)] }
        for b in chainBlocks.reversed() {
            let session = Int(c.tree.number[Int(b)]) / 5
            let h = try #require(c.runtime.hostConfiguration(session: session, at: b, in: c.tree))
            // Nothing changes before session 3; 0, 1 and 2 together from 3; 3 from 4.
            #expect(h.neededApprovals == (session >= 3 ? 12 : base.neededApprovals), "session \(session)")
            #expect(h.noShowSlots == (session >= 3 ? 4 : base.noShowSlots), "session \(session)")
            #expect(h.zerothDelayTrancheWidth == (session >= 3 ? 2 : base.zerothDelayTrancheWidth), "session \(session)")
            #expect(h.nDelayTranches == (session >= 4 ? 30 : base.nDelayTranches), "session \(session)")
            #expect(c.runtime.state(b)!.configuration!.active == h)
        }
        // Right after the enactment of referendum 0 the change is staged for session 3 only.
        let staged = c.runtime.state(chainBlocks.reversed()[enacted[0] - 1])!.configuration!
        #expect(staged.pending.map(\.session) == [3] && staged.active == base)
    }

    /// A call that would break the configuration's consistency fails with the pallet error and
    /// changes nothing (recorded in the governance calls, counted as a failed call).
    @Test func anInconsistentCallFailsWithInvalidNewValue() throws {
        var c = try chain(referendum(0, HostConfigurationCall([(.schedulingLookahead, 1)])), referenda: 1)
        let head = c.extend(BlockTree.genesis, slots: 1...25)
        let call = try #require(c.runtime.state(head)!.governance!.calls.first { $0.call.hasPrefix("dispatch configuration") })
        #expect(call.result == "InvalidNewValue")
        #expect(c.runtime.hostConfiguration(session: 5, at: head, in: c.tree) == .kusama)
    }

    /// The scenario's `parachains.set_config` entries, dispatched by the runtime in session
    /// `session - 2`, give the same configuration per session as the section's own list, on
    /// the staking path too (sessions rotate with eras there).
    @Test func listedEntriesGoThroughTheRuntimeUnchanged() throws {
        let listed: [(session: Int, call: HostConfigurationCall)] = [
            (1, HostConfigurationCall([(.neededApprovals, 7)])), (4, HostConfigurationCall([(.noShowSlots, 5)])),
            (5, HostConfigurationCall([(.neededApprovals, 9)])),
        ]
        var p = ParachainsConfig()
        var h = HostConfiguration.kusama
        for (s, call) in listed { call.apply(to: &h); p.configChanges.append((s, h)) }
        var c = try chain([], referenda: 0, listed: listed, staking: true)
        let head = c.extend(BlockTree.genesis, slots: 1...34)
        var x = head
        while x != BlockTree.genesis {
            let session = Int(c.tree.number[Int(x)]) / 5
            #expect(c.runtime.hostConfiguration(session: session, at: x, in: c.tree) == p.host(session: session), "session \(session)")
            x = c.tree.parent[Int(x)]
        }
        #expect(c.runtime.records.violations.isEmpty)
    }
}
