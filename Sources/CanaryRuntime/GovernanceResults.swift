import CanaryArithmetic
import CanaryEngine
import CanaryChain
import CanaryGovernance

// Governance results of the canonical chain: the canonical head's post-state holds the
// governance history of exactly that chain (referenda, tallies, calls, upgrades).
extension RelayRuntime {
    // MARK: Results

    /// Metrics of the governance runtime (expectations name them).
    public static let governanceMetrics: [MetricDefinition] = {
        var m = [
            MetricDefinition("referenda.submitted", .count, "Referenda submitted"),
            MetricDefinition("referenda.approved", .count, "Referenda approved"),
            MetricDefinition("referenda.rejected", .count, "Referenda rejected"),
            MetricDefinition("referenda.timed_out", .count, "Referenda timed out (never decided)"),
            MetricDefinition("referenda.ongoing", .count, "Referenda still ongoing at the end"),
            MetricDefinition("referenda.enacted", .count, "Approved proposals dispatched by the scheduler"),
            MetricDefinition("governance.failed_calls", .count, "Scripted calls (and enactments) that failed, e.g. a vote above the balance"),
            MetricDefinition("spec_version", .count, "Spec version of the runtime that executed the canonical head"),
            MetricDefinition("runtime_upgrades", .count, "set_code enactments that switched the runtime"),
            MetricDefinition("upgrade.block", .count, "Block number that enacted the last runtime upgrade (its successor runs the new code)"),
            MetricDefinition("upgrade.stall_slots", .count, "Last upgrade: slots between the canonical upgrade block N and block N+2, minus the two a healthy chain needs"),
            MetricDefinition("upgrade.first_block_delay", .duration, "Last upgrade: production time of the canonical block N+1 minus that of block N"),
            MetricDefinition("upgrade.blocks_after", .count, "Last upgrade: canonical blocks after the upgrade block"),
        ]
        for k in 0..<4 {
            m.append(MetricDefinition("referendum.\(k).approved_after", .duration, "Scenario referendum \(k): submission to approval (simulated time between the two blocks)"))
            m.append(MetricDefinition("referendum.\(k).enacted_after", .duration, "Scenario referendum \(k): submission to enactment"))
        }
        return m
    }()

    /// Canonical block per number (index = number), from `head` down.
    static func canonicalByNumber(head: BlockId, tree: BlockTree) -> [BlockId] {
        var out = Array(repeating: BlockTree.none, count: Int(tree.number[Int(head)]) + 1)
        var x = head
        while true {
            out[Int(tree.number[Int(x)])] = x
            if x == BlockTree.genesis { break }
            x = tree.parent[Int(x)]
        }
        return out
    }

    /// Governance tables and metrics; empty without a governance runtime.
    public func governanceResults(head: BlockId, tree: BlockTree) -> RunResults {
        guard let g = state(head)?.governance else { return RunResults() }
        let canonical = Self.canonicalByNumber(head: head, tree: tree)
        let headNumber = UInt32(canonical.count - 1)
        var out = g.commonResults(head: headNumber)
        func time(_ n: BlockNumber?) -> ResultValue { n.flatMap { g.time(ofBlock: $0) }.map { .integer($0) } ?? .null }
        func num(_ n: BlockNumber?) -> ResultValue { n.map { .int($0) } ?? .null }
        func planck(_ b: Balance) -> ResultValue { .text(String(b)) }


        // runtime_versions
        var versions = ResultTable(name: "runtime_versions", columns: [
            .init("spec_version", .integer), .init("previous_spec_version", .integer),
            .init("enacted_block", .integer, "Block whose execution dispatched set_code (runs the old code); 0 for genesis"),
            .init("enacted_at", .integer, "ns"),
            .init("first_block", .integer, "First block executed by this runtime (pays the migration)"),
            .init("first_block_at", .integer, "ns, production of the canonical first block (null if not reached)"),
            .init("first_block_slot", .integer, "Slot of the canonical first block"),
            .init("referendum", .integer, "Referendum that enacted it"),
            .init("migration_time", .integer, "ns added to the first block's proposal and import"),
            .init("import_time", .integer, "ns per import under this runtime (null: unchanged)"),
            .init("proposal_time", .integer, "ns per proposal under this runtime (null: unchanged)"),
            .init("inflation", .text, "Inflation parameters it sets (empty: unchanged)"),
            .init("not_upgraded", .integer, "Validators whose client cannot execute it"),
            .init("stall_slots", .integer, "slot(N+2) - slot(N) - 2 on the canonical chain (null if N+2 not reached)"),
        ], key: ["enacted_block"])
        versions.rows.append([.int(g.setup.genesisSpecVersion), .null, .int(0), .int(0), .int(0), .int(0), .int(0), .null,
                              .int(0), .null, .null, .text(""), .int(0), .null])
        var lastStall: ResultValue = .null, lastDelay: Int64? = nil
        for u in g.upgrades {
            let v = g.setup.versions[u.version]
            func canon(_ n: UInt32) -> BlockId? { Int(n) < canonical.count ? canonical[Int(n)] : nil }
            let first = canon(u.firstBlock)
            var stall: ResultValue = .null
            if let bN = canon(u.enactedBlock), let b2 = canon(u.enactedBlock + 2) {
                stall = .integer(Int64(tree.slot[Int(b2)]) - Int64(tree.slot[Int(bN)]) - 2)
            }
            if let bN = canon(u.enactedBlock), let f = first {
                lastDelay = tree.producedAt[Int(f)].nanoseconds - tree.producedAt[Int(bN)].nanoseconds
            } else { lastDelay = nil }
            lastStall = stall
            versions.rows.append([
                .int(u.specVersion), .int(u.previousSpecVersion), .int(u.enactedBlock), .integer(u.enactedAt), .int(u.firstBlock),
                first.map { .time(tree.producedAt[Int($0)]) } ?? .null, first.map { .int(tree.slot[Int($0)]) } ?? .null,
                u.referendum.map { .int($0) } ?? .null, .integer(v.migrationTime),
                v.importTime.map { .integer($0) } ?? .null, v.proposalTime.map { .integer($0) } ?? .null,
                .text(v.inflation?.summary ?? ""), .int(v.notUpgraded.count), stall,
            ])
        }
        out.tables.append(versions)


        if !g.upgrades.isEmpty {
            if case .integer(let s) = lastStall { out.scalars.append(("upgrade.stall_slots", Double(s))) }
            if let d = lastDelay { out.scalars.append(("upgrade.first_block_delay", Double(d))) }
        }
        return out
    }
}
