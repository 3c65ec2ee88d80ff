// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "dryad",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dryad", targets: ["dryad"]),
        .library(name: "DryadCore", targets: ["DryadCore"]),
        .library(name: "DryadServer", targets: ["DryadServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "DryadJSON"),
        .target(name: "DryadJSONSchema", dependencies: ["DryadJSON"]),
        .target(
            name: "DryadCore",
            dependencies: [
                "DryadJSON",
                "DryadJSONSchema",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                "CSQLiteSettings",
                "CSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // MCP's messages and sessions over the core; the stdio and HTTP front ends share it.
        .target(
            name: "DryadMCP",
            dependencies: ["DryadCore", .product(name: "AsyncHTTPClient", package: "async-http-client")]),
        .target(name: "CConcurrencyHook"),
        // Forks, confines (Landlock, seccomp, rlimits, cgroup, user) and execs a tool.
        .target(name: "CSandbox"),
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(
            name: "DryadServer",
            dependencies: [
                "DryadCore",
                "DryadMCP",
                "CConcurrencyHook",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "OpenAPIKit", package: "OpenAPIKit"),
            ],
            // The console's files are embedded by .ci/generate-console (ConsoleAssets.swift).
            exclude: ["Console/assets"]
        ),
        .target(
            name: "DryadCLI",
            dependencies: [
                "DryadCore",
                "DryadMCP",
                "DryadServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(name: "dryad", dependencies: ["DryadCLI"]),
        .executableTarget(name: "dryad-memory-benchmark", dependencies: ["DryadCore"], path: "Benchmarks/MemoryBenchmark"),
        .executableTarget(name: "dryad-schema-benchmark", dependencies: ["DryadJSONSchema"], path: "Benchmarks/SchemaBenchmark"),
        // Helpers every test target shares (temporary folders, error codes, a seeded generator).
        .target(name: "DryadTestSupport", dependencies: ["DryadCore"], path: "Tests/DryadTestSupport"),
        .testTarget(
            name: "DryadCoreTests",
            dependencies: [
                "DryadCore",
                "DryadTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        .testTarget(name: "DryadMCPTests", dependencies: ["DryadMCP", "DryadCore", "DryadTestSupport"]),
        .testTarget(name: "DryadJSONTests", dependencies: ["DryadJSON", "DryadTestSupport"]),
        .testTarget(name: "DryadJSONSchemaTests", dependencies: ["DryadJSONSchema", "DryadTestSupport"]),
        .testTarget(
            name: "DryadServerTests",
            dependencies: [
                "DryadServer",
                "DryadTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "DryadCLITests",
            dependencies: ["DryadCLI", "dryad", "DryadTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
