// Human durations ("1d", "12h", "30m", "6s", "100b", "1d12h") <-> relay blocks of 6 s.

/// Durations written the way people speak about governance periods, converted to 6-second blocks.
public enum BlockDuration {
    /// Seconds per relay block.
    public static let secondsPerBlock: UInt64 = 6

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case empty
        case missingUnit(String)
        case unknownUnit(Character, in: String)
        case missingNumber(in: String)
        case notWholeBlocks(seconds: UInt64)
        case tooLarge(String)

        public var description: String {
            switch self {
            case .empty: return "empty duration; write e.g. 1d, 12h, 30m, 6s or 100b (blocks)"
            case .missingUnit(let s): return "duration '\(s)' needs a unit: d, h, m, s or b (blocks), e.g. \(s)h"
            case .unknownUnit(let c, let s): return "unknown unit '\(c)' in duration '\(s)'; use d, h, m, s or b (blocks)"
            case .missingNumber(let s): return "duration '\(s)' has a unit without a number before it"
            case .notWholeBlocks(let secs): return "\(secs)s is not a whole number of 6-second blocks"
            case .tooLarge(let s): return "duration '\(s)' does not fit in a 32-bit block number"
            }
        }
    }

    /// Parses one or more `<number><unit>` segments (`d` days, `h` hours, `m` minutes, `s` seconds,
    /// `b` blocks), e.g. `1d12h`. The total must be a whole number of blocks.
    public static func parse(_ text: String) throws(ParseError) -> BlockNumber {
        let s = text.trimmingSpaces()
        if s.isEmpty { throw .empty }
        var seconds: UInt64 = 0
        var blocks: UInt64 = 0
        var number: UInt64? = nil
        let limit = UInt64(UInt32.max) * secondsPerBlock
        for c in s {
            if let d = c.wholeNumberValue, c.isASCII {
                let (m, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (v, o2) = m.addingReportingOverflow(UInt64(d))
                if o1 || o2 || v > limit { throw .tooLarge(s) }
                number = v
                continue
            }
            guard let n = number else { throw .missingNumber(in: s) }
            let unitSeconds: UInt64
            switch c {
            case "d": unitSeconds = 86_400
            case "h": unitSeconds = 3_600
            case "m": unitSeconds = 60
            case "s": unitSeconds = 1
            case "b":
                blocks += n
                if blocks > UInt64(UInt32.max) { throw .tooLarge(s) }
                number = nil
                continue
            default: throw .unknownUnit(c, in: s)
            }
            seconds += n * unitSeconds
            if seconds > limit { throw .tooLarge(s) }
            number = nil
        }
        if number != nil { throw .missingUnit(s) }
        if seconds % secondsPerBlock != 0 { throw .notWholeBlocks(seconds: seconds) }
        let total = blocks + seconds / secondsPerBlock
        guard total <= UInt64(UInt32.max) else { throw .tooLarge(s) }
        return BlockNumber(total)
    }

    /// Compact rendering of a block count: `14d`, `2h`, `1h30m`, `10m`, `6s`, `0s`.
    public static func format(_ blocks: BlockNumber) -> String {
        var secs = UInt64(blocks) * secondsPerBlock
        if secs == 0 { return "0s" }
        var out = ""
        for (unit, size) in [("d", UInt64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where secs >= size {
            out += "\(secs / size)\(unit)"
            secs %= size
        }
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
