import Foundation
import CanaryEngine
import CanaryScenario

/// Two runs' metrics side by side (`canary diff`): every scalar of `run_metrics` and, for each
/// distribution, its count, p50, p90, p99, mean and max. A metric differs beyond the tolerance
/// when its relative change |b − a| / |a| exceeds it (any change from 0 counts as beyond), or
/// when only one run has it.
public struct RunDiff: Sendable {
    public struct Side: Sendable {
        public var database: String
        public var run: RunDatabase.Run
    }

    public struct Entry: Sendable {
        public var metric: String
        public var unit: MetricUnit
        public var a: Double?
        public var b: Double?
        /// (b − a) / |a|; nil when a metric is missing or a is 0.
        public var relativeChange: Double? {
            guard let a, let b, a != 0 else { return nil }
            return (b - a) / abs(a)
        }
        public var differs: Bool { a != b }
        public var beyondTolerance: Bool
    }

    public var a: Side
    public var b: Side
    public var tolerance: Double
    /// Every metric of either run, sorted by name.
    public var entries: [Entry]

    public var flagged: [Entry] { entries.filter(\.beyondTolerance) }
    public var sameDigest: Bool { a.run.digest != nil && a.run.digest == b.run.digest }

    public init(a: (RunDatabase, Int64?), b: (RunDatabase, Int64?), tolerance: Double) throws {
        let ra = try a.0.run(a.1), rb = try b.0.run(b.1)
        self.a = Side(database: a.0.path, run: ra)
        self.b = Side(database: b.0.path, run: rb)
        self.tolerance = tolerance
        let ma = try Self.metrics(a.0, ra.id), mb = try Self.metrics(b.0, rb.id)
        let names = Set(ma.keys).union(mb.keys).sorted()
        entries = names.map { name in
            let va = ma[name]?.value, vb = mb[name]?.value
            let unit = ma[name]?.unit ?? mb[name]?.unit ?? .count
            let beyond: Bool
            switch (va, vb) {
            case let (x?, y?): beyond = x == y ? false : (x == 0 ? true : abs(y - x) / abs(x) > tolerance)
            default: beyond = true
            }
            return Entry(metric: name, unit: unit, a: va, b: vb, beyondTolerance: beyond)
        }
    }

    /// Scalars by name; distributions as `name.count`, `name.p50`, ... (values in the stored
    /// unit: nanoseconds for times).
    static func metrics(_ db: RunDatabase, _ run: Int64) throws -> [String: (value: Double, unit: MetricUnit)] {
        var out: [String: (Double, MetricUnit)] = [:]
        for (name, v) in try db.scalars(run: run) { out[name] = (v, MetricCatalog.find(name)?.unit ?? .count) }
        for (name, h) in try db.distributions(run: run) {
            let unit = MetricCatalog.find(name)?.unit ?? .count
            out[name + ".count"] = (Double(h.total), .count)
            if let q = h.quantile(0.5) { out[name + ".p50"] = (Double(q), unit) }
            if let q = h.quantile(0.9) { out[name + ".p90"] = (Double(q), unit) }
            if let q = h.quantile(0.99) { out[name + ".p99"] = (Double(q), unit) }
            if let m = h.mean { out[name + ".mean"] = (m, unit) }
            if h.total > 0 { out[name + ".max"] = (Double(h.maxValue), unit) }
        }
        return out
    }

    /// A value for tables: times with their unit, ratios as percentages.
    public static func format(_ v: Double?, _ unit: MetricUnit) -> String {
        guard let v else { return "—" }
        switch unit {
        case .duration:
            if abs(v) >= 1e9 { return String(format: "%.3f s", v / 1e9) }
            if abs(v) >= 1e6 { return String(format: "%.3f ms", v / 1e6) }
            if abs(v) >= 1e3 { return String(format: "%.3f µs", v / 1e3) }
            return String(format: "%.0f ns", v)
        case .ratio: return String(format: "%.4f%%", v * 100)
        case .count: return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.6g", v)
        }
    }

    /// The plain-text table `canary diff` prints: run headers, then the metrics that differ
    /// (all of them with `all`), flagged with `!` beyond the tolerance.
    public func text(all: Bool) -> String {
        func header(_ label: String, _ s: Side) -> String {
            var h = "\(label)  \(s.database) run \(s.run.id): \(s.run.scenario), seed \(s.run.seed), \(s.run.status)"
            h += ", version \(s.run.simulatorVersion ?? "unknown")"
            if let c = s.run.gitCommit { h += " (\(c.prefix(12))\(c.hasSuffix("+dirty") ? "+dirty" : ""))" }
            if let d = s.run.digest { h += "\n   digest \(d)" }
            return h
        }
        var out = header("A", a) + "\n" + header("B", b) + "\n"
        if a.run.scenario != b.run.scenario { out += "note: the runs are of different scenarios\n" }
        if sameDigest { out += "identical results (same digest)\n" }
        let shown = entries.filter { all || $0.differs }
        let same = entries.count - entries.filter(\.differs).count
        if !shown.isEmpty {
            let w0 = max(6, shown.map(\.metric.count).max() ?? 0)
            let ca = shown.map { Self.format($0.a, $0.unit) }, cb = shown.map { Self.format($0.b, $0.unit) }
            let w1 = max(1, ca.map(\.count).max() ?? 0), w2 = max(1, cb.map(\.count).max() ?? 0)
            func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
            func lpad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
            out += "\n  " + pad("metric", w0) + "  " + lpad("A", w1) + "  " + lpad("B", w2) + "    change\n"
            for (i, e) in shown.enumerated() {
                let change: String
                if let r = e.relativeChange { change = String(format: "%+.2f%%", r * 100) }
                else if e.a == nil || e.b == nil { change = e.a == nil ? "only in B" : "only in A" }
                else if e.differs { change = "from 0" } else { change = "" }
                out += (e.beyondTolerance ? "! " : "  ") + pad(e.metric, w0) + "  " + lpad(ca[i], w1) + "  " + lpad(cb[i], w2) + "    " + change + "\n"
            }
        }
        out += "\n\(entries.count) metrics: \(entries.count - same) differ, \(flagged.count) beyond the tolerance of "
            + String(format: "%g%%", tolerance * 100) + (all ? "" : "; \(same) identical not shown (--all shows them)") + "\n"
        return out
    }

    /// The `--json` object: both runs, the tolerance and every metric.
    public func json() -> [String: Any] {
        func side(_ s: Side) -> [String: Any] {
            ["database": s.database, "run_id": s.run.id, "scenario": s.run.scenario, "seed": String(s.run.seed),
             "status": s.run.status, "digest": s.run.digest ?? NSNull(), "simulator_version": s.run.simulatorVersion ?? NSNull(),
             "git_commit": s.run.gitCommit ?? NSNull()]
        }
        func scaled(_ v: Double?, _ u: MetricUnit) -> Any { v.map { u == .duration ? $0 / 1e9 : $0 } ?? NSNull() }
        return [
            "a": side(a), "b": side(b), "tolerance": tolerance, "same_digest": sameDigest,
            "beyond_tolerance": flagged.count,
            "metrics": entries.map { e -> [String: Any] in
                ["metric": e.metric, "a": scaled(e.a, e.unit), "b": scaled(e.b, e.unit),
                 "relative_change": e.relativeChange ?? NSNull(), "beyond_tolerance": e.beyondTolerance,
                 "unit": e.unit == .duration ? "seconds" : (e.unit == .ratio ? "ratio" : "count")]
            },
        ]
    }
}
