import CanaryEngine

/// How hard `canary explore` shakes a scenario.
public enum FaultIntensity: String, CaseIterable, Sendable {
    /// One to three faults, Byzantine roles in one case out of four (at most a tenth of the voters).
    case light
    /// Three to eight faults, Byzantine roles in every other case (fewer than a third of the voters).
    case heavy
}

/// Draws a random fault schedule from a seed, on top of a base case (docs/reliability.md,
/// "The fault menu"):
/// - **crash / restart** of 1 to n/2 nodes, down for 10 s to 3 min;
/// - **partition / heal** into 2 or 3 groups (random membership), optionally with bridge
///   nodes that reach every group, lasting 10 s to 4 min;
/// - **loss spike** of 10% to 60% extra loss on every link, or on the links of 1 to n/2 nodes,
///   for 10 s to 2 min;
/// - **latency spike** of 100 ms to 3 s extra one-way delay, on every link or those of 1 to
///   n/2 nodes, for 10 s to 2 min;
/// - **clock skew** of 1 to n/3 nodes, 0.5 s to 12 s ahead or behind (beyond one 6 s slot ahead,
///   the others refuse their blocks as from the future), for 10 s to 3 min;
/// - **slow nodes**: 1 to n/3 nodes compute 2 to 20 times slower, for 10 s to 3 min;
/// - **Byzantine roles** for fewer than a third of the voters together with the base file's:
///   vote withholding, equivocation, voting for a minority fork, and (heavy) colluding across
///   partitions.
///
/// Faults start after 30 s and end before `duration − recovery`, so the liveness invariant
/// has `recovery` of quiet at the end. Drawn faults never touch what the base timeline uses:
/// nodes it crashes (skews, slows) are not crashed (skewed, slowed) again, and no partition
/// (loss spike, latency spike) is drawn if the base has one. Spikes of one kind never overlap
/// (a new one would replace the one in force).
/// Every draw comes from the `explore-faults` stream of the explore seed.
public enum FaultPlan {
    public static let purpose = StreamPurpose("explore-faults")

