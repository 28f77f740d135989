import Foundation
import Yams
import CanaryEngine
import CanaryScenario

/// GRANDPA fault roles a case may assign (the scenario keys `consensus.grandpa_*`).
public enum ByzantineRole: String, CaseIterable, Sendable {
    case withhold = "grandpa_withhold"
    case equivocate = "grandpa_equivocators"
    case minorityFork = "grandpa_minority_fork"
    case collude = "grandpa_colluders"
}

/// One explored scenario: a base scenario file with a fault timeline, Byzantine roles, a
/// seed, a duration and a validator count of its own. Always run through its YAML text
/// (`yaml()`), so what is checked is exactly what the written reproducer file says.
public struct ExploreCase {
    /// The base file's top-level YAML, kept so unrelated sections survive unchanged.
    var base: Node
    public var name: String
    public var seed: UInt64
    public var duration: SimTime
    public var validators: Int
    /// The whole timeline (base events and drawn faults), sorted by time.
    public var events: [TimedFault]
    /// Shrinking unit of each event: a crash with its restart, a partition with its heal.
    public var units: [Int]
    /// Nodes per role (roles of the base file included).
    public var roles: [ByzantineRole: [UInt32]]
    /// Whether the scenario runs the chain's runtime (a `staking:` section).
    public var hasRuntime = false

    /// The base scenario, decoded, with its YAML kept.
    public static func load(text: String, file: String) throws -> (ExploreCase, Scenario) {
        let scenario = try ScenarioDecoder.decode(yaml: text, file: file)
        guard scenario.consensus == .full, let g = scenario.grandpa else {
            throw ScenarioError([Diagnostic(file: file, location: .init(line: 1, column: 1),
                                            message: "explore needs consensus.mode full with finality grandpa (its invariants are GRANDPA's)")])
        }
        guard let node = try Yams.compose(yaml: text) else { throw ScenarioError([]) }
        var roles: [ByzantineRole: [UInt32]] = [:]
        roles[.withhold] = g.withhold
        roles[.equivocate] = g.equivocate
        roles[.minorityFork] = g.minorityFork
        roles[.collude] = g.collude
        var c = ExploreCase(base: node, name: scenario.name, seed: scenario.seed, duration: scenario.duration,
                            validators: scenario.validatorCount, events: scenario.events, units: [], roles: roles)
        c.units = ExploreCase.pairUnits(scenario.events, firstUnit: 0)
        c.hasRuntime = scenario.runtime?.staking != nil
        return (c, scenario)
    }

    /// Unit ids: a crash shares its unit with the restart of the same nodes, a partition with
    /// the next heal, a loss or latency spike with the next event of its kind that ends it, a
    /// clock skew or slow-down with the next one that restores the same nodes; anything else is
    /// a unit of its own.
    static func pairUnits(_ events: [TimedFault], firstUnit: Int) -> [Int] {
        var units = Array(repeating: -1, count: events.count)
        var next = firstUnit
        for i in events.indices where units[i] == -1 {
            units[i] = next
            switch events[i].fault {
            case .crash(let nodes):
                if let j = events.indices.first(where: { $0 > i && units[$0] == -1 && events[$0].fault == .restart(nodes) }) { units[j] = next }
            case .partition:
                if let j = events.indices.first(where: { $0 > i && units[$0] == -1 && events[$0].fault == .heal }) { units[j] = next }
            case .loss(let p, _) where p > 0:
                if let j = events.indices.first(where: { $0 > i && units[$0] == -1 && events[$0].fault == .loss(0, nodes: []) }) { units[j] = next }
            case .latency(let t, _) where t > .zero:
                if let j = events.indices.first(where: { $0 > i && units[$0] == -1 && events[$0].fault == .latency(.zero, nodes: []) }) { units[j] = next }
            case .clockSkew(let t, let nodes) where t != .zero:
                if let j = events.indices.first(where: { $0 > i && units[$0] == -1 && events[$0].fault == .clockSkew(.zero, nodes: nodes) }) { units[j] = next }
            case .slow(let f, let nodes) where f > 1:
                if let j = events.indices.first(where: { $0 > i && units[$0] == -1 && events[$0].fault == .slow(1, nodes: nodes) }) { units[j] = next }
            default: break
            }
            next += 1
        }
        return units
    }

