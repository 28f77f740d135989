import Foundation
import Yams
import CanaryEngine
import CanaryStaking

/// One named upper (or lower) bound on scenario input.
///
/// Every quantity a scenario file or a command line can set has a limit, checked at
/// validation, so that an absurd value (a 100-year run, a 1 ns gossip interval, 10⁹
/// validators, an issuance of 2¹²⁸ − 1) is refused up front with an error naming the limit —
/// rather than trapping in arithmetic hours later or exhausting memory. The values are far
/// above anything a real chain or a sensible experiment needs; docs/reliability.md lists them.
public struct Limit: Sendable, CustomStringConvertible {
    /// Stable name used in error messages and docs, e.g. `run-duration`.
    public let name: String
    /// The bound as shown to users, e.g. `3650d`.
    public let shown: String
    /// Why the bound exists (one clause).
    public let reason: String

    public var description: String { "limit '\(name)' (\(shown))" }
}

/// The limits of the scenario format and the CLI (docs/reliability.md, "Limits").
public enum Limits {
    // MARK: Text
    /// Largest scenario file read.
    public static let fileBytes = 16 << 20
    public static let fileSize = Limit(name: "file-size", shown: "16 MiB", reason: "scenario files are hand-written; larger ones are refused before parsing")
    /// Deepest nesting of YAML collections (flow brackets and block indentation levels).
    public static let yamlDepthValue = 64
    /// Deepest indentation (block nesting needs at least one column per level).
    public static let yamlIndentValue = 256
    public static let yamlDepth = Limit(name: "yaml-depth", shown: "64 levels of brackets or `- `, 256 columns of indentation", reason: "the YAML parser recurses per level; deeper text could overflow the stack")

    // MARK: Time
    /// Longest run (`duration`, `--duration`) and longest value of any other duration field.
    public static let runDurationValue = SimTime.days(3_650)
    public static let runDuration = Limit(name: "run-duration", shown: "3650d", reason: "simulated time is Int64 nanoseconds (±292 years); every sum of two bounded times stays far from overflow")
    /// Longest median latency between two regions.
    public static let latencyValue = SimTime.seconds(60)
    public static let latency = Limit(name: "latency", shown: "60s", reason: "one-way latencies on Earth are below 1 s")
    /// Largest clock skew of a timeline's `clock_skew` event, either way.
    public static let clockSkewValue = SimTime.hours(1)
    public static let clockSkew = Limit(name: "clock-skew", shown: "1h either way", reason: "a clock an hour off is already far beyond any slot; larger offsets add nothing")
    /// Largest slow-down factor of a timeline's `slow` event.
    public static let slowFactorValue: Int64 = 1_000
    public static let slowFactor = Limit(name: "slow-factor", shown: "1000", reason: "a node 1000 times slower cannot import one block per slot")
    /// Most BABE slots a run may simulate (duration / slot length).
    public static let slotsValue: Int64 = 100_000_000
    public static let slots = Limit(name: "slots", shown: "100000000 slots per run", reason: "every slot is an event; Kusama has 5.3 million a year")
    /// Most staking eras a run may simulate (duration / era length).
    public static let erasValue: Int64 = 1_000_000
    public static let eras = Limit(name: "eras", shown: "1000000 eras per run", reason: "every era runs an election and payouts")
    /// Shortest BABE slot and GRANDPA gossip duration.
    public static let minSlotValue = SimTime.ms(1)
    public static let minSlot = Limit(name: "min-slot", shown: "1ms", reason: "shorter slots cannot carry a block over any modelled network")
    /// Longest GRANDPA vote batch bucket (`consensus.grandpa_batch`).
    public static let voteBatchValue = SimTime.ms(100)
    public static let voteBatch = Limit(name: "grandpa-batch", shown: "100ms", reason: "a batch delays each vote by up to its length; longer buckets would distort the rounds they measure")

