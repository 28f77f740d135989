import Testing
import CanaryEngine
@testable import CanaryConsensus

/// finality-grandpa `src/round.rs`, `src/lib.rs` (commit validation) and `src/voter_set.rs`
/// situations, and Substrate's voting rules.
@Suite struct GrandpaRoundTests {
    static func chain() -> GrandpaTestChain {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C", "D", "E", "F"])
        c.push("E", ["EA", "EB", "EC", "ED"])
        c.push("F", ["FA", "FB", "FC"])
        return c
    }
    // Alice 4, Bob 7, Eve 3: W = 14, threshold 10.
    static let voters = GrandpaVoterSet(nodes: [0, 1, 2], weights: [4, 7, 3])
    let alice = 0, bob = 1, eve = 2
    let c = GrandpaRoundTests.chain()
    func t(_ name: String) -> GrandpaTarget { GrandpaTarget(c[name], c.number(of: c[name])) }
    func round(base: String = "C") -> GrandpaRound { GrandpaRound(number: 1, voters: Self.voters, base: t(base)) }

    @Test func thresholds() {
        #expect(Self.voters.threshold == 10)
        #expect(GrandpaVoterSet.threshold(1000) == 667)
        #expect(GrandpaVoterSet.threshold(700) == 467)
        #expect(GrandpaVoterSet.threshold(10) == 7)
        #expect(GrandpaVoterSet.threshold(100) == 67)
        for w: UInt64 in 1...300 { #expect(GrandpaVoterSet.threshold(w) >= 2 * (w / 3) + w % 3) }
        #expect(GrandpaVoterSet(count: 7).primary(round: 9) == 2)
    }

    @Test func estimateIsValid() {
        var r = round()
        #expect(r.importPrevote(alice, c["FC"], chain: c) == .accepted)
        #expect(r.importPrevote(bob, c["ED"], chain: c) == .accepted)
        #expect(r.prevoteGhost == t("E"))
        #expect(r.estimate == t("E"))
        #expect(!r.completable)
        _ = r.importPrevote(eve, c["F"], chain: c)
        #expect(r.prevoteGhost == t("E"))
        #expect(r.estimate == t("E"))
    }

    @Test func finalization() {
        var r = round()
        _ = r.importPrecommit(alice, c["FC"], chain: c)
        _ = r.importPrecommit(bob, c["ED"], chain: c)
        #expect(r.finalized == nil)
        _ = r.importPrevote(alice, c["FC"], chain: c)
        _ = r.importPrevote(bob, c["ED"], chain: c)
        _ = r.importPrevote(eve, c["EA"], chain: c)
        #expect(r.finalized == t("E"))
        _ = r.importPrecommit(eve, c["EA"], chain: c)
        #expect(r.finalized == t("EA"))
    }

    @Test func equivocateDoesNotDoubleCount() {
        var r = round()
        #expect(r.importPrevote(eve, c["FC"], chain: c) == .accepted)
        let second = r.importPrevote(eve, c["ED"], chain: c)
        #expect(second == .equivocation(GrandpaEquivocation(round: 1, phase: .prevote, voter: eve, first: c["FC"], second: c["ED"])))
        #expect(r.importPrevote(eve, c["F"], chain: c) == .ignored)
        #expect(r.prevoteGhost == nil)
        #expect(r.participation.prevote == 3)
        _ = r.importPrevote(bob, c["FA"], chain: c)
        #expect(r.prevoteGhost == t("FA"))
        #expect(r.isEquivocator(.prevote, voter: eve))
        #expect(!r.isEquivocator(.precommit, voter: eve))
    }

    @Test func duplicateAndUnknownVotes() {
        var r = round()
        #expect(r.importPrevote(alice, c["FC"], chain: c) == .accepted)
        #expect(r.importPrevote(alice, c["FC"], chain: c) == .duplicate)
        #expect(r.importPrevote(7, c["FC"], chain: c) == .ignored)
        #expect(r.importPrevote(bob, c["B"], chain: c) == .ignored)   // below the base
        #expect(r.participation.prevote == 4)
    }

    @Test func historicalVotesKeepArrivalOrder() {
        var r = round()
        _ = r.importPrevote(alice, c["FC"], chain: c)
        _ = r.importPrevote(eve, c["ED"], chain: c)
        _ = r.importPrecommit(alice, c["FC"], chain: c)
        _ = r.importPrevote(eve, c["EA"], chain: c)   // equivocation kept in history
        _ = r.importPrecommit(bob, c["ED"], chain: c)
        #expect(r.history.map { "\($0.phase.name):\($0.voter):\(c.name($0.block))" } ==
                ["prevote:0:FC", "prevote:2:ED", "precommit:0:FC", "prevote:2:EA", "precommit:1:ED"])
    }

