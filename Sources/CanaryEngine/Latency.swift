import Foundation

/// One-way network latency between two regions: log-normal around `median`.
///
/// Log-normal because measured Internet RTTs have a hard floor near the median and a long right
/// tail; `sigma` (the "jitter") is the standard deviation of the log, so `sigma = 0.1` keeps
/// about 68% of samples within ±10% of the median. A floor of half the median stops the tail of
/// the normal from producing impossible near-zero delays.
public struct LatencyDistribution: Hashable, Sendable {
    public var median: SimTime
    public var sigma: Double

    public init(median: SimTime, sigma: Double) {
        self.median = median
        self.sigma = sigma
    }

    @inlinable public func sample(_ rng: inout Xoshiro256StarStar) -> SimTime {
        if sigma == 0 { return median }
        let factor = exp(sigma * rng.nextGaussian())
        let ns = Double(median.nanoseconds) * Swift.max(factor, 0.5)
        return SimTime(nanoseconds: Int64(ns.rounded()))
    }
}

/// Everything about the network that is fixed for a run: regions, latencies, bandwidth, loss.
public struct NetworkConfig: Sendable {
    public var regions: [String]
    /// `latency[a][b]`: from region `a` to region `b` (symmetric unless a scenario says otherwise).
    public var latency: [[LatencyDistribution]]
    /// Upload bandwidth per node in bits per second (0 = unlimited).
    public var uploadBitsPerSecond: UInt64
    /// Probability that one message copy is lost.
    public var loss: Double

    public init(regions: [String], latency: [[LatencyDistribution]], uploadBitsPerSecond: UInt64, loss: Double) {
        self.regions = regions
        self.latency = latency
        self.uploadBitsPerSecond = uploadBitsPerSecond
        self.loss = loss
    }

    /// The shipped `three-continents` preset: Europe, North America and Asia with one-way medians
    /// taken from public inter-region ping tables (half the round trip): EU–EU 10 ms, NA–NA 20 ms,
    /// Asia–Asia 25 ms, EU–NA 45 ms, EU–Asia 110 ms, NA–Asia 85 ms; jitter sigma 0.1; 100 Mbit/s
    /// upload; no loss.
    public static let threeContinents: NetworkConfig = {
        let regions = ["europe", "north-america", "asia"]
        let ms: [[Int64]] = [[10, 45, 110], [45, 20, 85], [110, 85, 25]]
        let lat = ms.map { row in row.map { LatencyDistribution(median: .ms($0), sigma: 0.1) } }
        return NetworkConfig(regions: regions, latency: lat, uploadBitsPerSecond: 100_000_000, loss: 0)
    }()
}
