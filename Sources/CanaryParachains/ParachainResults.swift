import CanaryEngine
import CanaryChain
import CanaryConsensus

extension ParachainNodeModel: ResultProducing {
    public static let metrics: [MetricDefinition] = [
        MetricDefinition("para.blocks_included", .count, "Parachain candidates made available (enacted) on the canonical relay chain"),
        MetricDefinition("para.block_time", .duration, distribution: true, "Time between consecutive enacted candidates of one parachain on the canonical chain (relay block production times)"),
        MetricDefinition("para.inclusion_latency", .duration, distribution: true, "Collation to availability (the enacting relay block's production), per canonical candidate"),
        MetricDefinition("para.backing_latency", .duration, distribution: true, "Collation to backable (backing threshold reached), per backed candidate"),
        MetricDefinition("para.candidates", .count, "Candidates built by collators"),
        MetricDefinition("para.backed", .count, "Candidates that reached the backing threshold"),
        MetricDefinition("approval.lag_blocks", .count, distribution: true, "Best block number minus the highest approved block above finality, per up para-validator, sampled every slot"),
        MetricDefinition("approval.time", .duration, distribution: true, "Relay block production to approval, per (canonical block with candidates, first approving node)"),
        MetricDefinition("approval.no_shows", .count, "Triggered assignments whose checker never approved (no-show validators)"),
        MetricDefinition("approval.no_shows_tolerated", .count, "No-shows covered by further tranches, summed over (node, candidate) approvals"),
        MetricDefinition("approval.tranches", .count, distribution: true, "Highest tranche needed when a node approved a candidate (the exact tranche count minus one)"),
        MetricDefinition("approval.assignments", .count, "Assignments triggered (announced)"),
        MetricDefinition("availability.timeouts", .count, "Candidates whose core timed out before availability (per fork)"),
        MetricDefinition("disputes.raised", .count, "Candidates disputed"),
        MetricDefinition("disputes.concluded_invalid", .count, "Disputes concluded invalid (supermajority of invalid votes)"),
        MetricDefinition("disputes.reverted_blocks", .count, "Relay blocks reverted by disputes concluded invalid (the blocks that backed the candidate; their descendants follow)"),
        MetricDefinition("disputes.slashes", .count, "Validators slashed by concluded disputes (backers 100 %, approvers 2 %)"),
        MetricDefinition("finality.disputed_finalized", .count, "Canonical or finalized blocks including a disputed candidate that some honest node finalized"),
    ]