    /// `pick_up_from_prior_with_grandparent_state`, at the round level: 100 voters; 67 prevote E;
    /// 66 precommit D and 1 precommits E: completable with estimate E above the finalized D;
    /// one more precommit for D moves the estimate back to D.
    @Test func estimateMovesBackWithMorePrecommits() {
        var chain = GrandpaTestChain()
        chain.push("genesis", ["A", "B", "C", "D", "E"])
        let set = GrandpaVoterSet(count: 100)
        var r = GrandpaRound(number: 1, voters: set, base: GrandpaTarget(0, 1))
        for v in 0..<67 { _ = r.importPrevote(v, chain["E"], chain: chain) }
        for v in 0..<66 { _ = r.importPrecommit(v, chain["D"], chain: chain) }
        _ = r.importPrecommit(66, chain["E"], chain: chain)
        #expect(r.prevoteGhost == GrandpaTarget(chain["E"], 6))
        #expect(r.finalized == GrandpaTarget(chain["D"], 5))
        #expect(r.estimate == GrandpaTarget(chain["E"], 6))
        #expect(r.completable)
        _ = r.importPrecommit(67, chain["D"], chain: chain)
        #expect(r.estimate == GrandpaTarget(chain["D"], 5))
        #expect(r.completable)
    }

    /// Not completable while a child of the GHOST could still get a precommit supermajority.
    @Test func completabilityNeedsNoHeavierChild() {
        var chain = GrandpaTestChain()
        chain.push("genesis", ["A", "B"])
        let set = GrandpaVoterSet(count: 4)   // threshold 3
        var r = GrandpaRound(number: 1, voters: set, base: GrandpaTarget(0, 1))
        for v in 0..<4 { _ = r.importPrevote(v, chain["B"], chain: chain) }
        for v in 0..<3 { _ = r.importPrecommit(v, chain["A"], chain: chain) }
        // A finalized; B can reach at most 0 + 1 remaining + 1 tolerated equivocation = 2 < 3,
        // so the estimate falls back to A, below the GHOST: completable.
        #expect(r.prevoteGhost == GrandpaTarget(chain["B"], 3))
        #expect(r.finalized == GrandpaTarget(chain["A"], 2))
        #expect(r.estimate == GrandpaTarget(chain["A"], 2))
        #expect(r.completable)
        var r2 = GrandpaRound(number: 1, voters: set, base: GrandpaTarget(0, 1))
        for v in 0..<3 { _ = r2.importPrevote(v, chain["B"], chain: chain) }
        for v in 0..<2 { _ = r2.importPrecommit(v, chain["B"], chain: chain) }
        #expect(r2.estimate == GrandpaTarget(chain["B"], 3))
        #expect(!r2.completable)   // precommit participation below threshold
    }

    // MARK: Commit validation (`src/lib.rs`)

    static func commitChain() -> GrandpaTestChain {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C", "D", "E"])
        return c
    }

    @Test func commitValidation() {
        let c = Self.commitChain()
        let set = GrandpaVoterSet(count: 100)
        let target = GrandpaTarget(c["C"], 4)
        var pcs = (0..<66).map { GrandpaSignedVote(voter: UInt32($0), block: c["C"], number: 4) }
        #expect(!GrandpaCommitValidation.validate(target: target, precommits: pcs, voters: set, chain: c).isValid)
        pcs.append(GrandpaSignedVote(voter: 66, block: c["C"], number: 4))
        let ok = GrandpaCommitValidation.validate(target: target, precommits: pcs, voters: set, chain: c)
        #expect(ok.isValid && ok.ghost == target && ok.numPrecommits == 67)
        #expect(!GrandpaCommitValidation.validate(target: GrandpaTarget(c["B"], 3), precommits: pcs, voters: set, chain: c).isValid)
    }

    @Test func commitValidationWithEquivocation() {
        let c = Self.commitChain()
        let set = GrandpaVoterSet(count: 100)
        var pcs = (0..<66).map { GrandpaSignedVote(voter: UInt32($0), block: c["C"], number: 4) }
        pcs.append(GrandpaSignedVote(voter: 66, block: c["A"], number: 2))
        pcs.append(GrandpaSignedVote(voter: 66, block: c["B"], number: 3))
        let r = GrandpaCommitValidation.validate(target: GrandpaTarget(c["C"], 4), precommits: pcs, voters: set, chain: c)
        #expect(r.isValid)
        #expect(r.numEquivocations == 1)
    }

