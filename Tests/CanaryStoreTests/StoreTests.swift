import Testing
import Foundation
import GRDB
import CanaryEngine
import CanaryScenario
@testable import CanaryStore

let smallScenario = """
name: store-test
seed: 3
duration: 2m
validators: {count: 12}
traffic: {gossip_interval: 2s, fanout: 4, block_interval: 12s, block_size: 64KiB}
events:
  - {at: 30s, crash: [2]}
  - {at: 60s, restart: [2]}
expect:
  - messages.delivered > 0
  - p99(latency) < 10s
  - messages.dropped.crash > 1000000
"""

func temporaryDatabase() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("canary-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("r.sqlite").path
}

@Suite struct StoreTests {
    @Test func runStoresResultsAndDigest() throws {
        let path = temporaryDatabase()
        let scenario = try ScenarioDecoder.decode(yaml: smallScenario)
        let store = try ResultStore(path: path)
        let out = try ScenarioRunner.run(scenario, store: store, file: nil, fileHash: nil, parameters: "{}")
        #expect(out.status == .failed) // the last expectation cannot hold
        #expect(out.results.map(\.passed) == [true, true, false])

        let db = try DatabaseQueue(path: path)
        try db.read { db in
            let run = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [out.runId])!
            #expect(run["status"] as String == "failed")
            #expect(run["digest"] as String == out.digest)
            #expect(run["simulated_ns"] as Int64 == SimTime.minutes(2).nanoseconds)
            #expect(run["events"] as Int64 == Int64(out.events))
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM node_traffic WHERE run_id = ?", arguments: [out.runId]) == 12)
            #expect(try String.fetchAll(db, sql: "SELECT class FROM message_counts WHERE run_id = ? ORDER BY class", arguments: [out.runId]) == ["block", "gossip"])
            // Counters agree across tables.
            let sent = try Int64.fetchOne(db, sql: "SELECT SUM(sent) FROM node_traffic WHERE run_id = ?", arguments: [out.runId])!
            let sent2 = try Int64.fetchOne(db, sql: "SELECT SUM(sent) FROM message_counts WHERE run_id = ?", arguments: [out.runId])!
            #expect(sent == sent2 && sent > 0)
            let crash = try Int64.fetchOne(db, sql: "SELECT SUM(dropped_crash) FROM message_counts WHERE run_id = ?", arguments: [out.runId])!
            #expect(crash > 0)
            let samples = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM metric_samples WHERE run_id = ? AND name = 'nodes.up'", arguments: [out.runId])!
            #expect(samples == 121) // every second, both ends included
            #expect(try Double.fetchOne(db, sql: "SELECT value FROM metric_samples WHERE run_id = ? AND name = 'nodes.up' AND time_ns = ?",
                                        arguments: [out.runId, SimTime.seconds(45).nanoseconds]) == 11)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM expectations WHERE run_id = ?", arguments: [out.runId]) == 3)
        }
        #expect(try store.digest(run: out.runId) == out.digest)
    }

    @Test func runsShareAFileAndTheDigestIgnoresTheRunId() throws {
        let path = temporaryDatabase()
        let store = try ResultStore(path: path)
        let a = try ScenarioDecoder.decode(yaml: smallScenario)
        let r1 = try ScenarioRunner.run(a, store: store, file: nil, fileHash: nil, parameters: "{}")
        let r2 = try ScenarioRunner.run(a, store: store, file: nil, fileHash: nil, parameters: "{}")
        let b = try ScenarioDecoder.decode(yaml: smallScenario, overrides: .init(seed: 4))
        let r3 = try ScenarioRunner.run(b, store: store, file: nil, fileHash: nil, parameters: "{}")
        #expect(r1.runId != r2.runId)
        #expect(r1.digest == r2.digest)
        #expect(r1.digest != r3.digest)
    }

    @Test func interruptedRunIsKeptIncomplete() throws {
        let path = temporaryDatabase()
        let store = try ResultStore(path: path)
        let scenario = try ScenarioDecoder.decode(yaml: smallScenario)
        var polls = 0
        let out = try ScenarioRunner.run(scenario, store: store, file: nil, fileHash: nil, parameters: "{}",
                                         shouldStop: { polls += 1; return polls > 20 })
        #expect(out.status == .incomplete)
        #expect(out.digest == nil)
        #expect(out.simulated < .minutes(2))
        let reopened = try ResultStore(path: path)
        #expect(try reopened.status(run: out.runId) == "incomplete")
        #expect(try reopened.unfinishedRuns() == [out.runId])
        let db = try DatabaseQueue(path: path)
        let samples = try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM metric_samples WHERE run_id = ?", arguments: [out.runId]) }
        #expect(samples! > 0) // what was sampled before the interruption is kept
    }
}
