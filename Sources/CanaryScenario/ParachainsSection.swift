import Yams
import CanaryEngine
import CanaryParachains

/// The `parachains:` section: the parachain host's configuration, the parachains and their
/// collators, and the pipeline's fault roles (docs/parachains.md). Needs `consensus.mode: full`
/// with GRANDPA.
enum ParachainsSection {
    /// The host configuration fields (each overrides the preset).
    static let hostFields: [Field] = [
        Field("num_cores", .integer(min: 0, max: 10_000), "Cores managed by coretime (default: parachains × cores_per_para)."),
        Field("max_validators", .integer(min: 1, max: 100_000), "Para-validators per session (shuffled, truncated; default: every validator)."),
        Field("max_validators_per_core", .integer(min: 1, max: 1_000), "Raises the core count to para-validators / this (default: off)."),
        Field("group_rotation_frequency", .integer(min: 1, max: 100_000), "Blocks between backing-group rotations (Kusama 10)."),
        Field("paras_availability_period", .integer(min: 1, max: 100_000), "Blocks a candidate may wait for availability before it can time out at a rotation (Kusama 10)."),
        Field("scheduling_lookahead", .integer(min: 1, max: 100), "Claim-queue depth (Kusama 3; async backing needs at least 2)."),
        Field("needed_approvals", .integer(min: 0, max: 10_000), "Approval votes a candidate needs (Kusama 30)."),
        Field("relay_vrf_modulo_samples", .integer(min: 0, max: 40), "Cores sampled by a tranche-0 assignment (Kusama 6)."),
        Field("n_delay_tranches", .integer(min: 1, max: 255), "Delay tranches (Kusama 89)."),
        Field("zeroth_delay_tranche_width", .integer(min: 0, max: 255), "Delay tranches folded into tranche 0 (Kusama 0)."),
        Field("no_show_slots", .integer(min: 1, max: 100), "Relay slots until an assigned checker without an approval is a no-show (Kusama 3)."),
        Field("minimum_backing_votes", .integer(min: 1, max: 100), "Valid votes to back a candidate, capped by the group size (2)."),
        Field("max_candidate_depth", .integer(min: 0, max: 100), "Async backing depth (Kusama 3; 0 = synchronous backing)."),
        Field("allowed_ancestry_len", .integer(min: 0, max: 100), "How old a relay parent may be, in blocks (Kusama 2)."),
        Field("max_pov_size", .size, "Largest proof of validity (Kusama 5MiB); pov_size may not exceed it."),
        Field("dispute_period", .integer(min: 1, max: 1_000), "Sessions a candidate can be disputed (6)."),
        Field("dispute_post_conclusion_acceptance_period", .integer(min: 0, max: 1_000_000), "Blocks a concluded dispute accepts votes (600)."),
    ]

    static let sizeRange: [Field] = [
        Field("min", .size, required: true, "Smallest value."), Field("max", .size, required: true, "Largest value."),
    ]
    static let durationRange: [Field] = [
        Field("min", .duration, required: true, "Shortest value."), Field("max", .duration, required: true, "Longest value."),
    ]
    static let setConfig: [Field] = [
        Field("session", .integer(min: 1, max: 1_000_000), required: true, "The session (BABE epoch) from which the change applies (a `set_config` call two sessions earlier)."),
    ] + hostFields

