import Foundation

// SVG charts for reports, drawn directly. The package mirror has no Swift charting library
// (Plot writes HTML, not charts), and the report must be one offline file with inline SVG and
// no scripts; three chart kinds (lines/points with markers, stacked bars, histograms) are all it
// needs. Output is deterministic: fixed formatting of every number, no ids from randomness.

/// Colours of series, in order (colour-blind-safe, after Okabe–Ito).
let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]

/// A chart number: one decimal, no "-0.0".
func n(_ v: Double) -> String {
    let s = String(format: "%.1f", v)
    return s == "-0.0" ? "0.0" : s
}

/// Tick values between lo and hi at a 1/2/5 × 10^k step, about `count` of them.
func niceTicks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
    guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
    let raw = (hi - lo) / Double(count)
    let mag = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
    var t = (lo / step).rounded(.up) * step
    var out: [Double] = []
    while t <= hi + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
    return out
}

/// A plain number for axis labels: up to 3 significant decimals, thousands as k/M/G.
public func axisNumber(_ v: Double) -> String {
    let a = abs(v)
    if a >= 1e12 { return trim(v / 1e12) + "T" }
    if a >= 1e9 { return trim(v / 1e9) + "G" }
    if a >= 1e6 { return trim(v / 1e6) + "M" }
    if a >= 1e4 { return trim(v / 1e3) + "k" }
    return trim(v)
}

func trim(_ v: Double) -> String {
    var s = String(format: "%.3f", v)
    while s.contains(".") && (s.hasSuffix("0") || s.hasSuffix(".")) { s.removeLast() }
    return s == "-0" ? "0" : s
}

func percent(_ v: Double) -> String { trim(v * 100) + "%" }

func xmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// At most `limit` points, keeping the first and last (every k-th point: deterministic).
func thin<T>(_ xs: [T], limit: Int = 1500) -> [T] {
    guard xs.count > limit, limit > 1 else { return xs }
    let k = Int((Double(xs.count) / Double(limit)).rounded(.up))
    var out = stride(from: 0, to: xs.count, by: k).map { xs[$0] }
    if (xs.count - 1) % k != 0 { out.append(xs[xs.count - 1]) }
    return out
}

/// A chart with numeric x and y: lines, step lines or points, with vertical and horizontal
/// marker lines (phases, ideal rates, thresholds).
struct XYChart {
    enum Style { case line, step, points, dashed }
    struct Series { var name: String; var points: [(x: Double, y: Double)]; var style: Style = .line; var color: String? = nil; var radius: Double = 2 }
    struct Marker { var at: Double; var label: String; var color: String = "#666666" }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var xMarkers: [Marker] = []
    var yMarkers: [Marker] = []
    var xFormat: (Double) -> String = axisNumber
    var yFormat: (Double) -> String = axisNumber
    var yFromZero = true
    var xRange: ClosedRange<Double>? = nil
    var yRange: ClosedRange<Double>? = nil

    var isEmpty: Bool { series.allSatisfy { $0.points.isEmpty } }