    // MARK: Sizes, rates, amounts
    /// Largest message, block or gossip size.
    public static let messageBytesValue = 1 << 30
    public static let messageSize = Limit(name: "message-size", shown: "1 GiB", reason: "transmission time size × 8 / upload must fit in simulated time")
    /// Upload bandwidth range.
    public static let minUploadValue: UInt64 = 1_000
    public static let maxUploadValue: UInt64 = 1_000_000_000_000
    public static let upload = Limit(name: "upload", shown: "1kbps to 1Tbps", reason: "below 1 kbps a block takes months to send; 0 would mean unlimited")
    /// Message copies per simulated second the synthetic traffic may offer in total.
    public static let messageRateValue: Double = 5_000_000
    public static let messageRate = Limit(name: "message-rate", shown: "5000000 copies per simulated second", reason: "messages in flight (rate × latency) are held in memory")
    /// Offered upload per node must stay below its bandwidth, or its queue grows without bound.
    public static let offeredLoad = Limit(name: "offered-load", shown: "below the upload bandwidth", reason: "a node that offers more than its link carries queues messages without bound")
    /// Largest amount (planck) anywhere: issuance, balances, deposits.
    public static let amountValue: Balance = 1_000_000_000_000_000_000_000_000  // 10^24 planck
    public static let amount = Limit(name: "amount", shown: "10^24 planck (10^12 KSM)", reason: "issuance × inflation and stake × Perquintill products must fit in UInt128")

    // MARK: Counts
    public static let regionsValue = 64
    public static let regions = Limit(name: "regions", shown: "64 regions", reason: "the latency matrix is regions²")
    public static let validatorsValue: Int64 = 100_000
    public static let validators = Limit(name: "validators", shown: "100000 validators", reason: "per-node state is held in memory")
    /// Validators when every one of them runs BABE and GRANDPA message by message.
    public static let fullValidatorsValue = 2_000
    public static let fullValidators = Limit(name: "full-validators", shown: "2000 validators with consensus.mode full", reason: "GRANDPA vote tracking grows with voters²; use mode statistical for larger sets")
    public static let timelineEventsValue = 100_000
    public static let timelineEvents = Limit(name: "timeline-events", shown: "100000 events", reason: "the timeline is decoded and checked in memory")
    public static let accountsValue = 1_000_000
    public static let accounts = Limit(name: "accounts", shown: "1000000 governance accounts in total", reason: "every account has a balance and votes in memory")
    public static let benchPendingValue = 10_000_000
    public static let benchPending = Limit(name: "bench-pending", shown: "10000000 pending events", reason: "each pending event is held in memory")

    /// Every limit, for docs and tests.
    public static let all: [Limit] = [fileSize, yamlDepth, runDuration, latency, clockSkew, slowFactor, slots, eras, minSlot, voteBatch, messageSize, upload,
                                      messageRate, offeredLoad, amount, regions, validators, fullValidators, timelineEvents,
                                      accounts, benchPending]

    /// The position of the first place where YAML collections nest deeper than `yaml-depth`, or nil.
    ///
    /// Yams (libyaml plus a recursive composer) recurses once per nesting level, so a file of
    /// 5,000 `[` overflows the stack. This scan runs before the parser: it counts flow
    /// brackets outside quotes and comments, and bounds block nesting by indentation columns
    /// plus leading `- ` indicators (each block level needs one more of either), so it never
    /// under-counts.
    public static func excessiveNesting(_ text: String) -> SourceLocation? {
        var flow = 0
        var line = 1
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            defer { line += 1 }
            let chars = Array(raw.utf8)
            var i = 0
            // Block depth: indentation plus sequence indicators ("- - - x" nests three lists).
            var indent = 0
            while i < chars.count && (chars[i] == UInt8(ascii: " ") || chars[i] == UInt8(ascii: "\t")) { i += 1; indent += 1 }
            var dashes = 0
            while i + 1 < chars.count && (chars[i] == UInt8(ascii: "-") || chars[i] == UInt8(ascii: "?")) && chars[i + 1] == UInt8(ascii: " ") {
                dashes += 1; i += 2
                if dashes > yamlDepthValue { return SourceLocation(line: line, column: i - 1) }
                while i < chars.count && chars[i] == UInt8(ascii: " ") { i += 1; indent += 1 }
            }
            if indent > yamlIndentValue || flow + dashes > yamlDepthValue {
                return SourceLocation(line: line, column: i + 1)
            }
            var quote: UInt8? = nil
            while i < chars.count {
                let c = chars[i]
                if let q = quote {
                    if c == q { quote = nil }
                    else if c == UInt8(ascii: "\\") && q == UInt8(ascii: "\"") { i += 1 }
                } else {
                    switch c {
                    // A quote opens a quoted scalar only where a scalar can start; inside a
                    // plain scalar (`don't`) it is an ordinary character.
                    case UInt8(ascii: "\""), UInt8(ascii: "'") where i == 0 || " \t[{,:-?".utf8.contains(chars[i - 1]): quote = c
                    case UInt8(ascii: "#") where i == 0 || chars[i - 1] == UInt8(ascii: " "): i = chars.count
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        flow += 1
                        if flow + dashes > yamlDepthValue { return SourceLocation(line: line, column: i + 1) }
                    case UInt8(ascii: "]"), UInt8(ascii: "}"): flow = Swift.max(0, flow - 1)
                    default: break
                    }
                }
                i += 1
            }
        }
        return nil
    }
}

