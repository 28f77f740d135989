import Foundation
import GRDB
import CanaryEngine
import CanaryScenario

/// One run's report: charts chosen by the tables the run has, the expectations, every metric
/// and the scenario text. Everything comes from the database (see `RunDatabase`); nothing
/// depends on the time of writing, the machine or the commit, so regenerating a report from
/// the same results gives the same bytes.
public struct RunReport {
    public struct Chart { public var file: String; public var title: String; public var caption: String; public var svg: String }
    public struct Section { public var heading: String; public var intro: String; public var charts: [Chart] }

    public var run: RunDatabase.Run
    public var expectations: [RunDatabase.ExpectationRow]
    public var sections: [Section]
    public var scalars: [(name: String, value: Double)]
    public var distributions: [(name: String, histogram: LogHistogram)]

    public var charts: [Chart] { sections.flatMap(\.charts) }

    public init(database: RunDatabase, run id: Int64?) throws {
        let db = database
        run = try db.run(id)
        expectations = try db.expectations(run: run.id)
        scalars = try db.scalars(run: run.id)
        distributions = try db.distributions(run: run.id)
        let c = ChartBuilder(db: db, run: run, distributions: distributions)
        sections = [
            Section(heading: "Finality (GRANDPA)", intro: "How far finality trails block production: for each finalized block, the time from its production to the median honest voter finalizing it.", charts: c.finality()),
            Section(heading: "Block production (BABE)", intro: "Slot outcomes (primary, secondary, empty, and forks: more than one block in the slot), chain growth and block-import delay (production to import, every importing node).", charts: c.babe()),
            Section(heading: "Staking and inflation", intro: "Per era: the staking rate, inflation and yield, drawn over the model's inflation curve, the era payouts, issuance and treasury.", charts: c.staking()),
            Section(heading: "Governance", intro: "Each referendum's approval and support over time against its track's curves, with the decision, confirmation, end and enactment marked.", charts: c.governance()),
            Section(heading: "Parachains", intro: "Inclusion latency (backed to included) and approval lag (included to approved) per candidate.", charts: c.parachains()),
            Section(heading: "Network", intro: "Message traffic by class (delivered and dropped), delivery rate, messages in flight and nodes up over time.", charts: c.network()),
        ].filter { !$0.charts.isEmpty }
    }

    public var passed: Bool { expectations.allSatisfy(\.passed) }

    /// A value of `expectation`'s metric, formatted as `canary run` prints it.
    static func observedText(_ e: RunDatabase.ExpectationRow) -> String {
        if case .success(let x) = Expectation.parse(e.text) { return x.format(e.observed) }
        return e.observed.map { trim($0) } ?? "no data"
    }
}

/// Queries and charts, each returning nothing when its tables are absent.
struct ChartBuilder {
    let db: RunDatabase
    let run: RunDatabase.Run
    let distributions: [(name: String, histogram: LogHistogram)]

    var id: Int64 { run.id }
    var minutes: Bool { run.simulatedNs <= 3 * 3_600_000_000_000 }
    /// Times on the x axis in minutes for short runs, hours up to three days, days beyond.
    var timeUnit: (label: String, ns: Double) {
        if run.simulatedNs <= 3 * 3_600_000_000_000 { return ("minutes", 60e9) }
        if run.simulatedNs <= 3 * 86_400_000_000_000 { return ("hours", 3_600e9) }
        return ("days", 86_400e9)
    }

    func t(_ ns: Int64) -> Double { Double(ns) / timeUnit.ns }

