/// A property a run must keep, observed from outside the model.
///
/// Checkers are separate from recorders (which store results) and from models (which simulate):
/// a checker only looks at a subject — a model, a runtime, a ledger — at check points in
/// simulated-time order and says whether its property still holds. `canary explore` runs
/// every checker of a scenario at each check point and once at the end; a subsystem adds
/// its own checkers (issuance conservation for a runtime, say) by conforming its type, with
/// the subject it needs. See docs/reliability.md.
public protocol InvariantChecker {
    /// What the checker observes.
    associatedtype Subject
    /// Stable name, used in reports and reproducer files (e.g. `grandpa.safety`).
    var name: String { get }
    /// Observes `subject` at `time` (called in increasing time order); a violation if the
    /// property no longer holds. Safety properties are decided here.
    mutating func check(_ subject: Subject, at time: SimTime) -> InvariantViolation?
    /// Called once at the end of the run; liveness properties ("eventually …") are decided here.
    mutating func finish(_ subject: Subject, at time: SimTime) -> InvariantViolation?
}

extension InvariantChecker {
    public mutating func finish(_ subject: Subject, at time: SimTime) -> InvariantViolation? { nil }
}

/// A broken invariant: which one, when it was found, and what was seen.
public struct InvariantViolation: Sendable, Equatable, CustomStringConvertible {
    public var invariant: String
    public var time: SimTime
    public var detail: String
    public init(invariant: String, time: SimTime, detail: String) {
        self.invariant = invariant; self.time = time; self.detail = detail
    }
    public var description: String { "\(invariant) violated at \(time): \(detail)" }
}

/// Holds a checker's state for `AnyInvariantChecker` (copies of one erased checker share it).
final class CheckerBox<C: InvariantChecker> {
    var c: C
    init(_ c: C) { self.c = c }
}

/// Any checker of one subject type, so checkers of different types can share a list.
/// Copies share the wrapped checker's state: make a fresh one per run.
public struct AnyInvariantChecker<Subject>: InvariantChecker {
    public let name: String
    private var checkBody: (Subject, SimTime) -> InvariantViolation?
    private var finishBody: (Subject, SimTime) -> InvariantViolation?

    public init<C: InvariantChecker>(_ checker: C) where C.Subject == Subject {
        name = checker.name
        // One boxed copy shared by both closures, so `finish` sees what `check` accumulated.
        let box = CheckerBox(checker)
        checkBody = { box.c.check($0, at: $1) }
        finishBody = { box.c.finish($0, at: $1) }
    }

    public mutating func check(_ subject: Subject, at time: SimTime) -> InvariantViolation? { checkBody(subject, time) }
    public mutating func finish(_ subject: Subject, at time: SimTime) -> InvariantViolation? { finishBody(subject, time) }
}

/// Runs a list of checkers: the first violation of each is kept (later ones of the same
/// invariant are consequences), in the order found.
public struct CheckerSet<Subject> {
    public private(set) var checkers: [AnyInvariantChecker<Subject>]
    public private(set) var violations: [InvariantViolation] = []

    public init(_ checkers: [AnyInvariantChecker<Subject>]) { self.checkers = checkers }

    public mutating func check(_ subject: Subject, at time: SimTime) {
        for i in checkers.indices where !violations.contains(where: { $0.invariant == checkers[i].name }) {
            if let v = checkers[i].check(subject, at: time) { violations.append(v) }
        }
    }

    public mutating func finish(_ subject: Subject, at time: SimTime) {
        for i in checkers.indices where !violations.contains(where: { $0.invariant == checkers[i].name }) {
            if let v = checkers[i].finish(subject, at: time) { violations.append(v) }
        }
    }
}
