import Yams
import CanaryRuntime
import CanaryArithmetic
import CanaryEconomics
import CanaryEngine
import CanaryStaking

/// The `staking:` section of a scenario file (statistical staking and economics). Reference:
/// docs/economics.md, "The staking: section". Amounts are planck integers or decimals with a
/// `KSM`/`DOT` suffix; ratios are `60%`, `0.6` or `1/4`, parsed exactly (no floating point).
enum StakingSection {
    static let amount: FieldType = .oneOf([.string, .integer(min: 0, max: .max)])
    static let ratio: FieldType = .oneOf([.string, .number(min: 0, max: 1)])
    static let amountBounds = [Field("min", amount, required: true, "Smallest value (planck, or with a KSM/DOT suffix)."),
                               Field("max", amount, required: true, "Largest value.")]
    static let commissionBounds = [Field("min", ratio, required: true, "Lowest commission."),
                                   Field("max", ratio, required: true, "Highest commission.")]
    static let targetBounds = [Field("min", .integer(min: 1, max: 1_000), required: true, "Fewest targets."),
                               Field("max", .integer(min: 1, max: 1_000), required: true, "Most targets.")]

    static let inflation: [Field] = [
        Field("model", .string, "Emission rule: kusama (default), legacy-curve, polkadot-fixed or polkadot-stepped."),
        Field("ideal", ratio, "Ideal staking rate x_ideal (default 75%)."),
        Field("min", ratio, "Minimum annual inflation (default 2.5%)."),
        Field("max", ratio, "Maximum annual inflation (default 10%)."),
        Field("falloff", ratio, "Decay above the ideal rate (default 5%)."),
        Field("relay_block_start", .integer(min: 0, max: Int64(UInt32.max)), "Relay block at the first era, for polkadot-stepped (default 30349908); one block per slot after it."),
    ]
    static let genesis: [Field] = [
        Field("issuance", amount, "Total issuance at genesis (default 17000000 KSM)."),
        Field("treasury", amount, "Treasury at genesis, part of the issuance (default 500000 KSM)."),
        Field("staking_rate", ratio, "Staking rate at genesis (default 50%)."),
        Field("nominator_share", ratio, "Share of the issuance nominators hold, bonded or free (default 80%); the rest, less treasury and self-bonds, is held by one account that never stakes."),
        Field("nominators", .integer(min: 0, max: 1_000_000), "Nominator accounts (default 20000)."),
        Field("nominator_wealth", .object(amountBounds), "Relative wealth range, drawn log-uniformly by octaves, then scaled to nominator_share (default 1 KSM to 100000 KSM)."),
        Field("self_bond", .object(amountBounds), "Validator self-bond range, log-uniform by octaves (default 10 KSM to 10000 KSM)."),
        Field("commission", .object(commissionBounds), "Validator commission range, uniform (default 0% to 10%)."),
        Field("targets", .object(targetBounds), "Targets per nominator, uniform (default 8 to 24, capped at max_nominations)."),
        Field("rebond", ratio, "Share of stakers whose rewards are re-bonded (default 100%)."),
    ]
    static let behaviour: [Field] = [
        Field("yield_reactive", .boolean, "Nominators move stake in response to yield (default true)."),
        Field("target_yield", ratio, "Centre of the nominators' reservation yields (annual, default 15%)."),
        Field("yield_spread", ratio, "Half-width of the reservation yields (default 5%): uniform in target ± spread."),
        Field("flow", ratio, "Rate limit: share of its wealth a nominator bonds or unbonds per era at most (default 1%)."),
        Field("renominate", ratio, "Per-era probability that a nominator picks fresh targets (default 0.2%)."),
        Field("validator_leave", ratio, "Per-era probability that a validator candidate chills (default 0)."),
        Field("validator_return", ratio, "Per-era probability that a chilled candidate validates again (default 0)."),
    ]
    static let offences: [Field] = [
        Field("equivocation_chance", ratio, "Per-era probability that one random active validator equivocates (default 0)."),
    ]
    static let fields: [Field] = [
        Field("era", .duration, "Era length (Kusama 6h)."),
        Field("slot", .duration, "BABE slot length (6s); every slot gets a block."),
        Field("primary_probability", ratio, "BABE c: probability that a slot has a primary claim (Kusama 1/4)."),
        Field("points_per_block", .integer(min: 0, max: 1_000_000), "Era points per authored block (20)."),
        Field("active_validators", .integer(min: 1, max: 100_000), "Seats, ValidatorCount (default: validators.count, at most 1000)."),
        Field("electing_voters", .integer(min: 1, max: 10_000_000), "Electing-voter snapshot bound, top by stake (Kusama 12500)."),
        Field("max_nominations", .integer(min: 1, max: 1_000), "Targets a nominator may name (24)."),
        Field("bonding_duration", .integer(min: 0, max: 100_000), "Eras before unbonded funds are free (28)."),
        Field("slash_defer", .integer(min: 0, max: 100_000), "Eras a slash waits (27)."),
        Field("slash_to", .string, "treasury (default) or burn."),
        Field("inflation", .object(inflation), "Inflation model and parameters."),
        Field("genesis", .object(genesis), "The staking population at genesis."),
        Field("behaviour", .object(behaviour), "How nominators and validators act (the yield-reactive rule)."),
        Field("offences", .object(offences), "Drawn offences and their slashes."),
        Field("election_every", .integer(min: 1, max: 1_000_000), "Run the full seq-Phragmén election every N eras; between elections the last election's split is re-applied to current bonds every era (statistical default 28; 1 = every era, as the chain)."),
        Field("reelect_on_drift", ratio, "Also re-elect early when the active stake moved more than this since the last election (default: never)."),
        Field("sessions_per_era", .integer(min: 1, max: 1_000), "Full mode: sessions (BABE epochs) per era (Kusama 6); the era lasts sessions_per_era x consensus.epoch_length slots."),
        Field("election", .string, "Full mode: the era election's algorithm, seq-phragmen (default, Kusama's miner) or phragmms."),
        Field("balancing", .integer(min: 0, max: 1_000), "Full mode: star-balancing iterations after the election (default 0, as Kusama's miner)."),
        Field("payouts", .string, "Detail of the payouts table: validator (one row per era and validator, default) or era (one row per era)."),
    ]

