import CanaryEngine

/// What a BABE + GRANDPA run records for its results (kept compact: arrays by block id, rows
/// in first-seen order; dictionaries only as lookup indexes, never iterated).
public struct GrandpaRecords: Sendable {
    public struct RoundRow: Sendable {
        public var setId: UInt64, round: UInt64
        public var firstStart: SimTime, firstCompleted: SimTime
        public var durations: [Int64] = []
        public var caughtUp = 0
        public var finalizedNumber: UInt32 = 0
        public var baseNumber: UInt32 = 0
        public var estimateNumber: UInt32 = 0
    }
    public struct Offence: Sendable {
        public var setId: UInt64, round: UInt64, phase: GrandpaPhase, offender: UInt32
        public var first: BlockId, second: BlockId, reporter: UInt32, at: SimTime, reporters: Int
    }
    public struct Violation: Sendable {
        public var node: UInt32, block: BlockId, number: UInt32, conflicting: BlockId, conflictingNumber: UInt32, at: SimTime
    }

    public var nodeCount = 0
    public var roundsCompleted: [Int] = []
    public var commits = 0
    public var catchUpRequests = 0
    /// GRANDPA messages held back until their blocks were imported.
    public var waitedForImport = 0
    /// Vote batches imported (`BabeGrandpaConfig.voteBatch`): one GHOST search each.
    public var voteBatches = 0
    /// Blocks the until-imported queue asked a peer for after waiting on them (fork sync requests).
    public var forkSyncRequests = 0
    /// Best minus finalized number, per honest up node per sample.
    public var lagBlocks = LogHistogram()
    /// Production-to-finality time per (block, honest node), ns.
    public var lagSeconds = LogHistogram()
    public var roundDuration = LogHistogram()
    /// Finality times per block id (honest nodes), held until the block's `grandpa_finality`
    /// row is written (then emptied), so memory is per block above every node's finality.
    public var blockTimes: [[Int64]] = []
    /// Blocks with finality times whose row is not written yet (first-finalized order).
    var finalityPending: [BlockId] = []
    /// Blocks numbered below this have had their `grandpa_finality` row written.
    public private(set) var finalityRowsBelow: UInt32 = 0
    var roundIndex: [UInt64: Int] = [:]
    /// Rounds not written yet (first-completed order).
    public var rounds: [RoundRow] = []
    /// Rounds keyed (set id << 40 | round) below this have had their row written.
    public private(set) var roundRowsBelow: UInt64 = 0
    /// Written rows that the end-of-run scalars still count.
    var writtenFinalizedBlocks = 0, writtenRounds = 0, writtenCatchUps = 0
    /// Completions of a round (or finalities of a block) after its row was written: none in a
    /// run where every honest voter keeps up; kept so that such a case is visible.
    public private(set) var late = 0
    /// Rows that are final, waiting to be drained: `grandpa_finality`, `grandpa_rounds` (written
    /// once every honest voter is at least two rounds past them) and `grandpa_finalized_height`
    /// (written as sampled).
    public var finishedRows = FinishedRows()
    var offenceIndex: [String: Int] = [:]
    public var offences: [Offence] = []
    public var violations: [Violation] = []
    var violationKeys: Set<UInt64> = []
    /// Highest block finalized by any honest node: every honest finality must be on its chain.
    public var tip: BlockId = BlockTree.genesis
    public var setChanges: [(setId: UInt64, node: UInt32, at: SimTime, base: BlockId, number: UInt32)] = []

    mutating func noteFinalized(node: UInt32, from old: BlockId, to b: BlockId, at now: SimTime, tree: BlockTree) {
        // Safety monitor.
        if tree.isAncestor(b, of: tip) {
        } else if tree.isAncestor(tip, of: b) {
            tip = b
        } else {
            noteViolation(node: node, block: b, conflicting: tip, at: now, tree: tree)
        }
        if blockTimes.count < tree.count { blockTimes.append(contentsOf: repeatElement([], count: tree.count - blockTimes.count)) }
        var x = b
        while x != old && x != BlockTree.none && tree.number[Int(x)] > tree.number[Int(old)] {
            if tree.number[Int(x)] < finalityRowsBelow {
                late += 1
            } else {
                if blockTimes[Int(x)].isEmpty { finalityPending.append(x) }
                blockTimes[Int(x)].append(now.nanoseconds)
            }
            lagSeconds.record(UInt64(max(0, now.nanoseconds - tree.producedAt[Int(x)].nanoseconds)))
            x = tree.parent[Int(x)]
        }
    }

