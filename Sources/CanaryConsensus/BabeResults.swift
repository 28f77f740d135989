import CanaryEngine

/// Slot outcome counts (authored blocks per slot), for results and tests.
public struct SlotRecord: Sendable, Equatable {
    public var slot: UInt64
    public var primaries: Int
    public var secondaries: Int
    /// Authors that produced two or more blocks in the slot.
    public var equivocators: Int
    /// The designated secondary author (`.max` when secondary slots are off).
    public var secondaryAuthor: UInt32
    public var canonicalBlock: BlockId?

    public var blocks: Int { primaries + secondaries }
    public var outcome: String {
        switch (primaries, secondaries) {
        case (0, 0): "empty"
        case (0, _): "secondary"
        case (1, 0): "primary"
        case (1, _): "primary+secondary"
        default: secondaries > 0 ? "multiple-primaries+secondary" : "multiple-primaries"
        }
    }
}

extension BabeModel: ResultProducing {
    /// Metrics this model reports (expectations name them).
    public static let metrics: [MetricDefinition] = [
        MetricDefinition("best_height", .count, "Number of the canonical head: the best of the best blocks of the up, online nodes at the end"),
        MetricDefinition("blocks.produced", .count, "Blocks authored (equivocations count twice)"),
        MetricDefinition("blocks.orphaned", .count, "Authored blocks not on the canonical chain"),
        MetricDefinition("blocks.rejected_future", .count, "Block imports refused because the block's slot had not begun on the node's skewed clock (clock_skew events)"),
        MetricDefinition("blocks.per_minute", .count, "Canonical blocks per simulated minute (best_height / minutes)"),
        MetricDefinition("slots", .count, "Slots whose authoring time fell within the run"),
        MetricDefinition("slots.primary_share", .ratio, "Share of slots with at least one primary block"),
        MetricDefinition("slots.multiple_primaries_share", .ratio, "Share of slots with two or more primary blocks (distinct authors or equivocations)"),
        MetricDefinition("slots.secondary_share", .ratio, "Share of slots with at least one secondary block"),
        MetricDefinition("slots.primary_and_secondary_share", .ratio, "Share of slots where primary and secondary blocks compete"),
        MetricDefinition("slots.empty_share", .ratio, "Share of slots without any block"),
        MetricDefinition("chain.primary_share", .ratio, "Share of canonical blocks that are primary"),
        MetricDefinition("lottery.threshold_probability", .ratio, "Per-validator primary probability (threshold / 2^128)"),
        MetricDefinition("forks", .count, "Blocks with two or more children (branch points)"),
        MetricDefinition("reorgs", .count, "Best-block changes to a non-descendant, summed over nodes"),
        MetricDefinition("reorg.max_depth", .count, "Largest number of blocks retracted by one reorg"),
        MetricDefinition("offences.babe_equivocation", .count, "Distinct (author, slot) equivocations detected by honest nodes"),
        MetricDefinition("converged", .count, "1 if every up, online node has the same best chain at the end, ignoring blocks produced in the last two slots (still propagating, or two tied primaries), else 0"),
        MetricDefinition("converged.strict", .count, "1 if every up, online node has exactly the same best block at the end, else 0"),
        MetricDefinition("epoch", .count, "Epoch index of the canonical head"),
        MetricDefinition("block_time", .duration, distribution: true, "Interval between consecutive canonical blocks' production times"),
        MetricDefinition("block_import_delay", .duration, distribution: true, "Production-to-import delay, per (block, importing node other than the author)"),
        MetricDefinition("reorg_depth", .count, distribution: true, "Blocks retracted per reorg, per node"),
    ]

    /// Nodes that count for convergence: online role and up at the last slot tick (or restarted since).
    public var liveNodes: [UInt32] {
        (0..<validators).filter { roles[$0] != .offline && upAtLastTick[$0] }.map { UInt32($0) }
    }

