// Module CanaryGovernance — OpenGov as Kusama runs it (see docs/governance.md).
//
// A pure library: no engine dependency. Time is a relay block number (`BlockNumber`, 6 s per block),
// money is planck (`Balance`, UInt128), ratios are `Perbill` from CanaryArithmetic and curve
// constants are `FixedI64` with Substrate's rounding. Nothing here uses floating point, the wall
// clock, randomness or Dictionary/Set iteration order.
//
// - `FixedI64`: sp_arithmetic's signed 9-decimal fixed point, including the const-fn rounding rules.
// - `Curve`: pallet-referenda's LinearDecreasing / SteppedDecreasing / Reciprocal curves, with
//   `makeLinear` / `makeReciprocal` computing constants exactly like the runtime's const fns.
// - `TrackInfo`, `TrackTable.kusama`: the 16 Kusama tracks.
// - `Referenda`: pallet-referenda's state machine, alarm-driven like the chain (`serviceBlock(now:)`).
// - `ConvictionVoting`: votes, delegation, tallies and locks (pallet-conviction-voting).

@_exported import CanaryArithmetic

/// A relay-chain block number (6 s per block on Kusama).
public typealias BlockNumber = UInt32
/// An amount of planck (10^-12 KSM).
public typealias Balance = UInt128
/// A referendum index (`ReferendumCount` at submission).
public typealias ReferendumIndex = UInt32
/// A track id (`u16` on Kusama).
public typealias TrackId = UInt16
/// An account, as the simulation numbers them.
public typealias AccountId = UInt32
