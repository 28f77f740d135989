import Testing
import CanaryArithmetic
import CanaryEconomics
import CanaryEngine
import CanaryStaking
@testable import CanaryScenario

/// A statistical scenario with `staking` as the body of its `staking:` section (indented by the caller).
private func scenario(_ staking: String) -> String {
    """
    name: s
    duration: 2d
    validators: {count: 20}
    consensus: {mode: statistical}
    staking:
    \(staking)
    """
}

private func decode(_ yaml: String) throws -> StakingSimulationConfig {
    let s = try ScenarioDecoder.decode(yaml: yaml, file: "s.yaml")
    return try #require(s.staking)
}

@Suite struct StakingSectionTests {
    @Test func decodesEveryField() throws {
        let c = try decode(scenario("""
          era: 1h
          slot: 3s
          primary_probability: 1/2
          points_per_block: 10
          active_validators: 12
          electing_voters: 400
          max_nominations: 16
          bonding_duration: 7
          slash_defer: 6
          slash_to: burn
          inflation: {model: legacy-curve, ideal: 60%, min: 2%, max: 0.12, falloff: 1/20, relay_block_start: 5}
          genesis:
            issuance: 1000000 KSM
            treasury: 1.5 KSM
            staking_rate: 40%
            nominator_share: 70%
            nominators: 500
            nominator_wealth: {min: 1 KSM, max: 1000 KSM}
            self_bond: {min: 5000000000000, max: 10 KSM}
            commission: {min: 1%, max: 5%}
            targets: {min: 3, max: 16}
            rebond: 50%
          behaviour:
            yield_reactive: false
            target_yield: 12%
            yield_spread: 2%
            flow: 0.5%
            renominate: 1%
            validator_leave: 0.1%
            validator_return: 10%
          offences: {equivocation_chance: 0.25%}
          election_every: 7
          reelect_on_drift: 2%
          payouts: era
        """))
        #expect(c.eraDuration == .hours(1) && c.slotDuration == .seconds(3))
        #expect(c.primaryProbability == (1, 2) && c.pointsPerBlock == 10)
        #expect(c.activeValidators == 12 && c.electingVoters == 400 && c.maxNominations == 16)
        #expect(c.bondingDuration == 7 && c.slashDeferDuration == 6 && c.slashDestination == .burn)
        #expect(c.inflation.model == .legacyCurve && c.inflation.idealStake == .fromPercent(60))
        #expect(c.inflation.minInflation == .fromPercent(2) && c.inflation.maxInflation == .fromPercent(12))
        #expect(c.inflation.falloff == .fromPercent(5) && c.relayBlockStart == 5)
        #expect(c.issuance == 1_000_000_000_000_000_000 && c.treasury == 1_500_000_000_000)
        #expect(c.initialStakingRate == .fromPercent(40) && c.nominatorShare == .fromPercent(70))
        #expect(c.nominators == 500 && c.nominatorWealth == 1_000_000_000_000...1_000_000_000_000_000)
        #expect(c.selfBond == 5_000_000_000_000...10_000_000_000_000)
        #expect(c.commission == 10_000_000...50_000_000 && c.targets == 3...16 && c.rebondShare == .fromPercent(50))
        #expect(!c.behaviour.enabled && c.behaviour.targetYield == .fromPercent(12) && c.behaviour.yieldSpread == .fromPercent(2))
        #expect(c.behaviour.flow == Perbill(parts: 5_000_000) && c.behaviour.renominate == .fromPercent(1))
        #expect(c.behaviour.validatorLeave == Perbill(parts: 1_000_000) && c.behaviour.validatorReturn == .fromPercent(10))
        #expect(c.equivocationChance == Perbill(parts: 2_500_000))
        #expect(c.electionEvery == 7 && c.reelectOnDrift == .fromPercent(2) && c.payoutsDetail == .era)
    }

    @Test func defaultsAreKusamas() throws {
        let c = try decode(scenario("  era: 6h"))
        #expect(c == StakingSimulationConfig())
        #expect(c.inflation == .kusama && c.electionEvery == nil && c.primaryProbability == (1, 4))
    }