    func histogram(_ name: String, title: String, file: String, unitLabel: String, scale: Double) -> RunReport.Chart? {
        guard let h = distributions.first(where: { $0.name == name })?.histogram, h.total > 0 else { return nil }
        let hi = Double(h.quantile(0.999) ?? h.maxValue)
        let lo = Double(h.quantile(0) ?? 0)
        let bins = 40
        let width = max((hi - lo) / Double(bins), 1)
        var counts = [Double](repeating: 0, count: bins)
        for b in h.buckets {
            let k = min(bins - 1, max(0, Int((Double(b.lower) - lo) / width)))
            counts[k] += Double(b.count)
        }
        let cats = (0..<bins).map { trim((lo + Double($0) * width) / scale) }
        let chart = BarChart(title: title, xLabel: "\(unitLabel) (bin lower bound; the last bin holds everything above p99.9)",
                             yLabel: "count", categories: cats, stacks: [.init(name: name, values: counts)])
        let q = { (p: Double) in trim(Double(h.quantile(p) ?? 0) / scale) }
        return RunReport.Chart(file: file, title: title,
                               caption: "\(h.total) values; p50 \(q(0.5)), p90 \(q(0.9)), p99 \(q(0.99)), max \(trim(Double(h.maxValue) / scale)) \(unitLabel).",
                               svg: chart.svg(id: file))
    }

    // MARK: finality

    func finality() -> [RunReport.Chart] {
        var out: [RunReport.Chart] = []
        let rows = db.rows("SELECT produced_at, first_finalized, median_finalized, last_finalized FROM grandpa_finality WHERE run_id = ? ORDER BY produced_at, block", [id])
        if !rows.isEmpty {
            func lag(_ col: String) -> [(x: Double, y: Double)] {
                rows.compactMap { r in
                    guard let p = r["produced_at"] as Int64?, let f = r[col] as Int64? else { return nil }
                    return (t(p), Double(f - p) / 1e9)
                }
            }
            let chart = XYChart(title: "Finality lag over time", xLabel: "block produced at (\(timeUnit.label))", yLabel: "lag (s)",
                                series: [.init(name: "median voter", points: lag("median_finalized")),
                                         .init(name: "first voter", points: lag("first_finalized"), style: .dashed),
                                         .init(name: "last voter", points: lag("last_finalized"), style: .dashed)],
                                xFormat: trim, yFormat: trim)
            out.append(.init(file: "finality-lag.svg", title: chart.title,
                             caption: "\(rows.count) finalized blocks. Blocks never finalized are not drawn; a gap is a finality stall.",
                             svg: chart.svg(id: "finality-lag")))
        }
        if let h = histogram("finality_lag_seconds", title: "Finality lag distribution", file: "finality-lag-distribution.svg", unitLabel: "seconds", scale: 1e9) {
            out.append(h)
        }
        let best = db.rows("SELECT produced_at, number FROM blocks WHERE run_id = ? AND canonical = 1 ORDER BY produced_at", [id])
        // Finalized height when the median voter finalized each block (running maximum).
        var finalized: [(x: Double, y: Double)] = []
        for r in db.rows("SELECT median_finalized AS at, number FROM grandpa_finality WHERE run_id = ? AND median_finalized IS NOT NULL ORDER BY median_finalized, number", [id]) {
            let y = Double(r["number"] as Int64)
            if y > (finalized.last?.y ?? -1) { finalized.append((t(r["at"]), y)) }
        }
        if !finalized.isEmpty && !best.isEmpty {
            let chart = XYChart(title: "Best and finalized height", xLabel: timeUnit.label, yLabel: "block number",
                                series: [.init(name: "best (canonical chain)", points: best.map { (t($0["produced_at"]), Double($0["number"] as Int64)) }, style: .step),
                                         .init(name: "finalized (median voter)", points: finalized, style: .step)],
                                xFormat: trim)
            out.append(.init(file: "finalized-height.svg", title: chart.title, caption: "Canonical chain height by production time, and the highest block the median honest voter had finalized.", svg: chart.svg(id: "finalized-height")))
        }
        return out
    }

    // MARK: BABE

