// swift-tools-version: 6.2
import PackageDescription

/// `ws-load`, the WebSocket fan-out load generator of `scripts/bench ws`. A package of its
/// own, so the server's `swift build` and `scripts/test` never build it; it needs nothing
/// but Glibc (and a header-only shim for epoll). The same Swift settings as the server (STYLE.md §1).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "WSLoad",
    products: [
        .executable(name: "ws-load", targets: ["WSLoad"]),
    ],
    targets: [
        // <sys/epoll.h>, which Glibc's module map leaves out.
        .target(name: "CEpoll"),
        // Pure codecs and checks (SHA-1, base64, handshake, frames, HTTP responses, the publish
        // request and its bearer token), tested.
        .target(name: "WSLoadCore", swiftSettings: swiftSettings),
        // The epoll loop, the connections, the modes and the report.
        .executableTarget(name: "WSLoad", dependencies: ["WSLoadCore", "CEpoll"], swiftSettings: swiftSettings),
        .testTarget(name: "WSLoadCoreTests", dependencies: ["WSLoadCore", "CEpoll"], swiftSettings: swiftSettings),
    ]
)
