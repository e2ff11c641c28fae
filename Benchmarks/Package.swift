// swift-tools-version:6.1
import PackageDescription

// Benchmarks of LinliCore, kept apart so the main build stays light.
// Run: cd Benchmarks && swift package benchmark
let package = Package(
    name: "LinliBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "linli", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CoreBenchmarks",
            dependencies: [
                .product(name: "LinliCore", package: "linli"),
                .product(name: "Benchmark", package: "package-benchmark"),
            ],
            path: "Benchmarks/CoreBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // Single-probe face matching timed for scripts/face_benchmark.py (faiss beside it).
        .executableTarget(
            name: "FaceBench",
            dependencies: [.product(name: "LinliCore", package: "linli")],
            path: "Benchmarks/FaceBench"
        ),
    ]
)