    @Test func commitPrecommitFromUnknownVoterIsIgnored() {
        let c = Self.commitChain()
        let set = GrandpaVoterSet(count: 100)
        var pcs = (0..<67).map { GrandpaSignedVote(voter: UInt32($0), block: c["C"], number: 4) }
        pcs.append(GrandpaSignedVote(voter: 200, block: c["A"], number: 2))   // would lower the base
        let r = GrandpaCommitValidation.validate(target: GrandpaTarget(c["C"], 4), precommits: pcs, voters: set, chain: c)
        #expect(r.isValid)
        #expect(r.numInvalidVoters == 1)
    }

    @Test func commitWithPrecommitsOffTheLowestChainIsInvalid() {
        var c = Self.commitChain()
        c.push("B", ["X"])
        let set = GrandpaVoterSet(count: 4)
        let pcs = [GrandpaSignedVote(voter: 0, block: c["C"], number: 4), GrandpaSignedVote(voter: 1, block: c["C"], number: 4),
                   GrandpaSignedVote(voter: 2, block: c["C"], number: 4), GrandpaSignedVote(voter: 3, block: c["X"], number: 4)]
        #expect(!GrandpaCommitValidation.validate(target: GrandpaTarget(c["C"], 4), precommits: pcs, voters: set, chain: c).isValid)
    }

    // MARK: Voting rules

    @Test func votingRules() {
        var c = GrandpaTestChain(genesisNumber: 0)
        c.push("genesis", (1...10).map { "b\($0)" })
        // base 4, best 10: best - 2 = 8; 3/4 rule: 4 + ceil-ish(6 * 3 / 4) = 4 + 5 = 9 -> 8.
        #expect(c.number(of: GrandpaVotingRules.restrict(c, base: c["b4"], best: c["b10"], target: c["b10"])) == 8)
        // base 0, best 3: best - 2 = 1; 3/4: (9 + 2) / 4 = 2 -> 1.
        #expect(c.number(of: GrandpaVotingRules.restrict(c, base: 0, best: c["b3"], target: c["b3"])) == 1)
        // base 2, best 10: before-best gives 8, three quarters gives 2 + 6 = 8.
        #expect(c.number(of: GrandpaVotingRules.restrict(c, base: c["b2"], best: c["b10"], target: c["b10"])) == 8)
        // Cutoff at the base: base 9, best 10 -> base + 2 > best, so before-best votes for the base (9);
        // 3/4: 9 + (1 * 3 + 2) / 4 = 10 is not below 9.
        #expect(c.number(of: GrandpaVotingRules.restrict(c, base: c["b9"], best: c["b10"], target: c["b10"])) == 9)
        // base 0, best 10: 3/4 gives 8, before-best 8.
        #expect(c.number(of: GrandpaVotingRules.restrict(c, base: 0, best: c["b10"], target: c["b10"], beforeBestBy: 0)) == 8)
        // Rules off.
        #expect(c.number(of: GrandpaVotingRules.restrict(c, base: 0, best: c["b10"], target: c["b10"], beforeBestBy: 0, threeQuarters: false)) == 10)
    }

    // Ports of `voting_rule.rs`'s tests (polkadot-sdk, substrate/client/consensus/grandpa).

    /// Subtracts a fixed number of blocks from the current target (the upstream test's mock).
    struct Subtract: GrandpaVotingRule {
        var blocks: UInt32
        func restrictVote<C: GrandpaChain>(_ chain: C, base: BlockId, best: BlockId, current: BlockId) -> BlockId? {
            chain.ancestor(of: current, atNumber: chain.number(of: current) - blocks)
        }
    }

    @Test func multipleVotingRulesCannotRestrictPastBase() {
        var c = GrandpaTestChain(genesisNumber: 0)
        let blocks = c.push("genesis", (1...200).map { "b\($0)" })
        let rules: [any GrandpaVotingRule] = [Subtract(blocks: 50), Subtract(blocks: 50)]
        let best = blocks[199]
        // Both rules apply: #200 - 100 = #100.
        #expect(c.number(of: GrandpaVotingRules.apply(rules, c, base: GrandpaTestChain.genesis, best: best, target: best)) == 100)
        // Base #110: the second restriction (#100) would pass the base, so only the first applies.
        #expect(c.number(of: GrandpaVotingRules.apply(rules, c, base: blocks[109], best: best, target: best)) == 150)
    }

    @Test func beforeBestByHasCutoffAtBase() {
        var c = GrandpaTestChain(genesisNumber: 0)
        let blocks = c.push("genesis", (1...5).map { "b\($0)" })
        let best = blocks[4]
        let bestNumber = c.number(of: best)
        for base in blocks {
            let restricted = BeforeBestBlockBy(2).restrictVote(c, base: base, best: best, current: best)
            let expected = max(bestNumber - 2, c.number(of: base))
            #expect(restricted.map { c.number(of: $0) } == expected, "best = \(bestNumber), lag = 2, base = \(c.number(of: base))")
        }
    }
}
