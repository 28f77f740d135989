import CanaryArithmetic
@testable import CanaryEconomics
import Foundation
import Testing

@Suite("canary inflation query")
struct InflationReportTests {
    @Test("the real Kusama era as the CLI computes it")
    func kusamaJSON() throws {
        let report = try InflationQuery(staked: "8085567.183241128549KSM", issuance: "17016510.054564053390KSM").evaluate()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        #expect(object["to_stakers"] as? String == "844606070970705")
        #expect(object["to_treasury"] as? String == "320110565207524")
        #expect(object["annual_issuance"] as? String == "99999999999999249")
        #expect(object["model"] as? String == "kusama")
        // adjustment and staking_inflation are Perquintill parts (strings), consistent with the payout.
        let adjustmentText = try #require(object["adjustment"] as? String)
        let adjustment = try #require(UInt64(adjustmentText))
        let stakingText = try #require(object["staking_inflation"] as? String)
        let staking = try #require(UInt64(stakingText))
        let min = Perquintill.fromRational(25, 1000), delta = Perquintill.fromPercent(10).saturatingSub(min)
        #expect(staking == min.saturatingAdd(delta * Perquintill(parts: adjustment)).parts)
        #expect((report.periodFraction * Perquintill(parts: staking)) * report.totalIssuance == 844_606_070_970_705)
        #expect(report.text.contains("844.606070970705 KSM"))
        #expect(report.text.contains("320.110565207524 KSM"))
    }

    @Test("options override the Kusama defaults")
    func overrides() throws {
        let r = try InflationQuery(staked: "600", issuance: "1000", era: "8766h", ideal: "60%").evaluate()
        #expect(r.result.adjustment == .one && r.result.toStakers == 100 && r.result.toTreasury == 0)
        let low = try InflationQuery(staked: "300", issuance: "1000", era: "8766h", ideal: "0.6", min: "0%", max: "20%").evaluate()
        #expect(low.result.toStakers == 100 && low.result.toTreasury == 100)
        let dot = try InflationQuery(staked: "1 DOT", issuance: "1500000000 DOT", era: "1d", model: "polkadot-fixed").evaluate()
        #expect(dot.token == .dot && dot.result.adjustment == nil && dot.json.contains("\"adjustment\": null"))
        let stepped = try InflationQuery(staked: "0", issuance: "1674342153 DOT", era: "1d", model: "polkadot-stepped",
                                         relayBlock: "30349908").evaluate()
        #expect(stepped.result.total == PolkadotSteppedEmission.polkadot.eraPayout(eraMillis: 86_400_000, atRelayBlock: 30_349_908).toStakers
                + PolkadotSteppedEmission.polkadot.eraPayout(eraMillis: 86_400_000, atRelayBlock: 30_349_908).toTreasury)
        let legacy = try InflationQuery(staked: "75", issuance: "100", era: "8766h", model: "legacy-curve").evaluate()
        #expect(legacy.result.toStakers + legacy.result.toTreasury == 10)
    }

    @Test("bad input names the option")
    func errors() {
        let cases: [(InflationQuery, String)] = [
            (InflationQuery(staked: "x", issuance: "1"), "--staked"),
            (InflationQuery(staked: "1", issuance: "0"), "--issuance"),
            (InflationQuery(staked: "2", issuance: "1"), "--staked"),
            (InflationQuery(staked: "1", issuance: "2", era: "6"), "--era"),
            (InflationQuery(staked: "1", issuance: "2", era: "0h"), "--era"),
            (InflationQuery(staked: "1", issuance: "2", ideal: "120%"), "--ideal"),
            (InflationQuery(staked: "1", issuance: "2", min: "20%"), "--min"),
            (InflationQuery(staked: "1", issuance: "2", model: "bitcoin"), "--model"),
            (InflationQuery(staked: "1", issuance: "2", model: "polkadot-stepped", relayBlock: "soon"), "--relay-block"),
        ]
        for (query, option) in cases {
            do {
                _ = try query.evaluate()
                Issue.record("expected an error for \(query)")
            } catch let e as EconomicsInputError {
                #expect(e.message.hasPrefix(option), "\(e.message)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test("durations print back compactly")
    func durations() {
        #expect(formatDuration(21_600_000) == "6h")
        #expect(formatDuration(5_400_150) == "1h30m150ms")
        #expect(formatDuration(31_557_600_000) == "365d6h")
    }
}
