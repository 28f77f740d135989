import CanaryEngine
import CanaryStaking
import CanaryConsensus
import CanaryRuntime

/// The metrics the expectation language knows. Later subsystems append theirs here.
public enum MetricCatalog {
    public static let all: [MetricDefinition] = {
        var m: [MetricDefinition] = [
            MetricDefinition("events", .count, "Events processed by the engine."),
            MetricDefinition("simulated_seconds", .count, "Simulated time reached, in seconds."),
        ]
        var seen = Set(m.map(\.name))
        for model in ModelRegistry.all {
            for d in model.metrics where seen.insert(d.name).inserted { m.append(d) }
        }
        return m
    }()

    public static func find(_ name: String) -> MetricDefinition? { all.first { $0.name == name } }
}

/// Where expectation values come from (the store, at the end of a run).
public protocol MetricSource {
    func scalar(_ name: String) throws -> Double?
    func distribution(_ name: String) throws -> LogHistogram?
}

/// One line of `expect:`, e.g. `messages.delivered > 0` or `p99(latency) < 400ms`.
///
/// Grammar (see README, Expectations):
/// ```
/// expectation := ["metric"] operand comparator value
/// operand     := NAME | FUNCTION "(" NAME ")"        FUNCTION: p50 p90 p95 p99 p999 mean max min
/// comparator  := "<" | "<=" | ">" | ">=" | "==" | "!="
/// value       := NUMBER [duration unit | "%"]
/// ```
public struct Expectation: Sendable, Equatable, CustomStringConvertible {
    public enum Function: String, Sendable, CaseIterable { case p50, p90, p95, p99, p999, mean, max, min }
    public enum Comparator: String, Sendable, CaseIterable {
        case le = "<=", ge = ">=", eq = "==", ne = "!=", lt = "<", gt = ">"
        func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .lt: return a < b
            case .le: return a <= b
            case .gt: return a > b
            case .ge: return a >= b
            case .eq: return a == b
            case .ne: return a != b
            }
        }
    }

    public var text: String
    public var function: Function?
    public var metric: String
    public var comparator: Comparator
    /// The threshold in the metric's base unit (nanoseconds for durations).
    public var threshold: Double
    public var unit: MetricUnit

    public var description: String { text }

    /// Parses one expectation, or returns a message saying what was expected.
    public static func parse(_ raw: String) -> Result<Expectation, ExpectationParseError> {
        var text = raw.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("metric ") { text = String(text.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        guard let opStart = text.firstIndex(where: { "<>=!".contains($0) }) else {
            return .failure(.init("expected a comparison such as 'messages.delivered > 0' or 'p99(latency) < 400ms' (comparators: < <= > >= == !=)"))
        }
        var opEnd = text.index(after: opStart)
        if opEnd < text.endIndex && text[opEnd] == "=" { opEnd = text.index(after: opEnd) }
        guard let comparator = Comparator(rawValue: String(text[opStart..<opEnd])) else {
            return .failure(.init("unknown comparator '\(text[opStart..<opEnd])'; expected one of < <= > >= == !="))
        }
        let cmp = (comparator, opStart..<opEnd)
        let lhs = text[..<cmp.1.lowerBound].trimmingCharacters(in: .whitespaces)
        let rhs = text[cmp.1.upperBound...].trimmingCharacters(in: .whitespaces)
        var function: Function?
        var name = lhs
        if let open = lhs.firstIndex(of: "("), lhs.hasSuffix(")") {
            let fname = String(lhs[..<open])
            guard let f = Function(rawValue: fname) else {
                return .failure(.init("unknown function '\(fname)'; expected one of \(Function.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            function = f
            name = String(lhs[lhs.index(after: open)..<lhs.index(before: lhs.endIndex)]).trimmingCharacters(in: .whitespaces)
        }
        guard let def = MetricCatalog.find(name) else {
            let hint = YAMLReader.closest(name, among: MetricCatalog.all.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            return .failure(.init("unknown metric '\(name)'\(hint); known metrics: \(MetricCatalog.all.map(\.name).joined(separator: ", "))"))
        }
        if def.isDistribution && function == nil {
            return .failure(.init("'\(name)' is a distribution: summarise it with a function, e.g. p99(\(name)) or mean(\(name))"))
        }
        if !def.isDistribution && function != nil {
            return .failure(.init("'\(name)' is a single number; write it without a function"))
        }
        guard let threshold = parseValue(rhs, unit: def.unit) else {
            let what: String
            switch def.unit {
            case .duration: what = "a duration such as 400ms or 2s"
            case .ratio: what = "a ratio such as 0.98 or 98%"
            case .count: what = "a number"
            }
            return .failure(.init("expected \(what) after '\(cmp.0.rawValue)', found '\(rhs)'"))
        }
        return .success(Expectation(text: raw.trimmingCharacters(in: .whitespaces), function: function, metric: name,
                                    comparator: cmp.0, threshold: threshold, unit: def.unit))
    }

    /// The threshold, or nil when malformed or not finite (`nan` would make every comparison
    /// false, `inf` every one true: neither is an expectation).
    static func parseValue(_ s: String, unit: MetricUnit) -> Double? {
        parseRawValue(s, unit: unit).flatMap { $0.isFinite ? $0 : nil }
    }

    static func parseRawValue(_ s: String, unit: MetricUnit) -> Double? {
        switch unit {
        case .duration:
            return SimTime(parsing: s).map { Double($0.nanoseconds) }
        case .ratio:
            if s.hasSuffix("%") { return Double(s.dropLast()).map { $0 / 100 } }
            return Double(s)
        case .count:
            return Double(s.replacingOccurrences(of: "_", with: ""))
        }
    }

    /// The observed value, or nil when the run produced no data for it.
    public func observe(_ source: MetricSource) throws -> Double? {
        guard let f = function else { return try source.scalar(metric) }
        guard let h = try source.distribution(metric) else { return nil }
        switch f {
        case .p50: return h.quantile(0.50).map { Double($0) }
        case .p90: return h.quantile(0.90).map { Double($0) }
        case .p95: return h.quantile(0.95).map { Double($0) }
        case .p99: return h.quantile(0.99).map { Double($0) }
        case .p999: return h.quantile(0.999).map { Double($0) }
        case .mean: return h.mean
        case .max: return h.total == 0 ? nil : Double(h.maxValue)
        case .min: return h.quantile(0).map { Double($0) }
        }
    }

    /// Evaluates against `source`. No data fails the expectation (it cannot be shown to hold).
    public func evaluate(_ source: MetricSource) throws -> ExpectationResult {
        let observed = try observe(source)
        let passed = observed.map { comparator.holds($0, threshold) } ?? false
        return ExpectationResult(expectation: self, observed: observed, passed: passed)
    }

    /// A value in this expectation's unit, for tables (`412.3ms`, `98.2%`, `1234`).
    public func format(_ v: Double?) -> String {
        guard let v else { return "no data" }
        switch unit {
        case .duration:
            if v >= 1e9 { return String(format: "%.3fs", v / 1e9) }
            if v >= 1e6 { return String(format: "%.3fms", v / 1e6) }
            return String(format: "%.0fns", v)
        case .ratio: return String(format: "%.4f%%", v * 100)
        case .count: return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.6g", v)
        }
    }
}

public struct ExpectationParseError: Error, Sendable, Equatable {
    public var message: String
    init(_ m: String) { message = m }
}

public struct ExpectationResult: Sendable {
    public var expectation: Expectation
    public var observed: Double?
    public var passed: Bool
}

import Foundation
