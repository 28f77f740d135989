import Testing
@testable import CanaryEngine

@Suite struct LogHistogramTests {
    @Test func bucketsRoundTripWithinOnePermille() {
        for v: UInt64 in [0, 1, 999, 1023, 1024, 1025, 45_000_000, 7_127_040, 1_385_168_896, 1 << 40] {
            let lower = LogHistogram.lowerBound(of: LogHistogram.bucket(of: v))
            #expect(lower <= v)
            #expect(Double(v - lower) <= Double(v) / 1000 + 1, "value \(v) lower \(lower)")
        }
    }

    @Test func quantilesOfKnownData() {
        var h = LogHistogram()
        for v in 1...1000 { h.record(UInt64(v)) }
        #expect(h.quantile(0.5) == 500)
        #expect(h.quantile(0.99) == 990)
        #expect(h.quantile(1.0) == 1000)
        #expect(h.quantile(0) == 1)
        #expect(h.mean == 500.5)
    }

    @Test func rebuiltFromBucketsGivesSameQuantiles() {
        var h = LogHistogram()
        var rng = Xoshiro256StarStar(seed: 7)
        for _ in 0..<10_000 { h.record(10_000_000 + rng.nextBelow(100_000_000)) }
        let r = LogHistogram(buckets: h.buckets)
        for q in [0.0, 0.5, 0.9, 0.99, 1.0] { #expect(r.quantile(q) == h.quantile(q)) }
        #expect(r.total == 10_000)
    }
}
