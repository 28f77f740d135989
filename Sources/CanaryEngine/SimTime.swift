/// Virtual time in integer nanoseconds since the start of a run.
///
/// Integers, not floating point, so that event order never depends on rounding: two events
/// scheduled for the "same" instant compare equal on every platform and build configuration.
/// `Int64` nanoseconds covers ±292 years, far beyond any simulation.
public struct SimTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static let zero = SimTime(nanoseconds: 0)
    /// Larger than any reachable time; used as "never".
    public static let never = SimTime(nanoseconds: .max)

    @inlinable public static func ns(_ v: Int64) -> SimTime { SimTime(nanoseconds: v) }
    @inlinable public static func us(_ v: Int64) -> SimTime { SimTime(nanoseconds: v * 1_000) }
    @inlinable public static func ms(_ v: Int64) -> SimTime { SimTime(nanoseconds: v * 1_000_000) }
    @inlinable public static func seconds(_ v: Int64) -> SimTime { SimTime(nanoseconds: v * 1_000_000_000) }
    @inlinable public static func minutes(_ v: Int64) -> SimTime { .seconds(v * 60) }
    @inlinable public static func hours(_ v: Int64) -> SimTime { .seconds(v * 3_600) }
    @inlinable public static func days(_ v: Int64) -> SimTime { .seconds(v * 86_400) }

    /// Seconds as a floating-point number, for reports and progress lines only.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.nanoseconds < b.nanoseconds }
    // Arithmetic saturates instead of wrapping: a time past the end of Int64 becomes `never`
    // (an event that never fires) rather than a negative time that would fire at once.
    // Scenario limits (CanaryScenario/Limits.swift) keep real runs far from saturation.
    @inlinable public static func + (a: SimTime, b: SimTime) -> SimTime {
        let (v, o) = a.nanoseconds.addingReportingOverflow(b.nanoseconds)
        return SimTime(nanoseconds: o ? (b.nanoseconds > 0 ? .max : .min) : v)
    }
    @inlinable public static func - (a: SimTime, b: SimTime) -> SimTime {
        let (v, o) = a.nanoseconds.subtractingReportingOverflow(b.nanoseconds)
        return SimTime(nanoseconds: o ? (b.nanoseconds < 0 ? .max : .min) : v)
    }
    @inlinable public static func += (a: inout SimTime, b: SimTime) { a = a + b }
    @inlinable public static func * (a: SimTime, k: Int64) -> SimTime {
        let (v, o) = a.nanoseconds.multipliedReportingOverflow(by: k)
        return SimTime(nanoseconds: o ? ((a.nanoseconds < 0) == (k < 0) ? .max : .min) : v)
    }

    /// Units accepted by `parse`, largest first (the order `description` uses).
    static let units: [(suffix: String, ns: Int64)] = [
        ("d", 86_400_000_000_000), ("h", 3_600_000_000_000), ("m", 60_000_000_000),
        ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000), ("ns", 1),
    ]

    /// Parses durations such as `150ms`, `6s`, `2h`, `3d`, `1h30m`, `1.5s` or `0`.
    ///
    /// Fractions are decimal and exact (`1.5s` is 1,500,000,000 ns); a fraction finer than a
    /// nanosecond is an error rather than silently rounded. Returns nil for anything else.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s == "0" { self = .zero; return }
        var total: Int64 = 0
        var rest = Substring(s)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { $0.isASCII && $0.isLetter }
            guard !unitText.isEmpty, let unit = SimTime.units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            guard let ns = SimTime.exactProduct(decimal: number, unit: unit.ns) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(ns)
            guard !overflow else { return nil }
            total = sum
        }
        self.nanoseconds = total
    }

    /// `decimal` (digits with at most one dot) times `unit`, exactly, or nil.
    private static func exactProduct(decimal: Substring, unit: Int64) -> Int64? {
        let parts = decimal.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])) else { return nil }
        let (w, o1) = whole.multipliedReportingOverflow(by: unit)
        guard !o1 else { return nil }
        guard parts.count == 2 else { return w }
        let frac = parts[1]
        guard !frac.isEmpty, frac.count <= 18, let f = Int64(frac) else { return nil }
        var scale: Int64 = 1
        for _ in 0..<frac.count { scale *= 10 }
        let (fu, o2) = f.multipliedReportingOverflow(by: unit)
        guard !o2, fu % scale == 0 else { return nil }
        return w.addingReportingOverflow(fu / scale).overflow ? nil : w + fu / scale
    }

    /// Canonical text: the largest units first, e.g. `1h30m`, `150ms`, `6s`, `0s`; parses back
    /// to the same value.
    public var description: String {
        if nanoseconds == 0 { return "0s" }
        if nanoseconds == .max { return "never" }
        var rest = nanoseconds.magnitude
        var out = nanoseconds < 0 ? "-" : ""
        for unit in SimTime.units {
            let u = UInt64(unit.ns)
            if rest >= u {
                out += "\(rest / u)\(unit.suffix)"
                rest %= u
            }
        }
        return out
    }
}

import Foundation
