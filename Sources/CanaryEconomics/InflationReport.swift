import CanaryArithmetic

/// What `canary inflation` computes, as text inputs exactly as the user wrote them; everything is
/// parsed and evaluated here so the command stays a thin shell and the logic is testable.
public struct InflationQuery: Equatable, Sendable {
    public var staked: String
    public var issuance: String
    public var era: String = "6h"
    public var ideal: String?
    public var min: String?
    public var max: String?
    public var falloff: String?
    public var model: String = InflationModel.kusama.rawValue
    /// Relay block for the stepped Polkadot model (default: its first step, block 30,349,908).
    public var relayBlock: String?

    public init(staked: String, issuance: String, era: String = "6h", ideal: String? = nil, min: String? = nil,
                max: String? = nil, falloff: String? = nil, model: String = "kusama", relayBlock: String? = nil) {
        self.staked = staked
        self.issuance = issuance
        self.era = era
        self.ideal = ideal
        self.min = min
        self.max = max
        self.falloff = falloff
        self.model = model
        self.relayBlock = relayBlock
    }

    /// Parses and evaluates; every bad input becomes an `EconomicsInputError` naming the option.
    public func evaluate() throws -> InflationReport {
        func option<T>(_ name: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let e as EconomicsInputError {
                throw EconomicsInputError("--\(name): \(e.message)")
            }
        }
        guard let model = InflationModel(rawValue: model.lowercased()) else {
            let names = InflationModel.allCases.map(\.rawValue).joined(separator: ", ")
            throw EconomicsInputError("--model: unknown model '\(self.model)' (one of: \(names))")
        }
        let staked = try option("staked") { try EconomicsParsing.amount(self.staked) }
        let issuance = try option("issuance") { try EconomicsParsing.amount(self.issuance) }
        guard issuance > 0 else { throw EconomicsInputError("--issuance: must be above zero") }
        guard staked <= issuance else { throw EconomicsInputError("--staked: more than the issuance") }
        let eraMillis = try option("era") { try EconomicsParsing.durationMillis(era) }
        guard eraMillis > 0 else { throw EconomicsInputError("--era: must be longer than zero") }
        var params = InflationParameters.kusama
        params.model = model
        if let ideal { params.idealStake = try option("ideal") { try EconomicsParsing.ratio(ideal) } }
        if let min { params.minInflation = try option("min") { try EconomicsParsing.ratio(min) } }
        if let max { params.maxInflation = try option("max") { try EconomicsParsing.ratio(max) } }
        if let falloff { params.falloff = try option("falloff") { try EconomicsParsing.ratio(falloff) } }
        if params.minInflation > params.maxInflation {
            throw EconomicsInputError("--min: above --max (\(params.minInflation) > \(params.maxInflation))")
        }
        var block: UInt32?
        if let relayBlock {
            guard let b = UInt32(relayBlock.filter { $0 != "_" && $0 != "," }) else {
                throw EconomicsInputError("--relay-block: not a block number: '\(relayBlock)'")
            }
            block = b
        }
        let result = try params.eraPayout(totalStaked: staked, totalIssuance: issuance, eraMillis: eraMillis, relayBlock: block)
        let token: TokenUnit
        if self.staked.uppercased().hasSuffix("DOT") || self.issuance.uppercased().hasSuffix("DOT") {
            token = .dot
        } else if self.staked.uppercased().hasSuffix("KSM") || self.issuance.uppercased().hasSuffix("KSM") {
            token = .ksm
        } else {
            token = (model == .polkadotFixed || model == .polkadotStepped) ? .dot : .ksm
        }
        return InflationReport(parameters: params, totalStaked: staked, totalIssuance: issuance,
                               eraMillis: eraMillis, relayBlock: block, result: result, token: token)
    }
}

/// One era's answer with everything needed to print it.
public struct InflationReport: Equatable, Sendable {
    public var parameters: InflationParameters
    public var totalStaked: UInt128
    public var totalIssuance: UInt128
    public var eraMillis: UInt64
    public var relayBlock: UInt32?
    public var result: EraPayoutResult
    /// The token amounts are shown in (planck are always shown too).
    public var token: TokenUnit

