/// Results a model hands to the store at the end of a run, in a storage-neutral form, so that
/// protocol modules (consensus, staking, governance) never depend on SQLite: each declares its
/// tables and metrics, and `CanaryStore` persists, digests and queries them generically.
public struct RunResults: Sendable {
    public var tables: [ResultTable] = []
    /// Scalar metrics by name (expectations read them, e.g. `best_height`).
    public var scalars: [(name: String, value: Double)] = []
    /// Distributions by name (expectations summarise them, e.g. `p99(block_time)`).
    public var distributions: [(name: String, histogram: LogHistogram)] = []
    public init() {}

    public mutating func merge(_ other: RunResults) {
        tables += other.tables
        scalars += other.scalars
        distributions += other.distributions
    }
}

/// A SQLite table of results: every row belongs to one run (a `run_id` column is added).
public struct ResultTable: Sendable {
    public enum ColumnType: String, Sendable { case integer = "INTEGER", real = "REAL", text = "TEXT" }
    public struct Column: Sendable {
        public var name: String
        public var type: ColumnType
        public var doc: String
        public init(_ name: String, _ type: ColumnType, _ doc: String = "") { self.name = name; self.type = type; self.doc = doc }
    }
    public var name: String
    public var columns: [Column]
    /// Columns that identify a row within a run (the digest reads rows in this order).
    public var key: [String]
    public var rows: [[ResultValue]]
    public init(name: String, columns: [Column], key: [String], rows: [[ResultValue]] = []) {
        self.name = name; self.columns = columns; self.key = key; self.rows = rows
    }
}

/// One cell of a result row.
public enum ResultValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case null

    public static func int<I: BinaryInteger>(_ v: I) -> ResultValue { .integer(Int64(v)) }
    public static func time(_ t: SimTime?) -> ResultValue { t.map { .integer($0.nanoseconds) } ?? .null }
}

/// What a metric measures, which decides how expectation values are written and compared.
public enum MetricUnit: Sendable, Equatable {
    case count
    /// Nanoseconds; written with a duration unit (`400ms`).
    case duration
    /// A fraction; written as `0.98` or `98%`.
    case ratio
}

/// A metric an expectation can name: a scalar, or a distribution summarised by a function.
/// Each subsystem publishes the list of metrics it produces.
public struct MetricDefinition: Sendable {
    public var name: String
    public var unit: MetricUnit
    public var isDistribution: Bool
    public var doc: String
    public init(_ name: String, _ unit: MetricUnit, distribution: Bool = false, _ doc: String) {
        self.name = name; self.unit = unit; self.isDistribution = distribution; self.doc = doc
    }
}

/// A model that reports results at the end of a run, and may hand over finished rows while
/// the run goes (`drainFinishedRows`), so that per-block and per-round tables are written to the
/// store as soon as their rows can no longer change instead of being held to the end.
public protocol ResultProducing {
    /// Everything not handed over yet: the rows still held, the scalars and the distributions.
    func results(at end: SimTime) -> RunResults
    /// Rows that are final (their block is below every node's finality, their round is behind
    /// every voter), removed from the model: a later `results(at:)` no longer includes them.
    /// The union of every drained table and the final `results(at:)` is the same whether or
    /// not (and however often) this is called. Default: nothing (everything at the end).
    mutating func drainFinishedRows() -> [ResultTable]
}

extension ResultProducing {
    public mutating func drainFinishedRows() -> [ResultTable] { [] }
}

/// Finished rows waiting to be drained, per table (in the order tables were first used). A
/// model appends a row once it is final; the scenario runner drains them at every sample step
/// and writes them to the store, so what the model holds stays bounded by the rows of one step.
public struct FinishedRows: Sendable {
    public private(set) var tables: [ResultTable] = []
    /// Rows handed over by `drain` so far (all tables).
    public private(set) var drainedRows = 0
    public init() {}

    /// Rows waiting (all tables).
    public var pendingRows: Int { tables.reduce(0) { $0 + $1.rows.count } }

    /// Appends `row` to the table shaped like `template` (its rows are ignored).
    public mutating func append(_ row: [ResultValue], to template: ResultTable) {
        precondition(row.count == template.columns.count, "row width of \(template.name)")
        if let i = tables.firstIndex(where: { $0.name == template.name }) {
            tables[i].rows.append(row)
        } else {
            var t = template
            t.rows = [row]
            tables.append(t)
        }
    }

    /// The rows waiting, removed (tables keep their place for the next rows).
    public mutating func drain() -> [ResultTable] {
        let out = tables.filter { !$0.rows.isEmpty }
        drainedRows += out.reduce(0) { $0 + $1.rows.count }
        for i in tables.indices { tables[i].rows.removeAll() }
        return out
    }

    /// The rows of table `name` still waiting (for the end-of-run results).
    public func pending(_ name: String) -> [[ResultValue]] { tables.first { $0.name == name }?.rows ?? [] }
}
