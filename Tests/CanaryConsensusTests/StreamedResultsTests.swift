import Testing
import CanaryEngine
@testable import CanaryConsensus

/// Results written while the run goes (`ResultProducing.drainFinishedRows`): the same rows as
/// a run that keeps everything to the end, with per-block and per-round bookkeeping that stays
/// flat however long the run is.
@Suite struct StreamedResultsTests {
    static func config() -> BabeGrandpaConfig {
        var c = BabeGrandpaConfig()
        c.babe.peers = 4
        c.babe.blockSize = 16 * 1024
        c.heightSampleInterval = .seconds(20)
        return c
    }

    /// What a drained run held at most, and everything it produced.
    struct Streamed {
        var tables: [String: [[ResultValue]]] = [:]
        var maxHeld = 0
        /// Per-(block, node) and per-(round, node) values held at most (import delays,
        /// finality times, round durations).
        var maxPerNodeValues = 0
        var final = RunResults()
        var blocks = 0
    }

    static func perNodeValues(_ m: BabeGrandpaModel) -> Int {
        m.babe.importDelays.reduce(0) { $0 + $1.count } + m.records.blockTimes.reduce(0) { $0 + $1.count }
            + m.records.rounds.reduce(0) { $0 + $1.durations.count }
    }

    static func streamedRun(validators: Int = 10, duration: SimTime, drainEvery: SimTime = .seconds(20),
                            faults: [TimedFault] = []) -> Streamed {
        var s = BabeGrandpaModel.simulation(config: config(), validators: validators, seed: 7, faults: faults, duration: duration)
        var out = Streamed()
        var t = SimTime.zero
        while t < duration {
            t = min(t + drainEvery, duration)
            _ = s.run(until: t)
            out.maxHeld = max(out.maxHeld, s.model.heldResultEntries)
            out.maxPerNodeValues = max(out.maxPerNodeValues, perNodeValues(s.model))
            for table in s.model.drainFinishedRows() { out.tables[table.name, default: []] += table.rows }
        }
        out.final = s.model.results(at: s.ctx.now)
        for table in out.final.tables { out.tables[table.name, default: []] += table.rows }
        out.blocks = s.model.tree.count
        return out
    }

    static func sorted(_ rows: [[ResultValue]]) -> [String] { rows.map { "\($0)" }.sorted() }

    /// A partition (without a supermajority on either side) makes deep reorgs when it heals, and
    /// those are streamed long before the end: end-of-run scalars must still count them.
    static let partition = [TimedFault(at: .minutes(1), fault: .partition([[0, 1, 2, 3, 4]])), TimedFault(at: .minutes(3), fault: .heal)]

    @Test(arguments: [false, true]) func streamedRowsAreTheRowsOfARunThatKeepsEverything(partitioned: Bool) {
        let duration = SimTime.minutes(partitioned ? 7 : 5)
        let faults = partitioned ? Self.partition : []
        var s = BabeGrandpaModel.simulation(config: Self.config(), validators: 10, seed: 7, faults: faults, duration: duration)
        _ = s.run()
        let whole = s.model.results(at: s.ctx.now)
        let streamed = Self.streamedRun(duration: duration, faults: faults)
        if partitioned {
            #expect((whole.scalar("reorg.max_depth") ?? 0) >= 3, "a deep reorg after the heal: \(whole.scalar("reorg.max_depth") ?? 0)")
            let streamedDepths = (streamed.tables["reorgs"] ?? []).compactMap { if case .integer(let d) = $0[2] { return d } else { return nil } }
            #expect(Double(streamedDepths.max() ?? 0) == streamed.final.scalar("reorg.max_depth"))
        }
        // Rows went out during the run for every per-block, per-round and sampled table.
        let all = streamed.tables.mapValues(\.count)
        let finalRows = Dictionary(uniqueKeysWithValues: streamed.final.tables.map { ($0.name, $0.rows.count) })
        #expect((all["reorgs"] ?? 0) > (finalRows["reorgs"] ?? 0), "reorgs: \(all["reorgs"] ?? 0) in all, \(finalRows["reorgs"] ?? 0) at the end")
        for name in ["blocks", "grandpa_finality", "grandpa_rounds", "grandpa_finalized_height"] {
            #expect((all[name] ?? 0) > 2 * (finalRows[name] ?? 0), "\(name): \(all[name] ?? 0) rows in all, \(finalRows[name] ?? 0) at the end")
        }
        // The union is exactly the whole run's tables, scalars and distributions.
        #expect(Set(streamed.tables.keys) == Set(whole.tables.map(\.name)))
        for table in whole.tables {
            #expect(Self.sorted(streamed.tables[table.name] ?? []) == Self.sorted(table.rows), "table \(table.name)")
        }
        #expect(streamed.final.scalars.map { "\($0.name)=\($0.value)" } == whole.scalars.map { "\($0.name)=\($0.value)" })
        #expect(streamed.final.distributions.map { "\($0.name)=\($0.histogram.buckets.map { "\($0.lower):\($0.count)" })" }
                == whole.distributions.map { "\($0.name)=\($0.histogram.buckets.map { "\($0.lower):\($0.count)" })" })
        // Blocks streamed below finality keep their epoch (written before their state is pruned).
        let epochs = (streamed.tables["blocks"] ?? []).filter { $0[6] == .null }.count
        #expect(epochs == 0, "\(epochs) blocks without epoch")
    }

    @Test func bookkeepingStaysFlatWhenTheRunIsTwiceAndFourTimesLonger() {
        let base = Self.streamedRun(duration: .minutes(4))
        let double = Self.streamedRun(duration: .minutes(8))
        let quad = Self.streamedRun(duration: .minutes(16))
        // The run did grow: about 4x the blocks and rows.
        #expect(quad.blocks >= 3 * base.blocks, "blocks \(base.blocks) -> \(quad.blocks)")
        let rows = { (s: Streamed) in s.tables.values.reduce(0) { $0 + $1.count } }
        #expect(rows(quad) >= 3 * rows(base))
        // What the model held did not: within 50% (plus a round or two of slack) of the short run.
        for (name, s) in [("2x", double), ("4x", quad)] {
            #expect(s.maxHeld <= base.maxHeld * 3 / 2 + 20, "\(name): held \(s.maxHeld) entries vs \(base.maxHeld)")
            #expect(s.maxPerNodeValues <= base.maxPerNodeValues * 3 / 2 + 200,
                    "\(name): held \(s.maxPerNodeValues) per-node values vs \(base.maxPerNodeValues)")
        }
        // A run that never drains keeps its finished rows instead (what the bound is against).
        var keep = BabeGrandpaModel.simulation(config: Self.config(), validators: 10, seed: 7, duration: .minutes(16))
        _ = keep.run()
        #expect(keep.model.heldResultEntries > 3 * quad.maxHeld)
    }
}
