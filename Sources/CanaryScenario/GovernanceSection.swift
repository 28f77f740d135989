import Foundation
import Yams
import CanaryEngine
import CanaryGovernance
import CanaryEconomics
import CanaryParachains

/// The `governance:` section: tracks, electorate, accounts, referenda, votes (explicit, drawn by
/// behaviour models, or from a CSV file) and the runtime versions `set_code` can install.
/// Reference: docs/governance.md, "The governance: scenario section".
enum GovernanceSection {
    static let amount: FieldType = .oneOf([.string, .integer(min: 0, max: .max)])
    static let ratio: FieldType = .oneOf([.string, .number(min: 0, max: 1)])
    static let when: [Field] = [
        Field("at", .duration, "Simulated time; the call lands in the first block authored at or after it."),
        Field("block", .integer(min: 1, max: Int64(UInt32.max)), "Block number the call lands in (instead of at)."),
    ]
    static let trackOverride: [Field] = [
        Field("name", .string, required: true, "Track name (a preset track to modify, or a new one with base)."),
        Field("base", .string, "Preset track whose values and curves a new track starts from."),
        Field("id", .integer(min: 0, max: 65_535), "Track id (required for a new track)."),
        Field("max_deciding", .integer(min: 1, max: 1_000_000), "Referenda deciding at once."),
        Field("decision_deposit", amount, "Decision deposit (planck or KSM)."),
        Field("prepare", .duration, "Prepare period (a whole number of 6 s blocks)."),
        Field("decision", .duration, "Decision period."),
        Field("confirm", .duration, "Confirm period."),
        Field("min_enactment", .duration, "Minimum enactment period."),
    ]
    static let tracks: [Field] = [
        Field("preset", .string, "`kusama` (default): Kusama's 16 tracks."),
        Field("time_scale", .string, "Divide every period (prepare, decision, confirm, min enactment, undeciding timeout) by N, e.g. `1/144`: curves are fractions of the decision period, so the shape is kept and the run is N times shorter."),
        Field("custom", .array(.object(trackOverride)), "Track changes and additions, applied after time_scale."),
    ]
    static let version: [Field] = [
        Field("spec_version", .integer(min: 1, max: Int64(UInt32.max)), required: true, "Spec version (set_code must increase it)."),
        Field("import_time", .duration, "Block import time under this runtime (default: unchanged)."),
        Field("proposal_time", .duration, "Block proposal time under this runtime (default: unchanged)."),
        Field("migration_time", .duration, "Extra execution time of the first block this runtime runs (on_runtime_upgrade): added to its proposal and to every import of it (default 0s)."),
        Field("inflation", .object([
            Field("ideal", ratio, "Ideal staking rate."), Field("min", ratio, "Minimum inflation."),
            Field("max", ratio, "Maximum inflation."), Field("falloff", ratio, "Falloff."),
        ]), "Inflation parameters this runtime sets (recorded; applied where staking runs)."),
        Field("not_upgraded", .array(.nodeSelector), "Validators whose client cannot execute this runtime: they stop authoring and importing at its first block."),
    ]
    static let runtime: [Field] = [
        Field("spec_version", .integer(min: 0, max: Int64(UInt32.max)), "Spec version at genesis (default 1002006)."),
        Field("versions", .array(.object(version)), "Runtime versions a set_code may install."),
    ]
    static let account: [Field] = [
        Field("name", .string, required: true, "Account name, or group name with count (members are name.0, name.1, ...)."),
        Field("count", .integer(min: 1, max: 1_000_000), "Number of accounts in the group (default 1: a single account)."),
        Field("balance", .oneOf([amount, .object([Field("min", amount, required: true, ""), Field("max", amount, required: true, "")])]), required: true, "Balance per account, or {min, max} drawn uniformly per member."),
    ]
    static let decisionDeposit: [Field] = when + [
        Field("by", .string, "Account paying it (default: the submitter)."),
    ]
    static let referendum: [Field] = when + [
        Field("track", .string, required: true, "Track name (its first origin submits): root, whitelisted_caller, ..."),
        Field("call", .oneOf([.string, .object([Field("set_code", .integer(min: 1, max: Int64(UInt32.max)), "Spec version to install."),
                                               Field("remark", .string, "Remark text."),
                                               Field("set_config", .object(ParachainsSection.hostFields), "Parachain HostConfiguration fields to change (root or whitelisted_caller track; active two sessions after enactment).")])]),
              required: true, "`remark`, `{remark: text}`, `{set_code: SPEC}` or `{set_config: {field: value, ...}}`."),
        Field("submitter", .string, required: true, "Submitting account (pays the submission deposit)."),
        Field("decision_deposit", .oneOf([.string, .object(decisionDeposit)]), "`with_submission` (default), `none`, or {at|block, by}."),
        Field("enactment", .object([Field("after", .duration, "Delay after approval (default 0s; at least min_enactment)."),
                                    Field("at_block", .integer(min: 0, max: Int64(UInt32.max)), "Desired enactment block.")]),
              "When the approved call is dispatched (default after 0s, i.e. min_enactment)."),
    ]
    static let vote: [Field] = when + [
        Field("referendum", .integer(min: 0, max: 1_000_000), required: true, "Scenario referendum (position in referenda)."),
        Field("account", .string, required: true, "Account or group (every member votes)."),
        Field("vote", .string, required: true, "aye, nay, split or abstain."),
        Field("conviction", .string, "none, locked1x ... locked6x (aye/nay only; default locked1x)."),
        Field("balance", amount, "Aye/nay: capital (default: the whole balance). Split/abstain: the aye part."),
        Field("nay", amount, "Split/abstain: the nay part (default 0)."),
        Field("abstain", amount, "Abstain: the abstain part (default: the balance minus aye and nay)."),
    ]
    static let behaviour: [Field] = [
        Field("referendum", .integer(min: 0, max: 1_000_000), required: true, "Scenario referendum."),
        Field("voters", .string, required: true, "Account group that may vote."),
        Field("turnout", ratio, required: true, "Share of the group that votes."),
        Field("from", .duration, required: true, "First vote arrives at this time."),
        Field("over", .duration, "Votes arrive uniformly over this window (default 0s)."),
        Field("aye_share", ratio, "Probability that a voter votes aye (default 100%)."),
        Field("convictions", .map(ratio), "Conviction mix, e.g. {none: 20%, locked1x: 50%, locked6x: 30%} (weights; default locked1x)."),
        Field("balance_share", ratio, "Share of each voter's balance it votes with (default 100%)."),
    ]
    static let fields: [Field] = [
        Field("tracks", .object(tracks), "Track table: preset, time_scale, custom tracks."),
        Field("active_issuance", amount, "Support denominator (MaxTurnout); default: the sum of the accounts' balances."),
        Field("submission_deposit", amount, "SubmissionDeposit (default 1 QUID)."),
        Field("sample_every", .integer(min: 1, max: 1_000_000), "Tally samples every N blocks while a referendum is ongoing (default 100)."),
        Field("runtime", .object(runtime), "Genesis spec version and installable runtime versions."),
        Field("accounts", .array(.object(account)), required: true, "Accounts and groups with balances."),
        Field("referenda", .array(.object(referendum)), "Referenda to submit, in order (referendum 0, 1, ...)."),
        Field("votes", .array(.object(vote)), "Explicit votes."),
        Field("behaviours", .array(.object(behaviour)), "Voter behaviour models, drawn from the scenario seed."),
        Field("votes_csv", .string, "CSV file of votes (path relative to the scenario file); see docs/governance.md for the columns."),
    ]

