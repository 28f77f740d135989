import CanaryArithmetic

/// Equivocation slash fraction (BABE / GRANDPA / BEEFY): `Perbill::from_rational(3k, n).square()`
/// = `min((3k/n)², 1)` for `k` offenders in a validator set of `n`.
public func equivocationSlashFraction(offenders k: UInt32, validatorSetSize n: UInt32) -> Perbill {
    guard n > 0 else { return .one }
    return Perbill.fromRational(3 * UInt128(k), UInt128(n)).square()
}

extension StakingState {
    /// Reports an offence by `offenders` in the current era with `fraction` (e.g.
    /// `equivocationSlashFraction`); the slash is applied `slashDeferDuration` eras later to the
    /// exposures of now. A validator slashed twice for the same era pays only the larger fraction.
    /// Returns the pending slashes created or raised.
    @discardableResult
    public mutating func reportOffence(offenders: [AccountID], fraction: Perbill) -> [PendingSlash] {
        var created: [PendingSlash] = []
        for who in offenders {
            guard let entry = exposures.first(where: { $0.validator == who }) else { continue }
            if let i = pendingSlashes.firstIndex(where: { $0.validator == who && $0.offenceEra == currentEra }) {
                if fraction > pendingSlashes[i].fraction {
                    pendingSlashes[i].fraction = fraction
                    created.append(pendingSlashes[i])
                }
                continue
            }
            let slash = PendingSlash(offenceEra: currentEra, applyAt: currentEra + config.slashDeferDuration,
                                     validator: who, fraction: fraction, exposure: entry.exposure)
            pendingSlashes.append(slash)
            created.append(slash)
        }
        return created
    }

    /// Equivocations by `offenders` in the current era: fraction `min((3k/n)², 1)` with `n` the
    /// active set size.
    @discardableResult
    public mutating func reportEquivocation(offenders: [AccountID]) -> [PendingSlash] {
        let fraction = equivocationSlashFraction(offenders: UInt32(offenders.count), validatorSetSize: UInt32(exposures.count))
        return reportOffence(offenders: offenders, fraction: fraction)
    }

    /// Cancels pending slashes (governance `cancel_deferred_slash`).
    public mutating func cancelPendingSlashes(where predicate: (PendingSlash) -> Bool) {
        pendingSlashes.removeAll(where: predicate)
    }

    /// Applies every pending slash due at `currentEra`: `fraction × exposed value` off each staker's
    /// bond (active first, then unlocking chunks, newest first), to the treasury or burned.
    mutating func applyDueSlashes() -> ([SlashRecord], Balance) {
        var records: [SlashRecord] = []
        var burnedNow: Balance = 0
        let due = pendingSlashes.filter { $0.applyAt <= currentEra }
        pendingSlashes.removeAll { $0.applyAt <= currentEra }
        for s in due {
            var targets: [(AccountID, Balance)] = [(s.validator, s.exposure.own)]
            for b in s.exposure.others { targets.append((b.who, b.value)) }
            for (who, exposed) in targets {
                let want = s.fraction * exposed
                let taken = takeFromBond(who, want)
                guard taken > 0 else { continue }
                switch config.slashDestination {
                case .treasury: treasury += taken
                case .burn: burnedNow += taken
                }
                records.append(SlashRecord(offenceEra: s.offenceEra, appliedEra: currentEra, validator: s.validator,
                                           who: who, fraction: s.fraction, amount: taken))
            }
        }
        noteBurned(burnedNow)
        return (records, burnedNow)
    }
}