    /// The canonical head: the best (fork choice, then lowest id) of the live nodes' best blocks.
    public var canonicalHead: BlockId {
        var head = BlockTree.genesis
        for v in liveNodes {
            let b = views.best[Int(v)]
            if tree.isBetter(b, than: head) || (!tree.isBetter(head, than: b) && b < head) { head = b }
        }
        return head
    }

    /// Whether every live node has the same best block (strict: includes the newest blocks,
    /// which may still be propagating or tied between two primaries of one slot).
    public var convergedStrict: Bool {
        let live = liveNodes
        guard let first = live.first else { return true }
        return live.allSatisfy { views.best[Int($0)] == views.best[Int(first)] }
    }

    /// Whether every live node's best chain is the same once the blocks produced in the last
    /// `settle` slots before `end` are ignored (each node's best walked back to its newest
    /// ancestor produced at or before `end - settle * slotDuration`).
    public func converged(at end: SimTime, settle: Int64 = 2) -> Bool {
        let cutoff = end - config.slotDuration * settle
        var settled: BlockId? = nil
        for v in liveNodes {
            var b = views.best[Int(v)]
            while b != BlockTree.genesis && tree.producedAt[Int(b)] > cutoff { b = tree.parent[Int(b)] }
            if let s = settled, s != b { return false }
            settled = b
        }
        return true
    }

    /// Slots whose authoring time is at or before `end`.
    public func countedSlots(at end: SimTime) -> UInt64 {
        let d = config.slotDuration.nanoseconds
        let t = end.nanoseconds - config.proposalTime.nanoseconds
        guard t >= 0 else { return 0 }
        return min(slotsTicked, UInt64(t / d) + 1)
    }

    /// Per-slot outcomes up to `end`.
    public func slotRecords(at end: SimTime) -> [SlotRecord] {
        let canonical = canonicalSet()
        return (0..<countedSlots(at: end)).map { s in
            var r = SlotRecord(slot: s, primaries: 0, secondaries: 0, equivocators: 0,
                               secondaryAuthor: Int(s) < slotSecondaryAuthor.count ? slotSecondaryAuthor[Int(s)] : .max,
                               canonicalBlock: nil)
            var authors: [UInt32] = []
            for b in tree.blocks(inSlot: s) {
                if tree.kind[Int(b)] == .primary { r.primaries += 1 } else { r.secondaries += 1 }
                let a = tree.author[Int(b)]
                if authors.contains(a) { r.equivocators += 1 } else { authors.append(a) }
                if canonical[Int(b)] { r.canonicalBlock = b }
            }
            return r
        }
    }

    func canonicalSet() -> [Bool] {
        var on = Array(repeating: false, count: tree.count)
        var x = canonicalHead
        while true {
            on[Int(x)] = true
            if x == BlockTree.genesis { break }
            x = tree.parent[Int(x)]
        }
        return on
    }

    /// The `blocks` table's shape (no rows).
    public static let blocksTable = ResultTable(name: "blocks", columns: [
        .init("id", .integer, "Block id (arena index; genesis = 0 is not listed)"),
        .init("number", .integer), .init("parent", .integer), .init("slot", .integer),
        .init("author", .integer, "Validator index"),
        .init("kind", .text, "primary, secondary-vrf or secondary-plain"),
        .init("epoch", .integer, "Epoch index in the block's post-state"),
        .init("weight", .integer, "Primary blocks on the chain up to this one"),
        .init("size", .integer, "Bytes"),
        .init("produced_at", .integer, "ns"),
        .init("canonical", .integer, "1 if on the canonical chain (for a row written while the run went: on the finalized chain)"),
        .init("imported_by", .integer, "Nodes other than the author that imported it (before its row was written)"),
        .init("first_import_at", .integer, "ns; null if nobody imported it"),
        .init("median_import_at", .integer, "ns (lower median)"),
        .init("last_import_at", .integer, "ns"),
    ], key: ["id"])