    /// Keys that only the statistical level uses (full mode takes eras from sessions, slots and
    /// authorship from BABE, offences from the protocols), and keys only full mode uses.
    static let statisticalOnly = ["era", "slot", "primary_probability", "election_every", "reelect_on_drift", "offences"]
    static let fullOnly = ["sessions_per_era", "election", "balancing"]

    /// Full-fidelity options of the `staking:` section.
    struct FullOptions {
        var sessionsPerEra: UInt64 = 6
        var election: RelayRuntimeConfig.ElectionAlgorithm = .seqPhragmen
        var balancing = 0
    }

    static func decode(_ node: Node, mode: ConsensusMode?, _ r: inout YAMLReader) -> (StakingSimulationConfig, FullOptions)? {
        guard let o = r.object(node, fields, context: "staking") else { return nil }
        var full = FullOptions()
        if mode == .full {
            for key in statisticalOnly where o[key] != nil {
                r.error(o[key]!.key, "staking.\(key) applies to consensus mode statistical only: at full fidelity eras are sessions_per_era BABE epochs, authorship and offences come from the simulated protocols")
            }
            if let v = int(o["sessions_per_era"], 1, 1_000, "staking.sessions_per_era", &r) { full.sessionsPerEra = UInt64(v) }
            if let v = int(o["balancing"], 0, 1_000, "staking.balancing", &r) { full.balancing = v }
            if let e = o["election"], let s = r.string(e.value, "staking.election") {
                if let a = RelayRuntimeConfig.ElectionAlgorithm(rawValue: s) { full.election = a } else {
                    r.error(e.value, "unknown election '\(s)'; expected \(RelayRuntimeConfig.ElectionAlgorithm.allCases.map(\.rawValue).joined(separator: " or "))")
                }
            }
        } else {
            for key in fullOnly where o[key] != nil {
                r.error(o[key]!.key, "staking.\(key) applies to consensus mode full only")
            }
        }
        guard let c = decodeStatistical(o, &r) else { return nil }
        return (c, full)
    }

