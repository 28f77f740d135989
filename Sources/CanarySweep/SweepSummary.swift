import Foundation
import CanaryScenario

/// The per-point table printed at the end of `canary sweep` and `canary merge`: each point's
/// parameters, how many seeds finished and failed, and each key metric's mean over the seeds
/// with its spread (min–max).
public enum SweepSummary {
    public static func table(_ rows: [SweepPoints.Row], metrics: [String]? = nil, seedsPerPoint: Int? = nil) -> String {
        let finished = rows.filter { $0.status == "complete" || $0.status == "failed" }
        guard !finished.isEmpty else { return "(no finished sweep runs)\n" }
        let metricNames = metrics ?? Array(Set(finished.flatMap(\.metrics.keys))).sorted()
        // Group by (sweep, point), in point order; one run per (point, seed): the last stored.
        var groups: [(sweep: String, point: Int, label: String, rows: [SweepPoints.Row])] = []
        for row in finished.sorted(by: { ($0.sweep, $0.point, $0.seed, $0.runId) < ($1.sweep, $1.point, $1.seed, $1.runId) }) {
            if let last = groups.last, last.sweep == row.sweep, last.point == row.point {
                if let j = groups[groups.count - 1].rows.firstIndex(where: { $0.seed == row.seed }) {
                    groups[groups.count - 1].rows[j] = row
                } else {
                    groups[groups.count - 1].rows.append(row)
                }
            } else {
                groups.append((row.sweep, row.point, row.label, [row]))
            }
        }
        var header = ["point", "seeds", "failed"] + metricNames.map { "\($0) mean (min–max)" }
        var lines: [[String]] = []
        let multipleSweeps = Set(groups.map(\.sweep)).count > 1
        if multipleSweeps { header.insert("sweep", at: 0) }
        for g in groups {
            var cells = [g.label, seedsPerPoint.map { "\(g.rows.count)/\($0)" } ?? "\(g.rows.count)",
                         "\(g.rows.filter { $0.status == "failed" }.count)"]
            for m in metricNames {
                let values = g.rows.compactMap { $0.metrics[m] }
                guard !values.isEmpty else { cells.append("–"); continue }
                let mean = values.reduce(0, +) / Double(values.count)
                cells.append("\(format(mean, m)) (\(format(values.min()!, m))–\(format(values.max()!, m)))")
            }
            if multipleSweeps { cells.insert(g.sweep, at: 0) }
            lines.append(cells)
        }
        let widths = header.indices.map { i in max(header[i].count, lines.map { $0[i].count }.max() ?? 0) }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([render(header)] + lines.map(render)).joined(separator: "\n") + "\n"
    }

    /// Ratios as percentages, durations with a unit, counts as numbers.
    static func format(_ v: Double, _ metric: String) -> String {
        guard case .success(let e) = SweepDecoder.keyMetric(metric) else { return String(format: "%.4g", v) }
        switch e.unit {
        case .ratio: return String(format: "%.2f%%", v * 100)
        case .duration: return e.format(v)
        case .count:
            if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
            return abs(v) >= 100 ? String(format: "%.0f", v) : String(format: "%.4g", v)
        }
    }
}
