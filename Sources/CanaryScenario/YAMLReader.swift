import Yams
import CanaryEngine

/// Reads YAML nodes into typed values while collecting every problem with its position, so a
/// file with five mistakes yields five diagnostics in one go instead of a crash or one error.
struct YAMLReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: Node?) -> SourceLocation {
        guard let m = node?.mark else { return SourceLocation(line: 1, column: 1) }
        return SourceLocation(line: m.line, column: m.column)
    }

    mutating func error(_ node: Node?, _ message: String) {
        diagnostics.append(Diagnostic(file: file, location: location(node), message: message))
    }

    /// The entries of a mapping checked against `fields`: unknown keys (with a suggestion),
    /// missing required keys and duplicate keys are reported. Nil if `node` is not a mapping.
    mutating func object(_ node: Node, _ fields: [Field], context: String) -> [String: (key: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(context) must be a mapping with keys \(fields.map(\.name).joined(separator: ", "))")
            return nil
        }
        var out: [String: (key: Node, value: Node)] = [:]
        for (k, v) in mapping {
            guard let key = k.scalar?.string else { error(k, "\(context): keys must be plain strings"); continue }
            guard fields.contains(where: { $0.name == key }) else {
                let hint = YAMLReader.closest(key, among: fields.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
                error(k, "unknown key '\(key)' in \(context)\(hint); expected one of: \(fields.map(\.name).joined(separator: ", "))")
                continue
            }
            if out[key] != nil { error(k, "duplicate key '\(key)' in \(context)"); continue }
            out[key] = (k, v)
        }
        for f in fields where f.required && out[f.name] == nil {
            error(node, "missing required key '\(f.name)' in \(context) (\(f.doc))")
        }
        return out
    }

    mutating func scalar(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let s) = node else { error(node, "expected \(what), found a \(kind(node))"); return nil }
        return s.string
    }

    mutating func string(_ node: Node, _ what: String) -> String? { scalar(node, what) }

    mutating func integer(_ node: Node, min: Int64, max: Int64, _ what: String, limit: Limit? = nil) -> Int64? {
        guard let s = scalar(node, "\(what) (an integer)") else { return nil }
        guard let v = Int64(s.replacingOccurrences(of: "_", with: "")) else {
            error(node, "expected \(what) as an integer, found '\(s)'"); return nil
        }
        if let limit, v > max { exceeded(node, limit, what, found: "\(v)"); return nil }
        guard v >= min && v <= max else { error(node, "\(what) must be between \(min) and \(max), found \(v)"); return nil }
        return v
    }

    mutating func number(_ node: Node, min: Double, max: Double, _ what: String) -> Double? {
        guard let s = scalar(node, "\(what) (a number)") else { return nil }
        guard let v = Double(s) else { error(node, "expected \(what) as a number, found '\(s)'"); return nil }
        guard v >= min && v <= max else { error(node, "\(what) must be between \(min) and \(max), found \(s)"); return nil }
        return v
    }

    mutating func boolean(_ node: Node, _ what: String) -> Bool? {
        guard let s = scalar(node, "\(what) (true or false)") else { return nil }
        switch s { case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: error(node, "expected \(what) as true or false, found '\(s)'"); return nil }
    }

    mutating func duration(_ node: Node, _ what: String) -> SimTime? {
        guard let s = scalar(node, "\(what) (a duration)") else { return nil }
        guard let t = SimTime(parsing: s), t >= .zero else {
            error(node, "expected \(what) as a duration with a unit such as 150ms, 6s, 2h or 3d, found '\(s)'"); return nil
        }
        guard t <= Limits.runDurationValue else { exceeded(node, Limits.runDuration, what, found: "\(t)"); return nil }
        return t
    }

    mutating func size(_ node: Node, _ what: String) -> Int? {
        guard let s = scalar(node, "\(what) (a size)") else { return nil }
        guard let v = Units.bytes(s) else { error(node, "expected \(what) as a size such as 1024, 1KiB or 2MB, found '\(s)'"); return nil }
        guard v <= Limits.messageBytesValue else { exceeded(node, Limits.messageSize, what, found: s); return nil }
        return v
    }

    mutating func bandwidth(_ node: Node, _ what: String) -> UInt64? {
        guard let s = scalar(node, "\(what) (a bandwidth)") else { return nil }
        guard let v = Units.bitsPerSecond(s) else { error(node, "expected \(what) as a bandwidth such as 100Mbps, 1Gbps or 12.5MB/s, found '\(s)'"); return nil }
        guard v >= Limits.minUploadValue && v <= Limits.maxUploadValue else { exceeded(node, Limits.upload, what, found: s); return nil }
        return v
    }

    mutating func probability(_ node: Node, _ what: String) -> Double? {
        guard let s = scalar(node, "\(what) (a probability)") else { return nil }
        guard let v = Units.probability(s) else { error(node, "expected \(what) as a probability between 0 and 1 or a percentage such as 0.5%, found '\(s)'"); return nil }
        return v
    }

    mutating func sequence(_ node: Node, _ what: String) -> [Node]? {
        guard case .sequence(let seq) = node else { error(node, "expected \(what) as a list, found a \(kind(node))"); return nil }
        return Array(seq)
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let s): return "scalar '\(s.string)'"
        case .mapping: return "mapping"
        case .sequence: return "list"
        default: return "alias"
        }
    }

    /// The allowed name closest to a misspelt one (edit distance at most 2), for hints.
    static func closest(_ word: String, among names: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let w = Array(word)
        // The edit distance is at least the length difference: skip names that cannot be
        // within 2 (long unknown words are then cheap, which keeps errors and fuzzing fast).
        let best = names.filter { abs($0.count - w.count) <= 2 }
            .map { (name: $0, d: distance(w, Array($0))) }.min { $0.d < $1.d }
        return best.flatMap { $0.d <= 2 ? $0.name : nil }
    }
}

import Foundation
