import CanaryEngine
import CanaryChain
import CanaryConsensus
import CanaryRuntime
import CanaryStaking

extension GrandpaObservation {
    /// The chain's runtime, when the scenario runs one (`consensus: full` with a `staking:` section).
    public var runtime: RelayRuntime? { model.babe.runtime as? RelayRuntime }
}

/// Issuance conservation every era, observed from outside the runtime: for each era that
/// closed (on any fork) since the last check point, issuance after = before + minted (treasury
/// share and stakers' rewards) − burned, and in the ledger of the block that closed it the
/// accounts and the treasury add up to the issuance (`IssuanceConservation`, to the planck).
/// Also, for every block executed since the last check point, the ledger's issuance equals
/// genesis + minted − burned and the balances add up to it, so a leak between era ends shows too.
public struct EraIssuanceChecker: InvariantChecker {
    var erasSeen = 0
    var blocksSeen = 1
    public init() {}
    public var name: String { "staking.issuance-conservation" }

    public mutating func check(_ o: GrandpaObservation, at time: SimTime) -> InvariantViolation? {
        guard let rt = o.runtime, rt.config.staking != nil else { return nil }
        let eras = rt.records.eras
        while erasSeen < eras.count {
            let e = eras[erasSeen]
            erasSeen += 1
            guard let ledger = rt.state(e.block)?.population?.state else {
                let s = e.summary
                if s.totalIssuanceAfter != s.totalIssuanceBefore + s.toTreasury + s.paidToStakers - s.burned {
                    return InvariantViolation(invariant: name, time: time, detail: "era \(s.era) (block #\(e.number)): issuance \(s.totalIssuanceAfter) != \(s.totalIssuanceBefore) + minted \(s.toTreasury + s.paidToStakers) - burned \(s.burned)")
                }
                continue
            }
            var c = IssuanceConservation()
            if let v = c.check(EraClose(summary: e.summary, ledger: ledger), at: time) {
                return InvariantViolation(invariant: name, time: time, detail: "block #\(e.number) (id \(e.block)): \(v.detail)")
            }
        }
        let tree = o.model.tree
        while blocksSeen < tree.count {
            let b = BlockId(blocksSeen)
            blocksSeen += 1
            guard let s = rt.state(b)?.population?.state else { continue }
            if s.totalIssuance != s.genesisIssuance + s.minted - s.burned || s.sumOfBalances != s.totalIssuance {
                return InvariantViolation(invariant: name, time: time, detail:
                    "block #\(tree.number[Int(b)]) (id \(b)): issuance \(s.totalIssuance), genesis \(s.genesisIssuance) + minted \(s.minted) - burned \(s.burned), accounts + treasury \(s.sumOfBalances)")
            }
        }
        return nil
    }
}

/// Runtime state identical on every honest node for the same block. The node stack executes
/// each block once, when it is authored, and every node that imports it shares that post-state;
/// that sharing is only sound if execution is a pure function of the parent's state and the
/// block. This checker re-executes every block (once, at the first check point after it was
/// authored, while its parent's state is kept) on a copy of the runtime, as another node
/// importing it would, and compares the post-states (`RuntimeState.fingerprint`): any hidden
/// input (iteration order, shared caches, the time of execution) shows as a difference.
public struct SameRuntimeStateChecker: InvariantChecker {
    var blocksSeen = 1
    public init() {}
    public var name: String { "runtime.same-state" }

    public mutating func check(_ o: GrandpaObservation, at time: SimTime) -> InvariantViolation? {
        guard let rt = o.runtime else { return nil }
        let tree = o.model.tree
        while blocksSeen < tree.count {
            let b = BlockId(blocksSeen)
            blocksSeen += 1
            guard let mine = rt.state(b), rt.state(tree.parent[Int(b)]) != nil else { continue }
            var other = rt
            other.execute(b, in: tree)
            guard let theirs = other.state(b) else { continue }
            let (x, y) = (mine.fingerprint, theirs.fingerprint)
            if x != y {
                return InvariantViolation(invariant: name, time: time, detail:
                    "block #\(tree.number[Int(b)]) (id \(b), author \(tree.author[Int(b)])): executed again on its parent's state it gives state \(y), the node stack kept \(x)")
            }
        }
        return nil
    }
}