    static let votersPurpose = StreamPurpose.governanceVoters
    static let balancePurpose = StreamPurpose.governanceBalances
    static let blockNs: Int64 = 6_000_000_000

    struct Accounts {
        var names: [String] = []
        var balances: [Balance] = []
        /// Name → member indices (a single account is a group of one).
        var groups: [(name: String, members: [AccountId])] = []
        func members(_ name: String) -> [AccountId]? {
            if let g = groups.first(where: { $0.name == name }) { return g.members }
            return names.firstIndex(of: name).map { [AccountId($0)] }
        }
    }

    /// `parachains`: whether the scenario runs the parachain layer (`set_config` calls need it).
    static func decode(_ node: Node, seed: UInt64, file: String, nodeRegions: [UInt16]?, regions: [String],
                       parachains: Bool = false, _ r: inout YAMLReader) -> GovernanceSetup? {
        guard let o = r.object(node, fields, context: "governance") else { return nil }
        let streams = RandomStreams(seed: seed)
        var ok = true

        // Tracks.
        var table = TrackTable.kusama
        var config = ReferendaConfig.kusama
        if let t = o["tracks"], let to = r.object(t.value, tracks, context: "governance.tracks") {
            if let p = to["preset"], let s = r.string(p.value, "governance.tracks.preset"), s != "kusama" {
                r.error(p.value, "unknown track preset '\(s)'; expected kusama"); ok = false
            }
            if let ts = to["time_scale"], let s = r.string(ts.value, "governance.tracks.time_scale") {
                let parts = s.split(separator: "/").map { UInt32($0.trimmingCharacters(in: .whitespaces)) }
                if parts.count == 2, let a = parts[0], let b = parts[1], a >= 1, b >= a {
                    func scale(_ p: BlockNumber) -> BlockNumber { max(1, UInt32(UInt64(p) * UInt64(a) / UInt64(b))) }
                    let scaled = table.tracks.map { t -> TrackInfo in
                        var t = t
                        t.preparePeriod = scale(t.preparePeriod); t.decisionPeriod = scale(t.decisionPeriod)
                        t.confirmPeriod = scale(t.confirmPeriod); t.minEnactmentPeriod = scale(t.minEnactmentPeriod)
                        return t
                    }
                    table = try! TrackTable(scaled)
                    config.undecidingTimeout = scale(config.undecidingTimeout)
                } else {
                    r.error(ts.value, "expected governance.tracks.time_scale as a fraction 1/N (at most 1), found '\(s)'"); ok = false
                }
            }
            if let c = to["custom"], let list = r.sequence(c.value, "governance.tracks.custom") {
                var all = table.tracks
                for item in list {
                    guard let e = r.object(item, trackOverride, context: "a custom track"),
                          let name = e["name"].flatMap({ r.string($0.value, "track name") }) else { ok = false; continue }
                    var t: TrackInfo
                    let existing = all.firstIndex { $0.name == name }
                    if let b = e["base"] {
                        guard let baseName = r.string(b.value, "base"), let base = all.first(where: { $0.name == baseName }) else {
                            r.error(b.value, "unknown base track; expected one of \(all.map(\.name).joined(separator: ", "))"); ok = false; continue
                        }
                        guard existing == nil else { r.error(e["name"]!.value, "track '\(name)' exists already; drop base to modify it"); ok = false; continue }
                        guard let id = e["id"].flatMap({ r.integer($0.value, min: 0, max: 65_535, "id") }) else {
                            r.error(item, "a new track needs an id"); ok = false; continue
                        }
                        t = base
                        t.name = name; t.id = TrackId(id); t.origins = [ProposalOrigin(name)]
                    } else {
                        guard let i = existing else {
                            r.error(e["name"]!.value, "unknown track '\(name)'; name a preset track or give base and id for a new one"); ok = false; continue
                        }
                        t = all[i]
                        if let idn = e["id"] { r.error(idn.key, "the id of preset track '\(name)' cannot change"); ok = false }
                    }
                    if let v = e["max_deciding"].flatMap({ r.integer($0.value, min: 1, max: 1_000_000, "max_deciding") }) { t.maxDeciding = UInt32(v) }
                    if let v = StakingSection.amountValue(e["decision_deposit"], "decision_deposit", &r) { t.decisionDeposit = v }
                    if let v = blocks(e["prepare"], "prepare", &r) { t.preparePeriod = v }
                    if let v = blocks(e["decision"], "decision", &r) {
                        if v == 0 { r.error(e["decision"]!.value, "the decision period must be at least one block"); ok = false } else { t.decisionPeriod = v }
                    }
                    if let v = blocks(e["confirm"], "confirm", &r) { t.confirmPeriod = v }
                    if let v = blocks(e["min_enactment"], "min_enactment", &r) { t.minEnactmentPeriod = v }
                    if let i = existing { all[i] = t } else { all.append(t) }
                }
                do { table = try TrackTable(all) } catch {
                    r.error(c.value, "invalid track table: \(error)"); ok = false
                }
            }
        }
        if let v = StakingSection.amountValue(o["submission_deposit"], "governance.submission_deposit", &r) { config.submissionDeposit = v }

        // Runtime versions.
        var genesisSpec: UInt32 = 1_002_006
        var versions: [RuntimeVersion] = []
        if let rt = o["runtime"], let ro = r.object(rt.value, runtime, context: "governance.runtime") {
            if let v = ro["spec_version"].flatMap({ r.integer($0.value, min: 0, max: Int64(UInt32.max), "spec_version") }) { genesisSpec = UInt32(v) }
            if let vs = ro["versions"], let list = r.sequence(vs.value, "governance.runtime.versions") {
                for item in list {
                    guard let vo = r.object(item, version, context: "a runtime version"),
                          let spec = vo["spec_version"].flatMap({ r.integer($0.value, min: 1, max: Int64(UInt32.max), "spec_version") }) else { ok = false; continue }
                    if versions.contains(where: { $0.specVersion == UInt32(spec) }) || UInt32(spec) == genesisSpec {
                        r.error(vo["spec_version"]!.value, "spec version \(spec) is defined twice"); ok = false
                    }
                    var v = RuntimeVersion(specVersion: UInt32(spec))
                    v.importTime = vo["import_time"].flatMap { r.duration($0.value, "import_time") }?.nanoseconds
                    v.proposalTime = vo["proposal_time"].flatMap { r.duration($0.value, "proposal_time") }?.nanoseconds
                    if let p = v.proposalTime, let pn = vo["proposal_time"], p >= blockNs {
                        r.error(pn.value, "proposal_time must be shorter than the slot"); ok = false
                    }
                    v.migrationTime = vo["migration_time"].flatMap { r.duration($0.value, "migration_time") }?.nanoseconds ?? 0
                    if let inf = vo["inflation"], let io = r.object(inf.value, version.first { $0.name == "inflation" }!.type.objectFields, context: "inflation") {
                        v.inflation = InflationParameters(
                            idealStake: StakingSection.ratio(io["ideal"], "inflation.ideal", &r),
                            minInflation: StakingSection.ratio(io["min"], "inflation.min", &r),
                            maxInflation: StakingSection.ratio(io["max"], "inflation.max", &r),
                            falloff: StakingSection.ratio(io["falloff"], "inflation.falloff", &r))
                    }
                    if let nu = vo["not_upgraded"] {
                        v.notUpgraded = ScenarioDecoder.selectNodes(nu.value, regions: regions, nodeRegions: nodeRegions, &r) ?? []
                    }
                    versions.append(v)
                }
            }
        }

        // Accounts.
        var accounts = Accounts()
        if let a = o["accounts"], let list = r.sequence(a.value, "governance.accounts") {
            for (gi, item) in list.enumerated() {
                guard let ao = r.object(item, account, context: "an account"),
                      let name = ao["name"].flatMap({ r.string($0.value, "account name") }) else { ok = false; continue }
                if accounts.members(name) != nil { r.error(ao["name"]!.value, "account '\(name)' is defined twice"); ok = false; continue }
                let count = ao["count"].flatMap { r.integer($0.value, min: 1, max: 1_000_000, "count") }
                guard let bal = ao["balance"] else { continue }
                var fixed: Balance? = nil
                var range: ClosedRange<Balance>? = nil
                if case .mapping = bal.value {
                    range = StakingSection.amountRange(bal, "balance", &r)
                    if range == nil { ok = false; continue }
                } else {
                    fixed = StakingSection.amountValue(bal, "balance", &r)
                    if fixed == nil { ok = false; continue }
                }
                if accounts.names.count + Int(count ?? 1) > Limits.accountsValue {
                    r.exceeded(ao["count"]?.value ?? item, Limits.accounts, "the number of accounts", found: "\(accounts.names.count + Int(count ?? 1))")
                    ok = false; break
                }
                var rng = streams.stream(balancePurpose, node: UInt32(gi))
                var members: [AccountId] = []
                for k in 0..<Int(count ?? 1) {
                    members.append(AccountId(accounts.names.count))
                    accounts.names.append(count == nil ? name : "\(name).\(k)")
                    if let fixed { accounts.balances.append(fixed) } else {
                        let rr = range!
                        let width = rr.upperBound - rr.lowerBound
                        let draw = width >= Balance(UInt64.max) ? Balance(rng.next()) : Balance(rng.nextBelow(UInt64(width) + 1))
                        accounts.balances.append(rr.lowerBound + draw)
                    }
                }
                accounts.groups.append((name, members))
            }
        }
        func single(_ n: (key: Node, value: Node)?, _ what: String, _ r: inout YAMLReader) -> AccountId? {
            guard let n, let name = r.string(n.value, what) else { return nil }
            guard let m = accounts.members(name), m.count == 1 else {
                r.error(n.value, accounts.members(name) == nil ? "unknown account '\(name)'" : "'\(name)' is a group; \(what) must be one account")
                return nil
            }
            return m[0]
        }

        var actions: [GovernanceAction] = []
        // Referenda.
        var refTracks: [TrackId] = []
        if let rs = o["referenda"], let list = r.sequence(rs.value, "governance.referenda") {
            for (k, item) in list.enumerated() {
                guard let ro = r.object(item, referendum, context: "a referendum") else { ok = false; refTracks.append(0); continue }
                let trig = trigger(ro, item, "a referendum", &r)
                let track = ro["track"].flatMap { t -> TrackInfo? in
                    guard let s = r.string(t.value, "track") else { return nil }
                    if let tr = table.track(named: s) { return tr }
                    r.error(t.value, "unknown track '\(s)'; expected one of \(table.tracks.map(\.name).joined(separator: ", "))"); return nil
                }
                refTracks.append(track?.id ?? 0)
                let call = ro["call"].flatMap { c -> ProposalCall? in decodeCall(c.value, versions: versions, &r) }
                if let call, call.name == HostConfigurationCall.callName, let c = ro["call"] {
                    // `configuration.set_*` calls are `ensure_root`: only a referendum whose
                    // origin dispatches as Root can carry them (docs/parachains.md, Governance).
                    if !parachains {
                        r.error(c.value, "set_config changes the parachain host configuration: the scenario needs a parachains: section"); ok = false
                    }
                    if let track, let t = ro["track"], !track.origins.contains(where: configurationOrigins.contains) {
                        r.error(t.value, "set_config needs the Root origin (configuration.set_* calls are ensure_root): use track root or whitelisted_caller, not '\(track.name)'")
                        ok = false
                    }
                }
                let who = single(ro["submitter"], "submitter", &r)
                var enactment = DispatchTime.after(0)
                if let en = ro["enactment"], let eo = r.object(en.value, referendum.first { $0.name == "enactment" }!.type.objectFields, context: "enactment") {
                    if eo["after"] != nil && eo["at_block"] != nil { r.error(en.value, "enactment takes after or at_block, not both"); ok = false }
                    if let d = eo["after"].flatMap({ r.duration($0.value, "enactment.after") }) { enactment = .after(UInt32(d.nanoseconds / blockNs)) }
                    if let b = eo["at_block"].flatMap({ r.integer($0.value, min: 0, max: Int64(UInt32.max), "enactment.at_block") }) { enactment = .at(UInt32(b)) }
                }
                guard let trig, let track, let call, let who else { ok = false; continue }
                actions.append(GovernanceAction(trig, .submit(ref: k, who: who, origin: track.origins[0], call: call, enactment: enactment)))
                // Decision deposit.
                if let dd = ro["decision_deposit"] {
                    if case .scalar = dd.value {
                        let s = r.string(dd.value, "decision_deposit") ?? ""
                        switch s {
                        case "with_submission": actions.append(GovernanceAction(trig, .placeDecisionDeposit(ref: k, who: who)))
                        case "none": break
                        default: r.error(dd.value, "expected decision_deposit as with_submission, none or {at, by}, found '\(s)'"); ok = false
                        }
                    } else if let d = r.object(dd.value, decisionDeposit, context: "decision_deposit") {
                        let by = d["by"] == nil ? who : single(d["by"], "decision_deposit.by", &r)
                        if let t = trigger(d, dd.value, "decision_deposit", &r), let by {
                            actions.append(GovernanceAction(t, .placeDecisionDeposit(ref: k, who: by)))
                        } else { ok = false }
                    }
                } else {
                    actions.append(GovernanceAction(trig, .placeDecisionDeposit(ref: k, who: who)))
                }
            }
        }
        let refCount = refTracks.count
        func refIndex(_ n: (key: Node, value: Node)?, _ r: inout YAMLReader) -> Int? {
            guard let n, let v = r.integer(n.value, min: 0, max: 1_000_000, "referendum") else { return nil }
            guard v < refCount else { r.error(n.value, "referendum \(v) does not exist (\(refCount) referenda defined)"); return nil }
            return Int(v)
        }

        // Explicit votes.
        if let vs = o["votes"], let list = r.sequence(vs.value, "governance.votes") {
            for item in list {
                guard let vo = r.object(item, vote, context: "a vote") else { ok = false; continue }
                let trig = trigger(vo, item, "a vote", &r)
                let ref = refIndex(vo["referendum"], &r)
                var members: [AccountId]? = nil
                if let a = vo["account"], let name = r.string(a.value, "account") {
                    members = accounts.members(name)
                    if members == nil { r.error(a.value, "unknown account or group '\(name)'") }
                }
                guard let kind = vo["vote"].flatMap({ r.string($0.value, "vote") }) else { ok = false; continue }
                let conviction = decodeConviction(vo["conviction"], &r)
                let bal = StakingSection.amountValue(vo["balance"], "balance", &r)
                let nay = StakingSection.amountValue(vo["nay"], "nay", &r)
                let abstain = StakingSection.amountValue(vo["abstain"], "abstain", &r)
                guard ["aye", "nay", "split", "abstain"].contains(kind) else {
                    r.error(vo["vote"]!.value, "unknown vote '\(kind)'; expected aye, nay, split or abstain"); ok = false; continue
                }
                if kind == "split" || kind == "abstain", let c = vo["conviction"] {
                    r.error(c.key, "\(kind) votes carry no conviction (0.1x)"); ok = false
                }
                guard let trig, let ref, let members, let conviction else { ok = false; continue }
                for m in members {
                    let total = accounts.balances[Int(m)]
                    let v: AccountVote
                    switch kind {
                    case "aye", "nay": v = .standard(aye: kind == "aye", conviction: conviction, balance: bal ?? total)
                    case "split": v = .split(aye: bal ?? 0, nay: nay ?? 0)
                    default:
                        let used = (bal ?? 0) + (nay ?? 0)
                        v = .splitAbstain(aye: bal ?? 0, nay: nay ?? 0, abstain: abstain ?? (total > used ? total - used : 0))
                    }
                    actions.append(GovernanceAction(trig, .vote(ref: ref, who: m, vote: v)))
                }
            }
        }

        // Behaviour models: expanded into votes with the scenario's seeded streams.
        if let bs = o["behaviours"], let list = r.sequence(bs.value, "governance.behaviours") {
            for (bi, item) in list.enumerated() {
                guard let bo = r.object(item, behaviour, context: "a behaviour") else { ok = false; continue }
                let ref = refIndex(bo["referendum"], &r)
                var members: [AccountId]? = nil
                if let a = bo["voters"], let name = r.string(a.value, "voters") {
                    members = accounts.members(name)
                    if members == nil { r.error(a.value, "unknown account group '\(name)'") }
                }
                let turnout = StakingSection.perbill(bo["turnout"], "turnout", &r)
                let from = bo["from"].flatMap { r.duration($0.value, "from") }
                let over = bo["over"].flatMap { r.duration($0.value, "over") } ?? .zero
                let ayeShare = bo["aye_share"] == nil ? Perbill(parts: 1_000_000_000) : StakingSection.perbill(bo["aye_share"], "aye_share", &r)
                let balanceShare = bo["balance_share"] == nil ? Perbill(parts: 1_000_000_000) : StakingSection.perbill(bo["balance_share"], "balance_share", &r)
                var mix: [(Conviction, UInt64)] = [(.locked1x, 1)]
                if let c = bo["convictions"] {
                    if case .mapping(let m) = c.value {
                        mix = []
                        for (k, v) in m {
                            guard let name = r.string(k, "a conviction") else { continue }
                            guard let conv = Conviction(name: name) else { r.error(k, "unknown conviction '\(name)'; expected none, locked1x ... locked6x"); ok = false; continue }
                            if let p = StakingSection.perbill((k, v), "conviction weight", &r) { mix.append((conv, UInt64(p.parts))) }
                        }
                        if mix.reduce(0, { $0 + $1.1 }) == 0 { r.error(c.value, "the conviction mix needs a positive weight"); ok = false }
                    } else { r.error(c.value, "convictions must map conviction names to weights, e.g. {locked1x: 60%, locked6x: 40%}"); ok = false }
                }
                guard let ref, let members, let turnout, let from, let ayeShare, let balanceShare else { ok = false; continue }
                let totalWeight = mix.reduce(0) { $0 + $1.1 }
                var rng = streams.stream(votersPurpose, node: UInt32(bi))
                for m in members {
                    // Fixed number of draws per member, whatever the outcome, so streams stay aligned.
                    let votes = rng.nextBelow(1_000_000_000) < UInt64(turnout.parts)
                    let offset = over > .zero ? Int64(rng.nextBelow(UInt64(over.nanoseconds) + 1)) : 0
                    let aye = rng.nextBelow(1_000_000_000) < UInt64(ayeShare.parts)
                    var pick = rng.nextBelow(max(totalWeight, 1))
                    var conviction = mix.last?.0 ?? .locked1x
                    for (c, w) in mix { if pick < w { conviction = c; break }; pick -= w }
                    guard votes else { continue }
                    let amount = accounts.balances[Int(m)] / 1_000_000_000 * Balance(balanceShare.parts)
                        + accounts.balances[Int(m)] % 1_000_000_000 * Balance(balanceShare.parts) / 1_000_000_000
                    actions.append(GovernanceAction(.time(from.nanoseconds + offset),
                                                    .vote(ref: ref, who: m, vote: .standard(aye: aye, conviction: conviction, balance: amount))))
                }
            }
        }

        // Votes from a CSV file.
        if let c = o["votes_csv"], let path = r.string(c.value, "votes_csv") {
            let resolved = path.hasPrefix("/") ? path
                : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(path).path
            if let text = try? String(contentsOfFile: resolved, encoding: .utf8) {
                let parsed = VotesCSV.parse(text, referenda: refCount, accounts: &accounts)
                for e in parsed.errors { r.error(c.value, "\(path):\(e.line): \(e.message)"); ok = false }
                actions += parsed.actions
            } else {
                r.error(c.value, "cannot read votes_csv '\(path)' (resolved to \(resolved))"); ok = false
            }
        }

        let issuance = StakingSection.amountValue(o["active_issuance"], "governance.active_issuance", &r)
            ?? accounts.balances.reduce(0, +)
        if issuance == 0 { r.error(o["active_issuance"]?.value ?? node, "the active issuance (support denominator) must be above 0"); ok = false }
        let sampleEvery = o["sample_every"].flatMap { r.integer($0.value, min: 1, max: 1_000_000, "sample_every") }.map(UInt32.init) ?? 100
        guard ok else { return nil }
        return GovernanceSetup(tracks: table, config: config, activeIssuance: issuance, balances: accounts.balances,
                               accountNames: accounts.names, genesisSpecVersion: genesisSpec, versions: versions,
                               actions: actions, sampleEvery: sampleEvery, referendumCount: refCount)
    }

