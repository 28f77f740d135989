import CanaryEngine
import CanaryChain

/// Where each session's HostConfiguration comes from, and the per-session record of it.
extension ParachainNodeModel {
    /// The HostConfiguration in force in `session`, read when the layer first meets the session
    /// at block `b`: from the runtime's `configuration` pallet state if the run has a runtime
    /// (governance `set_config` calls and the scenario's `set_config` entries are dispatched
    /// there, per fork), else from the scenario's `set_config` entries directly.
    func hostConfiguration(session: Int, at b: BlockId) -> HostConfiguration {
        if let source = stack.babe.runtime as? HostConfigurationSource,
           let h = source.hostConfiguration(session: session, at: b, in: tree) { return h }
        return config.host(session: session)
    }

    public static let sessionMetrics: [MetricDefinition] = [
        MetricDefinition("para.sessions", .count, "Sessions (BABE epochs) the parachain layer ran"),
        MetricDefinition("para.config_changes", .count, "Session boundaries at which the HostConfiguration in force changed (set_config enacted two sessions after its call)"),
        MetricDefinition("para.first_config_change_session", .count, "First session whose HostConfiguration differs from the previous session's (0: none)"),
        MetricDefinition("para.needed_approvals", .count, "needed_approvals in force in the last session"),
        MetricDefinition("para.cores", .count, "Availability cores in the last session (num_cores, raised by max_validators_per_core)"),
    ]

    /// The `para_sessions` table (one row per session: para-validators, cores and every
    /// HostConfiguration field in force) and the session metrics above.
    func sessionResults() -> RunResults {
        var r = RunResults()
        var table = ResultTable(name: "para_sessions", columns: [
            .init("session", .integer, "BABE epoch index"), .init("start_number", .integer, "first relay block of the session the layer met"),
            .init("para_validators", .integer), .init("cores", .integer, "availability cores (num_cores, raised by max_validators_per_core)"),
        ] + HostConfigurationField.allCases.map { .init($0.rawValue, .integer, "HostConfiguration in force") }, key: ["session"])
        // `sessions` is in the order the layer met them; sort by epoch for the table and changes.
        let ordered = sessions.sorted { $0.epoch < $1.epoch }
        var changes = 0, firstChange = 0
        for (i, s) in ordered.enumerated() {
            table.rows.append([.int(Int(s.epoch)), .int(s.startNumber), .int(s.nodes.count), .int(s.cores)]
                              + HostConfigurationField.allCases.map { f in f.value(in: s.host).map { .int($0) } ?? .null })
            if i > 0 && s.host != ordered[i - 1].host {
                changes += 1
                if firstChange == 0 { firstChange = Int(s.epoch) }
            }
        }
        r.tables.append(table)
        r.scalars += [("para.sessions", Double(ordered.count)), ("para.config_changes", Double(changes)),
                      ("para.first_config_change_session", Double(firstChange)),
                      ("para.needed_approvals", Double(ordered.last?.host.neededApprovals ?? 0)),
                      ("para.cores", Double(ordered.last?.cores ?? 0))]
        return r
    }
}
