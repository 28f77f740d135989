import Testing
import CanaryEngine
@testable import CanaryChain

/// A tree with a genesis state and helpers to add blocks quickly.
struct TreeBuilder {
    var tree = BlockTree(genesis: ChainState(genesisRandomness: .zero))
    var nextSlot: UInt64 = 1

    mutating func add(_ parent: BlockId, _ kind: BlockKind = .secondaryVRF, author: UInt32 = 0, slot: UInt64? = nil) -> BlockId {
        let s = slot ?? nextSlot
        nextSlot = max(nextSlot, s + 1)
        var st = tree.state(parent)!
        st.number += 1
        return tree.add(parent: parent, slot: s, author: author, kind: kind, size: 100, producedAt: .seconds(Int64(s)), state: st)
    }
}

@Suite struct BlockTreeTests {
    @Test func numbersWeightsAndAncestry() {
        var t = TreeBuilder()
        let a = t.add(0, .primary)
        let b = t.add(a, .secondaryVRF)
        let c = t.add(b, .primary)
        let d = t.add(a, .primary)
        #expect(t.tree.number[Int(c)] == 3)
        #expect(t.tree.weight[Int(c)] == 2)
        #expect(t.tree.weight[Int(b)] == 1)
        #expect(t.tree.weight[Int(d)] == 2)
        #expect(t.tree.isAncestor(a, of: c))
        #expect(t.tree.isAncestor(c, of: c))
        #expect(!t.tree.isAncestor(d, of: c))
        #expect(t.tree.commonAncestor(c, d) == a)
        #expect(t.tree.commonAncestor(0, d) == 0)
        #expect(t.tree.ancestor(of: c, atNumber: 1) == a)
        #expect(t.tree.ancestor(of: a, atNumber: 3) == BlockTree.none)
        #expect(t.tree.childCount[Int(a)] == 2)
        #expect(t.tree.state(c)?.number == 3)
    }

    @Test func forkChoiceMorePrimariesThenNumberThenFirstSeen() {
        var t = TreeBuilder()
        let p = t.add(0, .primary)                 // weight 1, number 1
        let s1 = t.add(0, .secondaryVRF)           // weight 0, number 1
        let s2 = t.add(s1, .secondaryVRF)          // weight 0, number 2
        let s3 = t.add(s2, .secondaryVRF)          // weight 0, number 3
        // More primaries beats a longer chain.
        #expect(t.tree.isBetter(p, than: s3))
        #expect(!t.tree.isBetter(s3, than: p))
        // Equal weight: higher number wins.
        let p2 = t.add(p, .secondaryVRF)           // weight 1, number 2
        #expect(t.tree.isBetter(p2, than: p))
        // Full tie: neither is better, so the first seen stays best.
        let q = t.add(0, .primary)                 // weight 1, number 1 like p
        #expect(!t.tree.isBetter(q, than: p))
        #expect(!t.tree.isBetter(p, than: q))

        var views = NodeViews(nodes: 2)
        views.markImported(0, q, in: t.tree)
        views.markImported(0, p, in: t.tree)
        #expect(views.best[0] == q)
        views.markImported(1, p, in: t.tree)
        views.markImported(1, q, in: t.tree)
        #expect(views.best[1] == p)
    }

    @Test func reorgDepthIsRetractedBlocks() {
        var t = TreeBuilder()
        let a = t.add(0, .secondaryVRF)
        let b = t.add(a, .secondaryVRF)
        let c = t.add(b, .secondaryVRF)
        let x = t.add(a, .primary)     // weight 1 at number 2 beats c (weight 0, number 3)
        var views = NodeViews(nodes: 1)
        for blk in [a, b, c] {
            let o = views.markImported(0, blk, in: t.tree)
            #expect(o.bestChanged && o.reorgDepth == 0)
        }
        let o = views.markImported(0, x, in: t.tree)
        #expect(o.bestChanged)
        #expect(o.previousBest == c)
        #expect(o.reorgDepth == 2)   // b and c retracted
        #expect(views.best[0] == x)
        // A worse block does not move the best block.
        let y = t.add(c, .secondaryVRF)
        let o2 = views.markImported(0, y, in: t.tree)
        #expect(!o2.bestChanged)
        #expect(views.hasImported(0, y))
    }

    @Test func finalityRestrictsForkChoiceAndPrunesState() {
        var t = TreeBuilder()
        let a = t.add(0, .secondaryVRF)
        let b = t.add(a, .secondaryVRF)
        let other = t.add(0, .primary)   // would win on weight, but is not under the finalized block
        var views = NodeViews(nodes: 1)
        views.markImported(0, a, in: t.tree)
        views.markImported(0, b, in: t.tree)
        let finalizedA = views.finalize(0, a, in: t.tree)
        let finalizedOther = views.finalize(0, other, in: t.tree)   // not imported
        #expect(finalizedA)
        #expect(!finalizedOther)
        let o = views.markImported(0, other, in: t.tree)
        #expect(!o.bestChanged)
        #expect(views.best[0] == b)
        #expect(views.finalized[0] == a)
        #expect(t.tree.retainedStates == 4)
        let dropped = t.tree.pruneStates(below: t.tree.number[Int(a)])
        #expect(dropped == 1)               // genesis only
        #expect(t.tree.state(0) == nil)
        #expect(t.tree.state(a) != nil)
        let again = t.tree.pruneStates(below: 1)
        #expect(again == 0)
    }

    @Test func blocksBySlot() {
        var t = TreeBuilder()
        let a = t.add(0, .primary, author: 1, slot: 5)
        let b = t.add(0, .secondaryVRF, author: 2, slot: 5)
        let c = t.add(a, .primary, author: 1, slot: 7)
        #expect(t.tree.blocks(inSlot: 5) == [a, b])
        #expect(t.tree.blocks(inSlot: 7) == [c])
        #expect(t.tree.blocks(inSlot: 6) == [])
        #expect(t.tree.blocks(inSlot: 1000) == [])
    }
}

@Suite struct BitMatrixTests {
    @Test func setGetGrowAndCopy() {
        var m = BitMatrix(rows: 3, columnsHint: 64)
        m.set(0, 3); m.set(2, 63); m.set(1, 500)
        #expect(m.get(0, 3) && m.get(2, 63) && m.get(1, 500))
        #expect(!m.get(0, 500) && !m.get(1, 3) && !m.get(2, 10_000))
        #expect(m.columnCapacity >= 501)
        #expect(m.count(row: 0) == 1)
        m.clear(0, 3)
        #expect(!m.get(0, 3))
        var other = BitMatrix(rows: 3)
        other.set(1, 7)
        m.copyRow(1, from: other, row: 1)
        #expect(m.get(1, 7) && !m.get(1, 500))
        #expect(m.get(2, 63))
    }

    @Test func hashBytesRoundTrip() {
        let bytes = (0..<32).map { UInt8($0 * 7 & 0xff) }
        let h = Hash32(bytes: bytes)
        #expect(h.bytes == bytes)
        #expect(h.w0 & 0xff == 0)
        #expect((h.w0 >> 8) & 0xff == 7)
        #expect(Hash32.sha256([1, 2]) != Hash32.sha256([2, 1]))
    }
}
