// Election snapshots in the format of the conformance vectors `Tests/Fixtures/vectors/npos/*.json`
// (without `expected`; example: `Scenarios/elections/example.json`), and the
// JSON form of a result (exactly the fields of the vectors' `expected`).
import CanaryArithmetic

/// Which election rule to run.
public enum ElectionAlgorithm: String, Sendable, Hashable, CaseIterable {
    case seqPhragmen = "seq-phragmen"
    case phragmms = "phragmms"
}

/// The per-thing of the output assignments, by its snapshot name.
public enum AssignmentAccuracy: String, Sendable, Hashable, CaseIterable {
    case perbill, perquintill, permill, percent, peru16
}

/// A bad snapshot: the message names the offending entry (e.g. `voters[3] (id 30)`).
public struct SnapshotError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An election input: candidates, voters with stakes and targets, and how to run it.
/// Account ids are non-negative integers (JSON numbers or decimal strings) below 2^64.
public struct ElectionSnapshot: Sendable, Hashable {
    public var name: String?
    public var algorithm: ElectionAlgorithm
    /// `nil` when the file has no `to_elect` (the CLI then requires `--to-elect`).
    public var toElect: Int?
    public var balancing: BalancingConfig?
    public var accuracy: AssignmentAccuracy
    public var candidates: [UInt64]
    public var voters: [NPoSVoter<UInt64>]

    public init(name: String? = nil, algorithm: ElectionAlgorithm = .seqPhragmen, toElect: Int?,
                balancing: BalancingConfig? = nil, accuracy: AssignmentAccuracy = .perbill,
                candidates: [UInt64], voters: [NPoSVoter<UInt64>]) {
        self.name = name
        self.algorithm = algorithm
        self.toElect = toElect
        self.balancing = balancing
        self.accuracy = accuracy
        self.candidates = candidates
        self.voters = voters
    }

    static let knownKeys: Set<String> = [
        "name", "source", "algorithm", "to_elect", "balancing", "accuracy", "candidates", "voters", "expected",
    ]

    /// Decodes and validates a snapshot. Errors name the offending entry: invalid JSON (with
    /// line:column), a missing or mistyped field, duplicate candidate or voter ids, `to_elect` of
    /// zero, a stake that is not a non-negative integer below 2^64. An `expected` member (as in the
    /// vectors) is accepted and ignored.
    public static func decode(json text: String) throws(SnapshotError) -> ElectionSnapshot {
        let root: JSONValue
        do { root = try parseJSON(text) } catch { throw SnapshotError(error.description) }
        return try decode(root)
    }

