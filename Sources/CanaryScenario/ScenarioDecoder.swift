import Foundation
import Yams
import CanaryRuntime
import CanaryEngine
import CanaryGovernance
import CanaryParachains

/// Turns scenario YAML into a `Scenario`, reporting every problem at once with file:line:column.
public enum ScenarioDecoder {
    /// Overrides from the command line, applied after decoding.
    public struct Overrides: Sendable {
        public var seed: UInt64?
        public var duration: SimTime?
        public init(seed: UInt64? = nil, duration: SimTime? = nil) { self.seed = seed; self.duration = duration }
    }

    /// Reads and decodes a file.
    public static func load(path: String, overrides: Overrides = .init()) throws(ScenarioError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError([Diagnostic(file: path, location: .init(line: 1, column: 1),
                                            message: "cannot read the file (does it exist, and is it readable?)")])
        }
        guard data.count <= Limits.fileBytes else {
            throw ScenarioError([Diagnostic(file: path, location: .init(line: 1, column: 1),
                                            message: "the file has \(data.count) bytes, beyond \(Limits.fileSize)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError([Diagnostic(file: path, location: .init(line: 1, column: 1), message: "the file is not UTF-8 text")])
        }
        return try decode(yaml: text, file: path, overrides: overrides)
    }

    public static func decode(yaml: String, file: String = "<scenario>", overrides: Overrides = .init()) throws(ScenarioError) -> Scenario {
        var r = YAMLReader(file: file)
        if let at = Limits.excessiveNesting(yaml) {
            throw ScenarioError([Diagnostic(file: file, location: at, message: "YAML nested deeper than \(Limits.yamlDepth): \(Limits.yamlDepth.reason)")])
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ScenarioError([Diagnostic(file: file, location: .init(line: 1, column: 1), message: "the file is empty; expected a scenario mapping with name, duration and validators")])
            }
            root = node
        } catch let e as ScenarioError {
            throw e
        } catch let e as YamlError {
            throw ScenarioError([syntaxDiagnostic(e, file: file)])
        } catch {
            throw ScenarioError([Diagnostic(file: file, location: .init(line: 1, column: 1), message: "invalid YAML: \(error)")])
        }
        let scenario = decodeRoot(root, &r, overrides: overrides)
        if !r.diagnostics.isEmpty || scenario == nil {
            throw ScenarioError(r.diagnostics.isEmpty
                ? [Diagnostic(file: file, location: .init(line: 1, column: 1), message: "invalid scenario")] : r.diagnostics)
        }
        return scenario!
    }

    static func syntaxDiagnostic(_ e: YamlError, file: String) -> Diagnostic {
        switch e {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let ctx = context.map { " \($0.text)" } ?? ""
            return Diagnostic(file: file, location: .init(line: mark.line, column: mark.column), message: "YAML syntax: \(problem)\(ctx)")
        default:
            return Diagnostic(file: file, location: .init(line: 1, column: 1), message: "YAML syntax: \(e)")
        }
    }

    // MARK: - Sections

    static func decodeRoot(_ root: Node, _ r: inout YAMLReader, overrides: Overrides) -> Scenario? {
        guard let top = r.object(root, ScenarioFormat.root, context: "the scenario") else { return nil }
        let name = top["name"].flatMap { r.string($0.value, "name") }
        let description = top["description"].flatMap { r.string($0.value, "description") }
        let seed = top["seed"].flatMap { r.integer($0.value, min: 0, max: .max, "seed") }.map(UInt64.init) ?? 0
        let duration = top["duration"].flatMap { r.duration($0.value, "duration") }
        if let d = duration, d == .zero, let n = top["duration"] { r.error(n.value, "duration must be longer than 0s") }
        if let d = overrides.duration, d > Limits.runDurationValue {
            r.error(top["duration"]?.value, "--duration \(d) exceeds \(Limits.runDuration): \(Limits.runDuration.reason)")
        }

        let network = decodeNetwork(top["network"]?.value, &r)
        let regions = network?.regions ?? []
        let validatorRegions = top["validators"].flatMap { decodeValidators($0.value, regions: regions, &r) }
        let traffic = top["traffic"].map { decodeTraffic($0.value, &r) } ?? GossipTrafficModel.Config()

        let decodedConsensus = top["consensus"].flatMap {
            ConsensusSection.decode($0.value, regions: regions, nodeRegions: validatorRegions, &r)
        }
        let consensus = decodedConsensus?.mode
        let stakingDecoded = top["staking"].flatMap { StakingSection.decode($0.value, mode: consensus, &r) }
        let staking = stakingDecoded?.0
        if consensus == .full, staking != nil, let g = decodedConsensus?.grandpa, !g.setChanges.isEmpty, let c = top["consensus"] {
            r.error(c.key, "consensus.set_changes cannot be combined with a staking section: at full fidelity the era elections decide the voter sets")
        }
        if consensus == .statistical && staking == nil, let c = top["consensus"] {
            r.error(c.key, "consensus mode statistical needs a 'staking:' section (it runs staking eras)")
        }
        checkSectionsAreUsed(top, mode: consensus, finality: decodedConsensus?.grandpa != nil, &r)
        let effectiveDuration = overrides.duration ?? duration
        var events: [TimedFault] = []
        if let ev = top["events"] {
            // The timeline is checked against the file's own duration: a shorter `--duration`
            // simply ends the run before the later events.
            events = decodeEvents(ev.value, regions: regions, nodeRegions: validatorRegions, duration: duration, &r)
        }
        var expectations: [Expectation] = []
        if let ex = top["expect"], let list = r.sequence(ex.value, "expect") {
            for item in list {
                guard let s = r.string(item, "an expectation") else { continue }
                switch Expectation.parse(s) {
                case .success(let e): expectations.append(e)
                case .failure(let e): r.error(item, "invalid expectation '\(s)': \(e.message)")
                }
            }
        }
        let governance = top["governance"].flatMap { g -> GovernanceSetup? in
            if consensus == .statistical, let slot = staking?.slotDuration, slot != .seconds(6), let s = top["staking"] {
                r.error(s.key, "governance counts periods in 6s blocks: with a governance section staking.slot must be 6s")
            }
            return GovernanceSection.decode(g.value, seed: overrides.seed ?? seed, file: r.file, nodeRegions: validatorRegions,
                                            regions: regions, parachains: consensus == .full && top["parachains"] != nil, &r)
        }
        let parachains = top["parachains"].flatMap {
            ParachainsSection.decode($0.value, regions: regions, nodeRegions: validatorRegions, &r)
        }
        if parachains != nil, let p = top["parachains"], consensus == .full, decodedConsensus?.grandpa == nil {
            r.error(p.key, "parachains need GRANDPA (consensus.finality: grandpa): approvals gate finality")
        }
        guard let name, let duration = effectiveDuration, let network, let validatorRegions else { return nil }
        var scenario = Scenario(name: name, description: description, seed: overrides.seed ?? seed, duration: duration,
                                network: network, validatorRegions: validatorRegions, traffic: traffic,
                                events: events, expectations: expectations)
        scenario.consensus = consensus
        if let babe = decodedConsensus?.babe { scenario.babe = babe }
        scenario.grandpa = decodedConsensus?.grandpa
        scenario.staking = staking
        if consensus == .full, staking != nil || governance != nil {
            var rt = RelayRuntimeConfig(staking: staking, governance: governance, validators: validatorRegions.count,
                                        seed: overrides.seed ?? seed)
            if let options = stakingDecoded?.1 {
                rt.sessionsPerEra = options.sessionsPerEra
                rt.election = options.election
                rt.balancingIterations = options.balancing
            }
            rt.slotDuration = scenario.babe.slotDuration
            // The runtime holds the parachains' configuration pallet: governance set_config
            // calls and the section's set_config entries are dispatched there, per fork.
            if let p = parachains {
                rt.hostConfiguration = p.host
                rt.configurationCalls = p.configCalls
            }
            scenario.runtime = rt
        }
        if consensus == .statistical { scenario.staking?.governance = governance }
        scenario.governance = governance
        scenario.parachains = parachains
        checkLimits(scenario, top, &r)
        return scenario
    }

    /// Every top-level section must be read by a model that runs in this scenario
    /// (`ModelRegistry`): a section the chosen mode does not use is an error, never ignored.
    static func checkSectionsAreUsed(_ top: [String: (key: Node, value: Node)], mode: ConsensusMode?, finality: Bool,
                                     _ r: inout YAMLReader) {
        let present = Set(top.keys)
        let used = Set(ModelRegistry.running(mode: mode, finality: finality, sections: present).flatMap(\.sections))
        let context = mode.map { "in consensus mode \($0.rawValue)" } ?? "without a consensus section"
        for key in present.sorted() where !ModelRegistry.common.contains(key) && !used.contains(key) {
            var hint = "remove it"
            switch (key, mode) {
            case ("traffic", _): hint = "'traffic' is synthetic load for scenarios without consensus; remove it or the consensus section"
            case ("governance", nil), ("staking", nil):
                hint = "\(key) needs consensus.mode full (it runs in the chain's runtime, block by block) or statistical (it runs at each era)"
            case ("network", .statistical), ("events", .statistical):
                hint = "the statistical level simulates no messages; remove it (or use consensus.mode full)"
            default: break
            }
            r.error(top[key]!.key, "section '\(key)' is not used \(context) (read by: \(ModelRegistry.readers(of: key))): \(hint)")
        }
    }

    static func decodeNetwork(_ node: Node?, _ r: inout YAMLReader) -> NetworkConfig? {
        guard let node else { return .threeContinents }
        guard let o = r.object(node, ScenarioFormat.network, context: "network") else { return nil }
        var config: NetworkConfig
        var known: [[Bool]]
        if let p = o["preset"] {
            guard let name = r.string(p.value, "preset") else { return nil }
            guard name == "three-continents" else {
                r.error(p.value, "unknown network preset '\(name)'; expected three-continents"); return nil
            }
            config = .threeContinents
            known = config.regions.map { _ in config.regions.map { _ in true } }
            if let reg = o["regions"] { r.error(reg.key, "regions come from the preset '\(name)'; remove 'regions' or the preset") }
        } else {
            guard let reg = o["regions"] else {
                r.error(node, "network needs a 'preset' or a list of 'regions'"); return nil
            }
            guard let list = r.sequence(reg.value, "regions") else { return nil }
            var names: [String] = []
            if list.count > Limits.regionsValue {
                r.exceeded(reg.value, Limits.regions, "network.regions lists", found: "\(list.count) regions"); return nil
            }
            for item in list {
                guard let s = r.string(item, "a region name") else { continue }
                if names.contains(s) { r.error(item, "region '\(s)' is listed twice") } else { names.append(s) }
            }
            guard !names.isEmpty else { r.error(reg.value, "regions must list at least one region"); return nil }
            let zero = LatencyDistribution(median: .zero, sigma: 0)
            config = NetworkConfig(regions: names, latency: names.map { _ in names.map { _ in zero } },
                                   uploadBitsPerSecond: 100_000_000, loss: 0)
            known = names.map { _ in names.map { _ in false } }
        }
        let defaultJitter = o["jitter"].flatMap { r.number($0.value, min: 0, max: 3, "jitter") }
        if let j = defaultJitter {
            for a in config.latency.indices { for b in config.latency[a].indices { config.latency[a][b].sigma = j } }
        }
        if let lat = o["latency"], let entries = r.sequence(lat.value, "latency") {
            for entry in entries {
                guard let e = r.object(entry, ScenarioFormat.latencyEntry, context: "a latency entry") else { continue }
                guard let between = e["between"], let pair = r.sequence(between.value, "between") else { continue }
                guard pair.count == 2 else { r.error(between.value, "between must name exactly two regions, found \(pair.count)"); continue }
                var idx: [Int] = []
                for p in pair {
                    guard let s = r.string(p, "a region name") else { continue }
                    guard let i = config.regions.firstIndex(of: s) else {
                        r.error(p, "unknown region '\(s)'; regions are \(config.regions.joined(separator: ", "))"); continue
                    }
                    idx.append(i)
                }
                guard idx.count == 2 else { continue }
                known[idx[0]][idx[1]] = true
                known[idx[1]][idx[0]] = true
                guard let median = e["median"].flatMap({ r.duration($0.value, "median") }) else { continue }
                if median > Limits.latencyValue { r.exceeded(e["median"]?.value, Limits.latency, "median", found: "\(median)"); continue }
                let sigma = e["jitter"].flatMap { r.number($0.value, min: 0, max: 3, "jitter") } ?? defaultJitter ?? 0.1
                let d = LatencyDistribution(median: median, sigma: sigma)
                config.latency[idx[0]][idx[1]] = d
                config.latency[idx[1]][idx[0]] = d
                known[idx[0]][idx[1]] = true
                known[idx[1]][idx[0]] = true
            }
        }
        var missing: [String] = []
        for a in config.regions.indices { for b in a..<config.regions.count where !known[a][b] {
            missing.append("\(config.regions[a])–\(config.regions[b])")
        } }
        if !missing.isEmpty {
            r.error(o["latency"]?.key ?? node, "no latency given for region pair(s) \(missing.joined(separator: ", ")); add a latency entry with between, median")
        }
        if let u = o["upload"], let v = r.bandwidth(u.value, "upload") { config.uploadBitsPerSecond = v }
        if let l = o["loss"], let v = r.probability(l.value, "loss") { config.loss = v }
        return config
    }

    static func decodeValidators(_ node: Node, regions: [String], _ r: inout YAMLReader) -> [UInt16]? {
        guard let o = r.object(node, ScenarioFormat.validators, context: "validators") else { return nil }
        guard let count = o["count"].flatMap({ r.integer($0.value, min: 1, max: Limits.validatorsValue, "validators.count", limit: Limits.validators) }) else { return nil }
        var weights = regions.map { _ in UInt64(1) }
        if let reg = o["regions"] {
            guard case .mapping(let m) = reg.value else {
                r.error(reg.value, "validators.regions must map region names to weights, e.g. {europe: 3, asia: 1}"); return nil
            }
            weights = regions.map { _ in 0 }
            for (k, v) in m {
                guard let name = r.string(k, "a region name") else { continue }
                guard let i = regions.firstIndex(of: name) else {
                    r.error(k, "unknown region '\(name)'; regions are \(regions.joined(separator: ", "))"); continue
                }
                if let w = r.integer(v, min: 0, max: 1_000_000, "weight of \(name)") { weights[i] = UInt64(w) }
            }
            if weights.allSatisfy({ $0 == 0 }) { r.error(reg.value, "validators.regions: at least one weight must be positive") }
        }
        return Scenario.assignRegions(count: Int(count), weights: weights)
    }

    static func decodeTraffic(_ node: Node, _ r: inout YAMLReader) -> GossipTrafficModel.Config {
        var c = GossipTrafficModel.Config()
        guard let o = r.object(node, ScenarioFormat.traffic, context: "traffic") else { return c }
        if let v = o["gossip_interval"].flatMap({ r.duration($0.value, "gossip_interval") }) {
            if v == .zero { r.error(o["gossip_interval"]!.value, "gossip_interval must be longer than 0s") } else { c.gossipInterval = v }
        }
        if let v = o["fanout"].flatMap({ r.integer($0.value, min: 0, max: 10_000, "fanout") }) { c.fanout = Int(v) }
        if let v = o["gossip_size"].flatMap({ r.size($0.value, "gossip_size") }) { c.gossipSize = v }
        if let v = o["block_interval"].flatMap({ r.duration($0.value, "block_interval") }) {
            if v == .zero { r.error(o["block_interval"]!.value, "block_interval must be longer than 0s") } else { c.blockInterval = v }
        }
        if let v = o["block_size"].flatMap({ r.size($0.value, "block_size") }) { c.blockSize = v }
        return c
    }

    // MARK: - Timeline

    /// Decodes the timeline. `nodeRegions` is nil when the validators section is invalid: the
    /// events are still checked, but node indices cannot be.
    static func decodeEvents(_ node: Node, regions: [String], nodeRegions: [UInt16]?, duration: SimTime?,
                             _ r: inout YAMLReader) -> [TimedFault] {
        guard let list = r.sequence(node, "events") else { return [] }
        if list.count > Limits.timelineEventsValue {
            r.exceeded(node, Limits.timelineEvents, "the timeline has", found: "\(list.count) events"); return []
        }
        var timeline: [(fault: TimedFault, node: Node)] = []
        let actions = ["partition", "heal", "crash", "restart", "loss", "latency", "clock_skew", "slow"]
        let conditions: Set<String> = ["loss", "latency", "clock_skew", "slow"]
        for entry in list {
            guard let o = r.object(entry, ScenarioFormat.event, context: "an event") else { continue }
            let present = actions.filter { o[$0] != nil }
            guard present.count == 1 else {
                r.error(entry, present.isEmpty
                    ? "an event needs one of \(actions.joined(separator: ", "))"
                    : "an event has exactly one action, found \(present.joined(separator: " and "))")
                continue
            }
            guard let at = o["at"].flatMap({ r.duration($0.value, "at") }) else { continue }
            if let d = duration, at > d {
                r.error(o["at"]!.value, "event at \(at) is after the end of the run (duration \(d))")
            }
            let action = present[0]
            if action != "partition", let b = o["bridges"] { r.error(b.key, "bridges only go with partition") }
            if !conditions.contains(action), let n = o["nodes"] { r.error(n.key, "nodes only go with loss, latency, clock_skew and slow") }
            let value = o[action]!.value
            var affected: [UInt32] = []
            if conditions.contains(action) {
                if let n = o["nodes"] {
                    guard let list = selectNodes(n.value, regions: regions, nodeRegions: nodeRegions, &r) else { continue }
                    affected = list
                } else if action == "clock_skew" || action == "slow" {
                    r.error(entry, "\(action) needs nodes: the nodes whose clock or speed changes"); continue
                }
            }
            let fault: Fault?
            switch action {
            case "loss":
                fault = r.probability(value, "loss").map { .loss($0, nodes: affected) }
            case "latency":
                if let t = r.duration(value, "latency") {
                    if t > Limits.latencyValue { r.exceeded(value, Limits.latency, "latency", found: "\(t)"); fault = nil }
                    else { fault = .latency(t, nodes: affected) }
                } else { fault = nil }
            case "clock_skew":
                fault = clockSkew(value, &r).map { .clockSkew($0, nodes: affected) }
            case "slow":
                fault = r.integer(value, min: 1, max: Limits.slowFactorValue, "slow", limit: Limits.slowFactor).map { .slow(UInt32($0), nodes: affected) }
            case "heal":
                fault = r.boolean(value, "heal") == true ? .heal : nil
                if fault == nil && r.diagnostics.last?.location != r.location(value) { r.error(value, "heal must be true") }
            case "crash", "restart":
                let nodes = selectNodes(value, regions: regions, nodeRegions: nodeRegions, &r)
                fault = nodes.map { action == "crash" ? .crash($0) : .restart($0) }
            default:
                guard let groups = r.sequence(value, "partition groups") else { fault = nil; break }
                var out: [[UInt32]] = []
                var seen = Set<UInt32>()
                var ok = true
                for g in groups {
                    guard let members = selectNodes(g, regions: regions, nodeRegions: nodeRegions, &r) else { ok = false; continue }
                    for m in members where !seen.insert(m).inserted {
                        r.error(g, "node \(m) is in more than one partition group"); ok = false; break
                    }
                    out.append(members)
                }
                if groups.count < 1 { r.error(value, "partition needs at least one group"); ok = false }
                var bridges: [UInt32] = []
                if let b = o["bridges"] {
                    bridges = selectNodes(b.value, regions: regions, nodeRegions: nodeRegions, &r) ?? []
                    for m in bridges where seen.contains(m) {
                        r.error(b.value, "node \(m) is both in a partition group and a bridge"); ok = false; break
                    }
                }
                fault = ok ? .partition(out, bridges: bridges) : nil
            }
            if let fault { timeline.append((TimedFault(at: at, fault: fault), entry)) }
        }
        // Stable sort by time, then check that the timeline is possible.
        let ordered = timeline.enumerated().sorted { ($0.element.fault.at, $0.offset) < ($1.element.fault.at, $1.offset) }.map(\.element)
        var down = Array(repeating: false, count: nodeRegions?.count ?? 0)
        guard nodeRegions != nil else { return [] }
        var partitioned = false
        for (tf, node) in ordered {
            switch tf.fault {
            case .crash(let nodes):
                let already = nodes.filter { down[Int($0)] }
                if !already.isEmpty { r.error(node, "impossible timeline: node(s) \(nodeList(already)) are already crashed at \(tf.at)") }
                for n in nodes { down[Int(n)] = true }
            case .restart(let nodes):
                let up = nodes.filter { !down[Int($0)] }
                if !up.isEmpty { r.error(node, "impossible timeline: node(s) \(nodeList(up)) are not crashed at \(tf.at), so they cannot restart") }
                for n in nodes { down[Int(n)] = false }
            case .partition:
                partitioned = true
            case .heal:
                if !partitioned { r.error(node, "impossible timeline: heal at \(tf.at) but no partition is in force") }
                partitioned = false
            case .loss, .latency, .clockSkew, .slow:
                break
            }
        }
        return ordered.map(\.fault)
    }

    /// A clock offset: a duration, behind real time with a leading `-`.
    static func clockSkew(_ node: Node, _ r: inout YAMLReader) -> SimTime? {
        guard let s = node.scalar?.string else { _ = r.duration(node, "clock_skew"); return nil }
        let behind = s.hasPrefix("-")
        let text = behind ? String(s.dropFirst()) : s
        guard let t = SimTime(parsing: text), t >= .zero else {
            r.error(node, "expected clock_skew as a duration such as 3s (ahead) or -3s (behind), found '\(s)'"); return nil
        }
        guard t <= Limits.clockSkewValue else { r.exceeded(node, Limits.clockSkew, "clock_skew", found: s); return nil }
        return behind ? .ns(-t.nanoseconds) : t
    }

    static func nodeList(_ nodes: [UInt32]) -> String {
        nodes.prefix(8).map(String.init).joined(separator: ", ") + (nodes.count > 8 ? ", …" : "")
    }

    /// Node selectors: a region name (all its validators), a node index, or an `a-b` range.
    static func selectNodes(_ node: Node, regions: [String], nodeRegions: [UInt16]?, _ r: inout YAMLReader) -> [UInt32]? {
        let items: [Node]
        if case .sequence(let s) = node { items = Array(s) } else { items = [node] }
        var out: [UInt32] = []
        var ok = true
        let n = nodeRegions?.count ?? Int.max
        for item in items {
            guard let s = r.scalar(item, "a node selector (region name, node index or a-b range)") else { ok = false; continue }
            if let i = regions.firstIndex(of: s) {
                let nodes = nodeRegions ?? []
                out.append(contentsOf: nodes.indices.filter { nodes[$0] == UInt16(i) }.map { UInt32($0) })
            } else if let v = Int(s) {
                guard v >= 0 && v < n else { r.error(item, "node \(v) does not exist; validators are 0-\(n - 1)"); ok = false; continue }
                out.append(UInt32(v))
            } else if case let parts = s.split(separator: "-"), parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) {
                guard a >= 0, a <= b, b < n else { r.error(item, "node range \(s) is not within 0-\(n - 1)"); ok = false; continue }
                out.append(contentsOf: (a...b).map { UInt32($0) })
            } else {
                r.error(item, "expected a region name (\(regions.joined(separator: ", "))), a node index or a range like 3-7, found '\(s)'")
                ok = false
            }
        }
        guard ok else { return nil }
        var seen = Set<UInt32>()
        return out.filter { seen.insert($0).inserted }
    }
}