    /// Keeps validators `0..<n`: the others leave every role and event (events left empty go).
    public mutating func dropNodes(atOrAbove n: Int) {
        validators = n
        func keep(_ x: [UInt32]) -> [UInt32] { x.filter { Int($0) < n } }
        for r in ByzantineRole.allCases { roles[r] = roles[r].map(keep) }
        var e2: [TimedFault] = [], u2: [Int] = []
        for (i, e) in events.enumerated() {
            var f = e.fault
            switch e.fault {
            case .crash(let x): f = .crash(keep(x)); if keep(x).isEmpty { continue }
            case .restart(let x): f = .restart(keep(x)); if keep(x).isEmpty { continue }
            case .partition(let g, let b): f = .partition(g.map(keep).filter { !$0.isEmpty }, bridges: keep(b))
            case .heal: break
            case .loss(let p, let x): f = .loss(p, nodes: keep(x)); if !x.isEmpty && keep(x).isEmpty { continue }
            case .latency(let t, let x): f = .latency(t, nodes: keep(x)); if !x.isEmpty && keep(x).isEmpty { continue }
            case .clockSkew(let t, let x): f = .clockSkew(t, nodes: keep(x)); if keep(x).isEmpty { continue }
            case .slow(let k, let x): f = .slow(k, nodes: keep(x)); if keep(x).isEmpty { continue }
            }
            e2.append(TimedFault(at: e.at, fault: f)); u2.append(units[i])
        }
        events = e2; units = u2
    }

    /// When the last event happens (zero for an empty timeline): from then on nothing changes.
    public var quietFrom: SimTime { events.last?.at ?? .zero }

    /// Whether every partition has been healed by the end.
    public var connectedAtEnd: Bool {
        var partitioned = false
        for e in events {
            if case .partition = e.fault { partitioned = true }
            if case .heal = e.fault { partitioned = false }
        }
        return !partitioned
    }

    /// Number of faults (events) and Byzantine nodes, for reports.
    public var size: (events: Int, byzantine: Int) { (events.count, roles.values.reduce(0) { $0 + $1.count }) }

    // MARK: YAML

    /// The standalone scenario file of this case; `header` lines become leading comments.
    public func yaml(header: [String] = []) -> String {
        guard case .mapping(let top) = base else { return "" }
        var pairs: [(Node, Node)] = []
        var seen = Set<String>()
        func set(_ key: String, _ value: Node?) {
            seen.insert(key)
            if let value { pairs.append((Node(key), value)) }
        }
        for (k, v) in top {
            let key = k.scalar?.string ?? ""
            switch key {
            case "name": set(key, Node(name))
            case "seed": set(key, Node(String(seed)))
            case "duration": set(key, Node(duration.description))
            case "validators": set(key, replacing(v, ["count": Node(String(validators))]))
            case "consensus": set(key, consensusNode(v))
            case "events": set(key, eventsNode)
            case "expect": set(key, expectNode)
            default: pairs.append((k, v)); seen.insert(key)
            }
        }
        if !seen.contains("seed") { pairs.insert((Node("seed"), Node(String(seed))), at: min(1, pairs.count)) }
        if !seen.contains("events"), let e = eventsNode { pairs.append((Node("events"), e)) }
        if !seen.contains("expect") { pairs.append((Node("expect"), expectNode)) }
        let body = (try? Yams.serialize(node: .mapping(.init(pairs)), width: 100)) ?? ""
        return header.map { "# " + $0 + "\n" }.joined() + body
    }

    func replacing(_ node: Node, _ values: [String: Node?]) -> Node {
        guard case .mapping(let m) = node else { return node }
        var pairs: [(Node, Node)] = []
        var done = Set<String>()
        for (k, v) in m {
            let key = k.scalar?.string ?? ""
            if let replacement = values[key] {
                done.insert(key)
                if let r = replacement { pairs.append((k, r)) }
            } else {
                pairs.append((k, v))
            }
        }
        for key in values.keys.sorted() where !done.contains(key) {
            if let r = values[key]!, true { pairs.append((Node(key), r)) }
        }
        return .mapping(.init(pairs, m.tag, m.style))
    }

