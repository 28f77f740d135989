import Foundation
import Yams
import CanaryEngine

/// Turns a sweep file into a `Sweep`. Each point is built the way a user would edit the base
/// scenario by hand: the overrides replace nodes of the base file's YAML tree, and the result
/// goes through the normal scenario decoder, so an overridden value is checked exactly like a
/// written one. Problems are reported all at once with `file:line:column`; a problem in an
/// overridden value points at the sweep file, where the value was written.
public enum SweepDecoder {
    public static func load(path: String) throws(ScenarioError) -> Sweep {
        guard let text = readText(path) else {
            throw ScenarioError([Diagnostic(file: path, location: .init(line: 1, column: 1),
                                            message: "cannot read the file (does it exist, and is it readable, UTF-8 text?)")])
        }
        return try decode(yaml: text, file: path)
    }

    /// True when the file is a sweep rather than a scenario (a mapping with `grid` or `base`),
    /// so `canary validate` can check both kinds.
    public static func isSweepFile(path: String) -> Bool {
        guard let text = readText(path), let root = try? Yams.compose(yaml: text), case .mapping(let m) = root else { return false }
        return m["grid"] != nil || m["base"] != nil
    }

    static func readText(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
    }

    static func compose(_ yaml: String, file: String, what: String) throws(ScenarioError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ScenarioError([Diagnostic(file: file, location: .init(line: 1, column: 1), message: "the file is empty; expected \(what)")])
            }
            return node
        } catch let e as ScenarioError {
            throw e
        } catch let e as YamlError {
            throw ScenarioError([ScenarioDecoder.syntaxDiagnostic(e, file: file)])
        } catch {
            throw ScenarioError([Diagnostic(file: file, location: .init(line: 1, column: 1), message: "invalid YAML: \(error)")])
        }
    }

    /// Decodes a sweep whose base path is resolved against `file`'s directory.
    public static func decode(yaml: String, file: String) throws(ScenarioError) -> Sweep {
        let root = try compose(yaml, file: file, what: "a sweep mapping with name, base and grid")
        var r = YAMLReader(file: file)
        guard let top = r.object(root, SweepFormat.root, context: "the sweep") else { throw ScenarioError(r.diagnostics) }
        let name = top["name"].flatMap { r.string($0.value, "name") }
        let description = top["description"].flatMap { r.string($0.value, "description") }

        // The base scenario, composed (not yet decoded: the overrides go into its tree first).
        var base: (path: String, text: String, root: Node)?
        if let b = top["base"], let rel = r.string(b.value, "base") {
            let dir = URL(fileURLWithPath: file).absoluteURL.deletingLastPathComponent()
            let path = rel.hasPrefix("/") ? rel : dir.appendingPathComponent(rel).standardized.relativePath(from: file)
            if let text = readText(path) {
                do throws(ScenarioError) {
                    base = (path, text, try compose(text, file: path, what: "a scenario mapping"))
                } catch {
                    r.diagnostics += error.diagnostics
                }
            } else {
                r.error(b.value, "cannot read the base scenario '\(path)' (the path is relative to the sweep file)")
            }
        }

        // The grid and the constant overrides: paths checked against the scenario format.
        var parameters: [(path: [String], key: Node, values: [Node])] = []
        if let g = top["grid"] {
            if case .mapping(let m) = g.value {
                if m.count == 0 { r.error(g.value, "grid needs at least one parameter, e.g. staking.inflation.ideal: [60%, 70%]") }
                for (k, v) in m {
                    guard let path = checkedPath(k, &r, forGrid: true) else { continue }
                    if parameters.contains(where: { $0.path == path }) { r.error(k, "parameter '\(path.joined(separator: "."))' is listed twice"); continue }
                    guard let values = r.sequence(v, "the values of \(path.joined(separator: "."))") else { continue }
                    if values.isEmpty { r.error(v, "\(path.joined(separator: ".")) needs at least one value") }
                    parameters.append((path, k, values))
                }
            } else {
                r.error(g.value, "grid must map scenario paths to lists of values, e.g. staking.inflation.ideal: [60%, 70%]")
            }
        }
        var constants: [(path: [String], key: Node, value: Node)] = []
        if let s = top["set"] {
            if case .mapping(let m) = s.value {
                for (k, v) in m {
                    guard let path = checkedPath(k, &r, forGrid: false) else { continue }
                    if parameters.contains(where: { $0.path == path }) {
                        r.error(k, "'\(path.joined(separator: "."))' is both in set and in grid; keep one")
                    }
                    constants.append((path, k, v))
                }
            } else {
                r.error(s.value, "set must map scenario paths to values, e.g. duration: 365d")
            }
        }
        var seeds: [UInt64]? = nil
        var seedCount = 1
        if let s = top["seeds"] {
            if case .sequence(let list) = s.value {
                let parsed = list.compactMap { r.integer($0, min: 0, max: .max, "a seed").map(UInt64.init) }
                if list.isEmpty { r.error(s.value, "seeds: list at least one seed, or give a count") }
                if Set(parsed).count != parsed.count { r.error(s.value, "seeds: a seed is listed twice") }
                seeds = parsed
            } else if let n = r.integer(s.value, min: 1, max: 100_000, "seeds (a count, or a list of seeds)") {
                seedCount = Int(n)
            }
        }
        var expectTemplates: [Node]? = nil
        if let e = top["expect"], let list = r.sequence(e.value, "expect") {
            expectTemplates = list.filter { r.string($0, "an expectation") != nil }
        }
        var metrics: [String] = []
        if let m = top["metrics"], let list = r.sequence(m.value, "metrics") {
            for item in list {
                guard let s = r.string(item, "a metric name") else { continue }
                if case .failure(let e) = keyMetric(s) {
                    let message = e.message.components(separatedBy: "; known metrics").first!  // `canary metrics` lists them
                    r.error(item, "key metric '\(s)': \(message); `canary metrics` lists them"); continue
                }
                metrics.append(s)
            }
        }
        // Placeholders in expectations must name grid parameters.
        let names = parameters.map { $0.path.joined(separator: ".") }
        for t in expectTemplates ?? [] {
            for problem in placeholderProblems(t.scalar?.string ?? "", names: names) { r.error(t, problem) }
        }
        guard r.diagnostics.isEmpty, let name, let base else {
            throw ScenarioError(r.diagnostics.isEmpty ? [Diagnostic(file: file, location: .init(line: 1, column: 1), message: "invalid sweep")] : r.diagnostics)
        }

        // The sweep's nodes again, composed with their lines shifted past the end of the base
        // file: overridden nodes keep positions that cannot be mistaken for the base file's, and
        // diagnostics on them are mapped back to the sweep file.
        let shift = base.text.reduce(into: 2) { n, c in if c == "\n" { n += 1 } }
        let shifted = try compose(String(repeating: "\n", count: shift) + yaml, file: file, what: "a sweep")
        let shiftedTop = shifted.mapping!
        let shiftedGrid = Array(shiftedTop["grid"]?.mapping ?? [:])
        let shiftedSet = Array(shiftedTop["set"]?.mapping ?? [:])
        let shiftedExpect = Array(shiftedTop["expect"]?.sequence ?? [])
        func unshift(_ d: Diagnostic) -> Diagnostic {
            if d.file.isEmpty && d.location.line <= shift { return Diagnostic(file: file, location: d.location, message: d.message) }
            guard d.location.line > shift else { return d }
            return Diagnostic(file: file, location: .init(line: d.location.line - shift, column: d.location.column), message: d.message)
        }
        var seen = Set<String>()

        // Expand: every combination (first parameter slowest), each with every seed.
        let baseSeed = base.root.mapping?["seed"]?.scalar.flatMap { UInt64($0.string.replacingOccurrences(of: "_", with: "")) } ?? 0
        let runSeeds = seeds ?? (0..<UInt64(seedCount)).map { baseSeed &+ $0 }
        var combos: [[Int]] = [[]]
        for p in parameters { combos = combos.flatMap { c in p.values.indices.map { c + [$0] } } }
        var points: [SweepPoint] = []
        var runs: [SweepRun] = []
        var diagnostics: [Diagnostic] = []
        for (pi, combo) in combos.enumerated() {
            var tree = base.root
            var problems: [Diagnostic] = []
            for (ci, c) in constants.enumerated() {
                if let d = apply(&tree, path: c.path, value: shiftedSet[ci].value, anchor: shiftedSet[ci].key) { problems.append(d) }
            }
            var values: [(path: String, value: String)] = []
            for (k, p) in parameters.enumerated() {
                let node = (shiftedGrid[k].value.sequence.map(Array.init) ?? [])[combo[k]]
                values.append((p.path.joined(separator: "."), text(of: node)))
                if let d = apply(&tree, path: p.path, value: node, anchor: shiftedGrid[k].key) { problems.append(d) }
            }
            let point = SweepPoint(index: pi, values: values)
            points.append(point)
            for seed in runSeeds {
                var t = tree
                if expectTemplates != nil {
                    let list = shiftedExpect.map { node -> Node in
                        let s = node.scalar!
                        return .scalar(.init(substitute(s.string, values: values, seed: seed), s.tag, s.style, s.mark))
                    }
                    _ = apply(&t, path: ["expect"], value: .sequence(.init(list, .implicit, .block, shiftedTop["expect"]?.mark)),
                              anchor: shifted)
                }
                var rr = YAMLReader(file: base.path)
                rr.diagnostics = problems
                let scenario = rr.diagnostics.isEmpty
                    ? ScenarioDecoder.decodeRoot(t, &rr, overrides: .init(seed: seed)) : nil
                if !rr.diagnostics.isEmpty || scenario == nil {
                    var found = rr.diagnostics.map { d -> Diagnostic in
                        let m = unshift(d)
                        return m.file == file ? m : Diagnostic(file: m.file, location: m.location, message: m.message + " (sweep point \(point.label))")
                    }
                    if found.isEmpty {
                        found = [Diagnostic(file: file, location: .init(line: 1, column: 1), message: "point \(point.label) is not a valid scenario")]
                    }
                    // The same mistake shows in many points: report it once, at the first.
                    for (d, raw) in zip(found, rr.diagnostics.isEmpty ? found : rr.diagnostics.map(unshift))
                    where seen.insert("\(raw.file):\(raw.location.line):\(raw.location.column):\(raw.message)").inserted {
                        diagnostics.append(d)
                    }
                    break
                }
                let yaml = (try? Yams.serialize(node: t)) ?? ""
                var sha = SHA256()
                sha.update("canary sweep run\n\(yaml)\nseed=\(seed)\n")
                runs.append(SweepRun(index: runs.count, point: pi, seed: seed, scenario: scenario!, yaml: yaml, key: SHA256.hex(sha.finalize())))
            }
        }
        if !diagnostics.isEmpty { throw ScenarioError(diagnostics) }
        return Sweep(name: name, description: description, file: file, basePath: base.path,
                     parameters: parameters.map { p in
                         SweepParameter(path: p.path.joined(separator: "."), values: p.values.map(text(of:)))
                     },
                     seeds: runSeeds, metrics: metrics, points: points, runs: runs)
    }

    /// A key metric (`staking.settled_rate`, `p99(finality_lag_seconds)`) in the expectation
    /// language's operand syntax, so scalars and distribution summaries are read exactly as
    /// expectations read them.
    public static func keyMetric(_ s: String) -> Result<Expectation, ExpectationParseError> {
        Expectation.parse("\(s) >= 0")
    }

    // MARK: - Paths

    /// A dotted scenario path checked against the scenario format: every segment must be a
    /// key the format allows there (list positions as numbers, free-form names in maps).
    static func checkedPath(_ key: Node, _ r: inout YAMLReader, forGrid: Bool) -> [String]? {
        guard let s = r.string(key, "a scenario path such as staking.inflation.ideal") else { return nil }
        let segments = s.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if segments.contains(where: \.isEmpty) { r.error(key, "'\(s)' is not a path: write keys separated by single dots, e.g. network.loss"); return nil }
        if segments == ["seed"] { r.error(key, "vary the seed with 'seeds:' (a count or a list), not as a \(forGrid ? "grid parameter" : "set override")"); return nil }
        var type: FieldType = .object(ScenarioFormat.root)
        var prefix: [String] = []
        for seg in segments {
            switch type {
            case .object(let fields):
                guard let f = fields.first(where: { $0.name == seg }) else {
                    let hint = YAMLReader.closest(seg, among: fields.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
                    let at = prefix.isEmpty ? "a scenario" : "'\(prefix.joined(separator: "."))'"
                    r.error(key, "unknown key '\(seg)' in \(at)\(hint); expected one of: \(fields.map(\.name).joined(separator: ", "))")
                    return nil
                }
                type = f.type
            case .array(let item):
                guard Int(seg).map({ $0 >= 0 }) == true else {
                    r.error(key, "'\(prefix.joined(separator: "."))' is a list: the next segment must be a position (0, 1, …), found '\(seg)'")
                    return nil
                }
                type = item
            case .map(let value):
                type = value
            case .oneOf:
                return segments  // several shapes: the scenario decoder checks the rest
            default:
                r.error(key, "'\(prefix.joined(separator: "."))' is a single value; it has no key '\(seg)'")
                return nil
            }
            prefix.append(seg)
        }
        return segments
    }

    /// Replaces (or adds) the node at `path` in `tree`, creating missing mappings on the way.
    /// Returns a diagnostic (at `anchor`) when the base tree has another shape there.
    static func apply(_ tree: inout Node, path: [String], value: Node, anchor: Node) -> Diagnostic? {
        var problem: String?
        func set(_ node: Node?, _ rest: ArraySlice<String>, _ done: [String]) -> Node? {
            guard let seg = rest.first else { return value }
            let here = done + [seg]
            if let i = Int(seg) {
                guard case .sequence(var seq)? = node else {
                    problem = "'\(done.joined(separator: "."))' is not a list in the base scenario, so '\(seg)' cannot index it"; return nil
                }
                guard i < seq.count else {
                    problem = "'\(done.joined(separator: "."))' has \(seq.count) entries in the base scenario; position \(i) does not exist"; return nil
                }
                var items = Array(seq)
                guard let v = set(items[i], rest.dropFirst(), here) else { return nil }
                items[i] = v
                seq = Node.Sequence(items, seq.tag, seq.style, seq.mark)
                return .sequence(seq)
            }
            var m: Node.Mapping
            switch node {
            case .mapping(let existing)?: m = existing
            case nil: m = Node.Mapping([], .implicit, .block, anchor.mark)
            case .scalar(let s)? where s.string.isEmpty || s.string == "null" || s.string == "~":
                m = Node.Mapping([], .implicit, .block, anchor.mark)
            default:
                problem = "'\(done.joined(separator: "."))' is not a mapping in the base scenario, so it has no key '\(seg)'"; return nil
            }
            guard let v = set(m[seg], rest.dropFirst(), here) else { return nil }
            m[seg] = v
            return .mapping(m)
        }
        guard let result = set(tree, path[...], []) else {
            let loc = anchor.mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? .init(line: 1, column: 1)
            return Diagnostic(file: "", location: loc, message: problem ?? "cannot apply \(path.joined(separator: "."))")
        }
        tree = result
        return nil
    }

    // MARK: - Values and placeholders

    /// A value as written: the scalar's text, or a flow rendering of a list or mapping.
    static func text(of node: Node) -> String {
        if case .scalar(let s) = node { return s.string }
        let flow = (try? Yams.serialize(node: restyled(node))) ?? "?"
        return flow.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func restyled(_ node: Node) -> Node {
        switch node {
        case .sequence(let s): return .sequence(.init(s.map(restyled), s.tag, .flow, s.mark))
        case .mapping(let m): return .mapping(.init(m.map { ($0.key, restyled($0.value)) }, m.tag, .flow, m.mark))
        default: return node
        }
    }

    /// `{name}` placeholders in an expectation template.
    static func placeholders(_ s: String) -> [String] {
        var out: [String] = []
        var rest = s[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out.append(String(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out
    }

    static func substitute(_ s: String, values: [(path: String, value: String)], seed: UInt64) -> String {
        var out = ""
        var rest = s[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let inner = String(rest[rest.index(after: open)..<close])
            out += evaluate(inner, values: values, seed: seed) ?? "{\(inner)}"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// `{path}`, `{seed}`, or `{path + 5%}` / `{path - 0.05}` / `{path * 2}`: a parameter's value,
    /// shifted or scaled, so an expectation can follow the point (e.g. a settled rate within 2%
    /// of the ideal: `staking.settled_rate > {staking.inflation.ideal - 2%}`). Percentages stay
    /// percentages.
    static func evaluate(_ inner: String, values: [(path: String, value: String)], seed: UInt64) -> String? {
        let parts = inner.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let name = parts.first ?? ""
        let raw = name == "seed" ? String(seed) : values.first(where: { $0.path == name })?.value
        guard let raw else { return nil }
        if parts.count == 1 { return raw }
        guard parts.count == 3, let a = number(raw), let b = number(parts[2]) else { return nil }
        let v: Double
        switch parts[1] {
        case "+": v = a.value + b.value
        case "-": v = a.value - b.value
        case "*": v = a.value * b.value
        default: return nil
        }
        if a.percent || b.percent { return format(v * 100) + "%" }
        return format(v)
    }

    /// A placeholder operand: `5%` (0.05, a percentage) or a plain number.
    static func number(_ s: String) -> (value: Double, percent: Bool)? {
        if s.hasSuffix("%") { return Double(s.dropLast()).map { ($0 / 100, true) } }
        return Double(s).map { ($0, false) }
    }

    static func format(_ v: Double) -> String {
        let rounded = (v * 1e9).rounded() / 1e9  // 0.6 - 0.02 prints as 0.58, not 0.5799999999999
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded)
    }

    /// The placeholder problems in an expectation template (unknown names, bad arithmetic).
    static func placeholderProblems(_ template: String, names: [String]) -> [String] {
        placeholders(template).compactMap { p in
            let parts = p.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let name = parts.first ?? ""
            if name != "seed" && !names.contains(name) {
                return "'{\(p)}' is not a grid parameter; placeholders are {seed}\(names.map { ", {\($0)}" }.joined())"
            }
            if parts.count != 1 && !(parts.count == 3 && ["+", "-", "*"].contains(parts[1]) && number(parts[2]) != nil) {
                return "'{\(p)}': write {name}, or {name + 5%}, {name - 0.1}, {name * 2} (spaces around the operator)"
            }
            return nil
        }
    }
}

extension URL {
    /// The path as the user would write it: relative to the working directory when the sweep
    /// file was given relatively, so messages and `runs.file` stay short and machine-independent.
    func relativePath(from sweepFile: String) -> String {
        guard !sweepFile.hasPrefix("/") else { return path }
        let cwd = FileManager.default.currentDirectoryPath
        let full = path
        return full.hasPrefix(cwd + "/") ? String(full.dropFirst(cwd.count + 1)) : full
    }
}
