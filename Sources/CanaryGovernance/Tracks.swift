// Referenda tracks (`pallet_referenda::TrackInfo`) and Kusama's 16-track preset.

/// The origin a proposal is dispatched from; it selects the track (`TracksInfo::track_for`).
public struct ProposalOrigin: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// snake_case name, e.g. `root`, `whitelisted_caller`, `staking_admin`.
    public var name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }
    public static func < (l: ProposalOrigin, r: ProposalOrigin) -> Bool { l.name < r.name }

    public static let root = ProposalOrigin("root")
    public static let whitelistedCaller = ProposalOrigin("whitelisted_caller")
    public static let wishForChange = ProposalOrigin("wish_for_change")
    public static let stakingAdmin = ProposalOrigin("staking_admin")
    public static let treasurer = ProposalOrigin("treasurer")
    public static let leaseAdmin = ProposalOrigin("lease_admin")
    public static let fellowshipAdmin = ProposalOrigin("fellowship_admin")
    public static let generalAdmin = ProposalOrigin("general_admin")
    public static let auctionAdmin = ProposalOrigin("auction_admin")
    public static let referendumCanceller = ProposalOrigin("referendum_canceller")
    public static let referendumKiller = ProposalOrigin("referendum_killer")
    public static let smallTipper = ProposalOrigin("small_tipper")
    public static let bigTipper = ProposalOrigin("big_tipper")
    public static let smallSpender = ProposalOrigin("small_spender")
    public static let mediumSpender = ProposalOrigin("medium_spender")
    public static let bigSpender = ProposalOrigin("big_spender")
}

/// One track's parameters (`pallet_referenda::TrackInfo`) plus the origin that maps to it.
public struct TrackInfo: Sendable, Hashable {
    public var id: TrackId
    public var name: String
    /// Origins whose proposals go to this track (Kusama: exactly one, named like the track).
    public var origins: [ProposalOrigin]
    /// How many referenda may be deciding at once on this track.
    public var maxDeciding: UInt32
    public var decisionDeposit: Balance
    public var preparePeriod: BlockNumber
    public var decisionPeriod: BlockNumber
    public var confirmPeriod: BlockNumber
    public var minEnactmentPeriod: BlockNumber
    /// Minimum approval (conviction-weighted ayes / (ayes + nays)) over the decision period.
    public var minApproval: Curve
    /// Minimum support (unconvicted aye + abstain capital / active issuance) over the decision period.
    public var minSupport: Curve

    public init(id: TrackId, name: String, origins: [ProposalOrigin]? = nil, maxDeciding: UInt32,
                decisionDeposit: Balance, preparePeriod: BlockNumber, decisionPeriod: BlockNumber,
                confirmPeriod: BlockNumber, minEnactmentPeriod: BlockNumber,
                minApproval: Curve, minSupport: Curve) {
        self.id = id
        self.name = name
        self.origins = origins ?? [ProposalOrigin(name)]
        self.maxDeciding = maxDeciding
        self.decisionDeposit = decisionDeposit
        self.preparePeriod = preparePeriod
        self.decisionPeriod = decisionPeriod
        self.confirmPeriod = confirmPeriod
        self.minEnactmentPeriod = minEnactmentPeriod
        self.minApproval = minApproval
        self.minSupport = minSupport
    }

    /// Approval and support thresholds `elapsed` blocks after deciding began.
    public func thresholds(elapsed: BlockNumber) -> (approval: Perbill, support: Perbill) {
        let x = Curve.elapsedFraction(elapsed: elapsed, period: decisionPeriod)
        return (minApproval.threshold(at: x), minSupport.threshold(at: x))
    }
}

