import Testing
import Foundation
@testable import CanaryScenario

/// Replays the fuzz regression corpus (Fuzz/regressions, docs/reliability.md "Fuzzing"): every
/// input that once crashed, hung or exhausted memory, plus the issue-14 reproductions. Each must
/// decode or be refused with diagnostics; a trap would kill the test process.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func inputs(_ target: String) -> [(name: String, text: String)] {
        let dir = root.appendingPathComponent("Fuzz/regressions/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.sorted() ?? []
        return names.map { ($0, String(decoding: (try? Data(contentsOf: dir.appendingPathComponent($0))) ?? Data(), as: UTF8.self)) }
    }

    @Test func scenarioInputsAreDecodedOrRefused() {
        let inputs = Self.inputs("scenario")
        #expect(inputs.count >= 7)
        for (name, text) in inputs {
            do { _ = try ScenarioDecoder.decode(yaml: text, file: name) } catch {
                #expect(!error.diagnostics.isEmpty, "\(name)")
            }
        }
    }

    @Test func issue14InputsAreRefusedNamingALimit() {
        for (name, text) in Self.inputs("scenario") where name.hasPrefix("issue14-") {
            #expect(throws: ScenarioError.self, "\(name)") { try ScenarioDecoder.decode(yaml: text, file: name) }
            do { _ = try ScenarioDecoder.decode(yaml: text, file: name) } catch {
                #expect(error.description.contains("limit '"), "\(name): \(error)")
            }
        }
    }

    @Test func expectationInputsAreParsedOrRefused() {
        let inputs = Self.inputs("expectation")
        #expect(inputs.count >= 2)
        for (name, text) in inputs {
            if case .success(let e) = Expectation.parse(text) { #expect(e.threshold.isFinite, "\(name)") }
            if name.hasPrefix("issue14-") { guard case .failure = Expectation.parse(text) else { Issue.record("\(name) accepted"); continue } }
        }
    }
}
