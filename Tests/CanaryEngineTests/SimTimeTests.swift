import Testing
@testable import CanaryEngine

@Suite struct SimTimeTests {
    @Test(arguments: [
        ("150ms", Int64(150_000_000)), ("6s", 6_000_000_000), ("2h", 7_200_000_000_000),
        ("3d", 259_200_000_000_000), ("1h30m", 5_400_000_000_000), ("1.5s", 1_500_000_000),
        ("0", 0), ("250us", 250_000), ("7ns", 7), ("0.001ms", 1_000),
    ])
    func parses(text: String, ns: Int64) {
        #expect(SimTime(parsing: text)?.nanoseconds == ns)
    }

    @Test(arguments: ["", "6", "6x", "s", "1.5.2s", "-3s", "1e3s", "0.5ns", "99999999999d", "1 h"])
    func rejects(text: String) {
        #expect(SimTime(parsing: text) == nil)
    }

    @Test func printsCanonically() {
        #expect(SimTime.ms(150).description == "150ms")
        #expect(SimTime.seconds(6).description == "6s")
        #expect(SimTime.hours(2).description == "2h")
        #expect(SimTime.days(3).description == "3d")
        #expect((SimTime.hours(1) + .minutes(30) + .ms(5)).description == "1h30m5ms")
        #expect(SimTime.zero.description == "0s")
    }

    @Test func roundTripsThroughText() {
        var rng = Xoshiro256StarStar(seed: 99)
        for _ in 0..<2_000 {
            let t = SimTime(nanoseconds: Int64(rng.nextBelow(UInt64(SimTime.days(400).nanoseconds))))
            #expect(SimTime(parsing: t.description) == t)
        }
    }
}

@Suite struct EventQueueTests {
    @Test func popsInTimeOrderAndTiesInInsertionOrder() {
        var q = EventQueue()
        var rng = Xoshiro256StarStar(seed: 3)
        for i in 0..<20_000 {
            // Few distinct times, so ties are frequent.
            q.push(time: .ms(Int64(rng.nextBelow(50))), node: 0, kind: .deliver, payload: UInt64(i))
        }
        var last: Event?
        var popped = 0
        while let e = q.pop() {
            if let l = last {
                #expect(l.time < e.time || (l.time == e.time && l.seq < e.seq && l.payload < e.payload))
            }
            last = e
            popped += 1
        }
        #expect(popped == 20_000)
    }

    @Test func interleavedPushesKeepOrder() {
        var q = EventQueue()
        var rng = Xoshiro256StarStar(seed: 4)
        var now = SimTime.zero
        for i in 0..<1_000 { q.push(time: .us(Int64(rng.nextBelow(1_000))), node: 0, kind: .deliver, payload: UInt64(i)) }
        for _ in 0..<50_000 {
            let e = q.pop()!
            #expect(e.time >= now)
            now = e.time
            q.push(time: now + .us(Int64(rng.nextBelow(3))), node: 0, kind: .deliver, payload: 0)
        }
        #expect(q.count == 1_000)
    }
}

@Suite struct RandomTests {
    @Test func splitMix64MatchesReference() {
        // Reference outputs of SplitMix64 for seed 0 (Vigna's splitmix64.c).
        var s = SplitMix64(seed: 0)
        #expect(s.next() == 0xE220_A839_7B1D_CDAF)
        #expect(s.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func streamsAreReproducibleAndIndependent() {
        let a = RandomStreams(seed: 42)
        var x1 = a.stream(.network, node: 5), x2 = RandomStreams(seed: 42).stream(.network, node: 5)
        for _ in 0..<100 { #expect(x1.next() == x2.next()) }
        var other = a.stream(.network, node: 6), purpose = a.stream(.traffic, node: 5), seed = RandomStreams(seed: 43).stream(.network, node: 5)
        var base = a.stream(.network, node: 5)
        let firsts = (0..<4).map { _ in base.next() }
        #expect((0..<4).map { _ in other.next() } != firsts)
        #expect((0..<4).map { _ in purpose.next() } != firsts)
        #expect((0..<4).map { _ in seed.next() } != firsts)
    }

    @Test func nextBelowIsUniform() {
        var r = Xoshiro256StarStar(seed: 1)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<100_000 { counts[Int(r.nextBelow(10))] += 1 }
        for c in counts { #expect(abs(c - 10_000) < 500) }
    }

    @Test func addingNodesDoesNotShiftExistingTraffic() {
        // Node 0's gossip stream is the same whether the network has 10 or 11 nodes.
        let s = RandomStreams(seed: 9)
        var small = s.stream(.traffic, node: 0)
        var large = RandomStreams(seed: 9).stream(.traffic, node: 0)
        _ = s.stream(.traffic, node: 10)
        #expect((0..<10).map { _ in small.next() } == (0..<10).map { _ in large.next() })
    }

    @Test func sha256MatchesFIPSVectors() {
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}
