/// One bit per (row, column): rows are nodes, columns are block ids. Flat, row-major, with a
/// row stride that doubles as columns are added (amortised O(1) per column).
public struct BitMatrix: Sendable, Equatable {
    public let rows: Int
    public private(set) var wordsPerRow: Int
    @usableFromInline var words: [UInt64]

    public init(rows: Int, columnsHint: Int = 1024) {
        self.rows = rows
        wordsPerRow = Swift.max(1, (columnsHint + 63) / 64)
        words = Array(repeating: 0, count: rows * wordsPerRow)
    }

    public var columnCapacity: Int { wordsPerRow * 64 }

    @inlinable public func get(_ row: Int, _ column: Int) -> Bool {
        let w = column >> 6
        guard w < wordsPerRow else { return false }
        return words[row * wordsPerRow + w] & (1 << UInt64(column & 63)) != 0
    }

    public mutating func set(_ row: Int, _ column: Int) {
        let w = column >> 6
        if w >= wordsPerRow { grow(toWords: w + 1) }
        words[row * wordsPerRow + w] |= 1 << UInt64(column & 63)
    }

    public mutating func clear(_ row: Int, _ column: Int) {
        let w = column >> 6
        guard w < wordsPerRow else { return }
        words[row * wordsPerRow + w] &= ~(1 << UInt64(column & 63))
    }

    /// Replaces row `row` with row `source` of `other` (same shape after growing).
    public mutating func copyRow(_ row: Int, from other: BitMatrix, row source: Int) {
        if other.wordsPerRow > wordsPerRow { grow(toWords: other.wordsPerRow) }
        for w in 0..<wordsPerRow {
            words[row * wordsPerRow + w] = w < other.wordsPerRow ? other.words[source * other.wordsPerRow + w] : 0
        }
    }

    /// Number of set bits in `row`.
    public func count(row: Int) -> Int {
        var c = 0
        for w in 0..<wordsPerRow { c += words[row * wordsPerRow + w].nonzeroBitCount }
        return c
    }

    private mutating func grow(toWords needed: Int) {
        var stride = wordsPerRow
        while stride < needed { stride *= 2 }
        var grown = Array(repeating: UInt64(0), count: rows * stride)
        for r in 0..<rows {
            for w in 0..<wordsPerRow { grown[r * stride + w] = words[r * wordsPerRow + w] }
        }
        words = grown
        wordsPerRow = stride
    }
}
