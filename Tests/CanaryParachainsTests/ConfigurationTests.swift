import Testing
@testable import CanaryParachains

/// The `configuration` pallet's scheduling of `set_config` calls (`ConfigurationState.dispatch`).
@Suite struct ConfigurationTests {
    /// A consistent base with async backing on (`scheduling_lookahead` 3, depth 3).
    let base = HostConfiguration.kusama

    @Test func aCallIsStagedForTwoSessionsLaterAndNothingChangesBefore() {
        var st = ConfigurationState(base)
        #expect(st.dispatch(HostConfigurationCall([(.neededApprovals, 12)]), current: 3) == nil)
        #expect(st.pending.map(\.session) == [5])
        for s in 3...4 {
            st.newSession(s)
            #expect(st.active.neededApprovals == 30)
            #expect(st.configuration(forSession: s).neededApprovals == 30)
        }
        #expect(st.configuration(forSession: 5).neededApprovals == 12)   // known two sessions ahead
        st.newSession(5)
        #expect(st.active.neededApprovals == 12 && st.pending.isEmpty)
    }

    /// Two calls in one session update the one staged configuration (the second's base is the
    /// first's result); a call in the next session stages on top of it for its own session.
    @Test func callsInOneSessionStackOnTheStagedConfiguration() {
        var st = ConfigurationState(base)
        _ = st.dispatch(HostConfigurationCall([(.neededApprovals, 12)]), current: 3)
        _ = st.dispatch(HostConfigurationCall([(.noShowSlots, 4)]), current: 3)
        #expect(st.pending.count == 1 && st.pending[0].session == 5)
        #expect(st.pending[0].config.neededApprovals == 12 && st.pending[0].config.noShowSlots == 4)
        st.newSession(4)
        _ = st.dispatch(HostConfigurationCall([(.neededApprovals, 20)]), current: 4)
        #expect(st.pending.map(\.session) == [5, 6])
        #expect(st.pending[1].config.noShowSlots == 4 && st.pending[1].config.neededApprovals == 20)
        st.newSession(5)
        #expect(st.active.neededApprovals == 12 && st.active.noShowSlots == 4)
        st.newSession(6)
        #expect(st.active.neededApprovals == 20 && st.active.noShowSlots == 4)
    }

    /// `InvalidNewValue`: a change that breaks a consistent base is refused and stages nothing;
    /// the same fields changed together with what makes them consistent are accepted.
    @Test func aChangeThatBreaksConsistencyIsRefused() {
        var st = ConfigurationState(base)
        #expect(st.dispatch(HostConfigurationCall([(.schedulingLookahead, 1)]), current: 0) == "InvalidNewValue")
        #expect(st.pending.isEmpty)
        #expect(st.dispatch(HostConfigurationCall([(.schedulingLookahead, 1), (.maxCandidateDepth, 0)]), current: 0) == nil)
        #expect(st.configuration(forSession: 2).schedulingLookahead == 1 && !st.configuration(forSession: 2).asyncBacking)
        // An already broken base accepts any change (the pallet lets it be repaired step by step).
        var broken = base
        broken.schedulingLookahead = 1
        var b = ConfigurationState(broken)
        #expect(b.dispatch(HostConfigurationCall([(.neededApprovals, 5)]), current: 0) == nil)
    }

    /// The call's text is canonical (field order, last value of a repeated field) and parses back.
    @Test func callArgumentsRoundTrip() throws {
        let call = HostConfigurationCall([(.noShowSlots, 4), (.numCores, 12), (.noShowSlots, 5), (.maxPoVSize, 10_485_760)])
        #expect(call.arguments == ["num_cores=12", "no_show_slots=5", "max_pov_size=10485760"])
        #expect(call.description == "configuration.set_config(num_cores=12, no_show_slots=5, max_pov_size=10485760)")
        #expect(HostConfigurationCall(arguments: call.arguments) == call)
        #expect(HostConfigurationCall(arguments: ["needed_aprovals=3"]) == nil)
        #expect(HostConfigurationCall(arguments: ["needed_approvals"]) == nil)
        var h = base
        call.apply(to: &h)
        #expect(h.numCores == 12 && h.noShowSlots == 5 && h.maxPoVSize == 10_485_760 && h.neededApprovals == 30)
        // Every field reads back what it sets, and names the pallet's setter.
        for f in HostConfigurationField.allCases {
            var x = HostConfiguration.structDefault
            f.set(77, in: &x)
            #expect(f.value(in: x) == 77)
            #expect(f.setter.hasPrefix("set_"))
        }
        #expect(HostConfigurationField.numCores.setter == "set_coretime_cores")
    }
}
