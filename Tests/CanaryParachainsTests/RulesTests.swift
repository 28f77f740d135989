import Testing
import CanaryChain
import CanaryArithmetic
import CanaryConsensus
@testable import CanaryParachains

@Suite struct ThresholdTests {
    @Test func availabilityAndRecovery() {
        // n − ⌊(n−1)/3⌋ and ⌊(n−1)/3⌋ + 1 (polkadot-sdk primitives / erasure-coding).
        let cases: [(n: Int, avail: Int, rec: Int)] = [(1, 1, 1), (3, 3, 1), (4, 3, 2), (10, 7, 4), (300, 201, 100), (1000, 667, 334)]
        for c in cases {
            #expect(ParaThresholds.availability(c.n) == c.avail, "n=\(c.n)")
            #expect(ParaThresholds.recovery(c.n) == c.rec, "n=\(c.n)")
        }
        #expect(ParaThresholds.chunkSize(povSize: 5_242_880, validators: 300) == 52_429)
    }

    @Test func backingThreshold() {
        #expect(ParaThresholds.backing(groupSize: 5, minimumBackingVotes: 2) == 2)
        #expect(ParaThresholds.backing(groupSize: 1, minimumBackingVotes: 2) == 1)
        #expect(ParaThresholds.backing(groupSize: 3, minimumBackingVotes: 3) == 3)
    }

    @Test func kusamaPresetIsConsistent() {
        let k = HostConfiguration.kusama
        #expect(k.consistencyError() == nil)
        #expect(k.neededApprovals == 30 && k.nDelayTranches == 89 && k.relayVRFModuloSamples == 6 && k.noShowSlots == 3)
        #expect(k.maxCandidateDepth == 3 && k.allowedAncestryLen == 2 && k.maxPoVSize == 5 * 1024 * 1024)
        var bad = k; bad.schedulingLookahead = 1
        #expect(bad.consistencyError() != nil)
        bad = k; bad.relayVRFModuloSamples = 41
        #expect(bad.consistencyError() != nil)
    }

    /// set_config changes take effect two sessions later, stacked on earlier pending changes.
    @Test func setConfigEnactedAtSessionBoundary() {
        var s = ConfigurationState(.kusama)
        s.schedule(current: 5) { $0.neededApprovals = 20 }
        s.schedule(current: 5) { $0.noShowSlots = 2 }
        s.newSession(6)
        #expect(s.active.neededApprovals == 30)
        s.newSession(7)
        #expect(s.active.neededApprovals == 20 && s.active.noShowSlots == 2)
        #expect(s.pending.isEmpty)
    }
}

@Suite struct SchedulingTests {
    @Test func coreCount() {
        #expect(Scheduling.coreCount(numCores: 50, paraValidators: 300, maxValidatorsPerCore: 5) == 60)
        #expect(Scheduling.coreCount(numCores: 100, paraValidators: 300, maxValidatorsPerCore: 5) == 100)
        #expect(Scheduling.coreCount(numCores: 7, paraValidators: 300, maxValidatorsPerCore: nil) == 7)
        #expect(Scheduling.coreCount(numCores: 7, paraValidators: 300, maxValidatorsPerCore: 0) == 7)
    }

    @Test func contiguousGroups() {
        let g = Scheduling.groups(validators: 11, cores: 3)
        #expect(g == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10]])
        let h = Scheduling.groups(validators: 10, cores: 4)
        #expect(h == [[0, 1, 2], [3, 4, 5], [6, 7], [8, 9]])
        #expect(Scheduling.groups(validators: 10, cores: 0).isEmpty)
        let big = Scheduling.groups(validators: 303, cores: 60)
        #expect(big.count == 60 && big.flatMap { $0 } == Array(0..<303))
        #expect(big.prefix(3).allSatisfy { $0.count == 6 } && big.dropFirst(3).allSatisfy { $0.count == 5 })
    }

