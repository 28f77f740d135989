import CanaryArithmetic

/// Input errors from parsing amounts, ratios and durations. The message is meant for users.
public struct EconomicsInputError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Token units an amount may be written in.
public enum TokenUnit: String, CaseIterable, Sendable {
    case planck
    case ksm = "KSM"
    case dot = "DOT"

    /// Planck per whole token: KSM 10^12, DOT 10^10 (planck 1).
    public var decimals: Int {
        switch self {
        case .planck: return 0
        case .ksm: return 12
        case .dot: return 10
        }
    }
}

/// Parsing of user-written amounts, ratios and durations, exactly (decimal strings, no floating point).
public enum EconomicsParsing {
    /// Parses an amount in planck. Forms: `123456` (planck), `1.5 KSM`, `8,085,567.183241128549KSM`,
    /// `10 DOT`, `42 planck`. Digit groups may be separated by `,` or `_` in the integer part.
    /// A fraction is only allowed with a token unit and only up to its decimals (12 for KSM, 10 for DOT).
    public static func amount(_ text: String) throws -> UInt128 {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw EconomicsInputError("empty amount") }
        var number = trimmed
        var unit = TokenUnit.planck
        for candidate in [TokenUnit.ksm, .dot, .planck] {
            if trimmed.uppercased().hasSuffix(candidate.rawValue.uppercased()) {
                number = String(trimmed.dropLast(candidate.rawValue.count)).trimmingWhitespace()
                unit = candidate
                break
            }
        }
        guard !number.isEmpty else { throw EconomicsInputError("amount '\(text)' has no number") }
        let (intPart, fracPart) = try splitDecimal(number, what: "amount '\(text)'", allowGroups: true)
        if !fracPart.isEmpty && unit == .planck {
            throw EconomicsInputError("amount '\(text)': planck amounts are integers (use a KSM or DOT suffix for decimals)")
        }
        if fracPart.count > unit.decimals {
            throw EconomicsInputError("amount '\(text)': \(unit.rawValue) has only \(unit.decimals) decimals")
        }
        let digits = intPart + fracPart + String(repeating: "0", count: unit.decimals - fracPart.count)
        guard let value = parseUInt128(digits) else {
            throw EconomicsInputError("amount '\(text)' is too large")
        }
        return value
    }

    /// Parses a ratio into Perquintill parts, exactly: `60%`, `2.5%`, `0.6`, `1`, `25/1000`.
    /// Values above 100% are rejected. A rational `p/q` rounds down like `Perquintill::from_rational`.
    public static func ratio(_ text: String) throws -> Perquintill {
        let parts = try ratioParts(text)
        return Perquintill(parts: parts)
    }

    /// Same as `ratio` but returning the raw Perquintill parts (10^18 = 100%).
    public static func ratioParts(_ text: String) throws -> UInt64 {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw EconomicsInputError("empty ratio") }
        let accuracy: UInt128 = 1_000_000_000_000_000_000
        if let slash = trimmed.firstIndex(of: "/") {
            let pText = trimmed[..<slash].trimmingWhitespace()
            let qText = trimmed[trimmed.index(after: slash)...].trimmingWhitespace()
            guard isDigits(pText), isDigits(qText), let p = parseUInt128(pText), let q = parseUInt128(qText) else {
                throw EconomicsInputError("ratio '\(text)': expected integers p/q")
            }
            guard q != 0 else { throw EconomicsInputError("ratio '\(text)': division by zero") }
            guard p <= q else { throw EconomicsInputError("ratio '\(text)' is above 100%") }
            guard let v = multiplyByRationalWithRounding(p, accuracy, q, .down) else {
                throw EconomicsInputError("ratio '\(text)' is too large")
            }
            return UInt64(v)
        }
        var number = trimmed
        var scaleDigits = 18
        if number.hasSuffix("%") {
            number = String(number.dropLast()).trimmingWhitespace()
            scaleDigits = 16
        }
        let (intPart, fracPart) = try splitDecimal(number, what: "ratio '\(text)'", allowGroups: false)
        if fracPart.count > scaleDigits {
            throw EconomicsInputError("ratio '\(text)' has more decimals than a Perquintill can hold")
        }
        let digits = intPart + fracPart + String(repeating: "0", count: scaleDigits - fracPart.count)
        guard let value = parseUInt128(digits), value <= accuracy else {
            let hint = scaleDigits == 18 ? " (write a percentage like 60% or a fraction like 0.6)" : ""
            throw EconomicsInputError("ratio '\(text)' is above 100%\(hint)")
        }
        return UInt64(value)
    }

    /// Parses a duration into milliseconds: `6h`, `8766h` (one Julian year), `30m`, `1d`, `150ms`,
    /// `90s`, `2w`, or sums like `1h30m`. Every number needs a unit.
    public static func durationMillis(_ text: String) throws -> UInt64 {
        let trimmed = text.trimmingWhitespace().lowercased()
        guard !trimmed.isEmpty else { throw EconomicsInputError("empty duration") }
        var total: UInt64 = 0
        var chars = Array(trimmed.filter { $0 != " " && $0 != "_" })
        guard !chars.isEmpty else { throw EconomicsInputError("empty duration") }
        while !chars.isEmpty {
            var digits = ""
            while let c = chars.first, c.isASCII, c.isNumber { digits.append(c); chars.removeFirst() }
            var unit = ""
            while let c = chars.first, c.isASCII, c.isLetter { unit.append(c); chars.removeFirst() }
            guard !digits.isEmpty else { throw EconomicsInputError("duration '\(text)': expected a number") }
            guard !unit.isEmpty else {
                throw EconomicsInputError("duration '\(text)': missing unit (ms, s, m, h, d, w)")
            }
            let factor: UInt64
            switch unit {
            case "ms": factor = 1
            case "s": factor = 1_000
            case "m", "min": factor = 60_000
            case "h": factor = 3_600_000
            case "d": factor = 86_400_000
            case "w": factor = 604_800_000
            default: throw EconomicsInputError("duration '\(text)': unknown unit '\(unit)' (ms, s, m, h, d, w)")
            }
            guard let n = UInt64(digits) else { throw EconomicsInputError("duration '\(text)' is too large") }
            let (product, o1) = n.multipliedReportingOverflow(by: factor)
            let (sum, o2) = total.addingReportingOverflow(product)
            if o1 || o2 { throw EconomicsInputError("duration '\(text)' is too large") }
            total = sum
            if let c = chars.first, !(c.isASCII && c.isNumber) {
                throw EconomicsInputError("duration '\(text)': unexpected '\(c)'")
            }
        }
        return total
    }

    // MARK: helpers

    private static func splitDecimal(_ s: String, what: String, allowGroups: Bool) throws -> (String, String) {
        let pieces = s.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2 else { throw EconomicsInputError("\(what): more than one decimal point") }
        var intPart = String(pieces[0])
        if allowGroups { intPart = intPart.filter { $0 != "," && $0 != "_" } }
        let fracPart = pieces.count == 2 ? String(pieces[1]) : ""
        if intPart.isEmpty && fracPart.isEmpty { throw EconomicsInputError("\(what): no digits") }
        if pieces.count == 2 && fracPart.isEmpty { throw EconomicsInputError("\(what): no digits after the decimal point") }
        guard isDigits(intPart), isDigits(fracPart) else {
            throw EconomicsInputError("\(what): not a number")
        }
        return (intPart.isEmpty ? "0" : intPart, fracPart)
    }

    private static func isDigits<S: StringProtocol>(_ s: S) -> Bool {
        s.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Decimal digits to UInt128; nil on overflow or non-digits.
    static func parseUInt128<S: StringProtocol>(_ s: S) -> UInt128? {
        guard !s.isEmpty else { return nil }
        var v: UInt128 = 0
        for c in s {
            guard let d = c.wholeNumberValue, c.isASCII else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt128(d))
            if o1 || o2 { return nil }
            v = a
        }
        return v
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// Formats a planck amount as a decimal token string, exactly (e.g. `844.606070970705`).
public func formatTokens(_ planck: UInt128, decimals: Int) -> String {
    if decimals == 0 { return String(planck) }
    var scale: UInt128 = 1
    for _ in 0..<decimals { scale *= 10 }
    let whole = planck / scale
    let frac = String(planck % scale)
    return "\(whole).\(String(repeating: "0", count: decimals - frac.count))\(frac)"
}

/// Formats Perquintill parts as a percentage with 16 decimals trimmed of trailing zeros (e.g. `7.2516013314801129%`).
public func formatPercent(parts: UInt64) -> String {
    let whole = parts / 10_000_000_000_000_000
    var frac = String(parts % 10_000_000_000_000_000)
    frac = String(repeating: "0", count: 16 - frac.count) + frac
    while frac.hasSuffix("0") { frac.removeLast() }
    return frac.isEmpty ? "\(whole)%" : "\(whole).\(frac)%"
}
