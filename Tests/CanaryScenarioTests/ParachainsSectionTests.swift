import Testing
import CanaryEngine
import CanaryParachains
@testable import CanaryScenario

private func scenario(_ parachains: String, finality: String = "grandpa") -> String {
    """
    name: p
    duration: 1m
    validators: {count: 30}
    consensus: {mode: full, finality: \(finality)}
    parachains:
    \(parachains)
    """
}

@Suite struct ParachainsSectionTests {
    @Test func decodesEveryField() throws {
        let s = try ScenarioDecoder.decode(yaml: scenario("""
          preset: kusama
          count: 6
          cores_per_para: 2
          num_cores: 14
          max_validators: 25
          max_validators_per_core: 3
          group_rotation_frequency: 20
          paras_availability_period: 4
          scheduling_lookahead: 2
          needed_approvals: 10
          relay_vrf_modulo_samples: 3
          n_delay_tranches: 40
          zeroth_delay_tranche_width: 2
          no_show_slots: 2
          minimum_backing_votes: 3
          max_candidate_depth: 2
          allowed_ancestry_len: 1
          max_pov_size: 10MiB
          dispute_period: 4
          dispute_post_conclusion_acceptance_period: 100
          pov_size: {min: 1MiB, max: 4MiB}
          execution_time: 1s
          collator_build_time: 2s
          offline_collators: [1]
          slow_collators: [2, 3]
          slow_collator_delay: 4s
          no_show_validators: [0-4]
          lagging_checkers: [7]
          lagging_delay: 10s
          byzantine_groups: [0]
          invalid_from: 30s
          approvals_gate_finality: false
          bitfield_delay: 1s
          set_config:
            - {session: 2, needed_approvals: 20}
            - {session: 3, no_show_slots: 3}
        """), file: "p.yaml")
        let p = try #require(s.parachains)
        #expect(p.parachains == 6 && p.coresPerPara == 2 && p.host.numCores == 14 && p.host.maxValidators == 25)
        #expect(p.host.maxValidatorsPerCore == 3 && p.host.groupRotationFrequency == 20 && p.host.parasAvailabilityPeriod == 4)
        #expect(p.host.schedulingLookahead == 2 && p.host.neededApprovals == 10 && p.host.relayVRFModuloSamples == 3)
        #expect(p.host.nDelayTranches == 40 && p.host.zerothDelayTrancheWidth == 2 && p.host.noShowSlots == 2)
        #expect(p.host.minimumBackingVotes == 3 && p.host.maxCandidateDepth == 2 && p.host.allowedAncestryLen == 1)
        #expect(p.host.maxPoVSize == 10 * 1024 * 1024 && p.host.disputePeriod == 4 && p.host.disputePostConclusionAcceptancePeriod == 100)
        #expect(p.povSize == UniformRange(1024 * 1024, 4 * 1024 * 1024) && p.executionTime == UniformRange(constant: 1_000_000_000))
        #expect(p.collatorBuildTime == .seconds(2) && p.offlineCollators == [1] && p.slowCollators == [2, 3])
        #expect(p.slowCollatorDelay == .seconds(4) && p.noShowValidators == [0, 1, 2, 3, 4] && p.laggingCheckers == [7])
        #expect(p.laggingDelay == .seconds(10) && p.byzantineGroups == [0] && p.invalidFrom == .seconds(30))
        #expect(!p.approvalsGateFinality && p.bitfieldDelay == .seconds(1))
        // set_config: cumulative, from their session on.
        #expect(p.host(session: 1).neededApprovals == 10)
        #expect(p.host(session: 2).neededApprovals == 20 && p.host(session: 2).noShowSlots == 2)
        #expect(p.host(session: 5).neededApprovals == 20 && p.host(session: 5).noShowSlots == 3)
    }

    @Test func defaultsToTheKusamaPresetWithOneCorePerPara() throws {
        let s = try ScenarioDecoder.decode(yaml: scenario("  count: 5"), file: "p.yaml")
        let p = try #require(s.parachains)
        #expect(p.host.neededApprovals == 30 && p.host.numCores == 5 && p.host.maxCandidateDepth == 3)
    }

    @Test func errorsHavePositions() {
        let d = diagnostics(scenario("""
          count: 4
          needed_aprovals: 3
          offline_collators: [7]
          pov_size: {min: 2MiB, max: 1MiB}
          no_show_validators: [99]
          max_candidate_depth: 2
          scheduling_lookahead: 1
        """))
        let lines = d.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        #expect(lines.contains { $0.hasPrefix("7:3 unknown key 'needed_aprovals'") && $0.contains("did you mean 'needed_approvals'") })
        #expect(lines.contains { $0.hasPrefix("8:23 para 7 does not exist") })
        #expect(lines.contains { $0.hasPrefix("9:13") && $0.contains("max must not be below min") })
        #expect(lines.contains { $0.contains("node 99 does not exist") })
        #expect(lines.contains { $0.contains("async backing (max_candidate_depth > 0) needs scheduling_lookahead >= 2") })
        // Parachains need GRANDPA.
        let noGrandpa = diagnostics(scenario("  count: 2", finality: "none"))
        #expect(noGrandpa.contains { $0.message.contains("parachains need GRANDPA") })
    }
}
