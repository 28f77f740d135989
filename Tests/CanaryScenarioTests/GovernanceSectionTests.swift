import Testing
import Foundation
import CanaryEngine
import CanaryChain
import CanaryConsensus
import CanaryGovernance
import CanaryRuntime
@testable import CanaryScenario

/// A full-mode scenario with `governance` as the body of its `governance:` section.
private func scenario(_ governance: String, validators: Int = 8) -> String {
    """
    name: g
    duration: 10m
    validators: {count: \(validators)}
    consensus: {mode: full, finality: none}
    governance:
    \(governance)
    """
}

private func govDiagnostics(_ yaml: String, file: String = "g.yaml") -> [String] {
    do {
        _ = try ScenarioDecoder.decode(yaml: yaml, file: file)
        return []
    } catch {
        return error.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" }
    }
}

private let upgrade = """
  tracks: {preset: kusama, time_scale: 1/1440}
  active_issuance: 1000000 KSM
  runtime:
    spec_version: 1002006
    versions:
      - {spec_version: 1003000, migration_time: 15s}
  accounts:
    - {name: proposer, balance: 5000 KSM}
    - {name: whale, balance: 600000 KSM}
    - {name: crowd, count: 50, balance: {min: 1 KSM, max: 100 KSM}}
  referenda:
    - {at: 30s, track: root, call: {set_code: 1003000}, submitter: proposer}
  votes:
    - {at: 1m, referendum: 0, account: whale, vote: aye, conviction: locked1x}
  behaviours:
    - {referendum: 0, voters: crowd, turnout: 50%, from: 1m, over: 2m, aye_share: 80%, convictions: {none: 1, locked6x: 1}}
"""

@Suite struct GovernanceSectionTests {
    @Test func decodesTracksAccountsReferendaVotesAndVersions() throws {
        let s = try ScenarioDecoder.decode(yaml: scenario(upgrade), file: "g.yaml")
        let g = try #require(s.governance)
        #expect(s.runtime?.governance == g && s.runtime?.staking == nil)
        let root = try #require(g.tracks.track(named: "root"))
        #expect(root.decisionPeriod == 140 && root.confirmPeriod == 10 && root.preparePeriod == 1)
        #expect(g.balances.count == 52 && g.accountNames[2] == "crowd.0" && g.balances[1] == 600_000 * 1_000_000_000_000)
        #expect(g.versions == [RuntimeVersion(specVersion: 1_003_000, migrationTime: 15_000_000_000)])
        // submit + decision deposit + the whale's vote + about half the crowd.
        let votes = g.actions.filter { if case .vote = $0.kind { true } else { false } }
        #expect(votes.count > 10 && votes.count < 45)
        #expect(g.actions.prefix(2).map(\.kind.name) == ["submit", "place_decision_deposit"])
        // The same seed draws the same votes; another seed others.
        let again = try ScenarioDecoder.decode(yaml: scenario(upgrade), file: "g.yaml").governance
        #expect(again == g)
        let other = try ScenarioDecoder.decode(yaml: scenario(upgrade), file: "g.yaml", overrides: .init(seed: 99)).governance
        #expect(other != g)
    }

    @Test func reportsEveryErrorWithItsPosition() {
        let d = govDiagnostics(scenario("""
          tracks: {time_scale: 2/1}
          runtime:
            versions: [{spec_version: 1003000, migration: 15s}]
          accounts:
            - {name: a, balance: 12 XYZ}
            - {name: b, balance: 10 KSM}
          referenda:
            - {at: 1m, track: rot, call: {set_code: 1004000}, submitter: b}
            - {track: root, call: remark, submitter: nobody}
          votes:
            - {at: 2m, referendum: 5, account: b, vote: aye}
            - {at: 2m, referendum: 0, account: b, vote: split, conviction: locked2x}
        """))
        #expect(d.count == 9, "\(d)")
        #expect(d.contains { $0.hasPrefix("6:24 ") && $0.contains("time_scale") })
        #expect(d.contains { $0.hasPrefix("8:40 ") && $0.contains("unknown key 'migration' in a runtime version") })
        #expect(d.contains { $0.hasPrefix("10:26 ") && $0.contains("balance") })
        #expect(d.contains { $0.hasPrefix("13:23 ") && $0.contains("unknown track 'rot'") })
        #expect(d.contains { $0.hasPrefix("13:45 ") && $0.contains("set_code 1004000: no such runtime version") })
        #expect(d.contains { $0.hasPrefix("14:7 ") && $0.contains("needs at (a time) or block") })
        #expect(d.contains { $0.hasPrefix("14:46 ") && $0.contains("unknown account 'nobody'") })
        #expect(d.contains { $0.hasPrefix("16:28 ") && $0.contains("referendum 5 does not exist") })
        #expect(d.contains { $0.hasPrefix("17:56 ") && $0.contains("split votes carry no conviction") })
    }