    /// - Parameter id: unique within a page (several charts are inlined in one HTML file).
    func svg(id: String, width: Double = 760, height: Double = 320) -> String {
        let left = 70.0, right = 20.0, top = 34.0, bottom = 48.0 + (series.count > 1 ? 18 : 0)
        let pw = width - left - right, ph = height - top - bottom
        let all = series.flatMap(\.points)
        var x0 = xRange?.lowerBound ?? (all.map(\.x).min() ?? 0), x1 = xRange?.upperBound ?? (all.map(\.x).max() ?? 1)
        for m in xMarkers { x0 = min(x0, m.at); x1 = max(x1, m.at) }
        var y0 = yRange?.lowerBound ?? (all.map(\.y).min() ?? 0), y1 = yRange?.upperBound ?? (all.map(\.y).max() ?? 1)
        for m in yMarkers { y0 = min(y0, m.at); y1 = max(y1, m.at) }
        if yFromZero && yRange == nil { y0 = min(0, y0) }
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y1 = y0 + (y0 == 0 ? 1 : abs(y0) * 0.1) }
        if yRange == nil { y1 += (y1 - y0) * 0.05 }
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + ph - (y - y0) / (y1 - y0) * ph }

        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<title>\(xmlEscape(title))</title>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>\n"
        s += "<text x=\"\(n(left))\" y=\"20\" font-size=\"14\" font-weight=\"bold\">\(xmlEscape(title))</text>\n"
        // Grid and ticks.
        for t in niceTicks(y0, y1) {
            s += "<line x1=\"\(n(left))\" x2=\"\(n(left + pw))\" y1=\"\(n(py(t)))\" y2=\"\(n(py(t)))\" stroke=\"#e5e5e5\"/>"
            s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(t) + 4))\" text-anchor=\"end\">\(xmlEscape(yFormat(t)))</text>\n"
        }
        for t in niceTicks(x0, x1, count: 6) {
            s += "<line x1=\"\(n(px(t)))\" x2=\"\(n(px(t)))\" y1=\"\(n(top + ph))\" y2=\"\(n(top + ph + 4))\" stroke=\"#333333\"/>"
            s += "<text x=\"\(n(px(t)))\" y=\"\(n(top + ph + 16))\" text-anchor=\"middle\">\(xmlEscape(xFormat(t)))</text>\n"
        }
        s += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(pw))\" height=\"\(n(ph))\" fill=\"none\" stroke=\"#333333\"/>\n"
        s += "<text x=\"\(n(left + pw / 2))\" y=\"\(n(top + ph + 32))\" text-anchor=\"middle\">\(xmlEscape(xLabel))</text>\n"
        s += "<text transform=\"translate(14 \(n(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(xmlEscape(yLabel))</text>\n"
        // Markers.
        for (k, m) in xMarkers.enumerated() {
            s += "<line x1=\"\(n(px(m.at)))\" x2=\"\(n(px(m.at)))\" y1=\"\(n(top))\" y2=\"\(n(top + ph))\" stroke=\"\(m.color)\" stroke-dasharray=\"4 3\"/>"
            // Labels in rows (markers can be close together), right-aligned near the right edge.
            let nearRight = px(m.at) + Double(m.label.count) * 6.5 > left + pw
            let lx = nearRight ? px(m.at) - 3 : px(m.at) + 3
            s += "<text x=\"\(n(lx))\" y=\"\(n(top + 11 + Double(k % 4) * 12))\"\(nearRight ? " text-anchor=\"end\"" : "") fill=\"\(m.color)\">\(xmlEscape(m.label))</text>\n"
        }
        for m in yMarkers {
            s += "<line x1=\"\(n(left))\" x2=\"\(n(left + pw))\" y1=\"\(n(py(m.at)))\" y2=\"\(n(py(m.at)))\" stroke=\"\(m.color)\" stroke-dasharray=\"4 3\"/>"
            s += "<text x=\"\(n(left + pw - 3))\" y=\"\(n(py(m.at) - 3))\" text-anchor=\"end\" fill=\"\(m.color)\">\(xmlEscape(m.label))</text>\n"
        }
        // Series, clipped to the plot area.
        s += "<clipPath id=\"clip-\(id)\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(pw))\" height=\"\(n(ph))\"/></clipPath>\n<g clip-path=\"url(#clip-\(id))\">\n"
        for (i, se) in series.enumerated() where !se.points.isEmpty {
            let color = se.color ?? palette[i % palette.count]
            let pts = thin(se.points)
            switch se.style {
            case .points:
                for p in pts { s += "<circle cx=\"\(n(px(p.x)))\" cy=\"\(n(py(p.y)))\" r=\"\(n(se.radius))\" fill=\"\(color)\"/>" }
                s += "\n"
            case .line, .dashed, .step:
                var d = ""
                for (k, p) in pts.enumerated() {
                    if k == 0 { d += "M\(n(px(p.x))) \(n(py(p.y)))"; continue }
                    if se.style == .step { d += "H\(n(px(p.x)))V\(n(py(p.y)))" } else { d += "L\(n(px(p.x))) \(n(py(p.y)))" }
                }
                let dash = se.style == .dashed ? " stroke-dasharray=\"6 4\"" : ""
                s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"\(dash)/>\n"
            }
        }
        s += "</g>\n"
        // Legend.
        if series.count > 1 {
            var lx = left
            let ly = height - 10
            for (i, se) in series.enumerated() {
                let color = se.color ?? palette[i % palette.count]
                switch se.style {
                case .points: s += "<circle cx=\"\(n(lx + 8))\" cy=\"\(n(ly - 4))\" r=\"\(n(max(2.5, se.radius)))\" fill=\"\(color)\"/>"
                case .dashed: s += "<line x1=\"\(n(lx))\" x2=\"\(n(lx + 16))\" y1=\"\(n(ly - 4))\" y2=\"\(n(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>"
                case .line, .step: s += "<line x1=\"\(n(lx))\" x2=\"\(n(lx + 16))\" y1=\"\(n(ly - 4))\" y2=\"\(n(ly - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                }
                s += "<text x=\"\(n(lx + 20))\" y=\"\(n(ly))\">\(xmlEscape(se.name))</text>\n"
                lx += 30 + Double(se.name.count) * 6.5
            }
        }
        s += "</svg>\n"
        return s
    }
}

