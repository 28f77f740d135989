import Testing
import CanaryEngine
@testable import CanaryConsensus

/// finality-grandpa `src/vote_graph.rs` tests, with integer vote values.
@Suite struct GrandpaVoteGraphTests {
    func forkChain() -> GrandpaTestChain {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C"])
        c.push("C", ["D1", "E1", "F1"])
        c.push("C", ["D2", "E2", "F2"])
        return c
    }
    func graph(_ c: GrandpaTestChain, base: String = "genesis") -> GrandpaVoteGraph<UInt64> {
        GrandpaVoteGraph(base: c[base], baseNumber: c.number(of: c[base]), zero: 0)
    }
    func named(_ c: GrandpaTestChain, _ r: (block: BlockId, number: UInt32)?) -> String? {
        r.map { "\(c.name($0.block))@\($0.number)" }
    }

    /// A graph of more vote-nodes than `lookup` scans (forks split edges, so fork points become
    /// nodes too): every vote-node is found by its block past the switch to the dictionary, and
    /// cumulative votes and the GHOST come out as on a small graph.
    @Test func wideGraphsFindEveryVoteNode() {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B"])
        for k in 0..<24 { c.push("B", ["X\(k)a", "X\(k)b"]) }
        var g = graph(c)
        for k in 0..<24 { g.insert(c["X\(k)b"], vote: 1, chain: c) }
        #expect(g.entries.count > GrandpaVoteGraph<UInt64>.scanLimit)
        for k in 0..<24 { #expect(g.entry(c["X\(k)b"])?.cumulative == 1) }
        g.insert(c["X7a"], vote: 30, chain: c)   // a new vote-node inside an edge of the wide graph
        #expect(g.entry(c["X7a"])?.cumulative == 31)
        #expect(g.cumulativeVote(c["B"], c.number(of: c["B"])) == 54)
        #expect(named(c, g.findGhost(nil) { $0 >= 31 }) == "X7a@4")
        #expect(named(c, g.findGhost(nil) { $0 >= 32 }) == "B@3")
    }

    @Test func graphForkNotAtNode() {
        let c = forkChain()
        var g = graph(c)
        g.insert(c["A"], vote: 100, chain: c)
        g.insert(c["E1"], vote: 100, chain: c)
        g.insert(c["F2"], vote: 100, chain: c)
        #expect(g.headBlocks.sorted() == [c["E1"], c["F2"]].sorted())
        let a = g.entry(c["A"])!
        #expect(a.descendants.map { g.entries[$0].block } == [c["E1"], c["F2"]])
        #expect(a.cumulative == 300)
        #expect(g.entry(c["E1"])!.ancestors.last == c["A"])
        #expect(g.entry(c["E1"])!.cumulative == 100)
        #expect(g.entry(c["F2"])!.ancestors.last == c["A"])
        #expect(g.entry(c["F2"])!.cumulative == 100)
    }

    @Test(arguments: [["C", "E1", "F2"], ["E1", "F2", "C"]])
    func graphForkAtNode(order: [String]) {
        let c = forkChain()
        var g = graph(c)
        for b in order { g.insert(c[b], vote: 100, chain: c) }
        #expect(Set(g.headBlocks) == [c["E1"], c["F2"]])
        let ce = g.entry(c["C"])!
        #expect(Set(ce.descendants.map { g.entries[$0].block }) == [c["E1"], c["F2"]])
        #expect(ce.ancestors.last == c["genesis"])
        #expect(ce.cumulative == 300)
        #expect(g.entry(c["E1"])!.ancestors.last == c["C"])
        #expect(g.entry(c["E1"])!.cumulative == 100)
        #expect(g.entry(c["F2"])!.ancestors.last == c["C"])
        #expect(g.entry(c["F2"])!.cumulative == 100)
    }

    @Test func ghostMergeAtNode() {
        let c = forkChain()
        var g = graph(c)
        g.insert(c["B"], vote: 0, chain: c)
        g.insert(c["C"], vote: 100, chain: c)
        g.insert(c["E1"], vote: 100, chain: c)
        g.insert(c["F2"], vote: 100, chain: c)
        #expect(named(c, g.findGhost(nil) { $0 >= 250 }) == "C@4")
        #expect(named(c, g.findGhost((c["C"], 4)) { $0 >= 250 }) == "C@4")
        #expect(named(c, g.findGhost((c["B"], 3)) { $0 >= 250 }) == "C@4")
    }

    @Test func ghostMergeNotAtNodeOneSideWeighted() {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C", "D", "E", "F"])
        c.push("F", ["G1", "H1", "I1"])
        c.push("F", ["G2", "H2", "I2"])
        var g = graph(c)
        g.insert(c["B"], vote: 0, chain: c)
        g.insert(c["G1"], vote: 100, chain: c)
        g.insert(c["H2"], vote: 150, chain: c)
        for hint: (BlockId, UInt32)? in [nil, (c["F"], 7), (c["C"], 4), (c["B"], 3)] {
            #expect(named(c, g.findGhost(hint.map { ($0.0, $0.1) }) { $0 >= 250 }) == "F@7")
        }
    }

    func standardChain() -> GrandpaTestChain {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C", "D", "E", "F"])
        c.push("E", ["EA", "EB", "EC", "ED"])
        c.push("F", ["FA", "FB", "FC"])
        return c
    }

    @Test func ghostIntroduceBranch() {
        let c = standardChain()
        var g = graph(c)
        g.insert(c["FC"], vote: 5, chain: c)
        g.insert(c["ED"], vote: 7, chain: c)
        #expect(named(c, g.findGhost(nil) { $0 >= 10 }) == "E@6")
        #expect(g.entry(c["genesis"])!.descendants.map { g.entries[$0].block } == [c["FC"], c["ED"]])
        g.insert(c["E"], vote: 3, chain: c)
        #expect(g.entry(c["genesis"])!.descendants.map { g.entries[$0].block } == [c["E"]])
        #expect(Set(g.entry(c["E"])!.descendants.map { g.entries[$0].block }) == [c["ED"], c["FC"]])
        #expect(named(c, g.findGhost(nil) { $0 >= 10 }) == "E@6")
        #expect(named(c, g.findGhost((c["C"], 4)) { $0 >= 10 }) == "E@6")
        #expect(named(c, g.findGhost((c["E"], 6)) { $0 >= 10 }) == "E@6")
    }

    @Test func walkBackFromBlockInEdgeForkBelow() {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C"])
        c.push("C", ["D1", "E1", "F1", "G1", "H1", "I1"])
        c.push("C", ["D2", "E2", "F2", "G2", "H2", "I2"])
        var g = graph(c)
        g.insert(c["B"], vote: 10, chain: c)
        g.insert(c["F1"], vote: 5, chain: c)
        g.insert(c["G2"], vote: 5, chain: c)
        for b in ["D1", "D2", "E1", "E2", "F1", "F2", "G2"] {
            #expect(named(c, g.findAncestor(c[b], c.number(of: c[b])) { $0 > 5 }) == "C@4", "from \(b)")
        }
    }

    @Test func walkBackFromForkBlockNodeBelow() {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C", "D"])
        c.push("D", ["E1", "F1", "G1", "H1", "I1"])
        c.push("D", ["E2", "F2", "G2", "H2", "I2"])
        var g = graph(c)
        g.insert(c["B"], vote: 10, chain: c)
        g.insert(c["F1"], vote: 5, chain: c)
        g.insert(c["G2"], vote: 5, chain: c)
        for b in ["E1", "E2", "F1", "F2", "G2"] {
            #expect(named(c, g.findAncestor(c[b], c.number(of: c[b])) { $0 > 5 }) == "D@5", "from \(b)")
        }
    }

    @Test func walkBackAtNode() {
        var c = GrandpaTestChain()
        c.push("genesis", ["A", "B", "C"])
        c.push("C", ["D1", "E1", "F1", "G1", "H1", "I1"])
        c.push("C", ["D2", "E2", "F2"])
        var g = graph(c)
        g.insert(c["C"], vote: 10, chain: c)
        g.insert(c["F1"], vote: 5, chain: c)
        g.insert(c["F2"], vote: 5, chain: c)
        g.insert(c["I1"], vote: 1, chain: c)
        for b in ["C", "D1", "D2", "E1", "E2", "F1", "F2", "I1"] {
            #expect(named(c, g.findAncestor(c[b], c.number(of: c[b])) { $0 >= 20 }) == "C@4", "from \(b)")
        }
    }

    @Test func adjustBase() {
        var c = standardChain()
        var g = graph(c, base: "E")
        g.insert(c["FC"], vote: 5, chain: c)
        g.insert(c["ED"], vote: 7, chain: c)
        #expect(g.base == c["E"] && g.baseNumber == 6)
        g.adjustBase([c["D"], c["C"], c["B"], c["A"]])
        #expect(g.base == c["A"] && g.baseNumber == 2)
        c.push("A", ["3", "4", "5"])
        g.adjustBase([c["genesis"]])
        #expect(g.base == c["genesis"] && g.baseNumber == 1)
        #expect(g.entry(c["genesis"])!.cumulative == 12)
        g.insert(c["5"], vote: 3, chain: c)
        #expect(g.entry(c["genesis"])!.cumulative == 15)
    }

    @Test func findAncestorIsLargest() {
        var c = GrandpaTestChain(genesisNumber: 0)
        c.push("genesis", ["A"]); c.push("genesis", ["B"])
        c.push("A", ["A1"]); c.push("A", ["A2"])
        c.push("B", ["B1"]); c.push("B", ["B2"])
        var g = graph(c)
        for b in ["B1", "B2", "A1", "A2"] { g.insert(c[b], vote: 1, chain: c) }
        #expect(named(c, g.findAncestor(c["A"], 1) { $0 >= 2 }) == "A@1")
    }

    @Test func voteOffTheBaseIsRejected() {
        let c = standardChain()
        var g = graph(c, base: "E")
        #expect(g.insert(c["D"], vote: 1, chain: c) == false)
        #expect(g.insert(c["FA"], vote: 1, chain: c) == true)
        #expect(g.entry(c["E"])!.cumulative == 1)
    }
}
