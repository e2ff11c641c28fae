// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "linli",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "linli", targets: ["linli"]),
        .library(name: "LinliCore", targets: ["LinliCore"]),
        .library(name: "LinliServer", targets: ["LinliServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.115.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.52.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.32.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        .target(name: "CLinliFace"),
        .target(name: "LinliCore", dependencies: ["CLinliFace", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "LinliServer",
            dependencies: [
                "LinliCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "linli",
            dependencies: ["LinliServer", .product(name: "Vapor", package: "vapor")]
        ),
        .testTarget(name: "LinliCoreTests", dependencies: ["LinliCore"]),
        .testTarget(
            name: "LinliServerTests",
            dependencies: [
                "LinliServer",
                "LinliCore",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