    func babe() -> [RunReport.Chart] {
        var out: [RunReport.Chart] = []
        let slots = db.rows("SELECT slot, outcome FROM slots WHERE run_id = ? ORDER BY slot", [id])
        if !slots.isEmpty {
            // Epoch of a slot: from the blocks' epochs (the first slot seen in each epoch).
            let starts = db.rows("SELECT epoch, MIN(slot) AS s FROM blocks WHERE run_id = ? AND epoch IS NOT NULL GROUP BY epoch ORDER BY epoch", [id])
                .map { (epoch: $0["epoch"] as Int64, slot: $0["s"] as Int64) }
            // Per epoch when there are several; otherwise in equal runs of slots.
            let perEpoch = starts.count >= 6
            let firstSlot: Int64 = slots[0]["slot"], lastSlot: Int64 = slots[slots.count - 1]["slot"]
            let run = max(10, Int64(niceTicks(0, Double(lastSlot - firstSlot + 1) / 30, count: 1).last ?? 10))
            let kinds = ["primary", "primary+secondary", "multiple-primaries", "secondary", "empty"]
            var groups: [(label: String, counts: [Double])] = []
            var k = 0
            var current: Int64? = nil
            for r in slots {
                let slot: Int64 = r["slot"]
                let key: Int64
                if perEpoch {
                    while k + 1 < starts.count && starts[k + 1].slot <= slot { k += 1 }
                    key = starts[k].epoch
                } else {
                    key = firstSlot + (slot - firstSlot) / run * run
                }
                if current != key { groups.append((String(key), Array(repeating: 0, count: kinds.count))); current = key }
                let outcome: String = r["outcome"]
                let idx = outcome.hasPrefix("multiple-primaries") ? 2 : (kinds.firstIndex(of: outcome) ?? 2)
                groups[groups.count - 1].counts[idx] += 1
            }
            let colors = ["#0072B2", "#E69F00", "#D55E00", "#56B4E9", "#BBBBBB"]
            let names = ["primary", "primary + secondary (fork)", "several primaries (fork)", "secondary", "empty"]
            let chart = BarChart(title: perEpoch ? "Slot outcomes per epoch" : "Slot outcomes per \(run) slots",
                                 xLabel: perEpoch ? "epoch" : "first slot", yLabel: "slots", categories: groups.map(\.label),
                                 stacks: kinds.indices.map { i in .init(name: names[i], values: groups.map { $0.counts[i] }, color: colors[i]) })
            let total = slots.count
            let forked = groups.reduce(0.0) { $0 + $1.counts[1] + $1.counts[2] }
            out.append(.init(file: "slot-outcomes.svg", title: chart.title,
                             caption: "\(total) slots, \(Int(forked)) with more than one block (a fork that fork choice resolves).",
                             svg: chart.svg(id: "slot-outcomes")))
        }
        let blocks = db.rows("SELECT produced_at, number, canonical FROM blocks WHERE run_id = ? ORDER BY produced_at, id", [id])
        if !blocks.isEmpty {
            let canon = blocks.filter { ($0["canonical"] as Int64) == 1 }.map { (x: t($0["produced_at"]), y: Double($0["number"] as Int64)) }
            let orphan = blocks.filter { ($0["canonical"] as Int64) == 0 }.map { (x: t($0["produced_at"]), y: Double($0["number"] as Int64)) }
            let chart = XYChart(title: "Blocks produced", xLabel: timeUnit.label, yLabel: "block number",
                                series: [.init(name: "canonical", points: canon, style: .step), .init(name: "orphaned", points: orphan, style: .points, color: "#D55E00")],
                                xFormat: trim)
            out.append(.init(file: "blocks.svg", title: chart.title, caption: "\(canon.count) canonical and \(orphan.count) orphaned blocks.", svg: chart.svg(id: "blocks")))
        }
        if let h = histogram("block_import_delay", title: "Block-import delay", file: "block-import-delay.svg", unitLabel: "milliseconds", scale: 1e6) { out.append(h) }
        if let h = histogram("block_time", title: "Time between canonical blocks", file: "block-time.svg", unitLabel: "seconds", scale: 1e9) { out.append(h) }
        return out
    }

    // MARK: staking

