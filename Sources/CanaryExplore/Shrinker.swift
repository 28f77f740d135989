import CanaryEngine

/// Reduces a failing case while the same invariant still fails (greedy, like a property-based
/// tester's shrinker): drop whole fault units (a crash with its restart, a partition with its
/// heal, a spike with its end), drop Byzantine nodes, halve the node lists of crashes, clock
/// skews and slow-downs, shorten the run to just after
/// the violation, and keep fewer validators. Each candidate is rendered to YAML, decoded and
/// run, so an invalid candidate is simply not taken. Passes repeat until none helps or
/// `maxRuns` candidates have been tried.
public struct Shrinker {
    public var explorer: Explorer
    public var maxRuns = 200
    /// Called after each accepted step (for progress output).
    public var onStep: (String, ExploreCase) -> Void = { _, _ in }

    public init(explorer: Explorer) { self.explorer = explorer }

    public struct Result {
        public var minimal: ExploreCase
        public var violation: InvariantViolation
        public var runs: Int
        public var steps: [String]
    }

    /// Shrinks `failing`, whose run violated `invariant`. Nil if it does not fail (any more).
    public mutating func shrink(_ failing: ExploreCase, invariant: String) -> Result? {
        var runs = 0
        func stillFails(_ c: ExploreCase) -> InvariantViolation? {
            runs += 1
            return explorer.run(c).violations.first { $0.invariant == invariant }
        }
        guard var violation = stillFails(failing) else { return nil }
        var best = failing
        var steps: [String] = []
        func attempt(_ c: ExploreCase, _ what: String) -> Bool {
            guard runs < maxRuns else { return false }
            guard let v = stillFails(c) else { return false }
            best = c; violation = v
            steps.append(what)
            onStep(what, c)
            return true
        }
        var progress = true
        while progress && runs < maxRuns {
            progress = false
            // 1. Shorter run: just past the violation (safety and lag fail at a check point).
            let cut = violation.time + explorer.checkEvery
            if cut < best.duration {
                var c = best
                c.duration = cut
                let keep = c.events.indices.filter { c.events[$0].at <= cut }
                c.events = keep.map { c.events[$0] }; c.units = keep.map { c.units[$0] }
                if attempt(c, "duration \(best.duration) -> \(cut)") { progress = true }
            }
            // 2. Whole fault units, last first.
            for u in Array(Set(best.units)).sorted(by: >) {
                var c = best
                let keep = c.units.indices.filter { c.units[$0] != u }
                c.events = keep.map { c.events[$0] }; c.units = keep.map { c.units[$0] }
                if attempt(c, "drop fault unit \(u)") { progress = true }
            }
            // 3. Byzantine nodes, one at a time.
            for role in ByzantineRole.allCases {
                for v in best.roles[role] ?? [] {
                    var c = best
                    c.roles[role]?.removeAll { $0 == v }
                    if attempt(c, "drop \(role.rawValue) node \(v)") { progress = true }
                }
            }
            // 4. Halve the node list of each crash, clock-skew and slow-down unit (start and end
            //    together).
            for u in Array(Set(best.units)).sorted() {
                guard let i = best.units.firstIndex(of: u) else { continue }
                let nodes: [UInt32]
                switch best.events[i].fault {
                case .crash(let x), .clockSkew(_, let x), .slow(_, let x): nodes = x
                default: continue
                }
                guard nodes.count > 1 else { continue }
                let half = Array(nodes.prefix(nodes.count / 2))
                var c = best
                for j in c.units.indices where c.units[j] == u {
                    switch c.events[j].fault {
                    case .crash: c.events[j].fault = .crash(half)
                    case .restart: c.events[j].fault = .restart(half)
                    case .clockSkew(let t, _): c.events[j].fault = .clockSkew(t, nodes: half)
                    case .slow(let f, _): c.events[j].fault = .slow(f, nodes: half)
                    default: break
                    }
                }
                if attempt(c, "fault unit \(u): \(nodes.count) -> \(half.count) nodes") { progress = true }
            }
            // 5. Fewer validators (nodes above the new count drop out of every list).
            for factor in [2, 4, 3] where best.validators > 4 {
                let n = max(4, best.validators * (factor == 3 ? 2 : factor - 1) / factor)
                guard n < best.validators else { continue }
                var c = best
                c.dropNodes(atOrAbove: n)
                if attempt(c, "validators \(best.validators) -> \(n)") { progress = true; break }
            }
            // 6. Half the duration (liveness failures cannot be cut at the violation).
            if best.duration > .minutes(2) {
                var c = best
                let half = SimTime.ns(best.duration.nanoseconds / 2 / 1_000_000_000 * 1_000_000_000)
                c.duration = half
                let keep = c.events.indices.filter { c.events[$0].at <= half }
                c.events = keep.map { c.events[$0] }; c.units = keep.map { c.units[$0] }
                if attempt(c, "duration \(best.duration) -> \(half)") { progress = true }
            }
        }
        return Result(minimal: best, violation: violation, runs: runs, steps: steps)
    }
}
