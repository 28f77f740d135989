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
        Field("finality", .string, "`grandpa` (default: every validator runs the GRANDPA voter) or `none` (BABE only)."),
        Field("gossip", .string, "How GRANDPA messages travel: `polite` (default; Substrate's polite gossip: votes to 4 lucky peers that relay them, then sqrt(peers), then all as the round ages; commits to about sqrt(peers); neighbour packets), `direct` (every vote and commit straight to every node) or `flood` (polite gossip, but each vote's spread over the lucky-peer relay graph computed once as one arrival time per node: for 1,000 validators; docs/grandpa.md, \"Flood delivery\")."),
        Field("gossip_duration", .duration, "GRANDPA T: prevote at 2T, precommit at 4T (default 1s)."),
        Field("grandpa_batch", .duration, "Arrival bucket of GRANDPA vote batches (default 1ms; 0s: off): vote copies reaching a node within one bucket are imported together at the bucket's end, with the round's GHOST recomputed once per batch instead of once per vote. At most 100ms."),
        Field("before_best_by", .integer(min: 0, max: 1_000), "Voting rule: vote at least this many blocks behind the best block (default 2; 0 disables)."),
        Field("three_quarters_rule", .boolean, "Voting rule: vote no further than 3/4 of the unfinalized chain (default true)."),
        Field("grandpa_withhold", .array(.nodeSelector), "Validators that never send GRANDPA votes."),
        Field("grandpa_equivocators", .array(.nodeSelector), "Validators that cast two prevotes and two precommits per round (for two forks)."),
        Field("grandpa_minority_fork", .array(.nodeSelector), "Validators that vote for a minority fork instead of the GHOST."),
        Field("grandpa_colluders", .array(.nodeSelector), "Validators that collude across a partition: they vote for each side's fork separately (one voter instance per side) and relay no blocks."),
        Field("set_changes", .array(.object(setChange)), "GRANDPA authority set changes signalled in blocks."),
    ]
    static let setChange: [Field] = [
        Field("block", .integer(min: 1, max: 100_000_000), required: true, "Block number that signals the change."),
        Field("delay", .integer(min: 0, max: 1_000_000), "Blocks after the signal until the change is enacted (default 0)."),
        Field("voters", .array(.nodeSelector), required: true, "The new voter set."),
        Field("forced", .boolean, "A forced change (enacted on import of the delayed block, without finality), for recovery."),
    ]

    struct Decoded {
        var mode: ConsensusMode
        var babe: BabeConfig
        var grandpa: BabeGrandpaConfig?
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
            if d < Limits.minSlotValue { r.exceeded(v.value, Limits.minSlot, "consensus.slot_duration", found: "\(d)") } else { babe.slotDuration = d }
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
        var finality: BabeGrandpaConfig? = BabeGrandpaConfig()
        if let f = o["finality"], let text = r.string(f.value, "consensus.finality") {
            switch text {
            case "grandpa": break
            case "none": finality = nil
            default: r.error(f.value, "unknown finality '\(text)'; expected grandpa or none")
            }
        }
        let grandpaKeys = ["gossip", "gossip_duration", "grandpa_batch", "before_best_by", "three_quarters_rule", "grandpa_withhold",
                           "grandpa_equivocators", "grandpa_minority_fork", "grandpa_colluders", "set_changes"]
        if var g = finality {
            if let v = o["gossip_duration"], let d = r.duration(v.value, "consensus.gossip_duration") {
                if d < Limits.minSlotValue { r.exceeded(v.value, Limits.minSlot, "consensus.gossip_duration", found: "\(d)") } else { g.grandpa.gossipDuration = d }
            }
            if let v = o["grandpa_batch"], let d = r.duration(v.value, "consensus.grandpa_batch") {
                if d > Limits.voteBatchValue { r.exceeded(v.value, Limits.voteBatch, "consensus.grandpa_batch", found: "\(d)") } else { g.voteBatch = d }
            }
            if let v = o["gossip"], let text = r.string(v.value, "consensus.gossip") {
                if let m = GrandpaGossipMode(rawValue: text) { g.gossip.mode = m } else {
                    r.error(v.value, "unknown gossip '\(text)'; expected \(GrandpaGossipMode.allCases.map(\.rawValue).joined(separator: " or "))")
                }
            }
            if let v = o["before_best_by"], let n = r.integer(v.value, min: 0, max: 1_000, "consensus.before_best_by") { g.grandpa.beforeBestBy = UInt32(n) }
            if let v = o["three_quarters_rule"], let b = r.boolean(v.value, "consensus.three_quarters_rule") { g.grandpa.threeQuartersRule = b }
            func nodes(_ key: String) -> [UInt32] {
                o[key].flatMap { ScenarioDecoder.selectNodes($0.value, regions: regions, nodeRegions: nodeRegions, &r) } ?? []
            }
            g.withhold = nodes("grandpa_withhold")
            g.equivocate = nodes("grandpa_equivocators")
            g.minorityFork = nodes("grandpa_minority_fork")
            g.collude = nodes("grandpa_colluders")
            if g.gossip.mode == .flood, !g.collude.isEmpty, let v = o["gossip"] {
                r.error(v.value, "gossip: flood does not model colluders (grandpa_colluders); use polite")
            }
            if let v = o["set_changes"], let list = r.sequence(v.value, "consensus.set_changes") {
                var last: Int64 = 0
                for item in list {
                    guard let c = r.object(item, setChange, context: "a set change"),
                          let b = c["block"].flatMap({ r.integer($0.value, min: 1, max: 100_000_000, "block") }) else { continue }
                    if b <= last { r.error(c["block"]!.value, "set changes must be listed in increasing block order") }
                    last = b
                    let delay = c["delay"].flatMap { r.integer($0.value, min: 0, max: 1_000_000, "delay") } ?? 0
                    let voters = c["voters"].flatMap { ScenarioDecoder.selectNodes($0.value, regions: regions, nodeRegions: nodeRegions, &r) } ?? []
                    if voters.isEmpty, let vn = c["voters"] { r.error(vn.value, "a set change needs at least one voter") }
                    let forced = c["forced"].flatMap { r.boolean($0.value, "forced") } ?? false
                    g.setChanges.append(GrandpaSetChange(signalNumber: UInt32(b), delay: UInt32(delay), voters: voters, forced: forced))
                }
            }
            finality = g
        } else {
            for key in grandpaKeys where o[key] != nil {
                r.error(o[key]!.key, "consensus.\(key) needs finality: grandpa")
            }
        }
        if mode == .statistical {
            for key in ["offline", "equivocators", "block_size", "import_time", "proposal_time", "peers", "finality"] + grandpaKeys where o[key] != nil {
                r.error(o[key]!.key, "consensus.\(key) applies to mode full only (statistical mode simulates no blocks)")
            }
        }
        finality?.babe = babe
        return Decoded(mode: mode, babe: babe, grandpa: mode == .full ? finality : nil)
    }
}