    /// The `reorgs` table's shape.
    public static let reorgsTable = ResultTable(name: "reorgs", columns: [
        .init("from_block", .integer, "Best block before"), .init("to_block", .integer, "Best block after"),
        .init("depth", .integer, "Blocks retracted"), .init("nodes", .integer, "Nodes that made this switch"),
        .init("first_at", .integer, "ns, first node's switch"),
    ], key: ["from_block", "to_block"])

    static func reorgRow(_ r: (from: BlockId, to: BlockId, depth: UInt32, nodes: Int, firstAt: SimTime)) -> [ResultValue] {
        [.int(r.from), .int(r.to), .int(r.depth), .int(r.nodes), .time(r.firstAt)]
    }

    static func pairKey(_ row: [ResultValue]) -> (Int64, Int64) {
        if case .integer(let a) = row[0], case .integer(let b) = row[1] { return (a, b) }
        return (0, 0)
    }

    /// The `blocks` row of `b` from what is known now.
    func blockRow(_ b: BlockId, canonical: Bool) -> [ResultValue] {
        let i = Int(b)
        let d = importDelays[i].sorted()
        let t0 = tree.producedAt[i]
        func at(_ k: Int) -> ResultValue { d.isEmpty ? .null : .integer(t0.nanoseconds + d[k]) }
        return [
            .int(b), .int(tree.number[i]), .int(tree.parent[i]), .int(tree.slot[i]), .int(tree.author[i]),
            .text(tree.kind[i].name), tree.state(b).map { .int($0.epochIndex) } ?? .null,
            .int(tree.weight[i]), .int(tree.size[i]), .time(t0), .int(canonical ? 1 : 0),
            .int(d.count), at(0), at(d.isEmpty ? 0 : (d.count - 1) / 2), at(d.isEmpty ? 0 : d.count - 1),
        ]
    }

    /// Writes the rows of the blocks numbered below `n` (every non-offline node finalized at
    /// least `n`: no node imports them any more, except an orphan arriving late, counted in
    /// `lateRecords`) and frees their per-block import delays. Canonical = on the finalized
    /// chain, which is the end's canonical chain unless finality was violated. Called before
    /// their post-states are pruned, so their rows keep their epoch.
    mutating func streamBlockRows(below n: UInt32) {
        guard n > rowsBelow else { return }
        var finalizedTip = BlockTree.none
        for v in 0..<validators where roles[v] != .offline {
            let f = views.finalized[v]
            if finalizedTip == BlockTree.none || tree.number[Int(f)] < tree.number[Int(finalizedTip)] { finalizedTip = f }
        }
        guard finalizedTip != BlockTree.none else { return }
        var kept: [BlockId] = []
        kept.reserveCapacity(rowPending.count)
        for b in rowPending {
            if tree.number[Int(b)] < n {
                finishedRows.append(blockRow(b, canonical: tree.isAncestor(b, of: finalizedTip)), to: Self.blocksTable)
                importDelays[Int(b)] = []
            } else {
                kept.append(b)
            }
        }
        rowPending = kept
        // Reorgs between two blocks below every node's finality: no node makes them again.
        let before = reorgRows.count
        var keptReorgs = reorgRows
        keptReorgs.removeAll()
        for r in reorgRows {
            if tree.number[Int(r.from)] < n && tree.number[Int(r.to)] < n {
                finishedRows.append(Self.reorgRow(r), to: Self.reorgsTable)
            } else {
                keptReorgs.append(r)
            }
        }
        reorgRows = keptReorgs
        if reorgRows.count != before {
            reorgIndex = [:]
            for (i, r) in reorgRows.enumerated() { reorgIndex[UInt64(r.from) << 32 | UInt64(r.to)] = i }
        }
        rowsBelow = n
    }

    /// Blocks and reorgs whose bookkeeping (row, import delays) is still held: bounded by the
    /// blocks above the lowest finality when GRANDPA runs.
    public var heldBlockRows: Int { rowPending.count + reorgRows.count + finishedRows.pendingRows }

