import CanaryArithmetic

/// Dispute thresholds and slashes (polkadot-sdk `polkadot/runtime/parachains/src/disputes.rs`,
/// `disputes/slashing.rs`; implementers' guide `protocol-disputes.md`).
public enum DisputeRules {
    /// The state of a dispute among `n` validators with `valid` and `invalid` votes.
    public enum Status: Equatable, Sendable {
        /// At most f votes: not yet confirmed (the runtime does not import it).
        case unconfirmed
        /// More than f votes, neither side at the supermajority.
        case confirmed
        case concludedValid
        case concludedInvalid
    }

    /// Confirmed above f = ⌊(n−1)/3⌋ votes in total; concluded when one side reaches n − f.
    public static func status(validators n: Int, valid: Int, invalid: Int) -> Status {
        let s = ParaThresholds.supermajority(n)
        if invalid >= s { return .concludedInvalid }
        if valid >= s { return .concludedValid }
        if valid + invalid > ParaThresholds.byzantine(n) { return .confirmed }
        return .unconfirmed
    }

    /// `SlashingOffenceKind`.
    public enum Offence: String, Sendable, CaseIterable {
        /// Backed a candidate that concluded invalid.
        case forInvalidBacked = "for_invalid_backed"
        /// Approved (voted valid, not as a backer) a candidate that concluded invalid.
        case forInvalidApproved = "for_invalid_approved"
        /// Voted invalid on a candidate that concluded valid.
        case againstValid = "against_valid"
    }

    /// The slash fraction of each offence in the current runtime: 100 % for backers, 2 % for
    /// approvers of an invalid candidate, nothing for voting against a valid one.
    public static func slashFraction(_ o: Offence) -> Perbill {
        switch o {
        case .forInvalidBacked: return .fromPercent(100)
        case .forInvalidApproved: return .fromPercent(2)
        case .againstValid: return .zero
        }
    }

    /// The planck slashed from an exposure (`fraction * exposure`, Perbill's nearest-prefer-down
    /// multiplication as in Substrate).
    public static func slash(_ o: Offence, exposure: UInt128) -> UInt128 { slashFraction(o) * exposure }

    /// Who loses a concluded dispute and for which offence: backers and approvers of an invalid
    /// candidate, or the invalid voters of a valid one. Validators are session indices.
    public static func losers(status: Status, backers: [Int], validVoters: [Int], invalidVoters: [Int]) -> [(validator: Int, offence: Offence)] {
        switch status {
        case .concludedInvalid:
            let b = Set(backers)
            var out = backers.sorted().map { ($0, Offence.forInvalidBacked) }
            out += validVoters.filter { !b.contains($0) }.sorted().map { ($0, Offence.forInvalidApproved) }
            return out
        case .concludedValid:
            return invalidVoters.sorted().map { ($0, Offence.againstValid) }
        default: return []
        }
    }
}
