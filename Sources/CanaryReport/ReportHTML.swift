import Foundation
import CanaryEngine
import CanaryScenario
import Mustache

extension RunReport {
    /// The report as one self-contained HTML page: inline CSS and SVG, no scripts, no fonts or
    /// anything else fetched, so it reads offline. Rendered with swift-mustache from
    /// `ReportTemplate.page` (values HTML-escaped by the template engine; charts inserted raw).
    public func html() throws -> String {
        let template = try MustacheTemplate(string: ReportTemplate.page)
        return template.render(context())
    }

    /// The page's values.
    func context() -> [String: Any] {
        let desc = run.scenarioText.flatMap { try? ScenarioDecoder.decode(yaml: $0) }?.description
        let simulated = Double(run.simulatedNs) / 1e9
        var info: [[String: Any]] = [
            ["key": "run", "value": "#\(run.id), status \(run.status)"],
            ["key": "seed", "value": String(run.seed)],
            ["key": "simulated", "value": SimTime(nanoseconds: run.simulatedNs).description + " (\(trim(simulated)) s), \(run.events) events"],
        ]
        if let f = run.file { info.append(["key": "scenario file", "value": f]) }
        if let d = run.digest { info.append(["key": "digest", "value": d]) }
        info.append(["key": "simulator", "value": "Canary " + (run.simulatorVersion ?? "(version not recorded)")])
        let exps: [[String: Any]] = expectations.map {
            ["text": $0.text, "result": $0.passed ? "pass" : "FAIL", "class": $0.passed ? "pass" : "fail", "observed": Self.observedText($0)]
        }
        let scalarRows: [[String: Any]] = scalars.map { s in
            ["name": s.name, "value": RunDiff.format(s.value, MetricCatalog.find(s.name)?.unit ?? .count)]
        }
        let distRows: [[String: Any]] = distributions.map { d in
            let u = MetricCatalog.find(d.name)?.unit ?? .count
            let h = d.histogram
            func q(_ p: Double) -> String { RunDiff.format(h.quantile(p).map(Double.init), u) }
            return ["name": d.name, "count": String(h.total), "p50": q(0.5), "p90": q(0.9), "p99": q(0.99),
                    "mean": RunDiff.format(h.mean, u), "max": RunDiff.format(h.total > 0 ? Double(h.maxValue) : nil, u)]
        }
        let sectionRows: [[String: Any]] = sections.map { s in
            ["heading": s.heading, "intro": s.intro, "hasIntro": !s.intro.isEmpty,
             "charts": s.charts.map { ["svg": $0.svg, "file": $0.file, "caption": $0.caption, "title": $0.title] }]
        }
        let failed = expectations.filter { !$0.passed }.count
        return [
            "scenario": run.scenario,
            "description": desc ?? "",
            "hasDescription": desc != nil,
            "info": info,
            "verdict": expectations.isEmpty ? "no expectations" : (failed == 0 ? "all \(expectations.count) expectations hold" : "\(failed) of \(expectations.count) expectations failed"),
            "verdictClass": failed == 0 ? "pass" : "fail",
            "expectations": exps,
            "hasExpectations": !exps.isEmpty,
            "sections": sectionRows,
            "scalars": scalarRows,
            "distributions": distRows,
            "hasDistributions": !distRows.isEmpty,
            "scenarioText": run.scenarioText ?? "",
            "hasScenarioText": run.scenarioText != nil,
        ]
    }
}

/// The report page. Kept in the source (not a resource file) so the `canary` binary works
/// wherever it is copied.
enum ReportTemplate {
    static let page = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{scenario}} — Canary report</title>
    <style>
    body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; padding: 0 1em; color: #222; line-height: 1.4; }
    h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
    table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.92em; }
    th, td { text-align: left; padding: 0.25em 0.8em 0.25em 0; border-bottom: 1px solid #eee; vertical-align: top; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    .pass { color: #006d2c; font-weight: bold; } .fail { color: #b30000; font-weight: bold; }
    .verdict { font-size: 1.1em; margin: 0.6em 0; }
    figure { margin: 1.2em 0; } figcaption { font-size: 0.9em; color: #555; }
    figure svg { max-width: 100%; height: auto; border: 1px solid #eee; }
    pre { background: #f6f6f6; padding: 1em; overflow-x: auto; font-size: 0.88em; }
    code { font-size: 0.95em; }
    </style>
    </head>
    <body>
    <h1>{{scenario}}</h1>
    {{#hasDescription}}<p>{{description}}</p>{{/hasDescription}}
    <table>
    {{#info}}<tr><th>{{key}}</th><td><code>{{value}}</code></td></tr>
    {{/info}}
    </table>

    <h2>Expectations</h2>
    <p class="verdict {{verdictClass}}">{{verdict}}</p>
    {{#hasExpectations}}
    <table>
    <tr><th>expectation</th><th>result</th><th>observed</th></tr>
    {{#expectations}}<tr><td><code>{{text}}</code></td><td class="{{class}}">{{result}}</td><td class="num">{{observed}}</td></tr>
    {{/expectations}}
    </table>
    {{/hasExpectations}}

    {{#sections}}
    <h2>{{heading}}</h2>
    {{#hasIntro}}<p>{{intro}}</p>{{/hasIntro}}
    {{#charts}}
    <figure>
    {{{svg}}}
    <figcaption>{{caption}} (<a href="{{file}}">{{file}}</a>)</figcaption>
    </figure>
    {{/charts}}
    {{/sections}}

    <h2>Metrics</h2>
    <table>
    <tr><th>metric</th><th>value</th></tr>
    {{#scalars}}<tr><td><code>{{name}}</code></td><td class="num">{{value}}</td></tr>
    {{/scalars}}
    </table>
    {{#hasDistributions}}
    <table>
    <tr><th>distribution</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>mean</th><th>max</th></tr>
    {{#distributions}}<tr><td><code>{{name}}</code></td><td class="num">{{count}}</td><td class="num">{{p50}}</td><td class="num">{{p90}}</td><td class="num">{{p99}}</td><td class="num">{{mean}}</td><td class="num">{{max}}</td></tr>
    {{/distributions}}
    </table>
    {{/hasDistributions}}

    {{#hasScenarioText}}
    <h2>Scenario</h2>
    <pre>{{scenarioText}}</pre>
    {{/hasScenarioText}}
    <p><small>Made by <code>canary report</code> from the run's result database.</small></p>
    </body>
    </html>

    """
}
