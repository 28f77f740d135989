import ArgumentParser
import CanaryEconomics
import Foundation

/// `canary inflation`: one era's inflation under Kusama's rule or an alternative model.
struct InflationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inflation",
        abstract: "Era inflation calculator: adjustment, annual rate, to_stakers and to_treasury for one era.",
        discussion: """
        Exact to the runtime's integer arithmetic (relay_era_payout / compute_inflation for the \
        default `kusama` model). Amounts are planck integers, or decimals with a KSM (10^12) or DOT \
        (10^10) suffix. Ratios: `60%`, `0.6` or `25/1000`. Durations: `6h`, `8766h` (a Julian \
        year), `30m`, `1d`, `150ms`.

        Example (a real Kusama era; the runtime's sanity test pays 844.606070970705 KSM to stakers):
          canary inflation --staked 8085567.183241128549KSM --issuance 17016510.054564053390KSM
        Exit code 2 on bad input. See docs/economics.md.
        """
    )

    @Option(help: "Total staked (planck, or with a KSM/DOT suffix).") var staked: String?
    @Option(help: "Total issuance, i.e. the stakable total (planck, or with a KSM/DOT suffix).") var issuance: String?
    @Option(help: "Era duration.") var era: String = "6h"
    @Option(help: "Ideal stake ratio (default 75%).") var ideal: String?
    @Option(help: "Minimum annual inflation (default 2.5%).") var min: String?
    @Option(help: "Maximum annual inflation (default 10%).") var max: String?
    @Option(help: "Falloff above the ideal stake (default 5%).") var falloff: String?
    @Option(help: "kusama | polkadot-fixed | polkadot-stepped | legacy-curve") var model: String = "kusama"
    @Option(name: .customLong("relay-block"), help: "Relay block for polkadot-stepped (default 30349908, its first step).")
    var relayBlock: String?
    @Flag(help: "Print one JSON object.") var json = false

    func run() throws {
        guard let staked, let issuance else {
            let missing = [staked == nil ? "--staked" : nil, issuance == nil ? "--issuance" : nil].compactMap { $0 }
            fail("missing \(missing.joined(separator: " and ")) (see canary inflation --help)")
        }
        let query = InflationQuery(staked: staked, issuance: issuance, era: era, ideal: ideal, min: min, max: max,
                                   falloff: falloff, model: model, relayBlock: relayBlock)
        do {
            let report = try query.evaluate()
            print(json ? report.json : report.text)
        } catch let error as EconomicsInputError {
            fail(error.message)
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(2)
    }
}