    static let fields: [Field] = [
        Field("preset", .string, "`kusama` (the default): the HostConfiguration values in docs/parachains.md."),
        Field("count", .integer(min: 1, max: 1_000), required: true, "Parachains, each with its own collator node."),
        Field("cores_per_para", .integer(min: 1, max: 16), "Cores per parachain (elastic scaling above 1; default 1)."),
        Field("pov_size", .oneOf([.size, .object(sizeRange)]), "PoV size per candidate: a size, or {min, max} drawn uniformly (default 512KiB-2MiB)."),
        Field("execution_time", .oneOf([.duration, .object(durationRange)]), "PVF execution time per candidate (default 200ms-800ms); backing gives up after 2s, approval checks after 12s."),
        Field("collator_build_time", .duration, "Time into the slot when collators send their candidate (default 1500ms)."),
        Field("collator_regions", .array(.string), "Regions of the collators, round-robin (default: all regions, round-robin)."),
        Field("offline_collators", .array(.integer(min: 0, max: 999)), "Para ids whose collator never produces."),
        Field("slow_collators", .array(.integer(min: 0, max: 999)), "Para ids whose collator sends late."),
        Field("slow_collator_delay", .duration, "How late slow collators send (default 3s)."),
        Field("no_show_validators", .array(.nodeSelector), "Validators that announce approval assignments but never approve."),
        Field("no_shows_from", .duration, "When the no-show validators stop approving (default 0s)."),
        Field("no_shows_until", .duration, "When they approve again (default: never)."),
        Field("lagging_checkers", .array(.nodeSelector), "Validators that approve late."),
        Field("lagging_delay", .duration, "How late lagging checkers approve (default 8s)."),
        Field("byzantine_groups", .array(.integer(min: 0, max: 10_000)), "Backing groups (session group indices) that back one invalid candidate."),
        Field("invalid_from", .duration, "When the byzantine groups back their invalid candidate (the first collation they get after it; default 0s)."),
        Field("approvals_gate_finality", .boolean, "GRANDPA votes only for approved, undisputed blocks (default true; false for comparison)."),
        Field("bitfield_delay", .duration, "Chunk arrival to the bitfield reaching block authors (default 2s)."),
        Field("set_config", .array(.object(setConfig)), "Configuration changes by governance, each enacted at a session boundary."),
    ] + hostFields

    static func decode(_ node: Node, regions: [String], nodeRegions: [UInt16]?, _ r: inout YAMLReader) -> ParachainsConfig? {
        guard let o = r.object(node, fields, context: "parachains") else { return nil }
        var c = ParachainsConfig()
        if let p = o["preset"], let name = r.string(p.value, "parachains.preset"), name != "kusama" {
            r.error(p.value, "unknown parachains preset '\(name)'; expected kusama")
        }
        if let v = o["count"], let n = r.integer(v.value, min: 1, max: 1_000, "parachains.count") { c.parachains = Int(n) }
        if let v = o["cores_per_para"], let n = r.integer(v.value, min: 1, max: 16, "parachains.cores_per_para") { c.coresPerPara = Int(n) }
        c.host.numCores = c.cores
        applyHost(o, to: &c.host, context: "parachains", &r)
        if let v = o["pov_size"] { c.povSize = range(v.value, size: true, "parachains.pov_size", &r) ?? c.povSize }
        if let v = o["execution_time"] { c.executionTime = range(v.value, size: false, "parachains.execution_time", &r) ?? c.executionTime }
        if c.povSize.max > Int64(c.host.maxPoVSize), let v = o["pov_size"] ?? o["max_pov_size"] {
            r.error(v.value, "parachains.pov_size reaches \(c.povSize.max) bytes, above max_pov_size (\(c.host.maxPoVSize))")
        }
        if let v = o["collator_build_time"], let d = r.duration(v.value, "parachains.collator_build_time") { c.collatorBuildTime = d }
        if let v = o["collator_regions"], let list = r.sequence(v.value, "parachains.collator_regions") {
            for item in list {
                guard let s = r.string(item, "a region name") else { continue }
                if let i = regions.firstIndex(of: s) { c.collatorRegions.append(UInt16(i)) } else {
                    r.error(item, "unknown region '\(s)'; expected one of: \(regions.joined(separator: ", "))")
                }
            }
        }
        func paraIds(_ key: String) -> [Int] {
            guard let v = o[key], let list = r.sequence(v.value, "parachains.\(key)") else { return [] }
            var out: [Int] = []
            for item in list {
                guard let n = r.integer(item, min: 0, max: 999, "a para id") else { continue }
                if Int(n) >= c.parachains { r.error(item, "para \(n) does not exist; parachains are 0-\(c.parachains - 1)") } else { out.append(Int(n)) }
            }
            return out
        }
        c.offlineCollators = paraIds("offline_collators")
        c.slowCollators = paraIds("slow_collators")
        if let v = o["slow_collator_delay"], let d = r.duration(v.value, "parachains.slow_collator_delay") { c.slowCollatorDelay = d }
        func nodes(_ key: String) -> [UInt32] {
            o[key].flatMap { ScenarioDecoder.selectNodes($0.value, regions: regions, nodeRegions: nodeRegions, &r) } ?? []
        }
        c.noShowValidators = nodes("no_show_validators")
        c.laggingCheckers = nodes("lagging_checkers")
        if let v = o["no_shows_from"], let d = r.duration(v.value, "parachains.no_shows_from") { c.noShowsFrom = d }
        if let v = o["no_shows_until"], let d = r.duration(v.value, "parachains.no_shows_until") {
            if d <= c.noShowsFrom { r.error(v.value, "parachains.no_shows_until must be after no_shows_from") } else { c.noShowsUntil = d }
        }
        if let v = o["lagging_delay"], let d = r.duration(v.value, "parachains.lagging_delay") { c.laggingDelay = d }
        if let v = o["byzantine_groups"], let list = r.sequence(v.value, "parachains.byzantine_groups") {
            c.byzantineGroups = list.compactMap { r.integer($0, min: 0, max: 10_000, "a group index").map { Int($0) } }
        }
        if let v = o["invalid_from"], let d = r.duration(v.value, "parachains.invalid_from") { c.invalidFrom = d }
        if let v = o["approvals_gate_finality"], let b = r.boolean(v.value, "parachains.approvals_gate_finality") { c.approvalsGateFinality = b }
        if let v = o["bitfield_delay"], let d = r.duration(v.value, "parachains.bitfield_delay") { c.bitfieldDelay = d }
        if let v = o["set_config"], let list = r.sequence(v.value, "parachains.set_config") {
            var host = c.host
            var last = 0
            for item in list {
                guard let e = r.object(item, setConfig, context: "a set_config change"),
                      let s = e["session"].flatMap({ r.integer($0.value, min: 1, max: 1_000_000, "session") }) else { continue }
                if Int(s) <= last { r.error(e["session"]!.value, "set_config changes must be listed in increasing session order") }
                last = Int(s)
                let call = hostCall(e, context: "set_config", &r)
                call.apply(to: &host)
                c.configChanges.append((Int(s), host))
                c.configCalls.append((Int(s), call))
            }
        }
        if let problem = c.host.consistencyError() { r.error(node, "parachains: \(problem)") }
        for (_, h) in c.configChanges { if let problem = h.consistencyError() { r.error(o["set_config"]?.value, "parachains.set_config: \(problem)") } }
        return c
    }