    static func blocks(_ e: (key: Node, value: Node)?, _ what: String, _ r: inout YAMLReader) -> BlockNumber? {
        guard let e, let d = r.duration(e.value, what) else { return nil }
        guard d.nanoseconds % blockNs == 0 else { r.error(e.value, "\(what) must be a whole number of 6s blocks"); return nil }
        return BlockNumber(d.nanoseconds / blockNs)
    }

    static func trigger(_ o: [String: (key: Node, value: Node)], _ node: Node, _ what: String, _ r: inout YAMLReader) -> GovernanceAction.Trigger? {
        switch (o["at"], o["block"]) {
        case (let a?, nil): return r.duration(a.value, "at").map { .time($0.nanoseconds) }
        case (nil, let b?): return r.integer(b.value, min: 1, max: Int64(UInt32.max), "block").map { .block(UInt32($0)) }
        case (nil, nil): r.error(node, "\(what) needs at (a time) or block (a block number)"); return nil
        case (_?, let b?): r.error(b.key, "\(what) takes at or block, not both"); return nil
        }
    }

    static func decodeConviction(_ e: (key: Node, value: Node)?, _ r: inout YAMLReader) -> Conviction? {
        guard let e else { return .locked1x }
        guard let s = r.string(e.value, "conviction") else { return nil }
        guard let c = Conviction(name: s) else { r.error(e.value, "unknown conviction '\(s)'; expected none, locked1x ... locked6x"); return nil }
        return c
    }