    mutating func noteViolation(node: UInt32, block b: BlockId, conflicting c: BlockId, at now: SimTime, tree: BlockTree) {
        let key = UInt64(b) << 32 | UInt64(c)
        guard !violationKeys.contains(key) else { return }
        violationKeys.insert(key)
        violations.append(Violation(node: node, block: b, number: tree.number[Int(b)], conflicting: c,
                                    conflictingNumber: tree.number[Int(c)], at: now))
    }

    mutating func noteRound(setId: UInt64, round: UInt64, node: UInt32, startedAt: SimTime, at now: SimTime,
                            state: GrandpaRoundState, caughtUp: Bool) {
        roundsCompleted[Int(node)] += 1
        let key = setId << 40 | round
        if key < roundRowsBelow { late += 1; return }
        let i: Int
        if let j = roundIndex[key] { i = j } else {
            i = rounds.count
            roundIndex[key] = i
            rounds.append(RoundRow(setId: setId, round: round, firstStart: startedAt, firstCompleted: now))
        }
        rounds[i].firstStart = min(rounds[i].firstStart, startedAt)
        if caughtUp { rounds[i].caughtUp += 1; return }
        let d = now.nanoseconds - startedAt.nanoseconds
        rounds[i].durations.append(d)
        roundDuration.record(UInt64(max(d, 0)))
        rounds[i].finalizedNumber = max(rounds[i].finalizedNumber, state.finalized?.number ?? 0)
        rounds[i].estimateNumber = max(rounds[i].estimateNumber, state.estimate?.number ?? 0)
    }

    /// Records an equivocation seen by an honest node; true the first time it is seen.
    @discardableResult
    mutating func noteOffence(setId: UInt64, _ e: GrandpaEquivocation, offender: UInt32, reporter: UInt32, at now: SimTime, tree: BlockTree) -> Bool {
        let key = "\(setId):\(e.round):\(e.phase.rawValue):\(offender)"
        if let i = offenceIndex[key] { offences[i].reporters += 1; return false }
        offenceIndex[key] = offences.count
        offences.append(Offence(setId: setId, round: e.round, phase: e.phase, offender: offender,
                                first: e.first, second: e.second, reporter: reporter, at: now, reporters: 1))
        return true
    }

    /// The `grandpa_finality` table's shape.
    public static let finalityTable = ResultTable(name: "grandpa_finality", columns: [
        .init("block", .integer), .init("number", .integer), .init("produced_at", .integer, "ns"),
        .init("first_finalized", .integer, "ns"), .init("median_finalized", .integer, "ns"),
        .init("last_finalized", .integer, "ns"), .init("nodes", .integer, "honest nodes that finalized it"),
    ], key: ["block"])
    /// The `grandpa_rounds` table's shape.
    public static let roundsTable = ResultTable(name: "grandpa_rounds", columns: [
        .init("set_id", .integer), .init("round", .integer), .init("started_at", .integer, "ns, earliest honest start"),
        .init("first_completed", .integer, "ns"), .init("nodes_completed", .integer), .init("caught_up", .integer),
        .init("median_duration", .integer, "ns"), .init("finalized_number", .integer), .init("estimate_number", .integer),
        .init("outcome", .text, "finalized | no-finality | caught-up"),
    ], key: ["set_id", "round"])
    /// The `grandpa_finalized_height` table's shape.
    public static let heightTable = ResultTable(name: "grandpa_finalized_height", columns: [
        .init("time", .integer, "ns"), .init("node", .integer), .init("finalized_number", .integer),
    ], key: ["time", "node"])

    func finalityRow(_ b: BlockId, tree: BlockTree) -> [ResultValue] {
        let s = blockTimes[Int(b)].sorted()
        return [.int(b), .int(tree.number[Int(b)]), .time(tree.producedAt[Int(b)]), .integer(s.first!),
                .integer(s[(s.count - 1) / 2]), .integer(s.last!), .int(s.count)]
    }