    func staking() -> [RunReport.Chart] {
        let eras = db.rows("SELECT era, end_time, staking_rate, inflation, staking_inflation, yield, to_stakers, to_treasury, issuance_after, treasury FROM eras WHERE run_id = ? ORDER BY era", [id])
        guard !eras.isEmpty else { return [] }
        var out: [RunReport.Chart] = []
        func series(_ col: String) -> [(x: Double, y: Double)] { eras.map { (t($0["end_time"]), $0[col] as Double) } }
        /// Planck amounts (decimal text) in units of 10^12 (KSM).
        func tokens(_ col: String) -> [(x: Double, y: Double)] {
            eras.map { (t($0["end_time"]), (Double(($0[col] as String?) ?? "0") ?? 0) / 1e12) }
        }
        let curves = InflationCurves(db: db, run: run)
        let ideals = curves.sets.map(\.ideal)
        let rate = XYChart(title: "Staking rate per era", xLabel: timeUnit.label, yLabel: "staked / issuance", series: [.init(name: "staking rate", points: series("staking_rate"))],
                           yMarkers: ideals.enumerated().map { .init(at: $0.element, label: "ideal \(percent($0.element))" + (ideals.count > 1 ? " (\($0.offset == 0 ? "before" : "after"))" : "")) },
                           xFormat: trim, yFormat: percent)
        out.append(.init(file: "staking-rate.svg", title: rate.title, caption: "\(eras.count) eras.", svg: rate.svg(id: "staking-rate")))
        let infl = XYChart(title: "Inflation and yield per era (annualised)", xLabel: timeUnit.label, yLabel: "per year",
                           series: [.init(name: "inflation (all minted)", points: series("inflation")),
                                    .init(name: "staking inflation", points: series("staking_inflation")),
                                    .init(name: "staker yield", points: series("yield"))],
                           xFormat: trim, yFormat: percent)
        out.append(.init(file: "inflation-yield.svg", title: infl.title, caption: "Minted per era over issuance, the part paid to stakers, and that part over the stake, each scaled to a year.", svg: infl.svg(id: "inflation-yield")))
        if !curves.sets.isEmpty {
            var s: [XYChart.Series] = curves.sets.enumerated().map { k, c in
                .init(name: curves.sets.count > 1 ? "curve \(k == 0 ? "before" : "after") (ideal \(percent(c.ideal)))" : "model curve (ideal \(percent(c.ideal)))",
                      points: c.points, style: k == 0 ? .line : .dashed, color: k == 0 ? "#999999" : "#666666")
            }
            let traj = eras.map { (x: $0["staking_rate"] as Double, y: $0["staking_inflation"] as Double) }
            s.append(.init(name: "run (one point per era)", points: traj, style: .points, color: "#0072B2"))
            if let first = traj.first { s.append(.init(name: "first era", points: [first], style: .points, color: "#009E73", radius: 5)) }
            if let last = traj.last { s.append(.init(name: "last era", points: [last], style: .points, color: "#D55E00", radius: 5)) }
            let chart = XYChart(title: "The run on the inflation curve", xLabel: "staking rate", yLabel: "staking inflation per year", series: s,
                                xMarkers: ideals.map { .init(at: $0, label: "ideal \(percent($0))") },
                                xFormat: percent, yFormat: percent, xRange: 0...1)
            out.append(.init(file: "inflation-curve.svg", title: chart.title, caption: "Staking inflation as the model computes it for every staking rate (\(curves.source)), and each era of the run on it.", svg: chart.svg(id: "inflation-curve")))
        }
        let pay = XYChart(title: "Era payouts", xLabel: timeUnit.label, yLabel: "per era (10^12 planck = 1 KSM)",
                          series: [.init(name: "to stakers", points: tokens("to_stakers")), .init(name: "to treasury", points: tokens("to_treasury"))],
                          xFormat: trim)
        out.append(.init(file: "era-payouts.svg", title: pay.title, caption: "Minted at the end of each era.", svg: pay.svg(id: "era-payouts")))
        let iss = XYChart(title: "Issuance and treasury", xLabel: timeUnit.label, yLabel: "10^12 planck (KSM)",
                          series: [.init(name: "total issuance", points: tokens("issuance_after")), .init(name: "treasury", points: tokens("treasury"))],
                          xFormat: trim)
        out.append(.init(file: "issuance-treasury.svg", title: iss.title, caption: "After each era's mint and slashes.", svg: iss.svg(id: "issuance-treasury")))
        return out
    }

    // MARK: governance