    @Test func governanceNeedsAConsensusSection() {
        let yaml = """
        name: g
        duration: 1d
        validators: {count: 8}
        governance:
          accounts: [{name: a, balance: 1 KSM}]
        """
        #expect(govDiagnostics(yaml).contains { $0.hasPrefix("4:1 ") && $0.contains("needs consensus.mode full") })
        // At the statistical level the slot must be 6 s, as governance counts periods in blocks.
        let statistical = """
        name: g
        duration: 1d
        validators: {count: 8}
        consensus: {mode: statistical}
        staking: {era: 6h, slot: 3s}
        governance:
          accounts: [{name: a, balance: 1 KSM}]
        """
        #expect(govDiagnostics(statistical).contains { $0.contains("staking.slot must be 6s") })
    }

    @Test func votesFromCSVResolveAgainstTheScenarioFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("canary-gov-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let csv = """
        # replayed votes
        at,referendum,account,vote,conviction,balance,nay,abstain
        90s,0,whale,aye,locked2x,500000 KSM,,
        2m,0,erin,nay,none,1000 KSM,,
        3m,0,frank,abstain,,10 KSM,0,40 KSM
        """
        try csv.write(to: dir.appendingPathComponent("votes.csv"), atomically: true, encoding: .utf8)
        let body = """
          accounts: [{name: proposer, balance: 10 KSM}, {name: whale, balance: 600000 KSM}]
          referenda: [{at: 30s, track: root, call: remark, submitter: proposer}]
          votes_csv: votes.csv
        """
        let s = try ScenarioDecoder.decode(yaml: scenario(body), file: dir.appendingPathComponent("g.yaml").path)
        let g = try #require(s.governance)
        #expect(g.accountNames == ["proposer", "whale", "erin", "frank"])
        #expect(g.balances[2] == 1_000 * 1_000_000_000_000 && g.balances[3] == 50 * 1_000_000_000_000)
        let votes = g.actions.compactMap { a -> AccountVote? in if case let .vote(_, _, v) = a.kind { v } else { nil } }
        let ksm: Balance = 1_000_000_000_000
        let expected: [AccountVote] = [.standard(aye: true, conviction: .locked2x, balance: 500_000 * ksm),
                                       .standard(aye: false, conviction: .none, balance: 1_000 * ksm),
                                       .splitAbstain(aye: 10 * ksm, nay: 0, abstain: 40 * ksm)]
        #expect(votes == expected)

        try "at,referendum,account\n1m,0,x\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let bad = govDiagnostics(scenario(body.replacingOccurrences(of: "votes.csv", with: "bad.csv")), file: dir.appendingPathComponent("g.yaml").path)
        #expect(bad.contains { $0.contains("bad.csv:1: header lacks the column 'vote'") })
    }

    /// End to end through BABE: the enactment block runs the old code, the next block is the
    /// first of the new runtime and its 15 s migration delays production by several slots.
    @Test func setCodeChangesTheRuntimeFromTheNextBlockAndTheMigrationDelaysProduction() throws {
        let s = try ScenarioDecoder.decode(yaml: scenario(upgrade), file: "g.yaml")
        var sim = BabeSimulation.make(config: s.babe, validators: s.validatorCount, network: s.network,
                                      nodeRegion: s.validatorRegions, seed: s.seed, duration: .seconds(600))
        sim.model.runtime = RelayRuntime(config: try #require(s.runtime))
        _ = sim.run()
        let runtime = try #require(sim.model.runtime as? RelayRuntime)
        let results = runtime.governanceResults(head: sim.model.canonicalHead, tree: sim.model.tree)
        let g = try #require(runtime.state(sim.model.canonicalHead)?.governance)
        let u = try #require(g.upgrades.first)
        #expect(g.specVersion(forBlock: u.enactedBlock) == 1_002_006)
        #expect(g.specVersion(forBlock: u.enactedBlock + 1) == 1_003_000)
        // Canonical blocks N and N+1: the gap is at least the migration time.
        let tree = sim.model.tree
        var chain: [BlockId] = []
        var x = sim.model.canonicalHead
        while x != BlockTree.genesis { chain.append(x); x = tree.parent[Int(x)] }
        chain.reverse()
        let bN = chain[Int(u.enactedBlock) - 1], b1 = chain[Int(u.enactedBlock)]
        let gap = tree.producedAt[Int(b1)].nanoseconds - tree.producedAt[Int(bN)].nanoseconds
        #expect(gap >= 15_000_000_000)
        // Before the upgrade, consecutive canonical blocks are produced a slot or so apart.
        let before = tree.producedAt[Int(bN)].nanoseconds - tree.producedAt[Int(chain[Int(u.enactedBlock) - 2])].nanoseconds
        #expect(before < 15_000_000_000)
        let names = results.tables.map(\.name)
        #expect(names.contains("referenda") && names.contains("tally_samples") && names.contains("runtime_versions"))
        #expect(results.scalars.first { $0.name == "spec_version" }?.value == 1_003_000)
        #expect((results.scalars.first { $0.name == "upgrade.stall_slots" }?.value ?? 0) >= 2)
        #expect(chain.count > Int(u.enactedBlock) + 20)  // and production recovers
    }
}