    static func decodeStatistical(_ o: [String: (key: Node, value: Node)], _ r: inout YAMLReader) -> StakingSimulationConfig? {
        var c = StakingSimulationConfig()
        if let e = o["era"], let d = r.duration(e.value, "staking.era") {
            if d == .zero { r.error(e.value, "staking.era must be longer than 0s") } else { c.eraDuration = d }
        }
        if let e = o["slot"], let d = r.duration(e.value, "staking.slot") {
            if d < Limits.minSlotValue { r.exceeded(e.value, Limits.minSlot, "staking.slot", found: "\(d)") } else { c.slotDuration = d }
        }
        if c.slotDuration > c.eraDuration, let e = o["slot"] ?? o["era"] {
            r.error(e.value, "staking.slot (\(c.slotDuration)) is longer than the era (\(c.eraDuration))")
        }
        if let e = o["primary_probability"] {
            if let q = fraction(e.value, "staking.primary_probability", &r) {
                if q.0 == 0 { r.error(e.value, "staking.primary_probability must be above 0") } else { c.primaryProbability = q }
            }
        }
        if let v = int(o["points_per_block"], 0, 1_000_000, "staking.points_per_block", &r) { c.pointsPerBlock = UInt32(v) }
        if let v = int(o["active_validators"], 1, 100_000, "staking.active_validators", &r) { c.activeValidators = v }
        if let v = int(o["electing_voters"], 1, 10_000_000, "staking.electing_voters", &r) { c.electingVoters = v }
        if let v = int(o["max_nominations"], 1, 1_000, "staking.max_nominations", &r) { c.maxNominations = v }
        if let v = int(o["bonding_duration"], 0, 100_000, "staking.bonding_duration", &r) { c.bondingDuration = EraIndex(v) }
        if let v = int(o["slash_defer"], 0, 100_000, "staking.slash_defer", &r) { c.slashDeferDuration = EraIndex(v) }
        if let e = o["slash_to"], let s = r.string(e.value, "staking.slash_to") {
            switch s {
            case "treasury": c.slashDestination = .treasury
            case "burn": c.slashDestination = .burn
            default: r.error(e.value, "unknown staking.slash_to '\(s)'; expected treasury or burn")
            }
        }
        if let e = o["inflation"] { decodeInflation(e.value, &c, &r) }
        if let e = o["genesis"] { decodeGenesis(e.value, &c, &r) }
        if let e = o["behaviour"] { decodeBehaviour(e.value, &c, &r) }
        if let e = o["offences"], let off = r.object(e.value, offences, context: "staking.offences") {
            if let p = perbill(off["equivocation_chance"], "staking.offences.equivocation_chance", &r) { c.equivocationChance = p }
        }
        if let v = int(o["election_every"], 1, 1_000_000, "staking.election_every", &r) { c.electionEvery = v }
        if let p = perbill(o["reelect_on_drift"], "staking.reelect_on_drift", &r) { c.reelectOnDrift = p }
        if let e = o["payouts"], let s = r.string(e.value, "staking.payouts") {
            if let d = StakingSimulationConfig.PayoutsDetail(rawValue: s) { c.payoutsDetail = d } else {
                r.error(e.value, "unknown staking.payouts '\(s)'; expected validator or era")
            }
        }
        return c
    }

