// swift-tools-version:6.0
// Canary — a deterministic network simulator for Kusama-style relay chains.
// See README.md (usage), docs/architecture.md (the module map and data flow) and docs/ (one guide per subsystem).
import PackageDescription

/// Release builds optimise across module boundaries, so the generic engine, election and
/// consensus code is specialised for the concrete models that use it (two years of Kusama-scale
/// statistical staking: 64 s without, 46 s with, on this project's 2-core machine).
let release: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

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
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
    ],
    targets: [
        // Pure libraries (no engine dependency).
        .target(name: "CanaryArithmetic", swiftSettings: release),
        .target(name: "CanaryNPoS", dependencies: ["CanaryArithmetic"], swiftSettings: release),
        .target(name: "CanaryEconomics", dependencies: ["CanaryArithmetic"], swiftSettings: release),
        .target(name: "CanaryStaking", dependencies: ["CanaryArithmetic", "CanaryNPoS", "CanaryEconomics", "CanaryEngine", "CanaryGovernance"], swiftSettings: release),
        .target(name: "CanaryGovernance", dependencies: ["CanaryArithmetic", "CanaryEngine"], swiftSettings: release),
        // Parachain host rules: configuration, cores and groups, assignments, approvals, disputes (docs/parachains.md).
        .target(name: "CanaryParachains", dependencies: ["CanaryArithmetic", "CanaryEngine", "CanaryChain", "CanaryConsensus"], swiftSettings: release),
        // The chain's runtime with state per block (implements CanaryChain's BlockRuntime).
        .target(name: "CanaryRuntime", dependencies: ["CanaryArithmetic", "CanaryNPoS", "CanaryEconomics", "CanaryStaking", "CanaryGovernance", "CanaryEngine", "CanaryChain", "CanaryParachains"], swiftSettings: release),
        // Simulation.
        .target(name: "CanaryEngine", swiftSettings: release),
        .target(name: "CanaryChain", dependencies: ["CanaryEngine"], swiftSettings: release),
        .target(name: "CanaryConsensus", dependencies: ["CanaryEngine", "CanaryChain", "CanaryArithmetic"], swiftSettings: release),
        .target(name: "CanaryScenario", dependencies: [
            "CanaryEngine", "CanaryChain", "CanaryConsensus", "CanaryStaking", "CanaryGovernance", "CanaryRuntime", "CanaryParachains",
            .product(name: "Yams", package: "Yams"),
            .product(name: "CSV", package: "CSV.swift"),
        ], swiftSettings: release),
        .target(name: "CanaryStore", dependencies: [
            "CanaryEngine", "CanaryScenario", "CanaryRuntime", "CanaryConsensus", "CanaryStaking", "CanaryParachains",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: release),
        .target(name: "CanarySweep", dependencies: [
            "CanaryEngine", "CanaryScenario", "CanaryStore",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: release),
        // Reports, suite results and run comparisons, read from the result database's tables.
        .target(name: "CanaryReport", dependencies: [
            "CanaryEngine", "CanaryScenario", "CanaryEconomics", "CanaryArithmetic",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Mustache", package: "swift-mustache"),
        ], swiftSettings: release),
        // Reliability: random fault schedules, invariant checkers, shrinking (docs/reliability.md).
        .target(name: "CanaryExplore", dependencies: [
            "CanaryEngine", "CanaryChain", "CanaryConsensus", "CanaryScenario", "CanaryRuntime", "CanaryStaking",
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: release),
        // libFuzzer harness for the parsers; built for fuzzing by Fuzz/run.sh (docs/reliability.md).
        .executableTarget(name: "CanaryFuzz", dependencies: ["CanaryScenario", "CanaryNPoS"], path: "Fuzz/CanaryFuzz",
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
        .executableTarget(name: "canary", dependencies: [
            "CanaryEngine", "CanaryScenario", "CanaryStore", "CanaryNPoS", "CanaryEconomics",
            "CanaryStaking", "CanaryGovernance", "CanarySweep", "CanaryReport", "CanaryExplore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: release),
        .testTarget(name: "CanaryArithmeticTests", dependencies: ["CanaryArithmetic"]),
        .testTarget(name: "CanaryNPoSTests", dependencies: ["CanaryNPoS"]),
        .testTarget(name: "CanaryEconomicsTests", dependencies: ["CanaryEconomics"]),
        .testTarget(name: "CanaryStakingTests", dependencies: ["CanaryStaking", "CanaryEngine", "CanaryGovernance"]),
        .testTarget(name: "CanaryGovernanceTests", dependencies: ["CanaryGovernance"]),
        .testTarget(name: "CanaryEngineTests", dependencies: ["CanaryEngine"]),
        .testTarget(name: "CanaryChainTests", dependencies: ["CanaryChain", "CanaryEngine"]),
        .testTarget(name: "CanaryRuntimeTests", dependencies: ["CanaryRuntime", "CanaryConsensus", "CanaryStaking", "CanaryEngine", "CanaryParachains"]),
        .testTarget(name: "CanaryConsensusTests", dependencies: ["CanaryConsensus", "CanaryChain", "CanaryEngine"]),
        .testTarget(name: "CanaryScenarioTests", dependencies: ["CanaryScenario", "CanaryRuntime", "CanaryParachains"]),
        .testTarget(name: "CanaryStoreTests", dependencies: ["CanaryStore", "CanaryScenario", "CanaryEngine"]),
        .testTarget(name: "CanaryCLITests", dependencies: ["canary", "CanaryStore", "CanarySweep", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CanarySweepTests", dependencies: ["CanarySweep", "CanaryScenario", "CanaryStore", "CanaryReport"]),
        .testTarget(name: "CanaryReportTests", dependencies: ["CanaryReport", "CanaryStore", "CanaryScenario"]),
        .testTarget(name: "CanaryParachainsTests", dependencies: ["CanaryParachains", "CanaryChain", "CanaryArithmetic", "CanaryConsensus", "CanaryEngine"]),
        .testTarget(name: "CanaryExploreTests", dependencies: ["CanaryExplore", "CanaryScenario", "CanaryEngine", "CanaryConsensus", "CanaryRuntime"]),
    ]
)