    /// Origins that dispatch a call as Root on Kusama: the Root track, and the WhitelistedCaller
    /// track (`whitelist.dispatch_whitelisted_call_with_preimage` dispatches the whitelisted call
    /// as Root; `DispatchWhitelistedOrigin = EitherOf<EnsureRoot, WhitelistedCaller>`).
    static let configurationOrigins: [ProposalOrigin] = [.root, .whitelistedCaller]

    static func decodeCall(_ node: Node, versions: [RuntimeVersion], _ r: inout YAMLReader) -> ProposalCall? {
        if case .scalar = node {
            let s = r.string(node, "call") ?? ""
            if s == "remark" { return .remark() }
            r.error(node, "unknown call '\(s)'; expected remark, {remark: text}, {set_code: SPEC} or {set_config: {field: value}}"); return nil
        }
        guard case .mapping(let m) = node, m.count == 1, let (k, v) = m.first, let key = k.scalar?.string else {
            r.error(node, "call must be remark, {remark: text}, {set_code: SPEC} or {set_config: {field: value}}"); return nil
        }
        switch key {
        case "remark": return r.string(v, "remark").map { .remark($0) }
        case "set_code":
            guard let spec = r.integer(v, min: 1, max: Int64(UInt32.max), "set_code spec version") else { return nil }
            guard versions.contains(where: { $0.specVersion == UInt32(spec) }) else {
                r.error(v, "set_code \(spec): no such runtime version; define it under governance.runtime.versions"); return nil
            }
            return .setCode(specVersion: UInt32(spec))
        case "set_config":
            guard let o = r.object(v, ParachainsSection.hostFields, context: "set_config") else { return nil }
            if case .mapping(let fields) = v, fields.count > o.count { return nil }   // unknown keys (reported)
            guard !o.isEmpty else {
                r.error(v, "set_config needs at least one HostConfiguration field, e.g. {needed_approvals: 40}"); return nil
            }
            let call = ParachainsSection.hostCall(o, context: "set_config", &r)
            guard call.settings.count == o.count else { return nil }   // a value out of its limits (reported)
            return ProposalCall(HostConfigurationCall.callName, call.arguments)
        default:
            r.error(k, "unknown call '\(key)'; expected remark, set_code or set_config"); return nil
        }
    }
}

extension FieldType {
    /// The fields of an object type (empty otherwise).
    var objectFields: [Field] {
        if case .object(let f) = self { return f }
        return []
    }
}
