import CanaryArithmetic

/// One validator's era reward split over all its exposure pages, as pallet-staking's
/// `do_payout_stakers_by_page` computes it for each page (reference §3.2):
/// ```
/// part            = Perbill::from_rational(points, total_points)
/// total_payout    = part × era_payout                               (Perbill × Balance, nearest, half down)
/// commission      = commission × total_payout
/// leftover        = total_payout − commission
/// own_part        = Perbill::from_rational(own, total)              (own counts on page 0 only)
/// page_part       = Perbill::from_rational(page_total, total)       (page_total includes own on page 0)
/// validator gets  own_part × leftover + page_part × commission      (once per page)
/// nominator gets  Perbill::from_rational(value, total) × leftover
/// ```
/// A validator without points gets nothing. The amounts never add up to more than `total_payout`.
public func validatorPayouts(era: EraIndex, validator: AccountID, exposure: Exposure, commission: Perbill,
                             points: UInt64, totalPoints: UInt64, eraPayout: Balance, pageSize: Int) -> [Payout] {
    guard points > 0, totalPoints > 0, exposure.total > 0 else { return [] }
    let part = Perbill.fromRational(UInt128(points), UInt128(totalPoints))
    let totalPayout = part * eraPayout
    let commissionTotal = commission * totalPayout
    let leftover = totalPayout - commissionTotal
    var out: [Payout] = []
    for page in 0..<exposure.pageCount(size: pageSize) {
        let backers = exposure.page(page, size: pageSize)
        let own: Balance = page == 0 ? exposure.own : 0
        let pageTotal = backers.reduce(own) { $0 + $1.value }
        let ownPart = Perbill.fromRational(own, exposure.total)
        let stakingPayout = ownPart * leftover
        let pagePart = Perbill.fromRational(pageTotal, exposure.total)
        let commissionPayout = pagePart * commissionTotal
        out.append(Payout(era: era, validator: validator, page: page, who: validator,
                          amount: stakingPayout + commissionPayout, rebonded: false))
        for b in backers {
            let share = Perbill.fromRational(b.value, exposure.total) * leftover
            out.append(Payout(era: era, validator: validator, page: page, who: b.who, amount: share, rebonded: false))
        }
    }
    return out
}