    public mutating func drainFinishedRows() -> [ResultTable] { finishedRows.drain() }

    public func results(at end: SimTime) -> RunResults {
        var out = RunResults()
        let canonical = canonicalSet()
        let head = canonicalHead

        // blocks: rows already written while the run went (`streamBlockRows`), then the rest.
        var blocks = Self.blocksTable
        blocks.rows = finishedRows.pending(Self.blocksTable.name)
        blocks.rows.reserveCapacity(blocks.rows.count + rowPending.count)
        for b in rowPending { blocks.rows.append(blockRow(b, canonical: canonical[Int(b)])) }
        blocks.rows.sort { if case .integer(let a) = $0[0], case .integer(let b) = $1[0] { return a < b }; return false }
        var orphaned = 0
        for i in 1..<tree.count where !canonical[i] { orphaned += 1 }
        out.tables.append(blocks)

        // slots
        let records = slotRecords(at: end)
        var slots = ResultTable(name: "slots", columns: [
            .init("slot", .integer), .init("primaries", .integer, "Primary blocks authored"),
            .init("secondaries", .integer, "Secondary blocks authored"),
            .init("equivocators", .integer, "Authors with two or more blocks in the slot"),
            .init("outcome", .text, "empty, primary, secondary, primary+secondary, multiple-primaries[+secondary]"),
            .init("secondary_author", .integer, "Designated secondary author (null if secondary slots are off)"),
            .init("secondary_author_online", .integer, "1 if that validator is not offline"),
            .init("canonical_block", .integer, "Canonical block of the slot, if any"),
        ], key: ["slot"])
        var nPrimary = 0, nMulti = 0, nSecondary = 0, nBoth = 0, nEmpty = 0
        for r in records {
            if r.primaries > 0 { nPrimary += 1 }
            if r.primaries > 1 { nMulti += 1 }
            if r.secondaries > 0 { nSecondary += 1 }
            if r.primaries > 0 && r.secondaries > 0 { nBoth += 1 }
            if r.blocks == 0 { nEmpty += 1 }
            let sa: ResultValue = r.secondaryAuthor == .max ? .null : .int(r.secondaryAuthor)
            let online: ResultValue = r.secondaryAuthor == .max ? .null : .int(roles[Int(r.secondaryAuthor)] == .offline ? 0 : 1)
            slots.rows.append([.int(r.slot), .int(r.primaries), .int(r.secondaries), .int(r.equivocators),
                               .text(r.outcome), sa, online, r.canonicalBlock.map { .int($0) } ?? .null])
        }
        out.tables.append(slots)

        // reorgs
        var reorgs = Self.reorgsTable
        reorgs.rows = finishedRows.pending(Self.reorgsTable.name)
        for r in reorgRows { reorgs.rows.append(Self.reorgRow(r)) }
        reorgs.rows.sort { Self.pairKey($0) < Self.pairKey($1) }
        out.tables.append(reorgs)

        // offences
        var offences = ResultTable(name: "offences", columns: [
            .init("kind", .text, "babe_equivocation"), .init("offender", .integer), .init("slot", .integer, "Offence time slot"),
            .init("first_block", .integer), .init("second_block", .integer),
            .init("reporter", .integer, "First honest node to detect it"), .init("detected_at", .integer, "ns"),
            .init("reporters", .integer, "Honest nodes that detected it"),
        ], key: ["kind", "offender", "slot"])
        for o in offenceRows.sorted(by: { ($0.slot, $0.offender) < ($1.slot, $1.offender) }) {
            offences.rows.append([.text("babe_equivocation"), .int(o.offender), .int(o.slot), .int(o.first), .int(o.second),
                                  .int(o.reporter), .time(o.at), .int(o.reporters)])
        }
        out.tables.append(offences)

        // scalars
        let n = Double(max(records.count, 1))
        let height = Double(tree.number[Int(head)])
        var canonicalPrimaries = 0, forks = 0
        for i in 1..<tree.count where canonical[i] && tree.kind[i] == .primary { canonicalPrimaries += 1 }
        for i in 0..<tree.count where tree.childCount[i] >= 2 { forks += 1 }
        // Every reorg is in the histogram, streamed rows' included (reorgRows holds only the rest).
        let maxDepth = reorgDepths.maxValue
        let minutes = Double(end.nanoseconds) / 60e9
        out.scalars = [
            ("best_height", height),
            ("blocks.produced", Double(tree.count - 1)),
            ("blocks.orphaned", Double(orphaned)),
            ("blocks.rejected_future", Double(rejectedFuture)),
            ("blocks.per_minute", minutes > 0 ? height / minutes : 0),
            ("slots", Double(records.count)),
            ("slots.primary_share", Double(nPrimary) / n),
            ("slots.multiple_primaries_share", Double(nMulti) / n),
            ("slots.secondary_share", Double(nSecondary) / n),
            ("slots.primary_and_secondary_share", Double(nBoth) / n),
            ("slots.empty_share", Double(nEmpty) / n),
            ("chain.primary_share", height > 0 ? Double(canonicalPrimaries) / height : 0),
            ("lottery.threshold_probability", BabeThreshold.probability(threshold)),
            ("forks", Double(forks)),
            ("reorgs", Double(reorgCount)),
            ("reorg.max_depth", Double(maxDepth)),
            ("offences.babe_equivocation", Double(offenceRows.count)),
            ("converged", converged(at: end) ? 1 : 0),
            ("converged.strict", convergedStrict ? 1 : 0),
            ("epoch", Double(tree.state(head)?.epochIndex ?? 0)),
        ]

        // distributions
        var blockTime = LogHistogram()
        var x = head
        while x != BlockTree.genesis {
            let p = tree.parent[Int(x)]
            if p != BlockTree.genesis {
                blockTime.record(UInt64(max(0, tree.producedAt[Int(x)].nanoseconds - tree.producedAt[Int(p)].nanoseconds)))
            }
            x = p
        }
        out.distributions = [("block_time", blockTime), ("block_import_delay", blockImportDelay), ("reorg_depth", reorgDepths)]
        return out
    }
}

