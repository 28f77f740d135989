import CanaryEngine
import CanaryChain
import CanaryConsensus

/// What the GRANDPA checkers observe at a check point: the model (block tree, each node's
/// finalized block, roles) and which nodes are up.
public struct GrandpaObservation {
    public let model: BabeGrandpaModel
    public let isUp: [Bool]

    public init(model: BabeGrandpaModel, isUp: [Bool]) { self.model = model; self.isUp = isUp }

    /// Honest voters that take part (not switched off by `consensus.offline`).
    public var honest: [Int] {
        let offline = Set(model.config.babe.offline.map(Int.init))
        return (0..<model.validators).filter { model.roles[$0] == .honest && !offline.contains($0) }
    }

    func number(_ b: BlockId) -> UInt32 { model.tree.number[Int(b)] }
}

/// No two honest nodes finalize conflicting blocks (GRANDPA's safety, which holds while fewer
/// than a third of the voters are Byzantine, whatever the network does).
///
/// At each check point every honest node's finalized block must be an ancestor of (or equal
/// to) the highest one: blocks on one chain are pairwise comparable, so this finds any conflict.
public struct FinalitySafetyChecker: InvariantChecker {
    public init() {}
    public var name: String { "grandpa.safety" }

    public func check(_ o: GrandpaObservation, at time: SimTime) -> InvariantViolation? {
        let honest = o.honest
        guard let top = honest.max(by: { (o.number(o.model.finalized[$0]), $1) < (o.number(o.model.finalized[$1]), $0) }) else { return nil }
        let high = o.model.finalized[top]
        for n in honest where !o.model.tree.isAncestor(o.model.finalized[n], of: high) {
            let b = o.model.finalized[n]
            return InvariantViolation(invariant: name, time: time, detail:
                "honest nodes \(n) and \(top) finalized conflicting blocks #\(o.number(b)) (id \(b)) and #\(o.number(high)) (id \(high))")
        }
        return nil
    }
}

/// Finality resumes after the last fault: once the timeline is quiet (every crashed node
/// restarted, every partition healed) and more than two thirds of the voters are honest and
/// up, every honest node must finalize a block higher than anything finalized when the quiet
/// began, within `bound`.
///
/// Decided at the end of the run; not applicable (no violation) when the run ends less than
/// `bound` after the quiet began, when a partition is still in force, or when the honest
/// nodes that are up hold two thirds or less of the voters.
public struct FinalityResumesChecker: InvariantChecker {
    public let quietFrom: SimTime
    public let bound: SimTime
    public let connectedAtEnd: Bool
    var baseline: UInt32?

    public init(quietFrom: SimTime, bound: SimTime, connectedAtEnd: Bool) {
        self.quietFrom = quietFrom; self.bound = bound; self.connectedAtEnd = connectedAtEnd
    }

    public var name: String { "grandpa.liveness" }

    public mutating func check(_ o: GrandpaObservation, at time: SimTime) -> InvariantViolation? {
        if baseline == nil && time >= quietFrom {
            baseline = o.honest.map { o.number(o.model.finalized[$0]) }.max() ?? 0
        }
        return nil
    }

    public func finish(_ o: GrandpaObservation, at time: SimTime) -> InvariantViolation? {
        guard let baseline, connectedAtEnd, time >= quietFrom + bound, o.model.config.setChanges.isEmpty else { return nil }
        // Set changes enacted by the runtime (a new election result) make it not applicable too.
        guard o.honest.allSatisfy({ o.model.voters[$0].setId == 0 }) else { return nil }
        let set = o.honest.first.map { o.model.voters[$0].voters.nodes } ?? []
        let voters = set.count
        let live = o.honest.filter { o.isUp[$0] && set.contains(UInt32($0)) }
        guard live.count * 3 > voters * 2 else { return nil }
        for n in live where o.number(o.model.finalized[n]) <= baseline {
            return InvariantViolation(invariant: name, time: time, detail:
                "honest node \(n) still finalized only #\(o.number(o.model.finalized[n])) at the end, \(time - quietFrom) after the last fault (at \(quietFrom), #\(baseline) was finalized; \(live.count) of \(voters) voters honest and up)")
        }
        return nil
    }
}

/// Finality trails the best block by at most `maxLag` blocks on every honest node that is up.
///
/// Not a protocol guarantee (a partition or a crash of a third stalls finality for as long as
/// it lasts): an optional, deliberately strict invariant (`canary explore --max-finality-lag`)
/// for finding how faults delay finality, and the test double that proves a failing invariant
/// is caught, reproduced from the written file and shrunk.
public struct FinalityLagChecker: InvariantChecker {
    public let maxLag: UInt32
    public init(maxLag: UInt32) { self.maxLag = maxLag }
    public var name: String { "grandpa.finality-lag" }

    public func check(_ o: GrandpaObservation, at time: SimTime) -> InvariantViolation? {
        let views = o.model.views
        for n in o.honest where o.isUp[n] {
            let best = o.number(views.best[n]), fin = o.number(o.model.finalized[n])
            if best > fin && best - fin > maxLag {
                return InvariantViolation(invariant: name, time: time, detail:
                    "honest node \(n): best #\(best), finalized #\(fin), lag \(best - fin) > \(maxLag) blocks")
            }
        }
        return nil
    }
}
