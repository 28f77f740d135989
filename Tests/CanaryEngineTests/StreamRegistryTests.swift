import Testing
@testable import CanaryEngine

@Suite struct StreamRegistryTests {
    @Test func purposesAreDistinct() {
        let names = StreamPurpose.registry.map(\.name)
        #expect(Set(names).count == names.count, "a purpose name is registered twice")
        let tags = StreamPurpose.registry.map(\.purpose.tag)
        #expect(Set(tags).count == tags.count, "two purposes hash to the same tag")
        // Each registered constant is the purpose of its name (no constant points at another name).
        for (name, purpose) in StreamPurpose.registry { #expect(StreamPurpose(name) == purpose, "\(name)") }
    }

    @Test func streamsOfDifferentPurposesDiffer() {
        let streams = RandomStreams(seed: 7)
        var firsts: [UInt64] = []
        for (_, purpose) in StreamPurpose.registry {
            var s = streams.stream(purpose, node: 3)
            firsts.append(s.next())
        }
        #expect(Set(firsts).count == firsts.count)
    }

    @Test func composerAllocatesDisjointRanges() {
        var c = ProtocolComposer()
        let a = c.allocate(kinds: 3, classes: ["x", "y"])
        let b = c.allocate(kinds: 5, classes: ["z"])
        #expect(a.firstKind == EventKind.firstModelKind && b.firstKind == a.firstKind + 3)
        #expect(a.firstClass == 0 && b.firstClass == 2 && c.messageClasses == ["x", "y", "z"])
    }
}