    public var stakeRatio: Perquintill { Perquintill.fromRational(totalStaked, totalIssuance) }
    public var periodFraction: Perquintill { CanaryEconomics.periodFraction(eraMillis: eraMillis) }
    /// Everything minted this era, scaled to a Julian year, as a fraction of the issuance.
    public var annualIssuance: Perquintill { annualised(result.total, eraMillis: eraMillis, of: totalIssuance) }

    /// One JSON object; numbers as strings (Perquintill parts for ratios, planck for amounts),
    /// `adjustment` null for models without one. Keys in a fixed order.
    public var json: String {
        func s(_ v: some CustomStringConvertible) -> String { "\"\(v)\"" }
        var fields: [(String, String)] = [
            ("model", s(parameters.model.rawValue)),
            ("era_ms", s(eraMillis)),
            ("total_staked", s(totalStaked)),
            ("total_issuance", s(totalIssuance)),
            ("stake", s(stakeRatio.parts)),
            ("adjustment", result.adjustment.map { s($0.parts) } ?? "null"),
            ("staking_inflation", s(result.stakingInflation.parts)),
            ("annual_issuance", s(annualIssuance.parts)),
            ("to_stakers", s(result.toStakers)),
            ("to_treasury", s(result.toTreasury)),
            ("total_minted", s(result.total)),
        ]
        if parameters.model == .kusama || parameters.model == .legacyCurve {
            fields.insert(contentsOf: [
                ("ideal_stake", s(parameters.idealStake.parts)),
                ("min_inflation", s(parameters.minInflation.parts)),
                ("max_inflation", s(parameters.maxInflation.parts)),
                ("falloff", s(parameters.falloff.parts)),
            ], at: 2)
        }
        if parameters.model == .polkadotStepped {
            fields.insert(("relay_block", s(relayBlock ?? parameters.polkadotStepped.startBlock)), at: 2)
        }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// Human-readable lines.
    public var text: String {
        let t = token == .planck ? TokenUnit.ksm : token
        func amount(_ v: UInt128) -> String { "\(formatTokens(v, decimals: t.decimals)) \(t.rawValue)  (\(v) planck)" }
        func pct(_ p: Perquintill) -> String { formatPercent(parts: p.parts) }
        var lines: [(String, String)] = [("model", parameters.model.rawValue)]
        lines.append(("era", "\(formatDuration(eraMillis)) = \(pct(periodFraction)) of a Julian year"))
        lines.append(("staked", "\(amount(totalStaked))"))
        lines.append(("issuance", "\(amount(totalIssuance))"))
        lines.append(("stake ratio", pct(stakeRatio)))
        switch parameters.model {
        case .kusama, .legacyCurve:
            lines.append(("parameters", "min \(pct(parameters.minInflation)), max \(pct(parameters.maxInflation)), ideal \(pct(parameters.idealStake)), falloff \(pct(parameters.falloff))"))
        case .polkadotFixed:
            lines.append(("parameters", "8% of \(formatTokens(parameters.polkadotFixed.fixedTotalIssuance, decimals: 10)) DOT a year, 15% to the treasury"))
        case .polkadotStepped:
            lines.append(("relay block", "\(relayBlock ?? parameters.polkadotStepped.startBlock)"))
        }
        if let adj = result.adjustment {
            lines.append(("adjustment", "\(pct(adj))  (\(adj.parts) Perquintill parts)"))
        }
        lines.append(("staking inflation", "\(pct(result.stakingInflation)) a year  (\(result.stakingInflation.parts) parts)"))
        lines.append(("annual issuance", "\(pct(annualIssuance)) a year (stakers + treasury)"))
        lines.append(("to_stakers", amount(result.toStakers)))
        lines.append(("to_treasury", amount(result.toTreasury)))
        lines.append(("total minted", amount(result.total)))
        let width = lines.map(\.0.count).max() ?? 0
        return lines.map { $0.0 + String(repeating: " ", count: width - $0.0.count + 2) + $0.1 }.joined(separator: "\n")
    }
}

/// `21600000` → `6h`, `5400000` → `1h30m`, `150` → `150ms`.
public func formatDuration(_ millis: UInt64) -> String {
    if millis == 0 { return "0ms" }
    var rest = millis
    var out = ""
    for (unit, size) in [("d", UInt64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        if rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
    }
    return out
}
