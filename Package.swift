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
    ],
    targets: [
        .target(
            name: "DryadCore",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "DryadServer",
            dependencies: [
                "DryadCore",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "DryadCLI",
            dependencies: [
                "DryadCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(name: "dryad", dependencies: ["DryadCLI"]),
        .testTarget(
            name: "DryadCoreTests",
            dependencies: ["DryadCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "DryadServerTests",
            dependencies: [
                "DryadServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "DryadCLITests",
            dependencies: ["DryadCLI", "dryad", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