    public static func draw(base: ExploreCase, seed: UInt64, intensity: FaultIntensity, recovery: SimTime) -> ExploreCase {
        var rng = RandomStreams(seed: seed).stream(purpose)
        var c = base
        c.seed = seed
        c.name = "\(base.name)-explore-\(seed)"
        let n = c.validators
        let start = SimTime.seconds(30)
        let end = c.duration - recovery
        guard end > start + .seconds(20), n >= 4 else { return c }
        func time(_ from: SimTime, _ to: SimTime) -> SimTime {
            // Whole seconds, so reproducer files read well.
            let span = max((to - from).nanoseconds / 1_000_000_000, 1)
            return from + .seconds(Int64(rng.nextBelow(UInt64(span))))
        }
        func pick(_ k: Int, from pool: [UInt32]) -> [UInt32] {
            var p = pool
            var out: [UInt32] = []
            for _ in 0..<min(k, p.count) { out.append(p.remove(at: Int(rng.nextBelow(UInt64(p.count))))) }
            return out.sorted()
        }
        let baseCrashed = Set(base.events.flatMap { e -> [UInt32] in if case .crash(let x) = e.fault { return x }; return [] })
        let basePartitions = base.events.contains { if case .partition = $0.fault { return true }; return false }
        let baseLoss = base.events.contains { if case .loss = $0.fault { return true }; return false }
        let baseLatency = base.events.contains { if case .latency = $0.fault { return true }; return false }
        let baseSkewed = Set(base.events.flatMap { e -> [UInt32] in if case .clockSkew(_, let x) = e.fault { return x }; return [] })
        let baseSlowed = Set(base.events.flatMap { e -> [UInt32] in if case .slow(_, let x) = e.fault { return x }; return [] })
        var free = (0..<UInt32(n)).filter { !baseCrashed.contains($0) }
        var skewFree = (0..<UInt32(n)).filter { !baseSkewed.contains($0) }
        var slowFree = (0..<UInt32(n)).filter { !baseSlowed.contains($0) }
        var lossFree = baseLoss ? end : start
        var latencyFree = baseLatency ? end : start
        /// Nodes a spike affects: every node half the time (empty list), else 1 to n/2 of them.
        func spikeNodes() -> [UInt32] {
            rng.nextBelow(2) == 0 ? [] : pick(1 + Int(rng.nextBelow(UInt64(max(n / 2, 1)))), from: (0..<UInt32(n)).map { $0 })
        }
        var drawn: [TimedFault] = []
        var drawnUnits: [Int] = []
        var unit = (base.units.max() ?? -1) + 1
        // Partitions are drawn one after another (a partition replaces the one in force, and a
        // heal ends whichever is in force), so they never overlap.
        var partitionFree = start
        let count = intensity == .light ? 1 + Int(rng.nextBelow(3)) : 3 + Int(rng.nextBelow(6))
        for _ in 0..<count {
            // Crashes 3 in 9, partitions 2 in 9, each spike, skew and slow-down 1 in 9.
            let draw = rng.nextBelow(9)
            if draw == 5 && lossFree < end - .seconds(10) {
                let p = Double(10 + rng.nextBelow(51)) / 100
                let nodes = spikeNodes()
                let at = time(lossFree, end - .seconds(10))
                let over = min(at + .seconds(10) + .seconds(Int64(rng.nextBelow(110))), end)
                lossFree = over + .seconds(1)
                drawn += [TimedFault(at: at, fault: .loss(p, nodes: nodes)), TimedFault(at: over, fault: .loss(0, nodes: []))]
                drawnUnits += [unit, unit]
            } else if draw == 6 && latencyFree < end - .seconds(10) {
                let extra = SimTime.ms(100 * Int64(1 + rng.nextBelow(30)))
                let nodes = spikeNodes()
                let at = time(latencyFree, end - .seconds(10))
                let over = min(at + .seconds(10) + .seconds(Int64(rng.nextBelow(110))), end)
                latencyFree = over + .seconds(1)
                drawn += [TimedFault(at: at, fault: .latency(extra, nodes: nodes)), TimedFault(at: over, fault: .latency(.zero, nodes: []))]
                drawnUnits += [unit, unit]
            } else if draw == 7 && !skewFree.isEmpty {
                let nodes = pick(1 + Int(rng.nextBelow(UInt64(max(n / 3, 1)))), from: skewFree)
                skewFree.removeAll { nodes.contains($0) }
                let size = SimTime.ms(500 * Int64(1 + rng.nextBelow(24)))
                let offset = rng.nextBelow(2) == 0 ? size : .ns(-size.nanoseconds)
                let at = time(start, end - .seconds(10))
                let back = min(at + .seconds(10) + .seconds(Int64(rng.nextBelow(170))), end)
                drawn += [TimedFault(at: at, fault: .clockSkew(offset, nodes: nodes)), TimedFault(at: back, fault: .clockSkew(.zero, nodes: nodes))]
                drawnUnits += [unit, unit]
            } else if draw == 8 && !slowFree.isEmpty {
                let nodes = pick(1 + Int(rng.nextBelow(UInt64(max(n / 3, 1)))), from: slowFree)
                slowFree.removeAll { nodes.contains($0) }
                let factor = UInt32(2 + rng.nextBelow(19))
                let at = time(start, end - .seconds(10))
                let back = min(at + .seconds(10) + .seconds(Int64(rng.nextBelow(170))), end)
                drawn += [TimedFault(at: at, fault: .slow(factor, nodes: nodes)), TimedFault(at: back, fault: .slow(1, nodes: nodes))]
                drawnUnits += [unit, unit]
            } else if draw <= 2 || draw >= 5 || basePartitions || partitionFree >= end - .seconds(10) {
                guard !free.isEmpty else { continue }
                let k = 1 + Int(rng.nextBelow(UInt64(max(n / 2, 1))))
                let nodes = pick(k, from: free)
                free.removeAll { nodes.contains($0) }
                let at = time(start, end - .seconds(10))
                let back = min(at + .seconds(10) + .seconds(Int64(rng.nextBelow(170))), end)
                drawn += [TimedFault(at: at, fault: .crash(nodes)), TimedFault(at: back, fault: .restart(nodes))]
                drawnUnits += [unit, unit]
            } else {
                let groups = 2 + Int(rng.nextBelow(2))
                var members = Array(repeating: [UInt32](), count: groups)
                var bridges: [UInt32] = []
                let bridged = rng.nextBelow(4) == 0
                for v in 0..<UInt32(n) {
                    if bridged && rng.nextBelow(10) == 0 { bridges.append(v); continue }
                    members[Int(rng.nextBelow(UInt64(groups)))].append(v)
                }
                members.removeAll { $0.isEmpty }
                let at = time(partitionFree, end - .seconds(10))
                let heal = min(at + .seconds(10) + .seconds(Int64(rng.nextBelow(230))), end)
                partitionFree = heal + .seconds(1)
                drawn += [TimedFault(at: at, fault: .partition(members, bridges: bridges)), TimedFault(at: heal, fault: .heal)]
                drawnUnits += [unit, unit]
            }
            unit += 1
        }
        // Byzantine roles, below a third of the voters together with the base's.
        let byzantineChance: UInt64 = intensity == .light ? 4 : 2
        if rng.nextBelow(byzantineChance) == 0 {
            let already = Set(c.roles.values.flatMap { $0 })
            let cap = intensity == .light ? n / 10 : (n - 1) / 3
            let room = cap - already.count
            if room > 0 {
                let k = 1 + Int(rng.nextBelow(UInt64(room)))
                let roles: [ByzantineRole] = intensity == .light ? [.withhold, .equivocate, .minorityFork]
                    : [.withhold, .equivocate, .minorityFork, .collude]
                for v in pick(k, from: (0..<UInt32(n)).filter { !already.contains($0) }) {
                    c.roles[roles[Int(rng.nextBelow(UInt64(roles.count)))], default: []].append(v)
                }
            }
        }
        // Merge into the base timeline, stably by time (base first at equal times).
        let merged = (c.events.enumerated().map { ($0.element, c.units[$0.offset], 0, $0.offset) }
                      + drawn.enumerated().map { ($0.element, drawnUnits[$0.offset], 1, $0.offset) })
            .sorted { ($0.0.at, $0.2, $0.3) < ($1.0.at, $1.2, $1.3) }
        c.events = merged.map(\.0)
        c.units = merged.map(\.1)
        return c
    }
}