    func consensusNode(_ node: Node) -> Node {
        var values: [String: Node?] = [:]
        for role in ByzantineRole.allCases {
            let nodes = roles[role] ?? []
            values[role.rawValue] = nodes.isEmpty ? .some(nil) : ExploreCase.nodeList(nodes.filter { Int($0) < validators })
        }
        // Offline validators beyond a shrunk count would not exist.
        if case .mapping(let m) = node, let off = m["offline"] {
            values["offline"] = .some(ExploreCase.clip(off, below: validators))
        }
        return replacing(node, values)
    }

    /// Keeps the node selectors of a list that are plain indices below `n` (region names and
    /// ranges are kept and clipped).
    static func clip(_ node: Node, below n: Int) -> Node? {
        let items: [Node]
        if case .sequence(let s) = node { items = Array(s) } else { items = [node] }
        var out: [Node] = []
        for item in items {
            guard let s = item.scalar?.string else { continue }
            if let v = Int(s) { if v < n { out.append(item) } }
            else if case let p = s.split(separator: "-"), p.count == 2, let a = Int(p[0]), let b = Int(p[1]) {
                if a < n { out.append(Node("\(a)-\(min(b, n - 1))")) }
            } else { out.append(item) }
        }
        return out.isEmpty ? nil : .sequence(.init(out, .implicit, .flow))
    }

    /// A probability as a percentage that reads back exactly (drawn spikes are whole percents).
    static func percent(_ p: Double) -> String {
        let pct = p * 100
        return pct == pct.rounded() ? "\(Int(pct))%" : "\(p)"
    }

    static func nodeList(_ nodes: [UInt32]) -> Node {
        // Runs of consecutive indices as ranges, e.g. [0-34, 40].
        var out: [Node] = []
        let sorted = nodes.sorted()
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1] == sorted[j] + 1 { j += 1 }
            out.append(Node(j > i ? "\(sorted[i])-\(sorted[j])" : "\(sorted[i])"))
            i = j + 1
        }
        return .sequence(.init(out, .implicit, .flow))
    }

    var eventsNode: Node? {
        let list = events.compactMap { e -> Node? in
            var pairs: [(Node, Node)] = [(Node("at"), Node(e.at.description))]
            switch e.fault {
            case .crash(let n):
                let kept = n.filter { Int($0) < validators }
                guard !kept.isEmpty else { return nil }
                pairs.append((Node("crash"), ExploreCase.nodeList(kept)))
            case .restart(let n):
                let kept = n.filter { Int($0) < validators }
                guard !kept.isEmpty else { return nil }
                pairs.append((Node("restart"), ExploreCase.nodeList(kept)))
            case .heal:
                pairs.append((Node("heal"), Node("true")))
            case .partition(let groups, let bridges):
                let gs = groups.map { $0.filter { Int($0) < validators } }.filter { !$0.isEmpty }
                pairs.append((Node("partition"), .sequence(.init(gs.map(ExploreCase.nodeList), .implicit, .flow))))
                let b = bridges.filter { Int($0) < validators }
                if !b.isEmpty { pairs.append((Node("bridges"), ExploreCase.nodeList(b))) }
            case .loss(let p, let n):
                pairs.append((Node("loss"), Node(ExploreCase.percent(p))))
                if !n.isEmpty { pairs.append((Node("nodes"), ExploreCase.nodeList(n.filter { Int($0) < validators }))) }
            case .latency(let t, let n):
                pairs.append((Node("latency"), Node(t.description)))
                if !n.isEmpty { pairs.append((Node("nodes"), ExploreCase.nodeList(n.filter { Int($0) < validators }))) }
            case .clockSkew(let t, let n):
                let kept = n.filter { Int($0) < validators }
                guard !kept.isEmpty else { return nil }
                pairs.append((Node("clock_skew"), Node(t.description)))
                pairs.append((Node("nodes"), ExploreCase.nodeList(kept)))
            case .slow(let k, let n):
                let kept = n.filter { Int($0) < validators }
                guard !kept.isEmpty else { return nil }
                pairs.append((Node("slow"), Node(String(k))))
                pairs.append((Node("nodes"), ExploreCase.nodeList(kept)))
            }
            return .mapping(.init(pairs, .implicit, .flow))
        }
        return list.isEmpty ? nil : .sequence(.init(list, .implicit, .block))
    }

    /// The reproducer's expectations: GRANDPA's recorded safety monitor, so `canary run` on the
    /// file also fails when safety is what broke.
    var expectNode: Node { .sequence(.init([Node("safety_violations == 0")], .implicit, .block)) }
}
