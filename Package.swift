// swift-tools-version: 6.2
import PackageDescription

/// Every Swift target gets the same settings (STYLE.md §1): Swift 6 mode plus the upcoming
/// features Hummingbird enables.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// The AVX2 kernel module is compiled for Haswell (AVX2 + FMA) and always optimised, even in
/// debug builds, because unoptimised `SIMD16` code is ~30× slower than scalar. SwiftPM cannot
/// condition settings on the architecture, so the manifest tests the host's: native x86-64
/// builds get the flags; elsewhere the module compiles to nothing (its source is
/// `#if arch(x86_64)`).
/// The AVX-512 kernel module likewise, for Skylake-SP (AVX-512 F, BW, CD, DQ, VL: the x86-64-v4
/// set, which this compiler cannot name as a CPU).
#if arch(x86_64)
let avx2Settings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-O", "-target-cpu", "haswell", "-Xcc", "-mavx2", "-Xcc", "-mfma"], .when(platforms: [.linux])),
]
let avx512Settings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-O", "-target-cpu", "skylake-avx512", "-Xcc", "-march=skylake-avx512"], .when(platforms: [.linux])),
]
#else
let avx2Settings: [SwiftSetting] = swiftSettings
let avx512Settings: [SwiftSetting] = swiftSettings
#endif

let package = Package(
    name: "modeld",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "modeld", targets: ["modeld"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0", traits: ["YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // C shims and system libraries.
        .target(name: "CLinux"),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),

        // The I/O core, then HTTP on top of it.
        .target(name: "EventLoop", dependencies: ["CLinux"], swiftSettings: swiftSettings),
        .target(name: "HTTPServer", dependencies: ["EventLoop", "COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "WebSocket", dependencies: ["HTTPServer", "CZlib"], swiftSettings: swiftSettings),
        .target(name: "SocketIO", dependencies: ["WebSocket", "HTTPServer", "EventLoop"], swiftSettings: swiftSettings),

        // Model files, then the loader's step table.
        .target(name: "ModelFormats", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "ModelKernelsAVX2", swiftSettings: avx2Settings),
        .target(name: "ModelKernelsAVX512", swiftSettings: avx512Settings),
        .target(
            name: "ModelRuntime", dependencies: ["ModelFormats", "ModelKernelsAVX2", "ModelKernelsAVX512"],
            swiftSettings: swiftSettings
        ),
        .target(name: "ModelHub", dependencies: ["ModelFormats", "CCurl"], swiftSettings: swiftSettings),
        .target(
            name: "ModelLoading",
            dependencies: ["ModelRuntime", "ModelFormats", "ModelHub", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),

        // The application and the executable.
        .target(
            name: "ModelServer",
            dependencies: [
                "HTTPServer",
                "WebSocket",
                "SocketIO",
                "ModelLoading",
                "ModelRuntime",
                "ModelHub",
                "CLinux",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "modeld",
            dependencies: [
                "ModelServer",
                "ModelHub",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Test-only support and the tests.
        .target(name: "TestSupport", dependencies: ["EventLoop"], swiftSettings: swiftSettings),
        .testTarget(name: "EventLoopTests", dependencies: ["EventLoop", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport", "COpenSSL"], swiftSettings: swiftSettings),
        .testTarget(name: "WebSocketTests", dependencies: ["WebSocket", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "SocketIOTests", dependencies: ["SocketIO", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ModelFormatsTests", dependencies: ["ModelFormats", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ModelRuntimeTests", dependencies: ["ModelRuntime", "ModelKernelsAVX512", "TestSupport"],
            exclude: ["Fixtures"], swiftSettings: swiftSettings
        ),
        .testTarget(name: "ModelHubTests", dependencies: ["ModelHub", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "ModelLoadingTests", dependencies: ["ModelLoading", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ModelServerTests",
            dependencies: [
                "ModelServer", "TestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// Coverage-guided fuzz targets (libFuzzer), built only by `scripts/fuzz`, which sets
// MODELD_FUZZ=1 and builds into its own scratch path (`.build-fuzz`) with
// `-sanitize=fuzzer,address -enable-testing`; without the variable the package is exactly
// the one above. Each target is an executable whose `main.swift` hands its test function to
// libFuzzer's `LLVMFuzzerRunDriver` (SwiftPM links executables with `main` renamed to the
// module's entry point, so libFuzzer's own `main` cannot be used). They reach internal
// parsers with `@testable import`, so no parser is made public for them (README, "Fuzzing").
if Context.environment["MODELD_FUZZ"] == "1" {
    let fuzzSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]
    package.targets += [
        .target(name: "CFuzzerDriver", path: "Fuzz/Sources/CFuzzerDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzerDriver"], path: "Fuzz/Sources/FuzzSupport", swiftSettings: fuzzSettings),
    ]
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzHTTPHead", ["HTTPServer"]),
        ("FuzzHTTPBody", ["HTTPServer"]),
        ("FuzzWebSocket", ["WebSocket", "HTTPServer"]),
        ("FuzzRoomCommand", ["WebSocket"]),
        ("FuzzSocketIO", ["SocketIO"]),
        ("FuzzInferRequest", ["ModelServer"]),
        ("FuzzEmbeddingRequest", ["ModelServer"]),
        ("FuzzSafetensors", ["ModelFormats"]),
        ("FuzzJSON", ["ModelFormats"]),
        ("FuzzTokenizer", ["ModelRuntime"]),
        ("FuzzModelYAML", ["ModelLoading", .product(name: "Yams", package: "Yams")]),
        ("FuzzConfiguration", ["ModelServer"]),
        ("FuzzHubAnswers", ["ModelHub"]),
    ]
    for (name, dependencies) in fuzzTargets {
        package.targets.append(.executableTarget(
            name: name, dependencies: ["FuzzSupport"] + dependencies,
            path: "Fuzz/Sources/\(name)", swiftSettings: fuzzSettings
        ))
    }
}