    @Test func rotation() {
        let r = GroupRotation(sessionStart: 100, frequency: 10, now: 125)
        #expect(r.rotations == 2)
        #expect(r.group(forCore: 0, cores: 5) == 2)
        #expect(r.group(forCore: 4, cores: 5) == 1)
        for c in 0..<5 { #expect(r.core(forGroup: r.group(forCore: c, cores: 5), cores: 5) == c) }
        #expect(r.nextRotationAt == 130 && r.lastRotationAt == 120)
        #expect(GroupRotation(sessionStart: 100, frequency: 10, now: 99).rotations == 0)
    }

    @Test func availabilityTimeoutOnlyAroundRotations() {
        // Rotation every 10 blocks from 0, availability period 3: a candidate pending since 21
        // does not time out within its rotation; at the next rotation window (30..32) it does.
        func out(_ now: Int) -> Bool { AvailabilityTimeout.timedOut(pendingSince: 21, sessionStart: 0, frequency: 10, availabilityPeriod: 3, now: now) }
        #expect(!out(23) && !out(25) && !out(28))
        // now 29: block 30 opens the next rotation's window, where pending_since + 3 = 24 applies.
        #expect(out(29))
        #expect(AvailabilityTimeout.timeoutAt(pendingSince: 21, sessionStart: 0, frequency: 10, availabilityPeriod: 3, now: 25) == 33)
        // Outside the window a candidate waits for the next rotation plus the period.
        #expect(AvailabilityTimeout.timeoutAt(pendingSince: 30, sessionStart: 0, frequency: 10, availabilityPeriod: 1, now: 31) == 41)
    }

    @Test func paraValidatorsShuffledAndTruncated() {
        let r1 = Hash32(1, 2, 3, 4), r2 = Hash32(5, 6, 7, 8)
        let active = Array(0..<100)
        let a = Scheduling.paraValidators(active: active, randomness: r1, maxValidators: 60)
        let b = Scheduling.paraValidators(active: active, randomness: r1, maxValidators: 60)
        let c = Scheduling.paraValidators(active: active, randomness: r2, maxValidators: 60)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count == 60 && Set(a).count == 60 && a.allSatisfy { $0 < 100 })
        #expect(a != Array(0..<60))
        #expect(Scheduling.paraValidators(active: active, randomness: r1, maxValidators: nil).sorted() == active)
    }
}

@Suite struct AssignmentTests {
    let story = AssignmentCriteria.relayVRFStory(authorVRFOutput: 0x1234_5678_9ABC_DEF0_0FED_CBA9_8765_4321)

    @Test func moduloCoresAreDistinctAndBounded() {
        for v in 0..<200 {
            let key = (UInt64(v) &* 0x9E37_79B9_7F4A_7C15, UInt64(v) ^ 0xABCDEF)
            let cores = AssignmentCriteria.moduloCores(story: story, key: key, samples: 6, cores: 100)
            #expect(cores.count == 6 && Set(cores).count == 6 && cores.allSatisfy { $0 < 100 })
        }
        // Samples above the core count are capped (and so de-duplicated): all cores, once each.
        let all = AssignmentCriteria.moduloCores(story: story, key: (1, 2), samples: 10, cores: 4)
        #expect(all.sorted() == [0, 1, 2, 3])
        #expect(AssignmentCriteria.moduloCores(story: story, key: (1, 2), samples: 60, cores: 100).count == 40)
    }

    @Test func delayTranchesFoldTheZerothWidth() {
        var counts = Array(repeating: 0, count: 89)
        for v in 0..<2000 {
            let t = AssignmentCriteria.delayTranche(story: story, key: (UInt64(v), 7), core: 3, nDelayTranches: 80, zerothWidth: 9)
            #expect(t >= 0 && t < 80)
            counts[t] += 1
        }
        // Tranche 0 gathers ten of the 89 residues: about 10/89 of all draws.
        #expect(counts[0] > 2000 * 10 / 89 / 2 && counts[0] > 3 * counts[1])
    }