    static func roundRow(_ row: RoundRow) -> [ResultValue] {
        let d = row.durations.sorted()
        let outcome = d.isEmpty ? "caught-up" : (row.finalizedNumber > 0 ? "finalized" : "no-finality")
        return [.int(row.setId), .int(row.round), .time(row.firstStart), .time(row.firstCompleted),
                .int(d.count), .int(row.caughtUp), d.isEmpty ? .null : .integer(d[(d.count - 1) / 2]),
                .int(row.finalizedNumber), .int(row.estimateNumber), .text(outcome)]
    }

    /// A `grandpa_finalized_height` sample: final at once.
    mutating func noteHeight(at now: SimTime, node: UInt32, finalized number: UInt32) {
        finishedRows.append([.time(now), .int(node), .int(number)], to: Self.heightTable)
    }

    /// Writes the rows that can no longer change and frees what they held: blocks numbered
    /// below `finalityBelow` (every honest node finalized at least that), rounds keyed below
    /// `roundsBelow` (every honest voter is past them).
    mutating func writeFinished(finalityBelow: UInt32, roundsBelow: UInt64, tree: BlockTree) {
        if finalityBelow > finalityRowsBelow {
            var kept: [BlockId] = []
            for b in finalityPending {
                if tree.number[Int(b)] < finalityBelow {
                    finishedRows.append(finalityRow(b, tree: tree), to: Self.finalityTable)
                    blockTimes[Int(b)] = []
                    writtenFinalizedBlocks += 1
                } else {
                    kept.append(b)
                }
            }
            finalityPending = kept
            finalityRowsBelow = finalityBelow
        }
        if roundsBelow > roundRowsBelow {
            var kept: [RoundRow] = []
            for row in rounds {
                if (row.setId << 40 | row.round) < roundsBelow {
                    finishedRows.append(Self.roundRow(row), to: Self.roundsTable)
                    if !row.durations.isEmpty { writtenRounds += 1 }
                    writtenCatchUps += row.caughtUp
                } else {
                    kept.append(row)
                }
            }
            if kept.count != rounds.count {
                rounds = kept
                roundIndex = [:]
                for (i, row) in rounds.enumerated() { roundIndex[row.setId << 40 | row.round] = i }
            }
            roundRowsBelow = roundsBelow
        }
    }

    /// Per-block and per-round entries held (rows not yet handed over included): bounded in a
    /// run where finality keeps up, whatever its length.
    public var heldEntries: Int { finalityPending.count + rounds.count + finishedRows.pendingRows }

    mutating func noteSetChange(setId: UInt64, node: UInt32, at now: SimTime, base: BlockId, tree: BlockTree) {
        if setChanges.contains(where: { $0.setId == setId }) { return }
        setChanges.append((setId, node, now, base, tree.number[Int(base)]))
    }
}