/// Stacked bars, one per category (epochs, message classes).
struct BarChart {
    struct Stack { var name: String; var values: [Double]; var color: String? = nil }
    var title: String
    var xLabel: String
    var yLabel: String
    var categories: [String]
    var stacks: [Stack]
    var yFormat: (Double) -> String = axisNumber

    var isEmpty: Bool { categories.isEmpty }

    func svg(id: String, width: Double = 760, height: Double = 320) -> String {
        let left = 70.0, right = 20.0, top = 34.0, bottom = 66.0
        let pw = width - left - right, ph = height - top - bottom
        let totals = categories.indices.map { i in stacks.reduce(0) { $0 + max(0, $1.values[i]) } }
        var y1 = totals.max() ?? 1
        if y1 <= 0 { y1 = 1 }
        y1 *= 1.05
        func py(_ y: Double) -> Double { top + ph - y / y1 * ph }
        let slot = pw / Double(max(1, categories.count))
        let barW = max(1, slot * 0.8)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<title>\(xmlEscape(title))</title>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>\n"
        s += "<text x=\"\(n(left))\" y=\"20\" font-size=\"14\" font-weight=\"bold\">\(xmlEscape(title))</text>\n"
        for t in niceTicks(0, y1) {
            s += "<line x1=\"\(n(left))\" x2=\"\(n(left + pw))\" y1=\"\(n(py(t)))\" y2=\"\(n(py(t)))\" stroke=\"#e5e5e5\"/>"
            s += "<text x=\"\(n(left - 6))\" y=\"\(n(py(t) + 4))\" text-anchor=\"end\">\(xmlEscape(yFormat(t)))</text>\n"
        }
        // Category labels at most every ~60 px, so they never overlap.
        let labelWidth = Double(categories.map(\.count).max() ?? 1) * 6.5 + 8
        let labelEvery = max(1, Int((labelWidth / slot).rounded(.up)))
        for (i, c) in categories.enumerated() {
            var y = 0.0
            let x = left + Double(i) * slot + (slot - barW) / 2
            for (k, st) in stacks.enumerated() {
                let v = max(0, st.values[i])
                guard v > 0 else { continue }
                let color = st.color ?? palette[k % palette.count]
                s += "<rect x=\"\(n(x))\" y=\"\(n(py(y + v)))\" width=\"\(n(barW))\" height=\"\(n(py(y) - py(y + v)))\" fill=\"\(color)\"><title>\(xmlEscape("\(c) \(st.name): \(yFormat(v))"))</title></rect>"
                y += v
            }
            if i % labelEvery == 0 {
                s += "<text x=\"\(n(left + (Double(i) + 0.5) * slot))\" y=\"\(n(top + ph + 14))\" text-anchor=\"middle\">\(xmlEscape(c))</text>"
            }
            s += "\n"
        }
        s += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(pw))\" height=\"\(n(ph))\" fill=\"none\" stroke=\"#333333\"/>\n"
        s += "<text x=\"\(n(left + pw / 2))\" y=\"\(n(top + ph + 30))\" text-anchor=\"middle\">\(xmlEscape(xLabel))</text>\n"
        s += "<text transform=\"translate(14 \(n(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(xmlEscape(yLabel))</text>\n"
        var lx = left
        for (k, st) in stacks.enumerated() {
            let color = st.color ?? palette[k % palette.count]
            s += "<rect x=\"\(n(lx))\" y=\"\(n(height - 19))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            s += "<text x=\"\(n(lx + 14))\" y=\"\(n(height - 10))\">\(xmlEscape(st.name))</text>\n"
            lx += 24 + Double(st.name.count) * 6.5
        }
        s += "</svg>\n"
        return s
    }
}
