import Testing
import CanaryArithmetic
@testable import CanaryNPoS

private func s(_ a: UInt128, _ b: UInt128, _ c: UInt128) -> ElectionScore {
    ElectionScore(minimalStake: a, sumStake: b, sumStakeSquared: c)
}

@Suite struct ScoreTests {
    // All ASSERTED in sp-npos-elections `tests.rs mod score`.
    @Test func zeroEpsilon() {
        let that = s(10, 20, 30)
        #expect(isScoreBetter(s(12, 10, 35), that, epsilon: Perbill.zero))
        #expect(!isScoreBetter(s(9, 30, 10), that, epsilon: Perbill.zero))
        #expect(isScoreBetter(s(10, 25, 40), that, epsilon: Perbill.zero))
        #expect(!isScoreBetter(s(10, 20, 40), that, epsilon: Perbill.zero))
    }

    @Test func onePercentEpsilon() {
        let that = s(1000, 5000, 100_000)
        let eps = Perbill.fromPercent(1)
        #expect(!isScoreBetter(s(1009, 5000, 100_000), that, epsilon: eps))
        #expect(!isScoreBetter(s(1010, 5000, 100_000), that, epsilon: eps))
        #expect(isScoreBetter(s(1011, 5000, 100_000), that, epsilon: eps))
        #expect(!isScoreBetter(s(999, 6000, 100_000), that, epsilon: eps))
        #expect(!isScoreBetter(s(1005, 5000, 100_000), that, epsilon: eps))
        #expect(!isScoreBetter(s(1005, 5050, 100_000), that, epsilon: eps))
        #expect(isScoreBetter(s(1005, 5051, 100_000), that, epsilon: eps))
        #expect(!isScoreBetter(s(1005, 5025, 100_000), that, epsilon: eps))
        #expect(!isScoreBetter(s(1005, 5025, 99_000), that, epsilon: eps))
        #expect(isScoreBetter(s(1005, 5025, 98_999), that, epsilon: eps))
    }

    @Test func kusamaScale() {
        let initial = s(12_488_167_277_027_543, 5_559_266_368_032_409_496, 118_749_283_262_079_244_270_992_278_287_436_446)
        let claim = s(12_488_167_277_027_543, 5_559_266_368_032_409_496, 118_700_736_389_524_721_358_337_889_258_988_054)
        for k: UInt128 in 1...4 {
            #expect(isScoreBetter(claim, initial, epsilon: Perbill.fromRational(k, 10_000)))
        }
        #expect(!isScoreBetter(claim, initial, epsilon: Perbill.fromRational(5, 10_000)))
    }

    @Test func ordering() {
        let a = s(10, 5, 15)
        #expect(a > s(8, 5, 25))
        #expect(a > s(9, 20, 5))
        #expect(a > s(10, 4, 25))
        #expect(a > s(10, 4, 5))
        #expect(a > s(10, 5, 16))
        #expect(a > s(10, 5, 25))
        #expect(a != s(9, 5, 15))
        #expect(a != s(10, 5, 14))
    }

    @Test func evaluate() {
        let supports = [Support<UInt64>(target: 1, total: 25, voters: []), Support(target: 2, total: 35, voters: [])]
        #expect(ElectionScore.evaluate(supports) == s(25, 60, 1850))
        #expect(ElectionScore.evaluate([Support<UInt64>]()).minimalStake == .max)
    }
}

@Suite struct SnapshotDecoderTests {
    func error(_ json: String) -> String? {
        do { _ = try ElectionSnapshot.decode(json: json); return nil } catch { return error.message }
    }

    @Test func acceptsNumbersAndStrings() throws {
        let snap = try ElectionSnapshot.decode(json: """
        {"to_elect": 2, "candidates": [1, "2"], "voters": [
          {"id": 10, "stake": 18446744073709551615, "targets": [1]},
          {"id": "11", "stake": "7", "targets": [2, 3]}]}
        """)
        #expect(snap.voters[0].stake == UInt64.max)  // exact: no Double on the way
        #expect(snap.voters[1].id == 11 && snap.voters[1].stake == 7)
        #expect(snap.algorithm == .seqPhragmen && snap.balancing == nil && snap.accuracy == .perbill)
    }

    @Test func namesTheOffendingEntry() {
        #expect(error(#"{"to_elect": 1, "candidates": [1], "voters": [{"id": 4, "stake": 1, "targets": []}, {"id": 4, "stake": 2, "targets": []}]}"#)
                == "voters[1] (id 4): duplicate voter id (first at voters[0])")
        #expect(error(#"{"to_elect": 0, "candidates": [1], "voters": []}"#) == "to_elect: must be at least 1, got 0")
        #expect(error(#"{"to_elect": 1, "candidates": [1], "voters": [{"id": 3, "stake": -1, "targets": []}]}"#)
                == "voters[0] (id 3): stake must be a non-negative integer below 2^64, got -1")
        #expect(error(#"{"to_elect": 1, "candidates": [1], "voters": [{"id": 3, "stake": "18446744073709551616", "targets": []}]}"#)
                == "voters[0] (id 3): stake must be a non-negative integer below 2^64, got \"18446744073709551616\"")
        #expect(error(#"{"to_elect": 1, "candidates": [1], "voters": [{"id": 3, "stake": 1.5, "targets": []}]}"#)
                == "voters[0] (id 3): stake must be a non-negative integer below 2^64, got 1.5")
        #expect(error(#"{"to_elect": 1, "candidates": [1, 1], "voters": []}"#)
                == "candidates[1]: duplicate candidate id 1 (first at candidates[0])")
        #expect(error(#"{"to_elect": 1, "candidates": [1], "voters": [], "algo": 1}"#)?.hasPrefix("unknown field \"algo\"") == true)
        #expect(error(#"{"to_elect": 1, "algorithm": "phragmen", "candidates": [1], "voters": []}"#)
                == "algorithm: must be \"seq-phragmen\" or \"phragmms\", got \"phragmen\"")
        #expect(error("[1, 2]") == "snapshot must be a JSON object, got an array")
    }

    @Test func invalidJSONHasLineAndColumn() {
        #expect(error("{\"to_elect\": 1,\n  \"candidates\": [1,]}") == "invalid JSON at line 2, column 20: unexpected character ']'")
        #expect(error("{\"to_elect\": 1") == "invalid JSON at line 1, column 15: unexpected end of input in an object")
        #expect(error("") == "invalid JSON at line 1, column 1: unexpected end of input")
    }

    @Test func resultJSONRoundTrips() throws {
        let snap = try ElectionSnapshot.decode(json: #"{"to_elect": 2, "candidates": [1, 2, 3], "voters": [{"id": 10, "stake": 10, "targets": [1, 2]}, {"id": 20, "stake": 20, "targets": [1, 3]}, {"id": 30, "stake": 30, "targets": [2, 3]}]}"#)
        let out = try snap.run()
        let parsed = try parseJSON(out.expectedJSON())
        guard case .object(let fields) = parsed else { Issue.record("not an object"); return }
        #expect(fields.map(\.key) == ["winners", "assignments", "supports", "score"])
        #expect(parsed["score"] == .array([.string("25"), .string("60"), .string("1850")]))
        #expect(try parseJSON(out.expectedJSON(pretty: false)) == parsed)
    }
}