    /// Each core is assigned once at its earliest tranche; own-group cores never.
    @Test func assignmentsDeduplicatedAndSkipOwnGroup() {
        var cfg = HostConfiguration.kusama
        cfg.relayVRFModuloSamples = 3
        var sawModulo = false, sawDelayOnly = false
        for v in 0..<300 {
            let key = (UInt64(v) &* 31 &+ 5, UInt64(v) &* 17)
            let leaving = (0..<10).map { (core: $0, ownGroup: $0 == 4) }
            let a = AssignmentCriteria.assignments(story: story, key: key, leavingCores: leaving, config: cfg, cores: 10)
            #expect(a.count == 9)
            #expect(Set(a.map(\.core)).count == a.count)
            #expect(!a.contains { $0.core == 4 })
            let mod = Set(AssignmentCriteria.moduloCores(story: story, key: key, samples: 3, cores: 10))
            for x in a {
                let delay = AssignmentCriteria.delayTranche(story: story, key: key, core: x.core, nDelayTranches: 89, zerothWidth: 0)
                if mod.contains(x.core) && x.core != 4 { #expect(x.tranche == 0); if delay > 0 { sawModulo = true } }
                else { #expect(x.tranche == delay); sawDelayOnly = true }
            }
        }
        #expect(sawModulo && sawDelayOnly)
    }
}

@Suite struct DisputeTests {
    @Test func thresholds() {
        // n = 10: f = 3, supermajority 7.
        #expect(DisputeRules.status(validators: 10, valid: 1, invalid: 2) == .unconfirmed)
        #expect(DisputeRules.status(validators: 10, valid: 1, invalid: 3) == .confirmed)
        #expect(DisputeRules.status(validators: 10, valid: 3, invalid: 6) == .confirmed)
        #expect(DisputeRules.status(validators: 10, valid: 3, invalid: 7) == .concludedInvalid)
        #expect(DisputeRules.status(validators: 10, valid: 7, invalid: 1) == .concludedValid)
        #expect(DisputeRules.status(validators: 300, valid: 0, invalid: 100) == .confirmed)
        #expect(DisputeRules.status(validators: 300, valid: 0, invalid: 200) == .confirmed)
        #expect(DisputeRules.status(validators: 300, valid: 0, invalid: 201) == .concludedInvalid)
    }

    @Test func slashes() {
        let exposure: UInt128 = 1_000_000_000_000_003
        #expect(DisputeRules.slash(.forInvalidBacked, exposure: exposure) == exposure)
        #expect(DisputeRules.slash(.forInvalidApproved, exposure: exposure) == 20_000_000_000_000)
        #expect(DisputeRules.slash(.againstValid, exposure: exposure) == 0)
        #expect(DisputeRules.slashFraction(.forInvalidApproved) == Perbill(parts: 20_000_000))
        let l = DisputeRules.losers(status: .concludedInvalid, backers: [4, 2], validVoters: [2, 4, 9, 7], invalidVoters: [1])
        #expect(l.map(\.validator) == [2, 4, 7, 9])
        #expect(l.map(\.offence) == [.forInvalidBacked, .forInvalidBacked, .forInvalidApproved, .forInvalidApproved])
        #expect(DisputeRules.losers(status: .confirmed, backers: [1], validVoters: [1], invalidVoters: [2]).isEmpty)
    }
}

@Suite struct FinalityCapTests {
    typealias B = FinalityCap.Block
    @Test func capsAtHighestApprovedUndisputedAncestor() {
        let ok = B(approved: true, disputed: false), pending = B(approved: false, disputed: false), bad = B(approved: true, disputed: true)
        #expect(FinalityCap.target(base: 10, chain: [ok, ok, pending, ok]) == 12)
        #expect(FinalityCap.target(base: 10, chain: [pending, ok]) == 10)
        #expect(FinalityCap.target(base: 10, chain: [ok, bad, ok]) == 11)
        #expect(FinalityCap.target(base: 10, chain: [ok, ok, ok]) == 13)
        #expect(FinalityCap.target(base: 10, chain: []) == 10)
    }

    @Test func safeguardAt500Blocks() {
        let pending = B(approved: false, disputed: false), ok = B(approved: true, disputed: false)
        // Lag exactly 500: no safeguard.
        #expect(FinalityCap.target(base: 0, chain: Array(repeating: pending, count: 500)) == 0)
        // Lag 501: vote for leaf − 500.
        #expect(FinalityCap.target(base: 0, chain: Array(repeating: pending, count: 501)) == 1)
        #expect(FinalityCap.target(base: 100, chain: [ok] + Array(repeating: pending, count: 700)) == 301)
        // The safeguard overrides disputes too, as the node's code does.
        #expect(FinalityCap.target(base: 0, chain: [B(approved: true, disputed: true)] + Array(repeating: ok, count: 600)) == 101)
    }
}
