// Text and JSON renderings of track tables and curve samples (used by `canary governance`).

/// One evaluation of a track's curves: `elapsed` blocks after deciding began.
public struct CurvePoint: Sendable, Hashable {
    public var elapsed: BlockNumber
    /// The elapsed fraction `is_passing` uses (Perbill, rounded down).
    public var x: Perbill
    public var approval: Perbill
    public var support: Perbill
}

extension TrackInfo {
    /// The thresholds at `elapsed`.
    public func curvePoint(elapsed: BlockNumber) -> CurvePoint {
        let x = Curve.elapsedFraction(elapsed: elapsed, period: decisionPeriod)
        return CurvePoint(elapsed: elapsed, x: x, approval: minApproval.threshold(at: x), support: minSupport.threshold(at: x))
    }

    /// Samples every `step` blocks from 0 to the end of the decision period (both ends included).
    /// `step` defaults to 1/28 of the period (12 h on a 14-day track).
    public func curvePoints(step: BlockNumber? = nil) -> [CurvePoint] {
        let s = Swift.max(1, step ?? Swift.max(1, decisionPeriod / 28))
        var out: [CurvePoint] = []
        var t: BlockNumber = 0
        while t < decisionPeriod {
            out.append(curvePoint(elapsed: t))
            let (n, o) = t.addingReportingOverflow(s)
            if o { break }
            t = n
        }
        out.append(curvePoint(elapsed: decisionPeriod))
        return out
    }
}

/// Formatting helpers for the CLI and the docs. Output is deterministic (fixed key order).
public enum TrackReport {
    /// A Perbill as a percentage with up to 7 decimals, trailing zeros trimmed: `46.4285715%`.
    public static func percent(_ p: Perbill) -> String {
        let whole = p.parts / 10_000_000
        let frac = p.parts % 10_000_000
        if frac == 0 { return "\(whole)%" }
        var f = String(frac)
        f = String(repeating: "0", count: 7 - f.count) + f
        while f.hasSuffix("0") { f.removeLast() }
        return "\(whole).\(f)%"
    }

    /// A balance in planck as KSM with 4 decimals (display only; truncated).
    public static func ksm(_ planck: Balance) -> String {
        let whole = planck / Kusama.units
        let frac = (planck % Kusama.units) / 100_000_000
        let f = String(frac)
        return "\(whole).\(String(repeating: "0", count: 4 - f.count))\(f)"
    }

    static func curveText(_ c: Curve) -> String {
        "\(c.kindName)(" + c.constants.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + ")"
    }