/// The pallet-wide constants that are not per track.
public struct ReferendaConfig: Sendable, Hashable {
    /// Reserved from the submitter (`SubmissionDeposit`).
    public var submissionDeposit: Balance
    /// Longest a referendum may wait without deciding (queued ones excepted).
    public var undecidingTimeout: BlockNumber
    /// Capacity of each track's queue (`MaxQueued`).
    public var maxQueued: Int
    /// Alarms are rounded up to a multiple of this (`AlarmInterval`).
    public var alarmInterval: BlockNumber

    public init(submissionDeposit: Balance, undecidingTimeout: BlockNumber, maxQueued: Int = 100,
                alarmInterval: BlockNumber = 1) {
        self.submissionDeposit = submissionDeposit
        self.undecidingTimeout = undecidingTimeout
        self.maxQueued = maxQueued
        self.alarmInterval = alarmInterval
    }

    /// Kusama: `SubmissionDeposit` = 1 QUID (the relay raised it to 100 QUID in Jan 2026, PR #863;
    /// pass `submissionDeposit:` to model that), 14-day timeout, 100 queued, alarm interval 1.
    public static let kusama = ReferendaConfig(
        submissionDeposit: Kusama.quid, undecidingTimeout: 14 * Kusama.days, maxQueued: 100, alarmInterval: 1)
}

/// A set of tracks, sorted by id (`TracksInfo::tracks`).
public struct TrackTable: Sendable, Hashable {
    public private(set) var tracks: [TrackInfo]

    /// Sorts by id; ids and names must be unique.
    public init(_ tracks: [TrackInfo]) throws(TrackTableError) {
        let sorted = tracks.sorted { $0.id < $1.id }
        for i in sorted.indices.dropFirst() where sorted[i].id == sorted[i - 1].id {
            throw .duplicateId(sorted[i].id)
        }
        let names = sorted.map(\.name).sorted()
        for i in names.indices.dropFirst() where names[i] == names[i - 1] { throw .duplicateName(names[i]) }
        for t in sorted where t.decisionPeriod == 0 { throw .zeroDecisionPeriod(t.name) }
        self.tracks = sorted
    }

    /// The track with this id (`TracksInfo::info`).
    public func track(id: TrackId) -> TrackInfo? { tracks.first { $0.id == id } }

    /// The track with this name (`root`, `whitelisted_caller`, ...).
    public func track(named name: String) -> TrackInfo? { tracks.first { $0.name == name } }

    /// The track for a proposal origin (`TracksInfo::track_for`); `nil` means `NoTrack`.
    public func trackFor(_ origin: ProposalOrigin) -> TrackInfo? { tracks.first { $0.origins.contains(origin) } }

    /// Kusama's 16 tracks (polkadot-fellows/runtimes `relay/kusama/src/governance/tracks.rs`,
    /// identical on Kusama Asset Hub in relay-block units).
    public static let kusama: TrackTable = {
        do { return try TrackTable(Kusama.tracks) } catch { preconditionFailure("Kusama track table: \(error)") }
    }()

    /// A named preset (`kusama`).
    public static func preset(_ name: String) -> TrackTable? {
        switch name.lowercased() {
        case "kusama": return .kusama
        default: return nil
        }
    }

    /// Names accepted by `preset(_:)`.
    public static let presetNames = ["kusama"]
}

public enum TrackTableError: Error, Equatable, CustomStringConvertible {
    case duplicateId(TrackId)
    case duplicateName(String)
    case zeroDecisionPeriod(String)

    public var description: String {
        switch self {
        case .duplicateId(let id): return "duplicate track id \(id)"
        case .duplicateName(let n): return "duplicate track name '\(n)'"
        case .zeroDecisionPeriod(let n): return "track '\(n)' has a zero decision period"
        }
    }
}

/// Kusama constants (polkadot-fellows/runtimes `relay/kusama/constants/src/lib.rs`).
public enum Kusama {
    public static let minutes: BlockNumber = 10
    public static let hours: BlockNumber = 600
    public static let days: BlockNumber = 14_400

