import Yams
import CanaryEngine
import CanaryStaking

/// The `staking:` section of a scenario file (statistical staking and economics).
enum StakingSection {
    static let fields: [Field] = [
        Field("era", .duration, "Era length (Kusama 6h)."),
    ]

    static func decode(_ node: Node, _ r: inout YAMLReader) -> StakingSimulationConfig? {
        guard let o = r.object(node, fields, context: "staking") else { return nil }
        var c = StakingSimulationConfig()
        if let e = o["era"], let d = r.duration(e.value, "staking.era") {
            if d == .zero { r.error(e.value, "staking.era must be longer than 0s") } else { c.eraDuration = d }
        }
        return c
    }
}
