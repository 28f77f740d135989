import CanaryEngine

/// What a ledger looks like when an era closes: the era's summary and the ledger after it.
public struct EraClose: Sendable {
    public var summary: EraSummary
    /// Every account's free and bonded balance plus the treasury, after the era.
    public var sumOfBalances: Balance
    public var totalIssuance: Balance
    public init(summary: EraSummary, ledger: StakingState) {
        self.summary = summary
        sumOfBalances = ledger.sumOfBalances
        totalIssuance = ledger.totalIssuance
    }
}

/// Issuance conservation, checked at every era end at both fidelity levels: issuance after =
/// issuance before + minted (treasury share and stakers' rewards) − burned, and the accounts plus
/// the treasury add up to the issuance, to the planck.
public struct IssuanceConservation: InvariantChecker, Sendable {
    public let name = "staking.issuance-conservation"
    public init() {}

    public mutating func check(_ c: EraClose, at time: SimTime) -> InvariantViolation? {
        let s = c.summary
        let minted = s.toTreasury + s.paidToStakers
        if s.totalIssuanceAfter != s.totalIssuanceBefore + minted - s.burned {
            return InvariantViolation(invariant: name, time: time, detail:
                "era \(s.era): issuance \(s.totalIssuanceAfter) != \(s.totalIssuanceBefore) + minted \(minted) - burned \(s.burned)")
        }
        if c.sumOfBalances != c.totalIssuance {
            return InvariantViolation(invariant: name, time: time, detail:
                "era \(s.era): accounts + treasury \(c.sumOfBalances) != total issuance \(c.totalIssuance)")
        }
        return nil
    }
}