    /// 1 KSM = 10^12 planck.
    public static let units: Balance = 1_000_000_000_000
    /// UNITS / 30 (since Dec 2022).
    public static let quid: Balance = units / 30
    public static let cents: Balance = quid / 100
    public static let grand: Balance = quid * 1_000

    /// `VoteLockingPeriod`: 7 days.
    public static let voteLockingPeriod: BlockNumber = 7 * days

    /// `percent(x)` as tracks.rs defines it.
    static func pc(_ x: UInt128) -> FixedI64 { FixedI64.percent(x) }

    // Curves, as declared in tracks.rs.
    public static let appRoot = Curve.makeReciprocal(delay: 4, period: 28, level: pc(80), floor: pc(50), ceil: pc(100))
    public static let supRoot = Curve.makeLinear(length: 28, period: 28, floor: pc(0), ceil: pc(50))
    public static let appStakingAdmin = Curve.makeLinear(length: 17, period: 28, floor: pc(50), ceil: pc(100))
    public static let supStakingAdmin = Curve.makeReciprocal(delay: 12, period: 28, level: pc(1), floor: pc(0), ceil: pc(50))
    public static let appTreasurer = appRoot
    public static let supTreasurer = supRoot
    public static let appFellowshipAdmin = appStakingAdmin
    public static let supFellowshipAdmin = supStakingAdmin
    public static let appGeneralAdmin = appRoot
    public static let supGeneralAdmin = Curve.makeReciprocal(delay: 7, period: 28, level: pc(10), floor: pc(0), ceil: pc(50))
    public static let appAuctionAdmin = appRoot
    public static let supAuctionAdmin = supGeneralAdmin
    public static let appLeaseAdmin = appStakingAdmin
    public static let supLeaseAdmin = supStakingAdmin
    public static let appReferendumCanceller = appStakingAdmin
    public static let supReferendumCanceller = supStakingAdmin
    public static let appReferendumKiller = appStakingAdmin
    public static let supReferendumKiller = supStakingAdmin
    public static let appSmallTipper = Curve.makeLinear(length: 10, period: 28, floor: pc(50), ceil: pc(100))
    public static let supSmallTipper = Curve.makeReciprocal(delay: 1, period: 28, level: pc(4), floor: pc(0), ceil: pc(50))
    public static let appBigTipper = appSmallTipper
    public static let supBigTipper = Curve.makeReciprocal(delay: 8, period: 28, level: pc(1), floor: pc(0), ceil: pc(50))
    public static let appSmallSpender = appStakingAdmin
    public static let supSmallSpender = supStakingAdmin
    public static let appMediumSpender = Curve.makeLinear(length: 23, period: 28, floor: pc(50), ceil: pc(100))
    public static let supMediumSpender = Curve.makeReciprocal(delay: 16, period: 28, level: pc(1), floor: pc(0), ceil: pc(50))
    public static let appBigSpender = Curve.makeLinear(length: 28, period: 28, floor: pc(50), ceil: pc(100))
    public static let supBigSpender = Curve.makeReciprocal(delay: 20, period: 28, level: pc(1), floor: pc(0), ceil: pc(50))
    public static let appWhitelistedCaller = Curve.makeReciprocal(delay: 16, period: 28 * 24, level: pc(96), floor: pc(50), ceil: pc(100))
    public static let supWhitelistedCaller = Curve.makeReciprocal(delay: 1, period: 28, level: pc(20), floor: pc(5), ceil: pc(50))

