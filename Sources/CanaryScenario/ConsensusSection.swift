import Yams
import CanaryEngine
import CanaryConsensus

/// The `consensus:` section: which protocols run, with which constants and fault roles.
enum ConsensusSection {
    static let fields: [Field] = [
        Field("mode", .string, required: true, "`full` (every validator runs BABE over the network) or `statistical` (staking eras with authorship drawn from the slot lottery, finality assumed)."),
        Field("preset", .string, "`kusama` (the default): 6s slots, 600-slot epochs, c = 1/4, primary and secondary VRF slots."),
        Field("slot_duration", .duration, "BABE slot length (Kusama 6s)."),
        Field("epoch_length", .integer(min: 1, max: 1_000_000), "Slots per epoch (Kusama 600)."),
        Field("primary_probability", .string, "BABE c as a fraction `1/4` (at most 1/2)."),
        Field("allowed_slots", .string, "`primary`, `primary-and-secondary-plain` or `primary-and-secondary-vrf` (Kusama)."),
        Field("block_size", .size, "Block body size fetched by peers (default 64KiB)."),
        Field("import_time", .duration, "Simulated time to import one block (default 250ms)."),
        Field("proposal_time", .duration, "Time from slot start until the author's block is ready (default 500ms)."),
        Field("peers", .integer(min: 1, max: 1_000), "Outbound peers per node for block announcements (default 8)."),
        Field("offline", .array(.nodeSelector), "Validators that never author nor import (switched off)."),
        Field("equivocators", .array(.nodeSelector), "Validators that author two blocks in every slot they claim."),
    ]

    struct Decoded {
        var mode: ConsensusMode
        var babe: BabeConfig
    }

    static func decode(_ node: Node, regions: [String], nodeRegions: [UInt16]?, _ r: inout YAMLReader) -> Decoded? {
        guard let o = r.object(node, fields, context: "consensus") else { return nil }
        guard let m = o["mode"], let text = r.string(m.value, "consensus.mode") else { return nil }
        guard let mode = ConsensusMode(rawValue: text) else {
            r.error(m.value, "unknown consensus mode '\(text)'; expected full or statistical"); return nil
        }
        var babe = BabeConfig.kusama
        if let p = o["preset"], let name = r.string(p.value, "consensus.preset"), name != "kusama" {
            r.error(p.value, "unknown consensus preset '\(name)'; expected kusama")
        }
        if let v = o["slot_duration"], let d = r.duration(v.value, "consensus.slot_duration") {
            if d == .zero { r.error(v.value, "consensus.slot_duration must be longer than 0s") } else { babe.slotDuration = d }
        }
        if let v = o["epoch_length"], let n = r.integer(v.value, min: 1, max: 1_000_000, "consensus.epoch_length") { babe.epochLength = UInt64(n) }
        if let v = o["primary_probability"], let s = r.string(v.value, "consensus.primary_probability") {
            let parts = s.split(separator: "/").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
            if parts.count == 2, let a = parts[0], let b = parts[1], b > 0, a > 0, 2 * a <= b {
                babe.cNumerator = a; babe.cDenominator = b
            } else {
                r.error(v.value, "expected consensus.primary_probability as a fraction such as 1/4, greater than 0 and at most 1/2, found '\(s)'")
            }
        }
        if let v = o["allowed_slots"], let s = r.string(v.value, "consensus.allowed_slots") {
            if let a = BabeConfig.AllowedSlots(rawValue: s) { babe.allowedSlots = a } else {
                r.error(v.value, "unknown allowed_slots '\(s)'; expected \(BabeConfig.AllowedSlots.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        if let v = o["block_size"], let n = r.size(v.value, "consensus.block_size") { babe.blockSize = n }
        if let v = o["import_time"], let d = r.duration(v.value, "consensus.import_time") { babe.importTime = d }
        if let v = o["proposal_time"], let d = r.duration(v.value, "consensus.proposal_time") {
            if d >= babe.slotDuration { r.error(v.value, "consensus.proposal_time must be shorter than the slot (\(babe.slotDuration))") } else { babe.proposalTime = d }
        }
        if let v = o["peers"], let n = r.integer(v.value, min: 1, max: 1_000, "consensus.peers") { babe.peers = Int(n) }
        if let v = o["offline"] {
            babe.offline = ScenarioDecoder.selectNodes(v.value, regions: regions, nodeRegions: nodeRegions, &r) ?? []
        }
        if let v = o["equivocators"] {
            babe.equivocators = ScenarioDecoder.selectNodes(v.value, regions: regions, nodeRegions: nodeRegions, &r) ?? []
        }
        if mode == .statistical {
            for key in ["offline", "equivocators", "block_size", "import_time", "proposal_time", "peers"] where o[key] != nil {
                r.error(o[key]!.key, "consensus.\(key) applies to mode full only (statistical mode simulates no blocks)")
            }
        }
        return Decoded(mode: mode, babe: babe)
    }
}
