// `sp_arithmetic::normalize`.

/// Adjusts `input` so that its elements sum exactly to `target`, exactly as Substrate's
/// `sp_arithmetic::normalize` does (the election uses it to make every voter's stake split, and
/// every per-thing distribution, add up to the whole).
///
/// The difference is spread as `diff / len` per element plus `diff % len` single units, starting at
/// the smallest element when bumping (moving on once an element reaches `target / len`) and at the
/// largest when reducing (moving down once an element is at or below the original minimum,
/// saturating at zero and carrying the shortfall). A stable sort keeps equal values in input order,
/// which decides who gets the odd unit — so the result is bit-for-bit Substrate's.
///
/// Returns `nil` where Substrate returns `Err`: the input's sum or its length does not fit in `T`.
/// An empty input gives `[]`.
public func normalize<T: FixedWidthInteger & UnsignedInteger>(_ input: [T], to target: T) -> [T]? {
    var sum: T = 0
    for t in input {
        let (s, o) = sum.addingReportingOverflow(t)
        if o { return nil }
        sum = s
    }
    let count = input.count
    guard let countT = T(exactly: count) else { return nil }
    if count == 0 { return [] }
    let diff = max(target, sum) - min(target, sum)
    if diff == 0 { return input }

    let needsBump = target > sum
    let perRound = diff / countT
    var leftover = diff % countT

    // Stable sort by value, remembering original positions.
    var order = Array(0..<count)
    order.sort { input[$0] < input[$1] || (input[$0] == input[$1] && $0 < $1) }
    var values = order.map { input[$0] }

    if needsBump {
        var minIndex = 0
        let threshold = target / countT
        if perRound != 0 {
            for _ in 0..<count {
                values[minIndex] += perRound
                if values[minIndex] >= threshold { minIndex = (minIndex + 1) % count }
            }
        }
        while leftover != 0 {
            values[minIndex] += 1
            if values[minIndex] >= threshold { minIndex = (minIndex + 1) % count }
            leftover -= 1
        }
    } else {
        var maxIndex = count - 1
        let threshold = values[0]
        if perRound != 0 {
            for _ in 0..<count {
                if values[maxIndex] >= perRound {
                    values[maxIndex] -= perRound
                } else {
                    leftover += perRound - values[maxIndex]
                    values[maxIndex] = 0
                }
                if values[maxIndex] <= threshold { maxIndex = maxIndex == 0 ? count - 1 : maxIndex - 1 }
            }
        }
        while leftover != 0 {
            if values[maxIndex] >= 1 {
                values[maxIndex] -= 1
                if values[maxIndex] <= threshold { maxIndex = maxIndex == 0 ? count - 1 : maxIndex - 1 }
                leftover -= 1
            } else {
                maxIndex = maxIndex == 0 ? count - 1 : maxIndex - 1
            }
        }
    }

    var output = [T](repeating: 0, count: count)
    for (k, original) in order.enumerated() { output[original] = values[k] }
    return output
}

/// Normalizes per-things so their parts sum exactly to `target` (Substrate's
/// `Normalizable<P> for Vec<P>`): the arithmetic runs in a wide type so that e.g. three `PerU16`
/// of 40 % can be summed, and results are clamped back into range.
public func normalize<P: PerThing>(_ input: [P], to target: P) -> [P]? {
    let wide = input.map { UInt128($0.parts) }
    guard let out = normalize(wide, to: UInt128(target.parts)) else { return nil }
    return out.map { P(parts: P.Inner(clamping: $0)) }
}
