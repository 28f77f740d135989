/// A histogram of non-negative integers (nanoseconds, sizes) with bounded relative error.
///
/// Values below 2^10 get exact buckets; larger ones keep their top 10 significant bits, so every
/// bucket is within 0.1% of its values. Integer buckets make percentiles exact functions of the
/// recorded data, identical on every platform; memory is a few thousand counters at most.
public struct LogHistogram: Sendable, Equatable {
    @usableFromInline static let subBits = 10
    public private(set) var counts: [UInt64] = []
    public private(set) var total: UInt64 = 0
    public private(set) var sum: Double = 0
    public private(set) var maxValue: UInt64 = 0

    public init() {}

    @inlinable static func bucket(of v: UInt64) -> Int {
        if v < (1 << subBits) { return Int(v) }
        let msb = 63 - v.leadingZeroBitCount
        let shift = msb - subBits
        return ((shift + 1) << subBits) + Int((v >> shift) & ((1 << subBits) - 1))
    }

    /// The smallest value that falls into bucket `b`.
    public static func lowerBound(of b: Int) -> UInt64 {
        if b < (1 << subBits) { return UInt64(b) }
        let shift = (b >> subBits) - 1
        let mantissa = UInt64(b & ((1 << subBits) - 1)) | (1 << subBits)
        return mantissa << shift
    }

    public mutating func record(_ v: UInt64, count: UInt64 = 1) {
        let b = LogHistogram.bucket(of: v)
        if b >= counts.count { counts.append(contentsOf: repeatElement(0, count: b - counts.count + 1)) }
        counts[b] &+= count
        total &+= count
        sum += Double(v) * Double(count)
        maxValue = Swift.max(maxValue, v)
    }

    /// The value at quantile `q` (0...1): the lower bound of the bucket holding the
    /// ceil(q * total)-th smallest value. Nil when empty.
    public func quantile(_ q: Double) -> UInt64? {
        guard total > 0 else { return nil }
        let rank = Swift.max(1, UInt64((q * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for (b, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= rank { return LogHistogram.lowerBound(of: b) }
        }
        return maxValue
    }

    public var mean: Double? { total == 0 ? nil : sum / Double(total) }

    /// Non-empty buckets as (lower bound, count), ascending — the stored form.
    public var buckets: [(lower: UInt64, count: UInt64)] {
        counts.enumerated().compactMap { $0.element > 0 ? (LogHistogram.lowerBound(of: $0.offset), $0.element) : nil }
    }

    /// Adds every value of `other` (histograms are mergeable: bucket counts add, so merging
    /// per-node or per-shard histograms gives exactly the histogram of all their values).
    public mutating func merge(_ other: LogHistogram) {
        if other.counts.count > counts.count { counts.append(contentsOf: repeatElement(0, count: other.counts.count - counts.count)) }
        for (b, c) in other.counts.enumerated() where c > 0 { counts[b] &+= c }
        total &+= other.total
        sum += other.sum
        maxValue = Swift.max(maxValue, other.maxValue)
    }

    /// Counters held (memory is this times 8 bytes): bounded by the largest value recorded,
    /// at most 55 × 1024 whatever the number of values.
    public var bucketCapacity: Int { counts.count }

    /// Rebuilds a histogram from stored buckets.
    public init(buckets: [(lower: UInt64, count: UInt64)]) {
        for (lower, count) in buckets { record(lower, count: count) }
    }
}