    @Test func reportsEveryErrorWithItsPosition() {
        let d = diagnostics(scenario("""
          era: 0s
          electon_every: 3
          inflation: {model: kusma, ideal: 160%}
          genesis:
            issuance: 12 XYZ
            targets: {min: 9, max: 3}
            self_bond: {min: 10 KSM}
          behaviour: {flow: 0.0000000001}
          payouts: validators
        """))
        let lines = d.map { "\($0.location.line):\($0.location.column) \($0.message)" }
        // Every problem at once, sorted by position, each at its own line:column.
        #expect(d.count == 9, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("6:8 ") && $0.contains("staking.era must be longer than 0s") })
        #expect(lines.contains { $0.hasPrefix("7:3 ") && $0.contains("unknown key 'electon_every'") && $0.contains("did you mean 'election_every'") })
        #expect(lines.contains { $0.hasPrefix("8:22 ") && $0.contains("unknown inflation model 'kusma'") })
        #expect(lines.contains { $0.hasPrefix("8:36 ") && $0.contains("above 100%") })
        #expect(lines.contains { $0.hasPrefix("10:15 ") && $0.contains("staking.genesis.issuance") })
        #expect(lines.contains { $0.hasPrefix("11:14 ") && $0.contains("min 9 is above max 3") })
        #expect(lines.contains { $0.hasPrefix("12:16 ") && $0.contains("missing required key 'max'") })
        #expect(lines.contains { $0.hasPrefix("13:21 ") && $0.contains("more precision than a Perbill") })
        #expect(lines.contains { $0.hasPrefix("14:12 ") && $0.contains("unknown staking.payouts 'validators'") })
    }

    @Test func unknownPayoutsDetailIsAnError() {
        let d = diagnostics(scenario("  payouts: validators"))
        #expect(d.count == 1)
        #expect(d.first?.location == SourceLocation(line: 6, column: 12))
        #expect(d.first?.message.contains("expected validator or era") == true)
    }

    @Test func statisticalModeNeedsTheSection() {
        let d = diagnostics("""
        name: s
        duration: 2d
        validators: {count: 20}
        consensus: {mode: statistical}
        """)
        #expect(d.count == 1 && d.first?.location.line == 4)
    }

    @Test func schemaListsTheStakingFields() {
        let json = ScenarioSchema.json()
        for key in ["election_every", "nominator_wealth", "target_yield", "reelect_on_drift", "equivocation_chance"] {
            #expect(json.contains("\"\(key)\""), "schema lacks \(key)")
        }
    }

    /// At full fidelity the staking section builds the runtime; statistical-only keys are errors
    /// (never ignored), and full-only keys are errors at the statistical level.
    @Test func fullModeBuildsTheRuntimeAndRefusesStatisticalKeys() throws {
        let full = """
        name: s
        duration: 10m
        validators: {count: 20}
        consensus: {mode: full, epoch_length: 20}
        staking:
          sessions_per_era: 3
          election: phragmms
          balancing: 2
          active_validators: 15
        """
        let s = try ScenarioDecoder.decode(yaml: full, file: "s.yaml")
        let rt = try #require(s.runtime)
        #expect(rt.sessionsPerEra == 3 && rt.election == .phragmms && rt.balancingIterations == 2)
        #expect(rt.staking?.activeValidators == 15 && rt.validators == 20 && rt.slotDuration == .seconds(6))
        let d = diagnostics(full + "\n  era: 1h\n  election_every: 4\n")
        #expect(d.count == 2)
        #expect(d.contains { $0.location.line == 10 && $0.message.contains("staking.era applies to consensus mode statistical only") })
        #expect(d.contains { $0.location.line == 11 && $0.message.contains("staking.election_every") })
        let stat = diagnostics(scenario("  sessions_per_era: 2"))
        #expect(stat.count == 1 && stat.first?.message.contains("applies to consensus mode full only") == true)
    }

    /// A section no running model reads is an error at its key.
    @Test func unusedSectionsAreErrors() {
        let withNetwork = diagnostics(scenario("  era: 6h") + "\nnetwork: {preset: three-continents}\nevents: [{at: 1m, crash: [1]}]\n")
        #expect(withNetwork.contains { $0.location == SourceLocation(line: 7, column: 1) && $0.message.contains("section 'network' is not used in consensus mode statistical") })
        #expect(withNetwork.contains { $0.location.line == 8 && $0.message.contains("section 'events'") })
        let noConsensus = diagnostics("name: s\nduration: 1m\nvalidators: {count: 4}\nstaking: {era: 1h}\n")
        #expect(noConsensus.count == 1 && noConsensus[0].location.line == 4 && noConsensus[0].message.contains("needs consensus.mode full"))
    }
}
