import CanaryArithmetic
@testable import CanaryEconomics
import Testing

@Suite("parsing amounts, ratios and durations")
struct ParsingTests {
    @Test("amounts in planck, KSM and DOT")
    func amounts() throws {
        #expect(try EconomicsParsing.amount("123") == 123)
        #expect(try EconomicsParsing.amount("1_000_000") == 1_000_000)
        #expect(try EconomicsParsing.amount("1 KSM") == 1_000_000_000_000)
        #expect(try EconomicsParsing.amount("1.5ksm") == 1_500_000_000_000)
        #expect(try EconomicsParsing.amount("0.000000000001 KSM") == 1)
        #expect(try EconomicsParsing.amount("2.5 DOT") == 25_000_000_000)
        #expect(try EconomicsParsing.amount("42 planck") == 42)
        #expect(try EconomicsParsing.amount("340282366920938463463374607431768211455") == UInt128.max)
        for bad in ["", "KSM", "1.5", "0.0000000000001 KSM", "1.2.3 KSM", "abc", "-1",
                    "340282366920938463463374607431768211456", "1. KSM", "1e6"] {
            #expect(throws: EconomicsInputError.self, "'\(bad)'") { try EconomicsParsing.amount(bad) }
        }
    }

    @Test("ratios as percent, decimal or p/q, exactly")
    func ratios() throws {
        #expect(try EconomicsParsing.ratioParts("60%") == 600_000_000_000_000_000)
        #expect(try EconomicsParsing.ratioParts("0.6") == 600_000_000_000_000_000)
        #expect(try EconomicsParsing.ratioParts("2.5%") == 25_000_000_000_000_000)
        #expect(try EconomicsParsing.ratioParts("100%") == 1_000_000_000_000_000_000)
        #expect(try EconomicsParsing.ratioParts("1") == 1_000_000_000_000_000_000)
        #expect(try EconomicsParsing.ratioParts("0.000000000000000001") == 1)
        #expect(try EconomicsParsing.ratioParts("0.0000000000000001%") == 1)
        #expect(try EconomicsParsing.ratioParts("1/3") == 333_333_333_333_333_333)
        #expect(try EconomicsParsing.ratio("25/1000") == Perquintill.fromRational(25, 1000))
        for bad in ["", "%", "101%", "1.5", "0.0000000000000000001", "abc", "1/0", "3/2", "60 %%", "-5%"] {
            #expect(throws: EconomicsInputError.self, "'\(bad)'") { try EconomicsParsing.ratioParts(bad) }
        }
    }

    @Test("durations")
    func durations() throws {
        #expect(try EconomicsParsing.durationMillis("6h") == 21_600_000)
        #expect(try EconomicsParsing.durationMillis("8766h") == 31_557_600_000)
        #expect(try EconomicsParsing.durationMillis("30m") == 1_800_000)
        #expect(try EconomicsParsing.durationMillis("1d") == 86_400_000)
        #expect(try EconomicsParsing.durationMillis("150ms") == 150)
        #expect(try EconomicsParsing.durationMillis("1h30m") == 5_400_000)
        #expect(try EconomicsParsing.durationMillis("90s") == 90_000)
        for bad in ["", "6", "h", "6x", "6h-", "1.5h", "99999999999999999999d"] {
            #expect(throws: EconomicsInputError.self, "'\(bad)'") { try EconomicsParsing.durationMillis(bad) }
        }
    }

    @Test("formatting")
    func formatting() {
        #expect(formatTokens(844_606_070_970_705, decimals: 12) == "844.606070970705")
        #expect(formatTokens(5, decimals: 12) == "0.000000000005")
        #expect(formatPercent(parts: 72_516_013_314_801_129) == "7.2516013314801129%")
        #expect(formatPercent(parts: 100_000_000_000_000_000) == "10%")
    }

    @Test("BigUInt arithmetic against UInt128")
    func bigUInt() {
        let a = BigUInt(UInt128.max)
        let b = a.multiplied(by: UInt128.max)  // (2^128-1)^2
        #expect(b.description == "115792089237316195423570985008687907852589419931798687112530834793049593217025")
        #expect(b.dividedFloor(by: 3).multiplied(by: UInt64(3)) <= b)
        #expect((a + BigUInt(UInt64(1))).uint128 == nil)
        #expect((a + BigUInt(UInt64(1)) - BigUInt(UInt64(1))).uint128 == UInt128.max)
        let q = BigUInt(UInt128(12345)).multiplied(by: UInt64(1000)).dividedFloor(by: 7).uint128
        #expect(q == UInt128(1_763_571))
        #expect(BigUInt(UInt128(1) << 100).multiplied(by: UInt128(3) << 70).dividedFloor(by: 1 << 40).dividedFloor(by: 1 << 40).uint128 == UInt128(3) << 90)
    }
}
