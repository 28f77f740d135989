import Foundation

/// A JSON Schema (draft 2020-12) of the scenario format, generated from `ScenarioFormat` so it
/// always matches what the decoder accepts. Editors with YAML language servers use it for
/// completion and checking (`# yaml-language-server: $schema=canary.schema.json`).
public enum ScenarioSchema {
    public static func json() -> String { document(ScenarioFormat.root, title: "Canary scenario") }

    /// A whole schema document for a format's top-level fields.
    static func document(_ fields: [Field], title: String) -> String {
        var root = object(fields)
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["title"] = title
        let data = try! JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    static func object(_ fields: [Field]) -> [String: Any] {
        var props: [String: Any] = [:]
        for f in fields {
            var s = schema(f.type)
            s["description"] = f.doc
            props[f.name] = s
        }
        var o: [String: Any] = ["type": "object", "properties": props, "additionalProperties": false]
        let req = fields.filter(\.required).map(\.name)
        if !req.isEmpty { o["required"] = req }
        return o
    }

    static func schema(_ t: FieldType) -> [String: Any] {
        switch t {
        case .string: return ["type": "string"]
        case .boolean: return ["type": "boolean"]
        case let .integer(min, max): return ["type": "integer", "minimum": min, "maximum": max]
        case let .number(min, max): return ["type": "number", "minimum": min, "maximum": max]
        case .duration: return ["type": "string", "pattern": "^(0|([0-9]+(\\.[0-9]+)?(d|h|m|s|ms|us|ns))+)$"]
        case .signedDuration: return ["type": "string", "pattern": "^-?(0|([0-9]+(\\.[0-9]+)?(d|h|m|s|ms|us|ns))+)$"]
        case .size: return ["type": ["string", "integer"], "pattern": "^[0-9.]+ ?(B|KB|MB|GB|KiB|MiB|GiB)?$"]
        case .bandwidth: return ["type": "string", "pattern": "^[0-9.]+ ?(bps|kbps|Kbps|Mbps|Gbps|B/s|KB/s|MB/s|GB/s)$"]
        case .probability: return ["type": ["string", "number"], "pattern": "^[0-9.]+%?$"]
        case .object(let fields): return object(fields)
        case .array(let item): return ["type": "array", "items": schema(item)]
        case .map(let value): return ["type": "object", "additionalProperties": schema(value)]
        case .oneOf(let types): return ["oneOf": types.map(schema)]
        case .expectation: return ["type": "string", "pattern": "^(metric )?[a-z0-9_.()]+ *(<|<=|>|>=|==|!=) *\\S+$"]
        case .nodeSelector: return ["type": ["string", "integer"]]
        }
    }
}