/// Building and running a BABE simulation in one call (tests, benchmarks, the scenario runner).
public enum BabeSimulation {
    /// Validators are placed round-robin over the network's regions.
    public static func make(config: BabeConfig, validators: Int, network: NetworkConfig = .threeContinents,
                            nodeRegion: [UInt16]? = nil, seed: UInt64, faults: [TimedFault] = [],
                            duration: SimTime) -> Simulation<BabeModel> {
        let regions = nodeRegion ?? (0..<validators).map { UInt16($0 % max(network.regions.count, 1)) }
        return Simulation(model: BabeModel(config: config, validators: validators, seed: seed), network: network,
                          nodeRegion: regions, seed: seed, faults: faults, endTime: duration)
    }

    /// Runs to the end and returns the simulation (for inspection) and its results.
    public static func run(config: BabeConfig, validators: Int, network: NetworkConfig = .threeContinents,
                           nodeRegion: [UInt16]? = nil, seed: UInt64, faults: [TimedFault] = [],
                           duration: SimTime) -> (simulation: Simulation<BabeModel>, results: RunResults) {
        var sim = make(config: config, validators: validators, network: network, nodeRegion: nodeRegion,
                       seed: seed, faults: faults, duration: duration)
        _ = sim.run()
        return (sim, sim.model.results(at: sim.endTime))
    }
}

extension RunResults {
    /// The scalar named `name` (nil if absent).
    func scalar(_ name: String) -> Double? { scalars.first { $0.name == name }?.value }
    /// The distribution named `name` (nil if absent).
    func distribution(_ name: String) -> LogHistogram? { distributions.first { $0.name == name }?.histogram }
    /// The table named `name` (nil if absent).
    func table(_ name: String) -> ResultTable? { tables.first { $0.name == name } }
}
