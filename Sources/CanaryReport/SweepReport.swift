import Foundation
import GRDB
import CanaryScenario
import CanaryEngine
import Mustache

/// A sweep's report (`canary report DB --sweep NAME`): for every key metric of the sweep, the
/// metric against the first numeric grid parameter, each seed as a dot and the mean over the
/// seeds as a line, one colour per value of the other parameters (e.g. finality lag against
/// loss, one line per validator count); then the per-point table. Read from `sweep_points`
/// (docs/sweeps.md) and `runs` only; the same results give the same bytes.
public struct SweepReport {
    /// One finished run of the sweep.
    public struct Point: Sendable {
        public var point: Int
        public var label: String
        public var parameters: [String: String]
        public var seed: UInt64
        public var status: String
        public var metrics: [String: Double]
    }

    public var sweep: String
    /// Grid parameters in grid order (from the point labels).
    public var parameters: [String]
    public var metrics: [String]
    public var points: [Point]
    public var charts: [RunReport.Chart]

    public init(database: RunDatabase, sweep name: String?) throws {
        let rows: [Point] = try database.db.read { db in
            guard try db.tableExists("sweep_points") else { return [] }
            return try Row.fetchAll(db, sql: """
                SELECT p.point, p.label, p.parameters, p.seed, p.metrics, p.sweep, r.status
                FROM sweep_points p JOIN runs r ON r.id = p.run_id
                WHERE r.status IN ('complete', 'failed') ORDER BY p.sweep, p.point, p.seed, p.run_id
                """).map { row in
                (row["sweep"] as String, Point(point: row["point"], label: row["label"],
                      parameters: Self.json(row["parameters"]) ?? [:], seed: UInt64(bitPattern: row["seed"] as Int64),
                      status: row["status"], metrics: Self.json(row["metrics"]) ?? [:]))
            }.filter { name == nil || $0.0 == name }.map(\.1)
        }
        let names = try database.db.read { db -> [String] in
            guard try db.tableExists("sweep_points") else { return [] }
            return try String.fetchAll(db, sql: "SELECT DISTINCT sweep FROM sweep_points ORDER BY sweep")
        }
        guard let sweep = name ?? names.first else { throw ReportError.badInput("\(database.path): no sweep runs (no sweep_points rows); run canary sweep and canary merge first") }
        guard !rows.isEmpty else {
            throw ReportError.badInput("\(database.path): no finished runs of sweep '\(sweep)' (sweeps: \(names.isEmpty ? "none" : names.joined(separator: ", ")))")
        }
        if name == nil && names.count > 1 {
            throw ReportError.badInput("\(database.path) holds several sweeps (\(names.joined(separator: ", "))); choose one with --sweep")
        }
        self.sweep = sweep
        // One run per (point, seed): the last stored (a resumed sweep may have rerun one).
        var unique: [Point] = []
        for p in rows {
            if let i = unique.firstIndex(where: { $0.point == p.point && $0.seed == p.seed }) { unique[i] = p } else { unique.append(p) }
        }
        points = unique
        parameters = unique[0].label.components(separatedBy: ", ").compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) }
        metrics = Array(Set(unique.flatMap(\.metrics.keys))).sorted()
        charts = Self.charts(sweep: sweep, parameters: parameters, metrics: metrics, points: unique)
    }

    static func json<T: Decodable>(_ text: String) -> T? { try? JSONDecoder().decode(T.self, from: Data(text.utf8)) }

    /// A grid value as a number: `60%` → 0.6, `300` → 300, `250ms` → 0.25 (seconds); nil otherwise.
    static func number(_ s: String) -> (value: Double, percent: Bool)? {
        if s.hasSuffix("%"), let v = Double(s.dropLast()) { return (v / 100, true) }
        if let v = Double(s) { return (v, false) }
        if let t = SimTime(parsing: s) { return (t.seconds, false) }
        return nil
    }

    static func charts(sweep: String, parameters: [String], metrics: [String], points: [Point]) -> [RunReport.Chart] {
        guard let x = parameters.first(where: { p in points.allSatisfy { number($0.parameters[p] ?? "") != nil } }) else { return [] }
        let xPercent = points.contains { number($0.parameters[x] ?? "")?.percent == true }
        let others = parameters.filter { $0 != x }
        func group(_ p: Point) -> String { others.map { "\($0)=\(p.parameters[$0] ?? "?")" }.joined(separator: ", ") }
        var groups: [String] = []
        for p in points where !groups.contains(group(p)) { groups.append(group(p)) }
        var out: [RunReport.Chart] = []
        for (k, m) in metrics.enumerated() {
            let unit = (try? Expectation.parse("\(m) >= 0").get())?.unit ?? .count
            let scale = unit == .duration ? 1e-9 : 1
            var series: [XYChart.Series] = []
            for (gi, g) in groups.enumerated() {
                let mine = points.filter { group($0) == g }
                let color = palette[gi % palette.count]
                let seeds = mine.compactMap { p -> (x: Double, y: Double)? in
                    guard let xv = number(p.parameters[x] ?? ""), let y = p.metrics[m] else { return nil }
                    return (xv.value, y * scale)
                }
                var xs: [Double] = []
                for s in seeds where !xs.contains(s.x) { xs.append(s.x) }
                let means = xs.sorted().map { xv -> (x: Double, y: Double) in
                    let ys = seeds.filter { $0.x == xv }.map(\.y)
                    return (xv, ys.reduce(0, +) / Double(ys.count))
                }
                let name = g.isEmpty ? "mean of the seeds" : g
                series.append(.init(name: name, points: means, style: .line, color: color))
                series.append(.init(name: g.isEmpty ? "each seed" : "\(g) (seeds)", points: seeds, style: .points, color: color))
            }
            let yLabel = unit == .duration ? "\(m) (s)" : m
            var chart = XYChart(title: "\(m) against \(x)", xLabel: x, yLabel: yLabel, series: series)
            if xPercent { chart.xFormat = percent }
            if unit == .ratio { chart.yFormat = percent; chart.yFromZero = false }
            if unit == .duration { chart.yFromZero = false }
            // The diagonal y = x when both are ratios of the same kind (e.g. settled rate against ideal rate).
            if xPercent && unit == .ratio, let lo = series.flatMap(\.points).map(\.x).min(), let hi = series.flatMap(\.points).map(\.x).max() {
                chart.series.append(.init(name: "y = x", points: [(lo, lo), (hi, hi)], style: .dashed, color: "#999999"))
            }
            guard !chart.isEmpty else { continue }
            let file = String(format: "sweep-%02d.svg", k + 1)
            out.append(RunReport.Chart(file: file, title: chart.title,
                                       caption: "\(m) for each seed (dots) and the mean over the seeds (line) at each value of \(x)"
                                           + (others.isEmpty ? "" : ", one colour per \(others.joined(separator: " and "))"),
                                       svg: chart.svg(id: "sweep\(k)")))
        }
        return out
    }

    /// The report page: charts, then the table of points.
    public func html() throws -> String {
        var rows: [[String: Any]] = []
        var seen: [Int] = []
        for p in points where !seen.contains(p.point) {
            seen.append(p.point)
            let mine = points.filter { $0.point == p.point }
            let cells: [[String: Any]] = metrics.map { m in
                let ys = mine.compactMap { $0.metrics[m] }
                guard !ys.isEmpty else { return ["value": "–"] }
                let unit = (try? Expectation.parse("\(m) >= 0").get())?.unit ?? .count
                let mean = ys.reduce(0, +) / Double(ys.count)
                return ["value": "\(RunDiff.format(mean, unit)) (\(RunDiff.format(ys.min()!, unit))–\(RunDiff.format(ys.max()!, unit)))"]
            }
            rows.append(["label": p.label, "seeds": String(mine.count), "failed": String(mine.filter { $0.status == "failed" }.count), "cells": cells])
        }
        let context: [String: Any] = [
            "sweep": sweep, "runs": String(points.count), "metrics": metrics.map { ["name": $0] }, "rows": rows,
            "charts": charts.map { ["svg": $0.svg, "file": $0.file, "caption": $0.caption] },
            "hasCharts": !charts.isEmpty,
        ]
        return try MustacheTemplate(string: Self.page).render(context)
    }

    static let page = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <title>{{sweep}} — Canary sweep report</title>
    <style>
    body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; padding: 0 1em; color: #222; line-height: 1.4; }
    table { border-collapse: collapse; font-size: 0.92em; } th, td { text-align: left; padding: 0.25em 0.8em 0.25em 0; border-bottom: 1px solid #eee; }
    figure { margin: 1.2em 0; } figcaption { font-size: 0.9em; color: #555; } figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
    </style>
    </head>
    <body>
    <h1>Sweep {{sweep}}</h1>
    <p>{{runs}} finished runs. Each metric is shown for every seed and as the mean over the seeds.</p>
    {{#hasCharts}}<h2>Charts</h2>{{/hasCharts}}
    {{#charts}}
    <figure>
    {{{svg}}}
    <figcaption>{{caption}} (<a href="{{file}}">{{file}}</a>)</figcaption>
    </figure>
    {{/charts}}
    <h2>Points</h2>
    <table>
    <tr><th>point</th><th>seeds</th><th>failed</th>{{#metrics}}<th>{{name}} mean (min–max)</th>{{/metrics}}</tr>
    {{#rows}}<tr><td><code>{{label}}</code></td><td>{{seeds}}</td><td>{{failed}}</td>{{#cells}}<td>{{value}}</td>{{/cells}}</tr>
    {{/rows}}
    </table>
    <p><small>Made by <code>canary report --sweep</code> from the sweep_points table.</small></p>
    </body>
    </html>

    """
}
