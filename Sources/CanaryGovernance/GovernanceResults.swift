import CanaryEngine

/// The governance results both fidelity levels report: tables `referenda`, `tally_samples` and
/// `governance_calls`, and the scalars that depend only on the runtime. The caller adds
/// `runtime_versions` (whose first-block columns depend on how blocks are produced) and its own
/// metrics.
extension GovernanceRuntime {
    /// - Parameter head: the last block executed on the chain the results describe.
    public func commonResults(head: BlockNumber) -> RunResults {
        let g = self
        let r = gov.referenda
        var out = RunResults()
        func time(_ n: BlockNumber?) -> ResultValue { n.flatMap { g.time(ofBlock: $0) }.map { .integer($0) } ?? .null }
        func num(_ n: BlockNumber?) -> ResultValue { n.map { .int($0) } ?? .null }
        func planck(_ b: Balance) -> ResultValue { .text(String(b)) }

        // referenda
        var referenda = ResultTable(name: "referenda", columns: [
            .init("referendum", .integer, "On-chain index (ReferendumCount at submission)"),
            .init("scenario_ref", .integer, "Position in the scenario's governance.referenda list"),
            .init("track", .text), .init("track_id", .integer), .init("call", .text, "Proposal, e.g. system.set_code(1003000)"),
            .init("submitted", .integer, "Block"), .init("submitted_at", .integer, "ns"),
            .init("deposit_placed", .integer, "Block the decision deposit was placed"),
            .init("queued", .integer, "Block it joined the track queue (track full), if it did"),
            .init("decision_started", .integer, "Block"), .init("decision_started_at", .integer, "ns"),
            .init("confirm_started", .integer, "Block confirming (last) started"),
            .init("confirm_aborts", .integer, "Times confirming stopped because the referendum stopped passing"),
            .init("ended", .integer, "Block of approval, rejection, timeout, cancel or kill"), .init("ended_at", .integer, "ns"),
            .init("outcome", .text, "approved, rejected, timed_out, cancelled, killed; ongoing at the end"),
            .init("enactment_scheduled", .integer, "Block the proposal is scheduled for"),
            .init("enacted", .integer, "Block the proposal was dispatched"), .init("enacted_at", .integer, "ns"),
            .init("ayes", .text, "Conviction-weighted ayes (planck) at the end or final"),
            .init("nays", .text, "Conviction-weighted nays (planck)"), .init("support", .text, "Support capital (planck)"),
            .init("approval", .integer, "Perbill parts"),
        ], key: ["referendum"])
        var submitted = 0, approved = 0, rejected = 0, timedOut = 0, ongoing = 0, enacted = 0
        for i in 0..<r.referendumCount {
            let t = r.timelines[Int(i)]
            let info = r.info(i)!
            let tally = info.ongoing?.tally ?? g.lastTally(i) ?? .empty
            let outcome = t.outcome ?? "ongoing"
            submitted += 1
            switch outcome {
            case "approved": approved += 1
            case "rejected": rejected += 1
            case "timed_out": timedOut += 1
            case "ongoing": ongoing += 1
            default: break
            }
            if t.enacted != nil { enacted += 1 }
            let scenarioRef = g.chainIndex.firstIndex(of: i).map { ResultValue.int($0) } ?? .null
            let call = info.ongoing?.proposal.description ?? g.events.first(where: { $0.index == i && $0.kind.enactedCall != nil })?.kind.enactedCall?.description ?? g.submittedCall(i)
            referenda.rows.append([
                .int(i), scenarioRef, .text(g.setup.tracks.track(id: t.track)?.name ?? "?"), .int(t.track), .text(call),
                .int(t.submitted), time(t.submitted), num(t.decisionDepositPlaced), num(t.queuedAt),
                num(t.decisionStarted), time(t.decisionStarted), num(t.confirmStarted), .int(t.confirmAborts),
                num(t.ended), time(t.ended), .text(outcome), num(t.enactmentScheduledFor), num(t.enacted), time(t.enacted),
                planck(tally.ayes), planck(tally.nays), planck(tally.support), .int(tally.approval.parts),
            ])
        }
        out.tables.append(referenda)

        // tally_samples
        var samples = ResultTable(name: "tally_samples", columns: [
            .init("block", .integer), .init("at", .integer, "ns"), .init("referendum", .integer),
            .init("state", .text, "ongoing or the outcome"),
            .init("ayes", .text, "planck, conviction-weighted"), .init("nays", .text, "planck, conviction-weighted"),
            .init("support", .text, "planck"),
            .init("approval", .integer, "Perbill parts: ayes / (ayes + nays)"),
            .init("support_fraction", .integer, "Perbill parts: support / active issuance"),
            .init("approval_threshold", .integer, "Perbill parts at the elapsed fraction of the decision period (null before deciding)"),
            .init("support_threshold", .integer, "Perbill parts (null before deciding)"),
            .init("passing", .integer, "1 if both thresholds are met (null before deciding)"),
        ], key: ["block", "referendum"])
        for s in g.samples {
            let passing: ResultValue
            if let a = s.approvalThreshold, let b = s.supportThreshold { passing = .int(s.approval >= a && s.support >= b ? 1 : 0) } else { passing = .null }
            samples.rows.append([
                .int(s.block), .integer(s.time), .int(s.referendum), .text(s.state),
                planck(s.tally.ayes), planck(s.tally.nays), planck(s.tally.support), .int(s.approval.parts), .int(s.support.parts),
                s.approvalThreshold.map { .int($0.parts) } ?? .null, s.supportThreshold.map { .int($0.parts) } ?? .null, passing,
            ])
        }
        out.tables.append(samples)

        // governance_calls
        var calls = ResultTable(name: "governance_calls", columns: [
            .init("seq", .integer, "Order of execution"), .init("block", .integer), .init("at", .integer, "ns"),
            .init("call", .text, "submit, place_decision_deposit, vote, remove_vote, delegate, cancel, kill, or dispatch <call> (enactment)"),
            .init("who", .integer, "Account index"), .init("account", .text, "Account name"),
            .init("scenario_ref", .integer, "Scenario referendum"), .init("result", .text, "ok or the error"),
        ], key: ["seq"])
        var failed = 0
        for (k, c) in g.calls.enumerated() {
            if c.result != "ok" { failed += 1 }
            calls.rows.append([.int(k), .int(c.block), .integer(c.time), .text(c.call), c.who.map { .int($0) } ?? .null,
                               c.who.map { Int($0) < g.setup.accountNames.count ? .text(g.setup.accountNames[Int($0)]) : .null } ?? .null,
                               c.referendum.map { .int($0) } ?? .null, .text(c.result)])
        }
        out.tables.append(calls)

        out.scalars = [
            ("referenda.submitted", Double(submitted)), ("referenda.approved", Double(approved)),
            ("referenda.rejected", Double(rejected)), ("referenda.timed_out", Double(timedOut)),
            ("referenda.ongoing", Double(ongoing)), ("referenda.enacted", Double(enacted)),
            ("governance.failed_calls", Double(failed)),
            ("spec_version", Double(g.specVersion(forBlock: head))),
            ("runtime_upgrades", Double(g.upgrades.count)),
        ]
        if let u = g.upgrades.last {
            out.scalars.append(("upgrade.block", Double(u.enactedBlock)))
            out.scalars.append(("upgrade.blocks_after", Double(head >= u.enactedBlock ? head - u.enactedBlock : 0)))
        }
        for (k, idx) in g.chainIndex.prefix(4).enumerated() {
            guard let idx else { continue }
            let t = r.timelines[Int(idx)]
            guard let sub = g.time(ofBlock: t.submitted) else { continue }
            if t.outcome == "approved", let e = t.ended, let at = g.time(ofBlock: e) {
                out.scalars.append(("referendum.\(k).approved_after", Double(at - sub)))
            }
            if let e = t.enacted, let at = g.time(ofBlock: e) {
                out.scalars.append(("referendum.\(k).enacted_after", Double(at - sub)))
            }
        }
        return out
    }

    /// The call scenario action submitted for on-chain referendum `i` (for finished referenda).
    func submittedCall(_ i: ReferendumIndex) -> String {
        guard let ref = chainIndex.firstIndex(of: i) else { return "" }
        for a in setup.actions {
            if case let .submit(r, _, _, call, _) = a.kind, r == ref { return call.description }
        }
        return ""
    }
}

extension ReferendumEvent.Kind {
    var enactedCall: ProposalCall? {
        if case let .enacted(_, _, call) = self { return call }
        return nil
    }
}