    func governance() -> [RunReport.Chart] {
        let refs = db.rows("SELECT referendum, track, call, outcome, submitted, submitted_at, decision_started, decision_started_at, confirm_started, ended, ended_at, enacted, enacted_at FROM referenda WHERE run_id = ? ORDER BY referendum", [id])
        var out: [RunReport.Chart] = []
        for r in refs.prefix(24) {
            let ref: Int64 = r["referendum"]
            let samples = db.rows("SELECT block, at, approval, support_fraction, approval_threshold, support_threshold FROM tally_samples WHERE run_id = ? AND referendum = ? ORDER BY block", [id, ref])
            guard !samples.isEmpty else { continue }
            func pts(_ col: String) -> [(x: Double, y: Double)] {
                samples.compactMap { s in (s[col] as Int64?).map { (t(s["at"]), Double($0) / 1e9) } }
            }
            // Block → time from what is known: the samples and the referendum's own timestamps.
            var known: [(block: Int64, at: Int64)] = samples.map { ($0["block"], $0["at"]) }
            for (b, a) in [("submitted", "submitted_at"), ("decision_started", "decision_started_at"), ("ended", "ended_at"), ("enacted", "enacted_at")] {
                if let bn = r[b] as Int64?, let at = r[a] as Int64? { known.append((bn, at)) }
            }
            known.sort { $0.block < $1.block }
            func time(ofBlock b: Int64) -> Int64? {
                guard let first = known.first, let last = known.last else { return nil }
                if b <= first.block { return first.at - (first.block - b) * 6_000_000_000 }
                if b >= last.block { return last.at + (b - last.block) * 6_000_000_000 }
                let k = known.firstIndex { $0.block >= b }!
                let (b0, t0) = known[k - 1], (b1, t1) = known[k]
                return b1 == b0 ? t0 : t0 + (t1 - t0) * (b - b0) / (b1 - b0)
            }
            var markers: [XYChart.Marker] = []
            if let a = r["decision_started_at"] as Int64? { markers.append(.init(at: t(a), label: "deciding", color: "#0072B2")) }
            if let b = r["confirm_started"] as Int64?, let a = time(ofBlock: b) { markers.append(.init(at: t(a), label: "confirming", color: "#009E73")) }
            if let a = r["ended_at"] as Int64? { markers.append(.init(at: t(a), label: (r["outcome"] as String?) ?? "ended", color: "#D55E00")) }
            if let a = r["enacted_at"] as Int64? { markers.append(.init(at: t(a), label: "enacted", color: "#CC79A7")) }
            let track: String = r["track"] ?? "?"
            let call: String = r["call"] ?? ""
            let chart = XYChart(title: "Referendum \(ref) (\(track)): \(call)", xLabel: timeUnit.label, yLabel: "share",
                                series: [.init(name: "approval", points: pts("approval"), color: "#0072B2"),
                                         .init(name: "approval curve", points: pts("approval_threshold"), style: .dashed, color: "#0072B2"),
                                         .init(name: "support", points: pts("support_fraction"), color: "#E69F00"),
                                         .init(name: "support curve", points: pts("support_threshold"), style: .dashed, color: "#E69F00")],
                                xMarkers: markers, xFormat: trim, yFormat: percent, yRange: 0...1)
            out.append(.init(file: "referendum-\(ref).svg", title: chart.title,
                             caption: "Outcome: \((r["outcome"] as String?) ?? "?"). Curves are the track's thresholds at the elapsed fraction of the decision period (drawn while deciding); \(samples.count) tally samples.",
                             svg: chart.svg(id: "referendum-\(ref)")))
        }
        return out
    }

    // MARK: parachains

    /// Inclusion latency and approval lag per candidate, from the parachain layer's
    /// `para_candidates` table (`backed_at`, `included_at`, `approved_at`).
    func parachains() -> [RunReport.Chart] {
        let rows = db.rows("SELECT backed_at, included_at, approved_at FROM para_candidates WHERE run_id = ? ORDER BY backed_at, candidate", [id])
        guard !rows.isEmpty else { return [] }
        func pts(_ from: String, _ to: String) -> [(x: Double, y: Double)] {
            rows.compactMap { r in
                guard let a = r[from] as Int64?, let b = r[to] as Int64? else { return nil }
                return (t(a), Double(b - a) / 1e9)
            }
        }
        let chart = XYChart(title: "Parachain inclusion latency and approval lag", xLabel: timeUnit.label, yLabel: "seconds",
                            series: [.init(name: "backed → included", points: pts("backed_at", "included_at"), style: .points),
                                     .init(name: "included → approved", points: pts("included_at", "approved_at"), style: .points)],
                            xFormat: trim, yFormat: trim)
        return [.init(file: "parachains.svg", title: chart.title, caption: "\(rows.count) candidates.", svg: chart.svg(id: "parachains"))]
    }

