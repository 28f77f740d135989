import Testing
import Foundation
@testable import CanaryNPoS

/// Replays the snapshot fuzz regression corpus (Fuzz/regressions/snapshot): each input decodes
/// (and, when small, elects) or is refused with an error; a trap would kill the test process.
@Suite struct SnapshotFuzzRegressionTests {
    @Test func snapshotInputsAreDecodedOrRefused() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Fuzz/regressions/snapshot")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(!names.isEmpty)
        for name in names {
            let text = String(decoding: try Data(contentsOf: dir.appendingPathComponent(name)), as: UTF8.self)
            do {
                let s = try ElectionSnapshot.decode(json: text)
                if s.candidates.count <= 16 && s.voters.count <= 32 { _ = try? s.run() }
            } catch {
                #expect(!error.message.isEmpty, "\(name)")
            }
        }
    }

    /// Found by fuzzing: a high surrogate followed by an escape that is not a low surrogate
    /// overflowed the pair arithmetic (a trap). Now it is an unpaired U+FFFD.
    @Test func unpairedSurrogatesDecodeAsReplacement() throws {
        #expect(try parseJSON(#""\uD83D\uDE00""#) == .string("\u{1F600}"))
        #expect(try parseJSON(#""\uDAFE\uCC10""#) == .string("\u{FFFD}\u{CC10}"))
        #expect(try parseJSON(#""\uDAFEx""#) == .string("\u{FFFD}x"))
        #expect(try parseJSON(#""\uDC00""#) == .string("\u{FFFD}"))
    }
}
