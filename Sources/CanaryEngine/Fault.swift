/// A change to the network injected by a scenario's timeline.
public enum Fault: Sendable, Equatable {
    case crash([UInt32])
    case restart([UInt32])
    /// Groups of nodes that can only reach their own group; unlisted nodes form one more group.
    /// `bridges` reach every group (e.g. colluding attackers talking to both sides).
    case partition([[UInt32]], bridges: [UInt32] = [])
    case heal
}

/// A fault at a point in simulated time.
public struct TimedFault: Sendable, Equatable {
    public var at: SimTime
    public var fault: Fault
    public init(at: SimTime, fault: Fault) { self.at = at; self.fault = fault }
}
