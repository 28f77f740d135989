import Foundation
import GRDB
import CanaryStore

/// `canary merge`: several results files (shards of a sweep, or any runs) into one new file.
///
/// Every table is carried (model tables included, created from the inputs' own definitions);
/// runs get new ids, and every `run_id` follows. Sweep runs are numbered in sweep order
/// (sweep, point, seed), so a sweep merged from N shards is numbered exactly like the same
/// sweep run in one place; other runs follow in input order. Each run's digest is recomputed
/// on the merged file and must equal the digest it had, so nothing was lost or altered.
public enum ShardMerger {
    public struct Report: Sendable {
        public var inputs: Int
        public var runs: Int
        public var sweepRuns: Int
        /// Tables carried, by name.
        public var tables: [String]
        /// Runs whose digest was recomputed on the merged file and matched.
        public var digestsVerified: Int
    }

    public struct MergeError: Error, CustomStringConvertible {
        public var description: String
        /// True when the merge ran but a digest did not survive it (not an input problem).
        public var isVerification = false
        init(_ d: String, verification: Bool = false) { description = d; isVerification = verification }
    }

    /// `runs` columns that identify the simulator build (`canary --version`); inputs must agree on them.
    public static let versionColumns = ["simulator_version", "git_commit"]

    public static func merge(into out: String, inputs: [String]) throws -> Report {
        guard !inputs.isEmpty else { throw MergeError("no input files") }
        guard !FileManager.default.fileExists(atPath: out) else {
            throw MergeError("\(out) already exists; merge writes a new file (remove it, or choose another name)")
        }
        let outURL = URL(fileURLWithPath: out).standardized
        var readOnly = Configuration()
        readOnly.readonly = true
        var sources: [(path: String, tables: [(name: String, sql: String, columns: [String])])] = []
        for path in inputs {
            guard URL(fileURLWithPath: path).standardized != outURL else { throw MergeError("\(path) is both the output and an input") }
            guard FileManager.default.fileExists(atPath: path) else { throw MergeError("\(path): no such file") }
            do {
                let db = try DatabaseQueue(path: path, configuration: readOnly)
                let tables = try db.read { db in
                    try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
                        .map { row -> (String, String, [String]) in
                            let name: String = row["name"]
                            return (name, row["sql"], try db.columns(in: name).map(\.name))
                        }
                }
                guard tables.contains(where: { $0.0 == "runs" }) else { throw MergeError("\(path) has no runs table; is it a Canary results file?") }
                sources.append((path, tables.map { (name: $0.0, sql: $0.1, columns: $0.2) }))
            } catch let e as MergeError {
                throw e
            } catch {
                throw MergeError("\(path): cannot read it as a Canary results file (\(error))")
            }
        }
        try checkVersions(sources.map(\.path), readOnly)

        // New ids: sweep runs in sweep order, then the rest in input order.
        struct Key: Comparable {
            var sweep: Int, name: String, point: Int64, seed: Int64, input: Int, id: Int64
            static func < (a: Key, b: Key) -> Bool {
                (a.sweep, a.name, a.point, a.seed, a.input, a.id) < (b.sweep, b.name, b.point, b.seed, b.input, b.id)
            }
        }
        var keys: [Key] = []
        for (i, s) in sources.enumerated() {
            let db = try DatabaseQueue(path: s.path, configuration: readOnly)
            let hasPoints = s.tables.contains { $0.name == "sweep_points" }
            let sql = hasPoints
                ? "SELECT r.id, p.sweep, p.point, p.seed FROM runs r LEFT JOIN sweep_points p ON p.run_id = r.id ORDER BY r.id"
                : "SELECT id, NULL AS sweep, NULL AS point, NULL AS seed FROM runs ORDER BY id"
            for row in try db.read({ try Row.fetchAll($0, sql: sql) }) {
                let name: String? = row["sweep"]
                keys.append(Key(sweep: name == nil ? 1 : 0, name: name ?? "", point: row["point"] ?? 0,
                                seed: row["seed"] ?? 0, input: i, id: row["id"]))
            }
        }
        keys.sort()
        var newId: [Int: [(old: Int64, new: Int64)]] = [:]
        for (n, k) in keys.enumerated() { newId[k.input, default: []].append((k.id, Int64(n + 1))) }

        // The output: every input table, as the inputs define it (so files of an older or newer
        // Canary merge as long as they agree with each other).
        var outConfig = Configuration()
        outConfig.prepareDatabase { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        let db = try DatabaseQueue(path: out, configuration: outConfig)
        var carried: [String] = []
        try db.write { db in
            for s in sources {
                for t in s.tables {
                    if try db.tableExists(t.name) {
                        let have = try db.columns(in: t.name).map(\.name)
                        guard Set(have) == Set(t.columns) else {
                            throw MergeError("table \(t.name) has columns (\(t.columns.joined(separator: ", "))) in \(s.path) but (\(have.joined(separator: ", "))) in another input; the files come from different Canary versions")
                        }
                    } else {
                        try db.execute(sql: t.sql)
                    }
                    if !carried.contains(t.name) { carried.append(t.name) }
                }
            }
        }
        for (i, s) in sources.enumerated() {
            try db.writeWithoutTransaction { db in
                try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [s.path])
                defer { try? db.execute(sql: "DETACH DATABASE src") }
                try db.inTransaction {
                    try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS idmap (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
                    try db.execute(sql: "DELETE FROM temp.idmap")
                    let stmt = try db.makeStatement(sql: "INSERT INTO temp.idmap VALUES (?, ?)")
                    for m in newId[i] ?? [] { try stmt.execute(arguments: [m.old, m.new]) }
                    // runs first (other tables reference it), then the rest in the input's order.
                    for t in s.tables.sorted(by: { ($0.name == "runs" ? 0 : 1) < ($1.name == "runs" ? 0 : 1) }) {
                        let table = quote(t.name)
                        let cols = t.columns.map(quote).joined(separator: ", ")
                        let source = t.columns.map { c -> String in
                            if t.name == "runs" && c == "id" { return "m.new" }
                            if c == "run_id" { return "m.new" }
                            return "x.\(quote(c))"
                        }.joined(separator: ", ")
                        if t.name == "runs" {
                            try db.execute(sql: "INSERT INTO main.runs (\(cols)) SELECT \(source) FROM src.runs x JOIN temp.idmap m ON m.old = x.id")
                        } else if t.columns.contains("run_id") {
                            try db.execute(sql: "INSERT INTO main.\(table) (\(cols)) SELECT \(source) FROM src.\(table) x JOIN temp.idmap m ON m.old = x.run_id")
                        } else {
                            // Not per run (shared reference data): identical rows once.
                            try db.execute(sql: "INSERT OR IGNORE INTO main.\(table) (\(cols)) SELECT \(source) FROM src.\(table) x")
                        }
                    }
                    return .commit
                }
            }
        }

        // Every digest recomputed on the merged file.
        let store = try ResultStore(path: out)
        let stored = try db.read { try Row.fetchAll($0, sql: "SELECT id, digest FROM runs WHERE digest IS NOT NULL ORDER BY id") }
        for row in stored {
            let id: Int64 = row["id"]
            let expected: String = row["digest"]
            let actual = try store.digest(run: id)
            guard actual == expected else {
                throw MergeError("run \(id) of the merged file has digest \(actual), but \(expected) before the merge; the merged file is incomplete (kept at \(out) for inspection)", verification: true)
            }
        }
        let sweepRuns = keys.filter { $0.sweep == 0 }.count
        return Report(inputs: inputs.count, runs: keys.count, sweepRuns: sweepRuns, tables: carried, digestsVerified: stored.count)
    }

    /// Refuses inputs written by different simulator builds (the `runs` version/commit columns).
    static func checkVersions(_ paths: [String], _ config: Configuration) throws {
        var seen: [(version: String, path: String)] = []
        for path in paths {
            let db = try DatabaseQueue(path: path, configuration: config)
            let cols = try db.read { try $0.columns(in: "runs").map(\.name) }.filter { versionColumns.contains($0) }
            guard !cols.isEmpty else { continue }
            let select = cols.map { "coalesce(CAST(\(quote($0)) AS TEXT), '?')" }.joined(separator: " || ' ' || ")
            let versions = try db.read { try String.fetchAll($0, sql: "SELECT DISTINCT \(select) FROM runs ORDER BY 1") }
            for v in versions where !seen.contains(where: { $0.version == v }) { seen.append((v, path)) }
        }
        if seen.count > 1 {
            throw MergeError("the inputs come from different Canary builds; merge only runs of one version:\n"
                             + seen.map { "  \($0.version)  (first in \($0.path))" }.joined(separator: "\n"))
        }
    }

    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