    // MARK: network

    func network() -> [RunReport.Chart] {
        var out: [RunReport.Chart] = []
        let classes = db.rows("SELECT class, delivered, dropped_loss, dropped_partition, dropped_crash, bytes_delivered FROM message_counts WHERE run_id = ? ORDER BY class", [id])
        func col(_ c: String) -> [Double] { classes.map { Double($0[c] as Int64) } }
        // Models without network traffic (statistical staking) have all-zero counters: no charts.
        if !classes.isEmpty && (col("delivered") + col("dropped_loss") + col("dropped_partition") + col("dropped_crash")).contains(where: { $0 > 0 }) {
            let chart = BarChart(title: "Network traffic by message class", xLabel: "message class", yLabel: "message copies",
                                 categories: classes.map { $0["class"] as String },
                                 stacks: [.init(name: "delivered", values: col("delivered"), color: "#009E73"),
                                          .init(name: "lost", values: col("dropped_loss"), color: "#E69F00"),
                                          .init(name: "partition", values: col("dropped_partition"), color: "#D55E00"),
                                          .init(name: "crash", values: col("dropped_crash"), color: "#CC79A7")])
            let bytes = classes.map { "\($0["class"] as String) \(axisNumber(Double($0["bytes_delivered"] as Int64)))B" }.joined(separator: ", ")
            out.append(.init(file: "traffic-by-class.svg", title: chart.title, caption: "Bytes delivered: \(bytes).", svg: chart.svg(id: "traffic-by-class")))
        }
        func samples(_ name: String) -> [(x: Double, y: Double)] {
            db.rows("SELECT time_ns, value FROM metric_samples WHERE run_id = ? AND name = ? AND node = -1 ORDER BY time_ns", [id, name])
                .map { (t($0["time_ns"]), $0["value"] as Double) }
        }
        let delivered = samples("messages.delivered")
        if delivered.count > 1 && delivered.contains(where: { $0.y > 0 }) {
            var rate: [(x: Double, y: Double)] = []
            for k in 1..<delivered.count {
                let dt = (delivered[k].x - delivered[k - 1].x) * timeUnit.ns / 1e9
                if dt > 0 { rate.append((delivered[k].x, (delivered[k].y - delivered[k - 1].y) / dt)) }
            }
            let chart = XYChart(title: "Messages delivered per second", xLabel: timeUnit.label, yLabel: "copies / s",
                                series: [.init(name: "delivered", points: rate, style: .step)], xFormat: trim)
            out.append(.init(file: "delivery-rate.svg", title: chart.title, caption: "Between consecutive samples.", svg: chart.svg(id: "delivery-rate")))
        }
        let inflight = samples("messages.in_flight"), up = samples("nodes.up")
        if inflight.contains(where: { $0.y > 0 }) {
            let chart = XYChart(title: "Messages in flight", xLabel: timeUnit.label, yLabel: "copies", series: [.init(name: "in flight", points: inflight)], xFormat: trim)
            out.append(.init(file: "in-flight.svg", title: chart.title, caption: "Copies sent and not yet delivered or dropped.", svg: chart.svg(id: "in-flight")))
        }
        if !up.isEmpty && Set(up.map(\.y)).count > 1 {
            let chart = XYChart(title: "Nodes up", xLabel: timeUnit.label, yLabel: "nodes", series: [.init(name: "up", points: up, style: .step)], xFormat: trim)
            out.append(.init(file: "nodes-up.svg", title: chart.title, caption: "Crashes and restarts of the scenario's timeline.", svg: chart.svg(id: "nodes-up")))
        }
        return out
    }
}
