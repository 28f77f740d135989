import Foundation
import Testing
import CanaryEngine
@testable import CanaryConsensus

@Suite struct ThresholdTests {
    @Test func matchesReferenceForKusamaSizedSet() {
        // consensus-parachains.md §1.2: floor(2^128 * p) for n = 1000, c = 1/4.
        let t = BabeThreshold.primary(c0: 1, c1: 4, authorities: 1000)
        #expect(t == UInt128("97879056834606603158816597907341312")!)
    }

    /// Substrate's formula evaluated with glibc's f64 `pow` (Python 3, x86_64), exact conversion.
    @Test(arguments: [
        (1, "85070591730234615865843651857942052864"),
        (2, "45589192707508239153098207983084503040"),
        (3, "31115318766088776340791719032032067584"),
        (10, "9649843784307116749845098849372209152"),
        (100, "977524609644284781663668609107361792"),
        (300, "326154049000753821622716680076525568"),
        (500, "195729959669171882744131913993158656"),
        (700, "139818605005753195736053356420923392"),
    ])
    func matchesFloatFormula(n: Int, expected: String) {
        #expect(BabeThreshold.primary(c0: 1, c1: 4, authorities: n) == UInt128(expected)!)
    }

    @Test func edgeCases() {
        #expect(BabeThreshold.primary(c0: 0, c1: 4, authorities: 10) == 0)
        // c = 1/2, n = 1: p = 1/2 exactly.
        #expect(BabeThreshold.primary(c0: 1, c1: 2, authorities: 1) == UInt128(1) << 127)
        // Monotone in n.
        #expect(BabeThreshold.primary(c0: 1, c1: 4, authorities: 301) < BabeThreshold.primary(c0: 1, c1: 4, authorities: 300))
    }
}

@Suite struct LotteryTests {
    /// Counts primary claims per slot with the model's VRF and threshold, without a network.
    func primaryCounts(validators n: Int, slots: Int, seed: UInt64) -> [Int] {
        let vrf = BabeVRF(validators: n, streams: RandomStreams(seed: seed))
        let t = BabeThreshold.primary(c0: 1, c1: 4, authorities: n)
        let hi = UInt64(truncatingIfNeeded: t >> 64), lo = UInt64(truncatingIfNeeded: t)
        let r = Hash32(seed, 1, 2, 3)
        return (0..<slots).map { s in
            let tr = BabeVRF.transcript(randomness: r, epoch: UInt64(s / 600), slot: UInt64(s))
            var k = 0
            for v in 0..<n where vrf.claimsPrimary(v, tr, thresholdHigh: hi, thresholdLow: lo) { k += 1 }
            return k
        }
    }

    @Test func primaryShareIsCAndMultiplePrimariesAsExpected() {
        let slots = 40_000
        let counts = primaryCounts(validators: 1000, slots: slots, seed: 7)
        let atLeastOne = Double(counts.filter { $0 >= 1 }.count) / Double(slots)
        let atLeastTwo = Double(counts.filter { $0 >= 2 }.count) / Double(slots)
        let mean = Double(counts.reduce(0, +)) / Double(slots)
        // P(>=1) = c = 0.25 exactly; sd over 40k slots = 0.0022.
        #expect(abs(atLeastOne - 0.25) < 0.009, "share with a primary \(atLeastOne)")
        // P(>=2) = 1 - 0.75 - n p (1-p)^(n-1) = 0.0342; sd 0.0009.
        let p = BabeThreshold.probability(BabeThreshold.primary(c0: 1, c1: 4, authorities: 1000))
        let exactlyOne = 1000 * p * pow(1 - p, 999)
        #expect(abs(atLeastTwo - (0.25 - exactlyOne)) < 0.004, "share with two or more \(atLeastTwo)")
        #expect(abs(atLeastTwo - 0.034) < 0.004)
        // E[#primaries] = -ln(0.75) = 0.2877.
        #expect(abs(mean - 0.2877) < 0.012)
    }

    @Test func vrfIsKeyedPerValidatorAndSeed() {
        let a = BabeVRF(validators: 4, streams: RandomStreams(seed: 1))
        let b = BabeVRF(validators: 4, streams: RandomStreams(seed: 1))
        let c = BabeVRF(validators: 4, streams: RandomStreams(seed: 2))
        let t = BabeVRF.transcript(randomness: .zero, epoch: 0, slot: 9)
        #expect(a.output(0, t) == b.output(0, t))
        #expect(a.output(0, t) != a.output(1, t))
        #expect(a.output(0, t) != c.output(0, t))
        #expect(BabeVRF.transcript(randomness: .zero, epoch: 0, slot: 10) != t)
        #expect(BabeVRF.transcript(randomness: .zero, epoch: 1, slot: 9) != t)
        #expect(BabeVRF.transcript(randomness: Hash32(0, 0, 0, 1), epoch: 0, slot: 9) != t)
        // High half uniform: mean of the top bit over many slots about 1/2.
        var ones = 0
        for s in 0..<20_000 { if a.high(3, BabeVRF.transcript(randomness: .zero, epoch: 0, slot: UInt64(s))) >> 63 == 1 { ones += 1 } }
        #expect(abs(Double(ones) / 20_000 - 0.5) < 0.015)
    }