extension YAMLReader {
    /// Reports `limit` at `node`: `what` was `found`, the limit allows at most/least `shown`.
    mutating func exceeded(_ node: Node?, _ limit: Limit, _ what: String, found: String) {
        error(node, "\(what) \(found) is out of \(limit): \(limit.reason)")
    }
}

extension ScenarioDecoder {
    /// Cross-field limits: counts that follow from several values (slots per run, messages per
    /// second, offered load). Checked once the sections are decoded, at the field that sets the rate.
    static func checkLimits(_ s: Scenario, _ top: [String: (key: Node, value: Node)], _ r: inout YAMLReader) {
        let durationNode = top["duration"]?.value
        let n = Int64(s.validatorCount)
        if s.consensus == .full {
            if s.validatorCount > Limits.fullValidatorsValue {
                r.exceeded(top["validators"]?.key, Limits.fullValidators, "validators.count", found: "\(s.validatorCount)")
            }
            let slots = s.duration.nanoseconds / Swift.max(s.babe.slotDuration.nanoseconds, 1)
            if slots > Limits.slotsValue {
                r.exceeded(durationNode, Limits.slots, "duration / consensus.slot_duration =", found: "\(slots) slots")
            }
        }
        if s.consensus == .statistical, let st = s.staking {
            let slots = s.duration.nanoseconds / Swift.max(st.slotDuration.nanoseconds, 1)
            if slots > Limits.slotsValue {
                r.exceeded(durationNode, Limits.slots, "duration / staking.slot =", found: "\(slots) slots")
            }
            let eras = s.duration.nanoseconds / Swift.max(st.eraDuration.nanoseconds, 1)
            if eras > Limits.erasValue {
                r.exceeded(durationNode, Limits.eras, "duration / staking.era =", found: "\(eras) eras")
            }
        }
        if s.consensus == nil {
            // Synthetic traffic: every node gossips `fanout` copies per interval, and the
            // rotating block author sends n − 1 copies per block interval.
            let t = s.traffic
            let fanout = Double(Swift.min(t.fanout, Swift.max(s.validatorCount - 1, 0)))
            let gi = Double(Swift.max(t.gossipInterval.nanoseconds, 1)) / 1e9
            let bi = Double(Swift.max(t.blockInterval.nanoseconds, 1)) / 1e9
            let rate = Double(n) * fanout / gi + Double(n - 1) / bi
            let node = top["traffic"]?.key
            if rate > Limits.messageRateValue {
                r.exceeded(node, Limits.messageRate, "traffic offers", found: String(format: "%.0f copies per second", rate))
            }
            let perNodeBits = fanout * Double(t.gossipSize) * 8 / gi
                + Double(t.blockSize) * 8 * Double(n - 1) / Swift.max(Double(n), 1) / bi
            if perNodeBits >= Double(s.network.uploadBitsPerSecond) {
                r.exceeded(node ?? top["network"]?.key, Limits.offeredLoad, "each node's traffic",
                           found: String(format: "(%.0f bps against an upload of %llu bps)", perNodeBits, s.network.uploadBitsPerSecond))
            }
        }
    }
}
