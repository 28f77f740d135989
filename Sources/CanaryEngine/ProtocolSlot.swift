/// The event kinds and message classes a composite node gives one of its sub-protocols.
///
/// A node stack (BABE, GRANDPA, later the parachain subsystems) shares one `Simulation`: one
/// event queue and one network. Each sub-protocol gets a contiguous range of event kinds and
/// message classes from the `ProtocolComposer`, so no two protocols hard-code the same numbers
/// and per-class traffic counters stay separate on the shared network.
public struct ProtocolSlot: Sendable, Equatable {
    public let firstKind: UInt16
    public let firstClass: Int
    public init(firstKind: UInt16, firstClass: Int) { self.firstKind = firstKind; self.firstClass = firstClass }
    /// The `i`th event kind of the slot.
    @inlinable public func kind(_ i: UInt16) -> EventKind { EventKind(rawValue: firstKind + i) }
}

/// Allocates event kinds and message classes to the sub-protocols of a composite node, in the
/// order they are registered (the order is part of the model, so it is deterministic).
public struct ProtocolComposer: Sendable {
    public private(set) var nextKind: UInt16 = EventKind.firstModelKind
    /// Every message class of the composite, in allocation order (index = class).
    public private(set) var messageClasses: [String] = []
    public init() {}

    /// Reserves `kinds` event kinds and the named message classes for one sub-protocol.
    public mutating func allocate(kinds: Int, classes: [String]) -> ProtocolSlot {
        precondition(Int(nextKind) + kinds <= Int(UInt16.max), "event kinds exhausted")
        let slot = ProtocolSlot(firstKind: nextKind, firstClass: messageClasses.count)
        nextKind += UInt16(kinds)
        messageClasses += classes
        return slot
    }
}
