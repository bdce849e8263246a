public import CFuzzerDriver
import Glibc

/// Runs libFuzzer with the process's arguments and `test` as the per-input callback, then
/// exits with libFuzzer's status. Called from each fuzz target's `main.swift`.
public func runFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}

/// Stops the process with a message libFuzzer records as a crash: a fuzz target's property
/// failed for the current input.
public func fuzzCheck(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("fuzz property failed: \(message())", file: file, line: line) }
}

/// The input as a buffer; empty when libFuzzer passes a null pointer.
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
    guard let data, size > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
    return UnsafeRawBufferPointer(start: data, count: size)
}

/// Up to `count` increasing cut points inside `0...length`, derived from `seed`: the
/// deliveries the input is split into when it is fed in pieces.
public func fuzzCuts(length: Int, seed: UInt8, count: Int) -> [Int] {
    guard length > 1 else { return [] }
    var state = UInt32(seed) &* 2_654_435_761 &+ 1
    var cuts: [Int] = []
    for _ in 0..<count {
        state = state &* 1_103_515_245 &+ 12_345
        cuts.append(1 + Int(state >> 8) % (length - 1))
    }
    return Array(Set(cuts)).sorted()
}
