import Foundation
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

    /// Expectations read percentiles from histograms, not from the raw values: every quantile
    /// they use is the exact one (the same rank of the sorted values) rounded down to its
    /// bucket, so within 0.1% of it, for latency-like, heavy-tailed and tiny data alike.
    @Test func expectationPercentilesMatchTheExactOnesWithinTheHistogramPrecision() {
        var rng = Xoshiro256StarStar(seed: 11)
        let sets: [[UInt64]] = [
            (0..<20_000).map { _ in 40_000_000 + rng.nextBelow(200_000_000) },          // latencies, ns
            (0..<20_000).map { _ in UInt64(exp(rng.nextGaussian() * 2 + 20)) },          // heavy tail
            (0..<500).map { _ in rng.nextBelow(8) },                                      // lag in blocks
        ]
        for values in sets {
            var h = LogHistogram()
            for v in values { h.record(v) }
            let sorted = values.sorted()
            for q in [0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
                let rank = max(1, Int((q * Double(sorted.count)).rounded(.up)))
                let exact = sorted[rank - 1]
                let got = h.quantile(q)!
                #expect(got <= exact && Double(exact - got) <= Double(exact) / 1000, "q \(q): exact \(exact), histogram \(got)")
            }
            #expect(h.maxValue == sorted.last!)
        }
    }

    /// Merging per-part histograms (nodes, shards, steps of a run) gives exactly the histogram
    /// of all their values: the form in which distributions can be kept while a run goes.
    @Test func mergedHistogramsAreTheHistogramOfAllValues() {
        var rng = Xoshiro256StarStar(seed: 3)
        var parts = [LogHistogram](repeating: LogHistogram(), count: 4)
        var whole = LogHistogram()
        for i in 0..<10_000 {
            let v = i % 3 == 0 ? rng.nextBelow(1000) : 1_000_000 + rng.nextBelow(1 << 34)
            parts[i % 4].record(v)
            whole.record(v)
        }
        var merged = LogHistogram()
        for p in parts.reversed() { merged.merge(p) }
        #expect(merged == whole)
        #expect(whole.bucketCapacity <= 55 * 1024)
    }
}