extension BabeGrandpaModel: ResultProducing {
    public static let metrics: [MetricDefinition] = [
        MetricDefinition("finality_lag_blocks", .count, distribution: true, "Best block number minus finalized block number, per honest up node, sampled every lag_sample_interval"),
        MetricDefinition("finality_lag_seconds", .duration, distribution: true, "Time from a block's production to its finalization, per (finalized block, honest node)"),
        MetricDefinition("finalized_height", .count, "Median finalized block number over honest participating nodes at the end"),
        MetricDefinition("finalized_height.min", .count, "Lowest finalized block number among honest participating nodes at the end"),
        MetricDefinition("finalized_height.max", .count, "Highest finalized block number among honest participating nodes at the end"),
        MetricDefinition("safety_violations", .count, "Distinct conflicting finalizations by honest nodes (the safety monitor)"),
        MetricDefinition("rounds_per_minute", .count, "Median over honest nodes of GRANDPA rounds completed per simulated minute"),
        MetricDefinition("grandpa.rounds", .count, "Distinct (set, round) pairs completed by at least one honest node"),
        MetricDefinition("grandpa.round_duration", .duration, distribution: true, "Round start to completion per (round, honest node), catch-ups excluded"),
        MetricDefinition("grandpa.commits", .count, "Commit messages broadcast"),
        MetricDefinition("grandpa.catch_up_requests", .count, "Catch-up requests sent"),
        MetricDefinition("grandpa.catch_ups", .count, "Rounds skipped by honest nodes through a catch-up"),
        MetricDefinition("grandpa.offences", .count, "Distinct GRANDPA equivocations (set, round, phase, voter) reported by honest nodes"),
        MetricDefinition("grandpa.set_id", .count, "Highest authority set id enacted"),
        MetricDefinition("grandpa.set_changes", .count, "Authority set changes enacted by at least one honest node"),
        MetricDefinition("grandpa.finalized_blocks", .count, "Blocks finalized by at least one honest node"),
        MetricDefinition("grandpa.waited_for_import", .count, "GRANDPA messages held back until the node imported the blocks they vote for"),
        MetricDefinition("grandpa.fork_sync_requests", .count, "Blocks the until-imported queue requested from a peer after waiting 15 s for them (Substrate's set_sync_fork_request)"),
        MetricDefinition("grandpa.gossip.vote_copies", .count, "Vote and proposal copies sent by polite gossip (own and relayed; 0 in direct mode)"),
        MetricDefinition("grandpa.gossip.vote_duplicates", .count, "Vote and proposal copies received that the node already knew (dropped before validation)"),
        MetricDefinition("grandpa.gossip.new_votes", .count, "Vote and proposal receptions that were new to the node (processed and relayed)"),
        MetricDefinition("grandpa.gossip.commit_copies", .count, "Commit copies sent by polite gossip (own and relayed)"),
        MetricDefinition("grandpa.gossip.neighbor_packets", .count, "Neighbour packets sent (one per peer on every change of round, set or observed commit)"),
        MetricDefinition("grandpa.gossip.discarded", .count, "Messages dropped by the gossip validator: votes outside the node's set or rounds r-1..r+1, commits not above its highest"),
        MetricDefinition("grandpa.gossip.catch_up_triggers", .count, "Neighbour packets showing a peer two or more rounds ahead (the node asks it for a catch-up)"),
        MetricDefinition("grandpa.flood.votes", .count, "gossip: flood: votes and proposals sent (each one flooded to every reachable node; only in flood runs)"),
        MetricDefinition("grandpa.flood.receptions", .count, "gossip: flood: vote and proposal arrivals delivered to nodes (one per node and vote; only in flood runs)"),
    ]

    func honestNodes() -> [Int] { (0..<validators).filter { roles[$0] == .honest && participates($0) } }

    static func firstKey(_ row: [ResultValue]) -> Int64 { if case .integer(let v) = row[0] { return v }; return 0 }

    /// Writes the GRANDPA rows that are final (called at every lag sample: an O(nodes) scan):
    /// blocks below the lowest honest finalized number, rounds at least two behind every
    /// honest voter's current round (or of an earlier authority set).
    mutating func writeFinishedRows() {
        var lowestFinal = UInt32.max
        var lowestRound = UInt64.max
        for n in 0..<validators where roles[n] == .honest && participates(n) {
            lowestFinal = min(lowestFinal, babe.tree.number[Int(babe.views.finalized[n])])
            lowestRound = min(lowestRound, voters[n].setId << 40 | voters[n].currentRound)
        }
        guard lowestFinal != .max else { return }
        records.writeFinished(finalityBelow: lowestFinal, roundsBelow: lowestRound > 0 ? lowestRound - 1 : 0, tree: babe.tree)
    }

    /// Per-block and per-round entries held by GRANDPA's records and BABE's (see the tests
    /// that memory stays flat over longer runs).
    public var heldResultEntries: Int { records.heldEntries + babe.heldBlockRows }

    public mutating func drainFinishedRows() -> [ResultTable] {
        records.finishedRows.drain() + babe.drainFinishedRows()
    }