    @Test func secondaryAuthorIsUniformAndDeterministic() {
        let r = Hash32.sha256(Array("randomness".utf8))
        var counts = Array(repeating: 0, count: 10)
        for s in 0..<10_000 { counts[Int(BabeRules.secondaryAuthor(randomness: r, slot: UInt64(s), authorities: 10))] += 1 }
        for c in counts { #expect(abs(c - 1000) < 130) }
        #expect(BabeRules.secondaryAuthor(randomness: r, slot: 5, authorities: 300) ==
                BabeRules.secondaryAuthor(randomness: r, slot: 5, authorities: 300))
        // mod 1 is always 0; a 2^64 modulus takes the low word.
        #expect(BabeRules.secondaryAuthor(randomness: r, slot: 5, authorities: 1) == 0)
    }
}

@Suite struct EpochRandomnessTests {
    let genesis = ChainState(genesisRandomness: Hash32(1, 2, 3, 4))

    @Test func blockOneSetsGenesisSlotAndEpochsChangeOnSlot() {
        var s = BabeRules.execute(parent: genesis, slot: 10, epochLength: 5, primaryRandomness: nil)
        #expect(s.genesisSlot == 10 && s.epochIndex == 0 && s.epochStartSlot == 10)
        s = BabeRules.execute(parent: s, slot: 14, epochLength: 5, primaryRandomness: nil)
        #expect(s.epochIndex == 0)
        let before = s
        s = BabeRules.execute(parent: s, slot: 15, epochLength: 5, primaryRandomness: nil)
        #expect(s.epochIndex == 1 && s.epochStartSlot == 15)
        // Epoch 1 uses the randomness announced for it (genesis), epoch 2's is new.
        #expect(s.randomness == genesis.randomness)
        #expect(s.nextRandomness == BabeRules.computeRandomness(last: before.nextRandomness, epochIndex: 2, rho: []))
        // Skipping: a block at slot 37 jumps to epoch (37-10)/5 = 5.
        let t = BabeRules.execute(parent: s, slot: 37, epochLength: 5, primaryRandomness: nil)
        #expect(t.epochIndex == 5 && t.epochStartSlot == 35)
        #expect(t.randomness == s.nextRandomness)
        // Claims follow the same rule from the parent's state.
        #expect(BabeRules.claimEpoch(parent: s, slot: 19, epochLength: 5) == (1, s.randomness))
        #expect(BabeRules.claimEpoch(parent: s, slot: 20, epochLength: 5) == (2, s.nextRandomness))
        #expect(BabeRules.claimEpoch(parent: s, slot: 37, epochLength: 5) == (5, s.nextRandomness))
        #expect(BabeRules.claimEpoch(parent: genesis, slot: 99, epochLength: 5) == (0, genesis.randomness))
    }

    @Test func onlyPrimaryBlocksDepositAndTheLastSegmentCarriesOver() {
        // 300 primary deposits in epoch 0: segment 0 fills (256), segment 1 holds 44.
        var s = BabeRules.execute(parent: genesis, slot: 0, epochLength: 1000, primaryRandomness: Hash32(0, 0, 0, 0))
        for i in 1..<300 { s = BabeRules.execute(parent: s, slot: UInt64(i), epochLength: 1000, primaryRandomness: Hash32(UInt64(i), 0, 0, 0)) }
        s = BabeRules.execute(parent: s, slot: 300, epochLength: 1000, primaryRandomness: nil)   // secondary: no deposit
        #expect(s.segmentIndex == 1)
        #expect(s.underConstruction[0].count == 256 && s.underConstruction[1].count == 44)
        let prevNext = s.nextRandomness
        let rho0 = s.underConstruction[0]
        // Epoch change: only segment 0 is consumed; index resets to 0.
        let e1 = BabeRules.execute(parent: s, slot: 1000, epochLength: 1000, primaryRandomness: nil)
        #expect(e1.epochIndex == 1)
        #expect(e1.nextRandomness == BabeRules.computeRandomness(last: prevNext, epochIndex: 2, rho: rho0))
        #expect(e1.segmentIndex == 0 && e1.underConstruction[0].isEmpty)
        #expect(e1.underConstruction[1].count == 44)   // the stale partial segment stays
        // An epoch with fewer than 256 primaries contributes nothing (segment index stays 0).
        var f = e1
        for i in 0..<10 { f = BabeRules.execute(parent: f, slot: 1001 + UInt64(i), epochLength: 1000, primaryRandomness: Hash32(9, UInt64(i), 0, 0)) }
        let e2 = BabeRules.execute(parent: f, slot: 2000, epochLength: 1000, primaryRandomness: nil)
        #expect(e2.nextRandomness == BabeRules.computeRandomness(last: f.nextRandomness, epochIndex: 3, rho: []))
        #expect(e2.underConstruction[0].count == 10)
        // The parent's state is unchanged (values, shared storage copied on write).
        #expect(s.underConstruction[0].count == 256)
    }
}

@Suite struct BabeConfigTests {
    @Test func kusamaIsValidAndProblemsAreNamed() {
        #expect(BabeConfig.kusama.problems(validators: 300).isEmpty)
        #expect(BabeConfig.kusama.slotDuration == .seconds(6) && BabeConfig.kusama.epochLength == 600)
        #expect(BabeConfig.kusama.cNumerator == 1 && BabeConfig.kusama.cDenominator == 4)
        #expect(BabeConfig.kusama.allowedSlots == .primaryAndSecondaryVRF)
        var c = BabeConfig.kusama
        c.cNumerator = 3
        c.proposalTime = .seconds(6)
        c.offline = [5]
        let p = c.problems(validators: 5)
        #expect(p.count == 3)
        #expect(p.contains { $0.hasPrefix("c:") } && p.contains { $0.hasPrefix("proposal_time:") } && p.contains { $0.hasPrefix("offline:") })
    }
}
