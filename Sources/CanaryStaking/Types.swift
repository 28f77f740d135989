import CanaryArithmetic
import CanaryEconomics
import CanaryNPoS

/// Accounts are dense indices into `StakingState.accounts` (creation order), so every iteration
/// over them is in a fixed order.
public typealias AccountID = UInt32
public typealias EraIndex = UInt32
public typealias Balance = UInt128

/// Where a staker's rewards go (`RewardDestination`).
public enum Payee: Sendable, Hashable {
    /// Added to the active bond (re-bonded).
    case staked
    /// Paid to the free balance.
    case stash
}

/// Where slashed funds go. Kusama: `Slash = ResolveTo<Treasury>`.
public enum SlashDestination: Sendable, Hashable {
    case treasury
    /// Burned: total issuance falls by the slashed amount.
    case burn
}

/// Chain parameters of the staking runtime (Kusama defaults, reference §0 and §3.3).
public struct StakingConfig: Sendable, Equatable {
    /// Active validator set size (`ValidatorCount`; Kusama 1,000).
    public var validatorCount: Int = 1_000
    /// Election snapshot bound on voters, top by stake (Kusama 12,500).
    public var maxElectingVoters: Int = 12_500
    /// Max nominations per nominator (Kusama 24).
    public var maxNominations: Int = 24
    /// Eras before unbonded funds can be withdrawn (28).
    public var bondingDuration: EraIndex = 28
    /// Eras a slash waits before it is applied (27).
    public var slashDeferDuration: EraIndex = 27
    /// Nominators per exposure page (512).
    public var exposurePageSize: Int = 512
    /// Era length used when `endEra` is not told otherwise (6 h).
    public var eraMillis: UInt64 = 6 * 3_600_000
    public var inflation: InflationParameters = .kusama
    public var slashDestination: SlashDestination = .treasury
    /// Default reward destination of new stakers.
    public var defaultPayee: Payee = .staked
    /// Minimum bond to be an election candidate / voter.
    public var minValidatorBond: Balance = 0
    public var minNominatorBond: Balance = 0
    /// Withdraw unlocked chunks automatically at era end (the chain needs a `withdraw_unbonded` call).
    public var autoWithdraw: Bool = false

    public init() {}
    public static let kusama = StakingConfig()
}

/// Funds that become withdrawable at `era`.
public struct UnlockChunk: Sendable, Hashable {
    public var value: Balance
    public var era: EraIndex
}

/// One account: free balance plus its staking ledger.
public struct Account: Sendable, Hashable {
    public var free: Balance
    /// Bonded and at stake (`ledger.active`).
    public var active: Balance = 0
    /// Unbonding, not at stake, still slashable until withdrawn.
    public var unlocking: [UnlockChunk] = []
    public var payee: Payee
    /// Set when the account intends to validate (`Validators` map).
    public var validatorPrefs: Perbill? = nil
    /// Set when the account nominates (`Nominators` map).
    public var nominations: [AccountID]? = nil

    /// `ledger.total`: active plus unlocking.
    public var bonded: Balance { unlocking.reduce(active) { $0 + $1.value } }
    /// Everything the account owns.
    public var total: Balance { free + bonded }
}

/// The stake behind one elected validator for one era (`Exposure`, paged as `ErasStakersPaged`).
public struct Exposure: Sendable, Hashable {
    public struct Backer: Sendable, Hashable {
        public var who: AccountID
        public var value: Balance
    }
    /// own + all nominators.
    public var total: Balance
    public var own: Balance
    /// Nominators, in support order.
    public var others: [Backer]

    /// Page `page` of `others` with `pageSize` nominators per page.
    public func page(_ page: Int, size pageSize: Int) -> ArraySlice<Backer> {
        let start = page * pageSize
        guard start < others.count || (page == 0 && others.isEmpty) else { return [] }
        return others[start..<min(start + pageSize, others.count)]
    }

    /// Number of pages (at least one, page 0 carries the own stake).
    public func pageCount(size pageSize: Int) -> Int {
        max(1, (others.count + pageSize - 1) / pageSize)
    }
}

/// One reward payment.
public struct Payout: Sendable, Hashable {
    public var era: EraIndex
    public var validator: AccountID
    public var page: Int
    public var who: AccountID
    public var amount: Balance
    /// Whether it was re-bonded.
    public var rebonded: Bool
}

/// A slash applied to one staker.
public struct SlashRecord: Sendable, Hashable {
    /// Era of the offence.
    public var offenceEra: EraIndex
    /// Era it was applied in.
    public var appliedEra: EraIndex
    public var validator: AccountID
    public var who: AccountID
    public var fraction: Perbill
    public var amount: Balance
}

/// A slash waiting for its era (`UnappliedSlash`).
public struct PendingSlash: Sendable, Hashable {
    public var offenceEra: EraIndex
    public var applyAt: EraIndex
    public var validator: AccountID
    public var fraction: Perbill
    /// The exposure at the offence era (what gets slashed).
    public var exposure: Exposure
}

/// What happened at the end of one era.
public struct EraSummary: Sendable, Equatable {
    public var era: EraIndex
    public var eraMillis: UInt64
    public var totalIssuanceBefore: Balance
    public var totalIssuanceAfter: Balance
    /// `ErasTotalStake`: the sum of the era's exposures.
    public var totalStaked: Balance
    public var stakingRate: Perquintill
    /// The inflation model's answer for this era.
    public var payout: EraPayoutResult
    /// Everything minted this era, annualised, of the issuance before it.
    public var annualInflation: Perquintill
    /// Rewards actually paid (minted) to stakers.
    public var paidToStakers: Balance
    /// `toStakers − paidToStakers` when positive: rounding dust and the share of validators without
    /// points; never minted (the chain mints rewards only when paid).
    public var unpaidRemainder: Balance
    /// `paidToStakers − toStakers` when positive: per-validator shares are rounded to nearest, so in
    /// rare cases (e.g. exact shares 0.6, 0.6, 1.8 of 3 planck) the chain pays a planck or two more
    /// than the era payout. Minted like any reward. Zero almost always.
    public var overpaid: Balance
    public var toTreasury: Balance
    public var payouts: [Payout]
    public var slashes: [SlashRecord]
    /// Slashed funds that were burned (destination `.burn`).
    public var burned: Balance
    /// Active validators and their backing in this era.
    public var validators: Int
    public var minBacking: Balance
    public var avgBacking: Balance
    /// Score of the election that chose this era's validators.
    public var electionScore: ElectionScore?
    /// Withdrawals made automatically this era (`autoWithdraw`).
    public var withdrawn: Balance
}

/// Why a staking call was refused.
public struct StakingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
