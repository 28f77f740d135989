import Foundation
import CSV
import CanaryEngine
import CanaryEconomics
import CanaryGovernance

/// Votes from a CSV file, so a real referendum's votes can be replayed.
///
/// Format: a header line naming the columns, then one vote per line. Columns (any order):
/// `at` (duration, e.g. `90m`) or `block` (number); `referendum` (scenario index); `account`
/// (name; an account not declared in the scenario is created with the vote's total balance);
/// `vote` (aye, nay, split, abstain); `conviction` (none, locked1x..locked6x; aye/nay only,
/// default locked1x); `balance` (aye/nay capital, or the aye part of split/abstain; planck or
/// `KSM`); `nay`, `abstain` (split/abstain parts, default 0). Empty lines and lines starting
/// with `#` are skipped.
///
/// Records are read by CSV.swift (yaslab/CSV.swift): RFC 4180 quoting (`"Whale, the first"`,
/// doubled quotes, line breaks inside quotes) and LF or CRLF line ends; a UTF-8 byte-order mark
/// at the start is dropped. Errors name the line a record starts on.
enum VotesCSV {
    struct LineError { var line: Int; var message: String }

    static func parse(_ text: String, referenda: Int, accounts: inout GovernanceSection.Accounts) -> (actions: [GovernanceAction], errors: [LineError]) {
        var actions: [GovernanceAction] = []
        var errors: [LineError] = []
        var header: [String]? = nil
        let (rows, malformed) = records(text)
        if let malformed { errors.append(malformed) }
        for (n, cells) in rows {
            guard let h = header else {
                header = cells
                for required in ["referendum", "account", "vote"] where !cells.contains(required) {
                    errors.append(LineError(line: n, message: "header lacks the column '\(required)'"))
                }
                if !cells.contains("at") && !cells.contains("block") { errors.append(LineError(line: n, message: "header needs an 'at' or 'block' column")) }
                continue
            }
            func cell(_ name: String) -> String? {
                guard let i = h.firstIndex(of: name), i < cells.count, !cells[i].isEmpty else { return nil }
                return cells[i]
            }
            func fail(_ m: String) { errors.append(LineError(line: n, message: m)) }
            guard cells.count == h.count else { fail("expected \(h.count) cells, found \(cells.count)"); continue }
            let trig: GovernanceAction.Trigger
            if let a = cell("at") {
                guard let t = SimTime(parsing: a) else { fail("bad time '\(a)'"); continue }
                trig = .time(t.nanoseconds)
            } else if let b = cell("block"), let v = UInt32(b), v >= 1 {
                trig = .block(v)
            } else { fail("needs at or block"); continue }
            guard let rs = cell("referendum"), let ref = Int(rs), ref >= 0, ref < referenda else {
                fail("referendum must be 0..\(referenda - 1)"); continue
            }
            guard let name = cell("account") else { fail("account missing"); continue }
            guard let kind = cell("vote"), ["aye", "nay", "split", "abstain"].contains(kind) else {
                fail("vote must be aye, nay, split or abstain"); continue
            }
            func amt(_ c: String) -> Balance?? {
                guard let s = cell(c) else { return .some(nil) }
                return (try? EconomicsParsing.amount(s)).map { .some($0) } ?? nil
            }
            guard let bal = amt("balance"), let nay = amt("nay"), let abstain = amt("abstain") else { fail("bad amount"); continue }
            var conviction = Conviction.locked1x
            if let c = cell("conviction") {
                guard let cv = Conviction(name: c) else { fail("unknown conviction '\(c)'"); continue }
                conviction = cv
            }
            guard kind == "split" || kind == "abstain" || bal != nil else { fail("aye/nay votes need a balance"); continue }
            let v: AccountVote
            switch kind {
            case "aye", "nay": v = .standard(aye: kind == "aye", conviction: conviction, balance: bal!)
            case "split": v = .split(aye: bal ?? 0, nay: nay ?? 0)
            default: v = .splitAbstain(aye: bal ?? 0, nay: nay ?? 0, abstain: abstain ?? 0)
            }
            let who: AccountId
            if let m = accounts.members(name) {
                guard m.count == 1 else { fail("'\(name)' is a group; CSV votes name one account"); continue }
                who = m[0]
            } else {
                who = AccountId(accounts.names.count)
                accounts.names.append(name)
                accounts.balances.append(v.balance)
                accounts.groups.append((name, [who]))
            }
            actions.append(GovernanceAction(trig, .vote(ref: ref, who: who, vote: v)))
        }
        if header == nil && malformed == nil { errors.append(LineError(line: 1, message: "empty file: expected a header line")) }
        return (actions, errors)
    }

    /// The file's records with the line each starts on (1-based), fields trimmed, blank and
    /// `#` comment lines left out; or the line where the CSV stops being well-formed.
    static func records(_ text: String) -> (rows: [(line: Int, cells: [String])], error: LineError?) {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = Substring(body.unicodeScalars.dropFirst()) }
        // Comment lines become empty lines (so line numbers stay right) before parsing, since a
        // comment need not be valid CSV.
        // Split on scalars: in Swift a CRLF is one Character, which "\n" would not match.
        let lines = body.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let text = String(String.UnicodeScalarView(line))
            return text.drop { $0 == " " || $0 == "\t" }.hasPrefix("#") ? "" : text
        }
        let cleaned = lines.joined(separator: "\n")
        var rows: [(line: Int, cells: [String])] = []
        let reader: CSVReader
        do { reader = try CSVReader(string: cleaned, hasHeaderRow: false, trimFields: true) } catch {
            return ([], LineError(line: 1, message: "not CSV: \(error)"))
        }
        var line = 1
        while let row = reader.next() {
            let start = line
            // A record spans one line plus the line breaks inside its quoted fields.
            line += 1 + row.reduce(0) { $0 + $1.unicodeScalars.filter { $0 == "\n" }.count }
            let cells = row.map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.allSatisfy(\.isEmpty) { continue }
            rows.append((start, cells))
        }
        if let e = reader.error { return (rows, LineError(line: line, message: "malformed CSV: \(e)")) }
        return (rows, nil)
    }
}