    public func results(at end: SimTime) -> RunResults {
        var r = stack.results(at: end)
        let t = tree
        let head = stack.babe.canonicalHead
        var canonical = Set<BlockId>()
        var x = head
        while x != BlockTree.none { canonical.insert(x); x = t.parent[Int(x)] }
        var cand = ResultTable(name: "para_candidates", columns: [
            .init("candidate", .integer), .init("para", .integer), .init("core", .integer), .init("para_number", .integer),
            .init("relay_parent", .integer, "relay block number"), .init("pov_bytes", .integer), .init("created_at", .integer, "ns"),
            .init("backed_at", .integer, "ns"), .init("included_block", .integer, "canonical relay block that backed it in (number)"),
            .init("included_at", .integer, "ns"), .init("available_block", .integer, "canonical relay block that enacted it (number)"),
            .init("available_at", .integer, "ns"), .init("approved_at", .integer, "ns, first node"),
            .init("invalid", .integer), .init("disputed_at", .integer, "ns"), .init("concluded_invalid_at", .integer, "ns"),
        ], key: ["candidate"])
        var blockTime = LogHistogram(), inclusion = LogHistogram(), backing = LogHistogram()
        var lastAvailable = Array(repeating: SimTime.never, count: config.parachains)
        var included = 0
        // Canonical order: by enacting block number.
        var enacted: [(number: UInt32, produced: SimTime, id: Int)] = []
        for (i, c) in candidates.enumerated() {
            let inc = c.includedIn.first { canonical.contains($0) }
            let av = c.availableIn.first { canonical.contains($0) }
            if c.backedAt != .never { backing.record(UInt64(max((c.backedAt - c.createdAt).nanoseconds, 0))) }
            if let a = av { enacted.append((t.number[Int(a)], t.producedAt[Int(a)], i)) }
            cand.rows.append([.int(i), .int(c.para), .int(c.core), .int(c.seq), .int(t.number[Int(c.relayParent)]), .int(c.pov),
                              .time(c.createdAt), c.backedAt == .never ? .null : .time(c.backedAt),
                              inc.map { .int(t.number[Int($0)]) } ?? .null, inc.map { .time(t.producedAt[Int($0)]) } ?? .null,
                              av.map { .int(t.number[Int($0)]) } ?? .null, av.map { .time(t.producedAt[Int($0)]) } ?? .null,
                              c.approvedAt == .never ? .null : .time(c.approvedAt), .int(c.invalid ? 1 : 0),
                              c.disputeStartedAt == .never ? .null : .time(c.disputeStartedAt),
                              c.concludedAt == .never ? .null : .time(c.concludedAt)])
        }
        enacted.sort { ($0.number, $0.id) < ($1.number, $1.id) }
        for e in enacted {
            let c = candidates[e.id]
            included += 1
            inclusion.record(UInt64(max((e.produced - c.createdAt).nanoseconds, 0)))
            let p = Int(c.para)
            if lastAvailable[p] != .never { blockTime.record(UInt64(max((e.produced - lastAvailable[p]).nanoseconds, 0))) }
            lastAvailable[p] = e.produced
        }
        var approvals = ResultTable(name: "para_approvals", columns: [
            .init("block", .integer), .init("number", .integer), .init("produced_at", .integer, "ns"),
            .init("candidates", .integer, "candidates the block made available"),
            .init("first_approved_at", .integer, "ns, first node that approved the block"),
            .init("nodes_approved", .integer, "nodes that approved it"),
        ], key: ["block"])
        var approvalTime = LogHistogram()
        var chain: [BlockId] = []
        x = head
        while x != BlockTree.none { chain.append(x); x = t.parent[Int(x)] }
        for b in chain.reversed() {
            guard let st = blockState(b), !st.enacted.isEmpty else { continue }
            let at = Int(b) < blockApprovedAt.count ? blockApprovedAt[Int(b)] : .never
            if at != .never { approvalTime.record(UInt64(max((at - t.producedAt[Int(b)]).nanoseconds, 0))) }
            approvals.rows.append([.int(b), .int(t.number[Int(b)]), .time(t.producedAt[Int(b)]), .int(st.enacted.count),
                                   at == .never ? .null : .time(at), .int(Int(b) < blockApprovedBy.count ? blockApprovedBy[Int(b)] : 0)])
        }
        var slashes = ResultTable(name: "para_slashes", columns: [
            .init("candidate", .integer), .init("validator", .integer), .init("offence", .text),
            .init("fraction_perbill", .integer), .init("at", .integer, "ns"),
        ], key: ["candidate", "validator"])
        for s in records.slashes {
            slashes.rows.append([.int(s.cand), .int(s.validator), .text(s.offence.rawValue),
                                 .int(DisputeRules.slashFraction(s.offence).parts), .time(s.at)])
        }
        // Safety of the cap: a finalized block including a disputed candidate.
        var disputedFinalized = 0
        if let cap = stack.approvalCap {
            let fin = stack.finalized
            for (i, c) in candidates.enumerated() where c.disputeStartedAt != .never {
                _ = i
                for b in c.availableIn where cap.isDisputed(b) && fin.contains(where: { $0 == b || t.isAncestor(b, of: $0) }) {
                    disputedFinalized += 1
                }
            }
        }
        r.tables += [cand, approvals, slashes]
        r.scalars += [
            ("para.blocks_included", Double(included)), ("para.candidates", Double(candidates.count)),
            ("para.backed", Double(records.backed)), ("approval.no_shows", Double(records.noShows)),
            ("approval.no_shows_tolerated", Double(records.noShowsTolerated)), ("approval.assignments", Double(records.assignments)),
            ("availability.timeouts", Double(records.availabilityTimeouts)), ("availability.dropped_at_session_change", Double(records.droppedAtSessionChange)), ("para.fork_rebuilds", Double(records.forkRebuilds)),
            ("disputes.raised", Double(records.disputes)),
            ("disputes.concluded_invalid", Double(records.concludedInvalid)), ("disputes.reverted_blocks", Double(records.reverted)), ("disputes.slashes", Double(records.slashes.count)),
            ("finality.disputed_finalized", Double(disputedFinalized)),
        ]
        r.distributions += [("para.block_time", blockTime), ("para.inclusion_latency", inclusion), ("para.backing_latency", backing),
                            ("approval.lag_blocks", records.approvalLag), ("approval.tranches", records.tranches),
                            ("approval.time", approvalTime)]
        r.merge(sessionResults())
        return r
    }
}