    /// The 16 tracks (ids 0, 1, 2, 10–15, 20, 21, 30–34).
    public static let tracks: [TrackInfo] = [
        TrackInfo(id: 0, name: "root", maxDeciding: 1, decisionDeposit: 100 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 24 * hours,
                  minEnactmentPeriod: 24 * hours, minApproval: appRoot, minSupport: supRoot),
        TrackInfo(id: 1, name: "whitelisted_caller", maxDeciding: 100, decisionDeposit: 10 * grand,
                  preparePeriod: 30 * minutes, decisionPeriod: 14 * days, confirmPeriod: 10 * minutes,
                  minEnactmentPeriod: 10 * minutes, minApproval: appWhitelistedCaller, minSupport: supWhitelistedCaller),
        TrackInfo(id: 2, name: "wish_for_change", maxDeciding: 10, decisionDeposit: 20 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 24 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appRoot, minSupport: supRoot),
        TrackInfo(id: 10, name: "staking_admin", maxDeciding: 10, decisionDeposit: 5 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 3 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appStakingAdmin, minSupport: supStakingAdmin),
        TrackInfo(id: 11, name: "treasurer", maxDeciding: 10, decisionDeposit: 1 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 48 * hours,
                  minEnactmentPeriod: 24 * hours, minApproval: appTreasurer, minSupport: supTreasurer),
        TrackInfo(id: 12, name: "lease_admin", maxDeciding: 10, decisionDeposit: 5 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 3 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appLeaseAdmin, minSupport: supLeaseAdmin),
        TrackInfo(id: 13, name: "fellowship_admin", maxDeciding: 10, decisionDeposit: 5 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 3 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appFellowshipAdmin, minSupport: supFellowshipAdmin),
        TrackInfo(id: 14, name: "general_admin", maxDeciding: 10, decisionDeposit: 5 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 3 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appGeneralAdmin, minSupport: supGeneralAdmin),
        TrackInfo(id: 15, name: "auction_admin", maxDeciding: 10, decisionDeposit: 5 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 3 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appAuctionAdmin, minSupport: supAuctionAdmin),
        TrackInfo(id: 20, name: "referendum_canceller", maxDeciding: 1_000, decisionDeposit: 10 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 7 * days, confirmPeriod: 3 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appReferendumCanceller, minSupport: supReferendumCanceller),
        TrackInfo(id: 21, name: "referendum_killer", maxDeciding: 1_000, decisionDeposit: 50 * grand,
                  preparePeriod: 2 * hours, decisionPeriod: 14 * days, confirmPeriod: 3 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appReferendumKiller, minSupport: supReferendumKiller),
        TrackInfo(id: 30, name: "small_tipper", maxDeciding: 200, decisionDeposit: 1 * quid,
                  preparePeriod: 1 * minutes, decisionPeriod: 7 * days, confirmPeriod: 10 * minutes,
                  minEnactmentPeriod: 1 * minutes, minApproval: appSmallTipper, minSupport: supSmallTipper),
        TrackInfo(id: 31, name: "big_tipper", maxDeciding: 100, decisionDeposit: 10 * quid,
                  preparePeriod: 10 * minutes, decisionPeriod: 7 * days, confirmPeriod: 1 * hours,
                  minEnactmentPeriod: 10 * minutes, minApproval: appBigTipper, minSupport: supBigTipper),
        TrackInfo(id: 32, name: "small_spender", maxDeciding: 50, decisionDeposit: 100 * quid,
                  preparePeriod: 4 * hours, decisionPeriod: 14 * days, confirmPeriod: 12 * hours,
                  minEnactmentPeriod: 24 * hours, minApproval: appSmallSpender, minSupport: supSmallSpender),
        TrackInfo(id: 33, name: "medium_spender", maxDeciding: 50, decisionDeposit: 200 * quid,
                  preparePeriod: 4 * hours, decisionPeriod: 14 * days, confirmPeriod: 24 * hours,
                  minEnactmentPeriod: 24 * hours, minApproval: appMediumSpender, minSupport: supMediumSpender),
        TrackInfo(id: 34, name: "big_spender", maxDeciding: 50, decisionDeposit: 400 * quid,
                  preparePeriod: 4 * hours, decisionPeriod: 14 * days, confirmPeriod: 48 * hours,
                  minEnactmentPeriod: 24 * hours, minApproval: appBigSpender, minSupport: supBigSpender),
    ]
}
