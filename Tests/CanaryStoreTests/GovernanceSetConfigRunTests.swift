import Testing
import Foundation
import GRDB
import CanaryEngine
import CanaryScenario
@testable import CanaryStore

/// The shipped governance `set_config` scenario end to end: the referendum's change shows in
/// the results two sessions after the session of its enactment, and not before.
@Suite struct GovernanceSetConfigRunTests {
    static let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios/parachains/governance-set-config.yaml").path

    @Test func theEnactedChangeIsInForceTwoSessionsLater() throws {
        let scenario = try ScenarioDecoder.load(path: Self.file)
        let path = temporaryDatabase()
        let store = try ResultStore(path: path)
        let out = try ScenarioRunner.run(scenario, store: store, file: nil, fileHash: nil, parameters: "{}")
        #expect(out.results.allSatisfy { $0.passed }, "\(out.results.filter { !$0.passed })")
        let db = try DatabaseQueue(path: path)
        try db.read { db in
            let sessions = try Row.fetchAll(db, sql: "SELECT session, start_number, needed_approvals FROM para_sessions WHERE run_id = ? ORDER BY session",
                                            arguments: [out.runId])
            let enacted = try #require(try Int.fetchOne(db, sql: "SELECT block FROM governance_calls WHERE run_id = ? AND call LIKE 'dispatch configuration.set_config%' AND result = 'ok'",
                                                        arguments: [out.runId]))
            // The session whose blocks include the enactment block.
            let k = try #require(sessions.last { ($0["start_number"] as Int) <= enacted }?["session"] as Int?)
            #expect(sessions.count == 5)
            for row in sessions {
                let s: Int = row["session"]
                #expect(row["needed_approvals"] as Int == (s >= k + 2 ? 15 : 8), "session \(s), enacted in session \(k)")
            }
        }
    }
}
