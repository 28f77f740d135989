// The vote tally of one poll (`pallet_conviction_voting::Tally`).

/// Conviction-weighted ayes and nays, and unconvicted support capital, in planck.
public struct Tally: Sendable, Hashable, CustomStringConvertible {
    /// Aye votes after conviction.
    public var ayes: Balance
    /// Nay votes after conviction.
    public var nays: Balance
    /// Aye capital before conviction, plus abstain capital (the "support").
    public var support: Balance

    public init(ayes: Balance = 0, nays: Balance = 0, support: Balance = 0) {
        self.ayes = ayes
        self.nays = nays
        self.support = support
    }

    public static let empty = Tally()

    /// `Perbill::from_rational(ayes, ayes + nays)`: rounded down; an empty tally is 100 % (upstream
    /// `from_rational(0, 0)` saturates to one).
    public var approval: Perbill { Perbill.fromRational(ayes, ayes.saturatingAdd(nays)) }

    /// `Perbill::from_rational(support, total)` where `total` is `MaxTurnout` (Kusama: the active
    /// issuance); saturates to one when `total` is zero or below the support.
    public func supportFraction(of total: Balance) -> Perbill { Perbill.fromRational(support, total) }

    public var description: String { "ayes \(ayes), nays \(nays), support \(support)" }
}

extension UInt128 {
    /// `self + other`, or nil on overflow (Rust's `checked_add`).
    @inlinable
    func checkedAdd(_ other: UInt128) -> UInt128? {
        let (v, o) = addingReportingOverflow(other)
        return o ? nil : v
    }
}
