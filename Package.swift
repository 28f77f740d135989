// swift-tools-version:6.0
// Canary — a deterministic network simulator for Kusama-style relay chains.
// See ../shared/DESIGN.md (module map) and README.md (usage).
import PackageDescription

let package = Package(
    name: "Canary",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "canary", targets: ["canary"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // Pure libraries (no engine dependency).
        .target(name: "CanaryArithmetic"),
        .target(name: "CanaryNPoS", dependencies: ["CanaryArithmetic"]),
        .target(name: "CanaryEconomics", dependencies: ["CanaryArithmetic"]),
        .target(name: "CanaryStaking", dependencies: ["CanaryArithmetic", "CanaryNPoS", "CanaryEconomics", "CanaryEngine", "CanaryGovernance"]),
        .target(name: "CanaryGovernance", dependencies: ["CanaryArithmetic"]),
        // Simulation.
        .target(name: "CanaryEngine"),
        .target(name: "CanaryChain", dependencies: ["CanaryEngine"]),
        .target(name: "CanaryConsensus", dependencies: ["CanaryEngine", "CanaryChain", "CanaryArithmetic", "CanaryGovernance"]),
        .target(name: "CanaryScenario", dependencies: [
            "CanaryEngine", "CanaryChain", "CanaryConsensus", "CanaryStaking", "CanaryGovernance",
            .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "CanaryStore", dependencies: [
            "CanaryEngine", "CanaryScenario",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .executableTarget(name: "canary", dependencies: [
            "CanaryEngine", "CanaryScenario", "CanaryStore", "CanaryNPoS", "CanaryEconomics",
            "CanaryStaking", "CanaryGovernance",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "CanaryArithmeticTests", dependencies: ["CanaryArithmetic"]),
        .testTarget(name: "CanaryNPoSTests", dependencies: ["CanaryNPoS"]),
        .testTarget(name: "CanaryEconomicsTests", dependencies: ["CanaryEconomics"]),
        .testTarget(name: "CanaryStakingTests", dependencies: ["CanaryStaking", "CanaryEngine", "CanaryGovernance"]),
        .testTarget(name: "CanaryGovernanceTests", dependencies: ["CanaryGovernance"]),
        .testTarget(name: "CanaryEngineTests", dependencies: ["CanaryEngine"]),
        .testTarget(name: "CanaryChainTests", dependencies: ["CanaryChain", "CanaryEngine"]),
        .testTarget(name: "CanaryConsensusTests", dependencies: ["CanaryConsensus", "CanaryChain", "CanaryEngine"]),
        .testTarget(name: "CanaryScenarioTests", dependencies: ["CanaryScenario"]),
        .testTarget(name: "CanaryStoreTests", dependencies: ["CanaryStore", "CanaryScenario", "CanaryEngine"]),
        .testTarget(name: "CanaryCLITests", dependencies: ["canary", "CanaryStore"]),
    ]
)