    public func results(at end: SimTime) -> RunResults {
        var r = RunResults()
        let t = tree
        // Rows written while the run went, then the ones still held.
        var fin = GrandpaRecords.finalityTable
        fin.rows = records.finishedRows.pending(fin.name)
        for b in records.finalityPending { fin.rows.append(records.finalityRow(b, tree: t)) }
        fin.rows.sort { Self.firstKey($0) < Self.firstKey($1) }
        let finalizedBlocks = records.writtenFinalizedBlocks + records.finalityPending.count
        var rounds = GrandpaRecords.roundsTable
        rounds.rows = records.finishedRows.pending(rounds.name)
        for row in records.rounds { rounds.rows.append(GrandpaRecords.roundRow(row)) }
        var heights = GrandpaRecords.heightTable
        heights.rows = records.finishedRows.pending(heights.name)
        var offences = ResultTable(name: "grandpa_offences", columns: [
            .init("set_id", .integer), .init("round", .integer), .init("phase", .text), .init("offender", .integer),
            .init("first_block", .integer), .init("second_block", .integer), .init("reporter", .integer, "first honest reporter"),
            .init("reported_at", .integer, "ns"), .init("reporters", .integer),
        ], key: ["set_id", "round", "phase", "offender"])
        for o in records.offences {
            offences.rows.append([.int(o.setId), .int(o.round), .text(o.phase.name), .int(o.offender), .int(o.first), .int(o.second),
                                  .int(o.reporter), .time(o.at), .int(o.reporters)])
        }
        var violations = ResultTable(name: "grandpa_safety_violations", columns: [
            .init("node", .integer, "honest node finalizing the conflicting block"), .init("block", .integer), .init("number", .integer),
            .init("conflicting_block", .integer, "finalized earlier by another honest node, not on the same chain"),
            .init("conflicting_number", .integer), .init("at", .integer, "ns"),
        ], key: ["block", "conflicting_block"])
        for v in records.violations {
            violations.rows.append([.int(v.node), .int(v.block), .int(v.number), .int(v.conflicting), .int(v.conflictingNumber), .time(v.at)])
        }
        var changes = ResultTable(name: "grandpa_set_changes", columns: [
            .init("set_id", .integer), .init("first_node", .integer), .init("first_at", .integer, "ns"),
            .init("base_block", .integer), .init("base_number", .integer),
        ], key: ["set_id"])
        for c in records.setChanges { changes.rows.append([.int(c.setId), .int(c.node), .time(c.at), .int(c.base), .int(c.number)]) }
        r.tables = [fin, rounds, heights, offences, violations, changes]

        let honest = honestNodes()
        let heightsNow = honest.map { t.number[Int(finalized[$0])] }.sorted()
        let minutes = max(end.seconds / 60, 1e-9)
        let rpm = honest.map { Double(records.roundsCompleted[$0]) / minutes }.sorted()
        r.scalars = [
            ("finalized_height", Double(heightsNow.isEmpty ? 0 : heightsNow[(heightsNow.count - 1) / 2])),
            ("finalized_height.min", Double(heightsNow.first ?? 0)),
            ("finalized_height.max", Double(heightsNow.last ?? 0)),
            ("safety_violations", Double(records.violations.count)),
            ("rounds_per_minute", rpm.isEmpty ? 0 : rpm[(rpm.count - 1) / 2]),
            ("grandpa.rounds", Double(records.writtenRounds + records.rounds.filter { !$0.durations.isEmpty }.count)),
            ("grandpa.commits", Double(records.commits)),
            ("grandpa.catch_up_requests", Double(records.catchUpRequests)),
            ("grandpa.catch_ups", Double(records.writtenCatchUps + records.rounds.reduce(0) { $0 + $1.caughtUp })),
            ("grandpa.offences", Double(records.offences.count)),
            ("grandpa.set_id", Double(records.setChanges.map(\.setId).max() ?? 0)),
            ("grandpa.set_changes", Double(records.setChanges.count)),
            ("grandpa.finalized_blocks", Double(finalizedBlocks)),
        ]
        r.distributions = [("finality_lag_blocks", records.lagBlocks), ("finality_lag_seconds", records.lagSeconds),
                           ("grandpa.round_duration", records.roundDuration)]
        // BABE's results (its traffic is in the shared network's per-class counters).
        r.merge(babe.results(at: end))
        r.scalars.append(("grandpa.waited_for_import", Double(records.waitedForImport)))
        r.scalars.append(("grandpa.fork_sync_requests", Double(records.forkSyncRequests)))
        r.scalars.append(("grandpa.vote_batches", Double(records.voteBatches)))
        r.scalars += [
            ("grandpa.gossip.vote_copies", Double(gossip.roundCopies)),
            ("grandpa.gossip.vote_duplicates", Double(gossip.duplicates)),
            ("grandpa.gossip.new_votes", Double(gossip.newRoundMessages)),
            ("grandpa.gossip.commit_copies", Double(gossip.commitCopies)),
            ("grandpa.gossip.neighbor_packets", Double(gossip.neighborPackets)),
            ("grandpa.gossip.discarded", Double(gossip.discarded)),
            ("grandpa.gossip.catch_up_triggers", Double(gossip.catchUpTriggers)),
        ]
        if let f = flood {
            r.scalars += [("grandpa.flood.votes", Double(f.cast)), ("grandpa.flood.receptions", Double(f.receptions))]
        }
        return r
    }
}
