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
    let part = perbillFromRational(UInt128(points), UInt128(totalPoints))
    let totalPayout = perbillMul(part, eraPayout)
    let commissionTotal = perbillMul(commission, totalPayout)
    let leftover = totalPayout - commissionTotal
    var out: [Payout] = []
    for page in 0..<exposure.pageCount(size: pageSize) {
        let backers = exposure.page(page, size: pageSize)
        let own: Balance = page == 0 ? exposure.own : 0
        let pageTotal = backers.reduce(own) { $0 + $1.value }
        let ownPart = perbillFromRational(own, exposure.total)
        let stakingPayout = perbillMul(ownPart, leftover)
        let pagePart = perbillFromRational(pageTotal, exposure.total)
        let commissionPayout = perbillMul(pagePart, commissionTotal)
        out.append(Payout(era: era, validator: validator, page: page, who: validator,
                          amount: stakingPayout + commissionPayout, rebonded: false))
        for b in backers {
            let share = perbillMul(perbillFromRational(b.value, exposure.total), leftover)
            out.append(Payout(era: era, validator: validator, page: page, who: b.who, amount: share, rebonded: false))
        }
    }
    return out
}

/// `Perbill::from_rational(p, q)` (floor; saturating to one when `q == 0` or `p > q`), with a
/// 64-bit fast path that gives the same parts as `Perbill.fromRational` (tested against it):
/// when `p ≤ q < 2^64`, `floor(10^9·p / q) ≤ 10^9` and the 128-by-64-bit division cannot overflow.
@inlinable
func perbillFromRational(_ p: UInt128, _ q: UInt128) -> Perbill {
    if q > 0, p <= q, q <= UInt128(UInt64.max) {
        let product = UInt64(p).multipliedFullWidth(by: 1_000_000_000)
        return Perbill(parts: UInt32(UInt64(q).dividingFullWidth(product).quotient))
    }
    return Perbill.fromRational(p, q)
}

/// `perbill × x` rounded to nearest, half down (Substrate's `Mul<N> for Perbill`), with a 64-bit
/// fast path equal to `Perbill * UInt128` for `x < 2^64`: `(x / 10^9)·parts + round((x mod 10^9)·parts / 10^9)`
/// never exceeds `x`, and `(x mod 10^9)·parts < 10^18` fits in 64 bits.
@inlinable
func perbillMul(_ f: Perbill, _ x: UInt128) -> UInt128 {
    if x <= UInt128(UInt64.max) {
        let acc: UInt64 = 1_000_000_000
        let x64 = UInt64(x)
        let p = UInt64(f.parts)
        let remMul = (x64 % acc) * p
        var correction = remMul / acc
        if remMul % acc > acc / 2 { correction += 1 }
        return UInt128((x64 / acc) * p + correction)
    }
    return f * x
}
