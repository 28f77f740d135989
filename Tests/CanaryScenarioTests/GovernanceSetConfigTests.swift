import Testing
import CanaryEngine
import CanaryGovernance
import CanaryParachains
import CanaryRuntime
@testable import CanaryScenario

/// A parachains scenario whose referendum carries `call` on `track` (`parachains: false`
/// drops the parachains section).
private func scenario(call: String, track: String = "root", parachains: Bool = true) -> String {
    """
    name: gsc
    duration: 10m
    validators: {count: 20}
    consensus: {mode: full, finality: grandpa, epoch_length: 10}
    governance:
      tracks: {time_scale: 1/1440}
      accounts:
        - {name: proposer, balance: 5000 KSM}
        - {name: whale, balance: 600000 KSM}
      referenda:
        - {at: 30s, track: \(track), call: \(call), submitter: proposer}
    """ + (parachains ? """

    parachains:
      count: 4
      needed_approvals: 5
      set_config:
        - {session: 3, no_show_slots: 2}
    """ : "")
}

private func located(_ yaml: String) -> [String] {
    diagnostics(yaml).map { "\($0.location.line):\($0.location.column) \($0.message)" }
}

@Suite struct GovernanceSetConfigTests {
    @Test func aReferendumCarriesASetConfigCallAndTheRuntimeTheConfiguration() throws {
        let s = try ScenarioDecoder.decode(yaml: scenario(call: "{set_config: {num_cores: 6, needed_approvals: 8}}"), file: "g.yaml")
        let g = try #require(s.governance)
        let submitted = g.actions.compactMap { a -> ProposalCall? in if case let .submit(_, _, _, call, _) = a.kind { call } else { nil } }
        // Canonical field order, whatever the YAML order.
        #expect(submitted == [ProposalCall("configuration.set_config", ["num_cores=6", "needed_approvals=8"])])
        let rt = try #require(s.runtime)
        #expect(rt.hostConfiguration?.neededApprovals == 5 && rt.hostConfiguration?.numCores == 4)
        #expect(rt.configurationCalls.map(\.session) == [3] && rt.configurationCalls[0].call.arguments == ["no_show_slots=2"])
        // whitelisted_caller dispatches as Root too.
        #expect((try? ScenarioDecoder.decode(yaml: scenario(call: "{set_config: {needed_approvals: 8}}", track: "whitelisted_caller"))) != nil)
    }

    @Test func badSetConfigCallsGiveLocatedErrors() {
        // Line 11 is the referendum (its track value at column 24).
        let typo = located(scenario(call: "{set_config: {needed_aprovals: 8}}"))
        #expect(typo.contains { $0.hasPrefix("11:") && $0.contains("unknown key 'needed_aprovals'") && $0.contains("needed_approvals") }, "\(typo)")
        #expect(typo.count == 1, "\(typo)")   // one error for one mistake
        let range = located(scenario(call: "{set_config: {max_validators_per_core: 0}}"))
        #expect(range.contains { $0.hasPrefix("11:") && $0.contains("set_config.max_validators_per_core") }, "\(range)")
        let empty = located(scenario(call: "{set_config: {}}"))
        #expect(empty.contains { $0.hasPrefix("11:") && $0.contains("at least one HostConfiguration field") }, "\(empty)")
        let track = located(scenario(call: "{set_config: {needed_approvals: 8}}", track: "small_tipper"))
        #expect(track.contains { $0.hasPrefix("11:24") && $0.contains("needs the Root origin") && $0.contains("small_tipper") }, "\(track)")
        let noParas = located(scenario(call: "{set_config: {needed_approvals: 8}}", parachains: false))
        #expect(noParas.contains { $0.hasPrefix("11:") && $0.contains("needs a parachains: section") }, "\(noParas)")
    }
}
