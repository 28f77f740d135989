import Foundation
import CanaryArithmetic
import CanaryEconomics
import CanaryScenario

/// The inflation curve(s) a staking run was paid under: staking inflation for every staking
/// rate, computed with the pure `CanaryEconomics` payout (the same code the model pays with).
/// The parameters come from the run's `inflation_params` table when it has one (one curve per
/// distinct parameter set, e.g. before and after a governance upgrade), else from the
/// `staking.inflation` section of the scenario text stored with the run.
struct InflationCurves {
    struct Curve { var ideal: Double; var points: [(x: Double, y: Double)] }
    var sets: [Curve] = []
    var source = ""

    init(db: RunDatabase, run: RunDatabase.Run) {
        var params: [InflationParameters] = []
        let rows = db.rows("SELECT ideal_stake_parts, min_inflation_parts, max_inflation_parts, falloff_parts FROM inflation_params WHERE run_id = ? ORDER BY era", [run.id])
        for r in rows {
            let p = InflationParameters(model: .kusama,
                                        minInflation: Perquintill(parts: UInt64(r["min_inflation_parts"] as Int64)),
                                        maxInflation: Perquintill(parts: UInt64(r["max_inflation_parts"] as Int64)),
                                        idealStake: Perquintill(parts: UInt64(r["ideal_stake_parts"] as Int64)),
                                        falloff: Perquintill(parts: UInt64(r["falloff_parts"] as Int64)))
            if params.last != p { params.append(p) }
        }
        if !params.isEmpty {
            source = "parameters from the run's inflation_params table"
        } else if let text = run.scenarioText, let s = try? ScenarioDecoder.decode(yaml: text), let st = s.staking {
            params = [st.inflation]
            source = "parameters from the scenario's staking.inflation"
        }
        // Distinct sets in order of first use (an upgrade back to old values draws nothing new).
        var seen: [InflationParameters] = []
        for p in params where !seen.contains(p) { seen.append(p) }
        sets = seen.compactMap(Self.curve)
    }

    /// Staking inflation at rates 0%, 0.5%, …, 100% of a nominal issuance, over a whole year.
    static func curve(_ p: InflationParameters) -> Curve? {
        guard p.model == .kusama || p.model == .legacyCurve else { return nil }
        let issuance: UInt128 = 1_000_000_000_000_000_000_000
        var points: [(x: Double, y: Double)] = []
        for k in 0...200 {
            let staked = issuance / 200 * UInt128(k)
            guard let r = try? p.eraPayout(totalStaked: staked, totalIssuance: issuance, eraMillis: julianYearMillis) else { return nil }
            points.append((Double(k) / 200, Double(r.stakingInflation.parts) / 1e18))
        }
        return Curve(ideal: Double(p.idealStake.parts) / 1e18, points: points)
    }
}
