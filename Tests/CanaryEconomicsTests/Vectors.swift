import Foundation

/// Loads a JSON vector file from `Tests/Fixtures/vectors` (found via `#filePath`; see its README for
/// each file's upstream source).
enum Vectors {
    static func packageRoot(file: StaticString = #filePath) -> URL {
        URL(fileURLWithPath: "\(file)")
            .deletingLastPathComponent()  // CanaryEconomicsTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // package root
    }

    static func load(_ relative: String) throws -> [String: Any] {
        let url = packageRoot().appendingPathComponent("Tests/Fixtures/vectors").appendingPathComponent(relative)
        let data = try Data(contentsOf: url)
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw VectorError.malformed(relative)
        }
        return object
    }

    enum VectorError: Error { case malformed(String) }

    static func u128(_ any: Any?) -> UInt128 {
        if let s = any as? String, let v = UInt128(s) { return v }
        if let n = any as? NSNumber { return UInt128(n.uint64Value) }
        fatalError("not an integer: \(String(describing: any))")
    }

    static func u64(_ any: Any?) -> UInt64 { UInt64(u128(any)) }
}