    static func curveJSON(_ c: Curve) -> String {
        "{\"type\":\"\(c.kindName)\"," + c.constants.map { "\"\($0.name)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// The track table as aligned text: one line per track, then each track's curve constants.
    public static func tracksText(_ table: TrackTable, preset: String) -> String {
        var rows: [[String]] = [["id", "name", "max_deciding", "decision_deposit", "prepare", "decision", "confirm", "min_enactment"]]
        for t in table.tracks {
            rows.append([String(t.id), t.name, String(t.maxDeciding), ksm(t.decisionDeposit) + " KSM",
                         period(t.preparePeriod), period(t.decisionPeriod), period(t.confirmPeriod), period(t.minEnactmentPeriod)])
        }
        var widths = [Int](repeating: 0, count: rows[0].count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = Swift.max(widths[i], c.count) } }
        var out = "Tracks (\(preset)): \(table.tracks.count); periods in 6 s blocks\n"
        for r in rows {
            let cells = r.enumerated().map { i, c in
                i == 1 ? c.padding(widths[i]) : String(repeating: " ", count: widths[i] - c.count) + c
            }
            out += cells.joined(separator: "  ") + "\n"
        }
        out += "\nCurves (Perbill parts / FixedI64 inner, 1e9 = 100%):\n"
        let nameWidth = table.tracks.map(\.name.count).max() ?? 0
        for t in table.tracks {
            out += "  \(t.name.padding(nameWidth))  approval \(curveText(t.minApproval))\n"
            out += "  \(String(repeating: " ", count: nameWidth))  support  \(curveText(t.minSupport))\n"
        }
        return out
    }

    static func period(_ b: BlockNumber) -> String { "\(b) (\(BlockDuration.format(b)))" }

    /// The track table as JSON: every field and curve constant as an integer.
    public static func tracksJSON(_ table: TrackTable, preset: String) -> String {
        let items = table.tracks.map { t in
            "{\"id\":\(t.id),\"name\":\(jsonString(t.name)),"
                + "\"origins\":[\(t.origins.map { jsonString($0.name) }.joined(separator: ","))],"
                + "\"max_deciding\":\(t.maxDeciding),\"decision_deposit\":\(t.decisionDeposit),"
                + "\"prepare_period\":\(t.preparePeriod),\"decision_period\":\(t.decisionPeriod),"
                + "\"confirm_period\":\(t.confirmPeriod),\"min_enactment_period\":\(t.minEnactmentPeriod),"
                + "\"min_approval\":\(curveJSON(t.minApproval)),\"min_support\":\(curveJSON(t.minSupport))}"
        }
        return "{\"preset\":\(jsonString(preset)),\"tracks\":[\n" + items.joined(separator: ",\n") + "\n]}"
    }

    static func pointJSON(_ p: CurvePoint) -> String {
        "{\"elapsed\":\(p.elapsed),\"x\":\(p.x.parts),\"approval\":\(p.approval.parts),\"support\":\(p.support.parts)}"
    }

    /// One point as JSON: `{"track":"root","decision_period":201600,"elapsed":14400,"x":..,"approval":..,"support":..}`.
    public static func pointJSON(track: TrackInfo, _ p: CurvePoint) -> String {
        "{\"track\":\(jsonString(track.name)),\"id\":\(track.id),\"decision_period\":\(track.decisionPeriod),"
            + pointJSON(p).dropFirst()
    }

    /// Samples as JSON: `{"track":..,"decision_period":..,"points":[{elapsed,x,approval,support}, ...]}`.
    public static func pointsJSON(track: TrackInfo, _ points: [CurvePoint]) -> String {
        "{\"track\":\(jsonString(track.name)),\"id\":\(track.id),\"decision_period\":\(track.decisionPeriod),"
            + "\"min_approval\":\(curveJSON(track.minApproval)),\"min_support\":\(curveJSON(track.minSupport)),"
            + "\"points\":[\n" + points.map { pointJSON($0) }.joined(separator: ",\n") + "\n]}"
    }

    /// Samples as text: elapsed blocks and time, x, approval and support thresholds.
    public static func pointsText(track: TrackInfo, _ points: [CurvePoint]) -> String {
        var out = "Track \(track.id) \(track.name): decision period \(period(track.decisionPeriod))\n"
        out += "  approval \(curveText(track.minApproval))\n  support  \(curveText(track.minSupport))\n"
        let rows = [["elapsed", "time", "x", "approval", "support"]] + points.map {
            [String($0.elapsed), BlockDuration.format($0.elapsed), percent($0.x), percent($0.approval), percent($0.support)]
        }
        var widths = [Int](repeating: 0, count: 5)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = Swift.max(widths[i], c.count) } }
        for r in rows {
            out += r.enumerated().map { i, c in String(repeating: " ", count: widths[i] - c.count) + c }
                .joined(separator: "  ") + "\n"
        }
        return out
    }

    /// Resolves a track by name (`root`) or id (`0`).
    public static func resolve(_ key: String, in table: TrackTable) -> TrackInfo? {
        if let t = table.track(named: key) { return t }
        if let t = table.track(named: key.replacingDashes()) { return t }
        if let id = TrackId(key) { return table.track(id: id) }
        return nil
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: Swift.max(0, width - count)) }
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
