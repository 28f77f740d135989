import Testing
@testable import CanaryGovernance

@Suite("Durations")
struct BlockDurationTests {
    @Test("Units convert to 6-second blocks")
    func units() throws {
        #expect(try BlockDuration.parse("1d") == 14_400)
        #expect(try BlockDuration.parse("12h") == 7_200)
        #expect(try BlockDuration.parse("30m") == 300)
        #expect(try BlockDuration.parse("6s") == 1)
        #expect(try BlockDuration.parse("100b") == 100)
        #expect(try BlockDuration.parse("1d12h") == 21_600)
        #expect(try BlockDuration.parse(" 14d ") == 201_600)
        #expect(try BlockDuration.parse("0s") == 0)
    }

    @Test("Bad durations are rejected with a reason")
    func errors() {
        #expect(throws: BlockDuration.ParseError.empty) { try BlockDuration.parse("") }
        #expect(throws: BlockDuration.ParseError.missingUnit("12")) { try BlockDuration.parse("12") }
        #expect(throws: BlockDuration.ParseError.unknownUnit("w", in: "2w")) { try BlockDuration.parse("2w") }
        #expect(throws: BlockDuration.ParseError.missingNumber(in: "d")) { try BlockDuration.parse("d") }
        #expect(throws: BlockDuration.ParseError.notWholeBlocks(seconds: 7)) { try BlockDuration.parse("7s") }
        #expect(throws: BlockDuration.ParseError.tooLarge("999999999999d")) { try BlockDuration.parse("999999999999d") }
        #expect(throws: (any Error).self) { try BlockDuration.parse("-1d") }
    }

    @Test("Formatting is compact and round-trips")
    func format() throws {
        #expect(BlockDuration.format(201_600) == "14d")
        #expect(BlockDuration.format(21_600) == "1d12h")
        #expect(BlockDuration.format(1) == "6s")
        #expect(BlockDuration.format(0) == "0s")
        for b: BlockNumber in [1, 7, 599, 601, 14_401, 201_600, 1_000_003] {
            #expect(try BlockDuration.parse(BlockDuration.format(b)) == b)
        }
    }
}
