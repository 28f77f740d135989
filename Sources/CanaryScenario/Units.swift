import CanaryEngine

/// Parsers for the quantities scenario files use. Each returns nil on malformed input; the
/// caller reports what was expected with the position.
public enum Units {
    /// `1024`, `1KiB`, `1.5MiB`, `2KB`, `1MB` → bytes (binary and decimal prefixes).
    public static func bytes(_ text: String) -> Int? {
        let (number, unit) = split(text)
        let factors: [String: Double] = ["": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9,
                                         "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824]
        guard let n = Double(number), n >= 0, let f = factors[unit] else { return nil }
        let v = (n * f).rounded()
        return v <= Double(Int32.max) ? Int(v) : nil
    }

    /// `100Mbps`, `1Gbps`, `500kbps`, `12.5MB/s` → bits per second.
    public static func bitsPerSecond(_ text: String) -> UInt64? {
        let (number, unit) = split(text)
        let factors: [String: Double] = ["bps": 1, "kbps": 1e3, "Kbps": 1e3, "Mbps": 1e6, "Gbps": 1e9,
                                         "B/s": 8, "KB/s": 8e3, "MB/s": 8e6, "GB/s": 8e9]
        guard let n = Double(number), n > 0, let f = factors[unit] else { return nil }
        let v = (n * f).rounded()
        return v < 1e18 ? UInt64(v) : nil
    }

    /// `0.01`, `1%`, `0.5%` → a probability in [0, 1].
    public static func probability(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasSuffix("%") {
            guard let v = Double(t.dropLast()), v >= 0, v <= 100 else { return nil }
            return v / 100
        }
        guard let v = Double(t), v >= 0, v <= 1 else { return nil }
        return v
    }

    static func split(_ text: String) -> (String, String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        let idx = t.firstIndex { !($0.isNumber || $0 == ".") } ?? t.endIndex
        return (String(t[..<idx]), String(t[idx...]).trimmingCharacters(in: .whitespaces))
    }
}

import Foundation