    static func applyHost(_ o: [String: (key: Node, value: Node)], to h: inout HostConfiguration, context: String, _ r: inout YAMLReader) {
        hostCall(o, context: context, &r).apply(to: &h)
    }

    /// The host configuration fields present in `o`, each checked against its limits in
    /// `hostFields`, as one configuration call. The `parachains:` section, its `set_config`
    /// entries and the governance `set_config` call all read fields through here.
    static func hostCall(_ o: [String: (key: Node, value: Node)], context: String, _ r: inout YAMLReader) -> HostConfigurationCall {
        var settings: [(field: HostConfigurationField, value: Int)] = []
        for f in hostFields {
            guard let v = o[f.name], let field = HostConfigurationField(rawValue: f.name) else { continue }
            if case .integer(let lo, let hi) = f.type {
                if let n = r.integer(v.value, min: lo, max: hi, "\(context).\(f.name)") { settings.append((field, Int(n))) }
            } else if let n = r.size(v.value, "\(context).\(f.name)") {
                settings.append((field, n))
            }
        }
        return HostConfigurationCall(settings)
    }

    /// A constant or `{min, max}`: sizes in bytes, durations in nanoseconds.
    static func range(_ node: Node, size: Bool, _ what: String, _ r: inout YAMLReader) -> UniformRange? {
        func one(_ n: Node) -> Int64? {
            size ? r.size(n, what).map { Int64($0) } : r.duration(n, what).map { $0.nanoseconds }
        }
        if case .mapping = node {
            guard let o = r.object(node, size ? sizeRange : durationRange, context: what),
                  let lo = o["min"].flatMap({ one($0.value) }), let hi = o["max"].flatMap({ one($0.value) }) else { return nil }
            if hi < lo { r.error(node, "\(what): max must not be below min") ; return nil }
            return UniformRange(lo, hi)
        }
        return one(node).map { UniformRange(constant: $0) }
    }
}