    static func decodeInflation(_ node: Node, _ c: inout StakingSimulationConfig, _ r: inout YAMLReader) {
        guard let o = r.object(node, inflation, context: "staking.inflation") else { return }
        if let e = o["model"], let s = r.string(e.value, "staking.inflation.model") {
            if let m = InflationModel(rawValue: s) { c.inflation.model = m } else {
                r.error(e.value, "unknown inflation model '\(s)'; expected \(InflationModel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let p = ratio(o["ideal"], "staking.inflation.ideal", &r) {
            if p.isZero { r.error(o["ideal"]!.value, "staking.inflation.ideal must be above 0%") } else { c.inflation.idealStake = p }
        }
        if let p = ratio(o["min"], "staking.inflation.min", &r) { c.inflation.minInflation = p }
        if let p = ratio(o["max"], "staking.inflation.max", &r) { c.inflation.maxInflation = p }
        if let p = ratio(o["falloff"], "staking.inflation.falloff", &r) { c.inflation.falloff = p }
        if c.inflation.minInflation > c.inflation.maxInflation, let e = o["min"] ?? o["max"] {
            r.error(e.value, "staking.inflation.min (\(c.inflation.minInflation)) is above max (\(c.inflation.maxInflation))")
        }
        if let v = int(o["relay_block_start"], 0, Int64(UInt32.max), "staking.inflation.relay_block_start", &r) {
            c.relayBlockStart = UInt32(v)
        }
    }

    static func decodeGenesis(_ node: Node, _ c: inout StakingSimulationConfig, _ r: inout YAMLReader) {
        guard let o = r.object(node, genesis, context: "staking.genesis") else { return }
        if let a = amountValue(o["issuance"], "staking.genesis.issuance", &r) {
            if a == 0 { r.error(o["issuance"]!.value, "staking.genesis.issuance must be above 0") } else { c.issuance = a }
        }
        if let a = amountValue(o["treasury"], "staking.genesis.treasury", &r) { c.treasury = a }
        if c.treasury > c.issuance, let e = o["treasury"] ?? o["issuance"] {
            r.error(e.value, "staking.genesis.treasury is larger than the issuance")
        }
        if let p = ratio(o["staking_rate"], "staking.genesis.staking_rate", &r) { c.initialStakingRate = p }
        if let p = ratio(o["nominator_share"], "staking.genesis.nominator_share", &r) { c.nominatorShare = p }
        if let v = int(o["nominators"], 0, 1_000_000, "staking.genesis.nominators", &r) { c.nominators = v }
        if let range = amountRange(o["nominator_wealth"], "staking.genesis.nominator_wealth", &r) { c.nominatorWealth = range }
        if let range = amountRange(o["self_bond"], "staking.genesis.self_bond", &r) { c.selfBond = range }
        if let e = o["commission"], let m = r.object(e.value, commissionBounds, context: "staking.genesis.commission") {
            let lo = perbill(m["min"], "staking.genesis.commission.min", &r)
            let hi = perbill(m["max"], "staking.genesis.commission.max", &r)
            if let lo, let hi {
                if lo > hi { r.error(e.value, "staking.genesis.commission: min (\(lo)) is above max (\(hi))") } else { c.commission = lo.parts...hi.parts }
            }
        }
        if let e = o["targets"], let m = r.object(e.value, targetBounds, context: "staking.genesis.targets") {
            let lo = int(m["min"], 1, 1_000, "staking.genesis.targets.min", &r)
            let hi = int(m["max"], 1, 1_000, "staking.genesis.targets.max", &r)
            if let lo, let hi {
                if lo > hi { r.error(e.value, "staking.genesis.targets: min \(lo) is above max \(hi)") } else { c.targets = lo...hi }
            }
        }
        if let p = perbill(o["rebond"], "staking.genesis.rebond", &r) { c.rebondShare = p }
    }

    static func decodeBehaviour(_ node: Node, _ c: inout StakingSimulationConfig, _ r: inout YAMLReader) {
        guard let o = r.object(node, behaviour, context: "staking.behaviour") else { return }
        if let e = o["yield_reactive"], let b = r.boolean(e.value, "staking.behaviour.yield_reactive") { c.behaviour.enabled = b }
        if let p = perbill(o["target_yield"], "staking.behaviour.target_yield", &r) { c.behaviour.targetYield = p }
        if let p = perbill(o["yield_spread"], "staking.behaviour.yield_spread", &r) { c.behaviour.yieldSpread = p }
        if let p = perbill(o["flow"], "staking.behaviour.flow", &r) { c.behaviour.flow = p }
        if let p = perbill(o["renominate"], "staking.behaviour.renominate", &r) { c.behaviour.renominate = p }
        if let p = perbill(o["validator_leave"], "staking.behaviour.validator_leave", &r) { c.behaviour.validatorLeave = p }
        if let p = perbill(o["validator_return"], "staking.behaviour.validator_return", &r) { c.behaviour.validatorReturn = p }
    }

    // MARK: value helpers (each reports its own error at the value's position)

    static func int(_ entry: (key: Node, value: Node)?, _ min: Int64, _ max: Int64, _ what: String, _ r: inout YAMLReader) -> Int? {
        guard let entry else { return nil }
        return r.integer(entry.value, min: min, max: max, what).map { Int($0) }
    }

    static func ratio(_ entry: (key: Node, value: Node)?, _ what: String, _ r: inout YAMLReader) -> Perquintill? {
        guard let entry, let s = r.scalar(entry.value, "\(what) (a ratio)") else { return nil }
        do { return try EconomicsParsing.ratio(s) } catch {
            r.error(entry.value, "expected \(what) as a ratio such as 60%, 0.6 or 1/4: \(error)")
            return nil
        }
    }

    /// A ratio at Perbill precision; finer digits are an error rather than silently dropped.
    static func perbill(_ entry: (key: Node, value: Node)?, _ what: String, _ r: inout YAMLReader) -> Perbill? {
        guard let p = ratio(entry, what, &r) else { return nil }
        guard p.parts % 1_000_000_000 == 0 else {
            r.error(entry!.value, "\(what) has more precision than a Perbill (9 decimals of a fraction) can hold")
            return nil
        }
        return Perbill(parts: UInt32(p.parts / 1_000_000_000))
    }

    static func fraction(_ node: Node, _ what: String, _ r: inout YAMLReader) -> (UInt64, UInt64)? {
        guard let s = r.scalar(node, "\(what) (a ratio)") else { return nil }
        let parts = s.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 2, let p = UInt64(parts[0]), let q = UInt64(parts[1]), q > 0, p <= q { return (p, q) }
        do {
            let v = try EconomicsParsing.ratio(s)
            return (v.parts, Perquintill.accuracy)
        } catch {
            r.error(node, "expected \(what) as a fraction such as 1/4, 25% or 0.25: \(error)")
            return nil
        }
    }

    static func amountValue(_ entry: (key: Node, value: Node)?, _ what: String, _ r: inout YAMLReader) -> Balance? {
        guard let entry, let s = r.scalar(entry.value, "\(what) (an amount)") else { return nil }
        do {
            let v = try EconomicsParsing.amount(s)
            guard v <= Limits.amountValue else { r.exceeded(entry.value, Limits.amount, what, found: s); return nil }
            return v
        } catch {
            r.error(entry.value, "expected \(what) as an amount in planck or with a KSM/DOT suffix (e.g. 1.5 KSM): \(error)")
            return nil
        }
    }

    static func amountRange(_ entry: (key: Node, value: Node)?, _ what: String, _ r: inout YAMLReader) -> ClosedRange<Balance>? {
        guard let entry else { return nil }
        guard let m = r.object(entry.value, amountBounds, context: what) else { return nil }
        let lo = amountValue(m["min"], "\(what).min", &r)
        let hi = amountValue(m["max"], "\(what).max", &r)
        guard let lo, let hi else { return nil }
        if lo == 0 { r.error(m["min"]!.value, "\(what).min must be above 0"); return nil }
        if lo > hi { r.error(entry.value, "\(what): min is above max"); return nil }
        return lo...hi
    }
}

import Foundation