    /// Decodes an already parsed value (see `decode(json:)`).
    public static func decode(_ root: JSONValue) throws(SnapshotError) -> ElectionSnapshot {
        guard case .object(let members) = root else {
            throw SnapshotError("snapshot must be a JSON object, got \(root.brief)")
        }
        for m in members where !knownKeys.contains(m.key) {
            throw SnapshotError("unknown field \"\(m.key)\" (expected one of: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        var seenKeys: [String] = []
        for m in members {
            if seenKeys.contains(m.key) { throw SnapshotError("field \"\(m.key)\" appears twice") }
            seenKeys.append(m.key)
        }

        var name: String?
        if let v = root["name"], v != .null {
            guard case .string(let s) = v else { throw SnapshotError("name: must be a string, got \(v.brief)") }
            name = s
        }

        var algorithm = ElectionAlgorithm.seqPhragmen
        if let v = root["algorithm"], v != .null {
            guard case .string(let s) = v, let a = ElectionAlgorithm(rawValue: s) else {
                throw SnapshotError("algorithm: must be \"seq-phragmen\" or \"phragmms\", got \(v.brief)")
            }
            algorithm = a
        }

        var toElect: Int?
        if let v = root["to_elect"], v != .null {
            guard let n = integer(v, below: UInt128(Int.max)) else {
                throw SnapshotError("to_elect: must be a positive integer, got \(v.brief)")
            }
            if n == 0 { throw SnapshotError("to_elect: must be at least 1, got 0") }
            toElect = Int(n)
        }

        var balancing: BalancingConfig?
        if let v = root["balancing"], v != .null {
            guard case .object(let b) = v else {
                throw SnapshotError("balancing: must be null or {\"iterations\": N, \"tolerance\": T}, got \(v.brief)")
            }
            for m in b where m.key != "iterations" && m.key != "tolerance" {
                throw SnapshotError("balancing: unknown field \"\(m.key)\" (expected iterations, tolerance)")
            }
            guard let itv = v["iterations"], let it = integer(itv, below: 1 << 31) else {
                throw SnapshotError("balancing.iterations: must be a non-negative integer, got \(v["iterations"]?.brief ?? "nothing")")
            }
            var tolerance: UInt128 = 0
            if let tv = v["tolerance"], tv != .null {
                guard let t = integer(tv, below: .max) else {
                    throw SnapshotError("balancing.tolerance: must be a non-negative integer below 2^128, got \(tv.brief)")
                }
                tolerance = t
            }
            balancing = BalancingConfig(iterations: Int(it), tolerance: tolerance)
        }

        var accuracy = AssignmentAccuracy.perbill
        if let v = root["accuracy"], v != .null {
            guard case .string(let s) = v, let a = AssignmentAccuracy(rawValue: s.lowercased()) else {
                throw SnapshotError("accuracy: must be one of \(AssignmentAccuracy.allCases.map(\.rawValue).joined(separator: ", ")), got \(v.brief)")
            }
            accuracy = a
        }

        guard let cv = root["candidates"] else { throw SnapshotError("candidates: missing (an array of candidate ids)") }
        guard case .array(let cs) = cv else { throw SnapshotError("candidates: must be an array of ids, got \(cv.brief)") }
        var candidates: [UInt64] = []
        candidates.reserveCapacity(cs.count)
        var candidateAt: [UInt64: Int] = [:]
        for (i, c) in cs.enumerated() {
            guard let id = integer(c, below: 1 << 64) else {
                throw SnapshotError("candidates[\(i)]: id must be a non-negative integer below 2^64, got \(c.brief)")
            }
            let id64 = UInt64(id)
            if let first = candidateAt[id64] {
                throw SnapshotError("candidates[\(i)]: duplicate candidate id \(id64) (first at candidates[\(first)])")
            }
            candidateAt[id64] = i
            candidates.append(id64)
        }

        guard let vv = root["voters"] else { throw SnapshotError("voters: missing (an array of {id, stake, targets})") }
        guard case .array(let vs) = vv else { throw SnapshotError("voters: must be an array, got \(vv.brief)") }
        var voters: [NPoSVoter<UInt64>] = []
        voters.reserveCapacity(vs.count)
        var voterAt: [UInt64: Int] = [:]
        for (i, v) in vs.enumerated() {
            guard case .object(let fields) = v else {
                throw SnapshotError("voters[\(i)]: must be an object {id, stake, targets}, got \(v.brief)")
            }
            for f in fields where !["id", "stake", "targets"].contains(f.key) {
                throw SnapshotError("voters[\(i)]: unknown field \"\(f.key)\" (expected id, stake, targets)")
            }
            guard let idv = v["id"] else { throw SnapshotError("voters[\(i)]: missing id") }
            guard let id = integer(idv, below: 1 << 64) else {
                throw SnapshotError("voters[\(i)]: id must be a non-negative integer below 2^64, got \(idv.brief)")
            }
            let id64 = UInt64(id)
            let who = "voters[\(i)] (id \(id64))"
            if let first = voterAt[id64] {
                throw SnapshotError("\(who): duplicate voter id (first at voters[\(first)])")
            }
            voterAt[id64] = i
            guard let sv = v["stake"] else { throw SnapshotError("\(who): missing stake") }
            guard let stake = integer(sv, below: 1 << 64) else {
                throw SnapshotError("\(who): stake must be a non-negative integer below 2^64, got \(sv.brief)")
            }
            guard let tv = v["targets"] else { throw SnapshotError("\(who): missing targets") }
            guard case .array(let ts) = tv else { throw SnapshotError("\(who): targets must be an array of ids, got \(tv.brief)") }
            var targets: [UInt64] = []
            targets.reserveCapacity(ts.count)
            for (k, t) in ts.enumerated() {
                guard let tid = integer(t, below: 1 << 64) else {
                    throw SnapshotError("\(who): targets[\(k)] must be a non-negative integer id below 2^64, got \(t.brief)")
                }
                targets.append(UInt64(tid))
            }
            voters.append(NPoSVoter(id: id64, stake: UInt64(stake), targets: targets))
        }

        return ElectionSnapshot(name: name, algorithm: algorithm, toElect: toElect, balancing: balancing,
                                accuracy: accuracy, candidates: candidates, voters: voters)
    }

    /// A JSON number or string holding a plain decimal integer `< limit` (no sign, fraction,
    /// exponent or spaces), else `nil`.
    static func integer(_ v: JSONValue, below limit: UInt128) -> UInt128? {
        let text: String
        switch v {
        case .number(let s), .string(let s): text = s
        default: return nil
        }
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard let n = UInt128(text), n < limit else { return nil }
        return n
    }

    /// Counts of targets the election will ignore: targets that are not candidates, and repeats
    /// within a voter (Substrate drops both silently; the CLI reports them).
    public func ignoredTargets() -> (notCandidates: Int, duplicates: Int) {
        let g = ElectionGraph(candidates: candidates, voters: voters)
        return (g.ignoredTargets, g.duplicateTargets)
    }

    /// Voter-to-candidate edges the election will use.
    public var edgeCount: Int { ElectionGraph(candidates: candidates, voters: voters).edgeCount }
}

// MARK: - Running a snapshot and writing the result

/// A complete election outcome in the vectors' terms: winners, assignments (parts of the chosen
/// accuracy), supports (ratios × stake, normalized) and their score.
public struct ElectionOutcome: Sendable, Hashable {
    public struct AssignmentParts: Sendable, Hashable {
        public var voter: UInt64
        public var distribution: [(target: UInt64, parts: UInt64)]
        public static func == (a: Self, b: Self) -> Bool {
            a.voter == b.voter && a.distribution.count == b.distribution.count
                && zip(a.distribution, b.distribution).allSatisfy { $0.target == $1.target && $0.parts == $1.parts }
        }
        public func hash(into h: inout Hasher) {
            h.combine(voter)
            for d in distribution { h.combine(d.target); h.combine(d.parts) }
        }
    }
    public var winners: [Winner<UInt64>]
    public var assignments: [AssignmentParts]
    public var supports: [Support<UInt64>]
    public var score: ElectionScore
}

extension ElectionSnapshot {
    /// Runs the snapshot's election (`toElect` must be set) and builds supports and score the
    /// way staking does.
    public func run() throws -> ElectionOutcome {
        guard let toElect, toElect > 0 else { throw SnapshotError("to_elect: missing (set it in the file or with --to-elect)") }
        switch accuracy {
        case .perbill: return try run(toElect, Perbill.self)
        case .perquintill: return try run(toElect, Perquintill.self)
        case .permill: return try run(toElect, Permill.self)
        case .percent: return try run(toElect, Percent.self)
        case .peru16: return try run(toElect, PerU16.self)
        }
    }

    func run<P: PerThing>(_ toElect: Int, _ p: P.Type) throws -> ElectionOutcome {
        let result: ElectionResult<UInt64, P>
        switch algorithm {
        case .seqPhragmen:
            result = try seqPhragmen(toElect: toElect, candidates: candidates, voters: voters, balancing: balancing, accuracy: P.self)
        case .phragmms:
            result = try phragmms(toElect: toElect, candidates: candidates, voters: voters, balancing: balancing, accuracy: P.self)
        }
        let supports = try result.supports(voters: voters)
        return ElectionOutcome(
            winners: result.winners,
            assignments: result.assignments.map { a in
                .init(voter: a.voter, distribution: a.distribution.map { ($0.target, UInt64($0.ratio.parts)) })
            },
            supports: supports,
            score: ElectionScore.evaluate(supports))
    }
}

extension ElectionOutcome {
    /// One JSON object with exactly the fields of the vectors' `expected`: `winners` (id, backing,
    /// round), `assignments`, `supports`, `score`. Balances are strings (they can exceed 2^53);
    /// ids and per-thing parts are numbers, as in the vectors (parts above 2^53 — Perquintill —
    /// are strings too).
    public func expectedJSON(pretty: Bool = true) -> String {
        let nl = pretty ? "\n" : "", ind = pretty ? "  " : "", sp = pretty ? " " : ""
        func parts(_ p: UInt64) -> String { p <= 1 << 53 ? String(p) : "\"\(p)\"" }
        var out = "{" + nl
        out += ind + "\"winners\":" + sp + "[" + nl
        out += winners.map { w in
            ind + ind + "{\"id\":\(sp)\(w.id),\(sp)\"backing\":\(sp)\"\(w.backedStake)\",\(sp)\"round\":\(sp)\(w.round)}"
        }.joined(separator: "," + nl)
        out += nl + ind + "]," + nl
        out += ind + "\"assignments\":" + sp + "[" + nl
        out += assignments.map { a in
            let d = a.distribution.map { "[\($0.target),\(sp)\(parts($0.parts))]" }.joined(separator: "," + sp)
            return ind + ind + "{\"voter\":\(sp)\(a.voter),\(sp)\"distribution\":\(sp)[\(d)]}"
        }.joined(separator: "," + nl)
        out += nl + ind + "]," + nl
        out += ind + "\"supports\":" + sp + "[" + nl
        out += supports.map { s in
            let v = s.voters.map { "[\($0.voter),\(sp)\"\($0.stake)\"]" }.joined(separator: "," + sp)
            return ind + ind + "{\"target\":\(sp)\(s.target),\(sp)\"total\":\(sp)\"\(s.total)\",\(sp)\"voters\":\(sp)[\(v)]}"
        }.joined(separator: "," + nl)
        out += nl + ind + "]," + nl
        out += ind + "\"score\":" + sp + "[\"\(score.minimalStake)\",\(sp)\"\(score.sumStake)\",\(sp)\"\(score.sumStakeSquared)\"]" + nl
        out += "}"
        return out
    }
}
