/// A SplitMix64 generator: small, fast, and the same sequence for the same seed on every
/// machine, so a failing random split can be replayed from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// One way of cutting a byte sequence into deliveries, as a network would.
public enum ByteSplit: Sendable, Equatable, CustomStringConvertible {
    /// Everything in one delivery.
    case whole
    /// One byte per delivery.
    case byteByByte
    /// Cut at a few random points drawn from `SeededGenerator(seed:)`.
    case random(seed: UInt64)

    /// `whole`, `byteByByte` and `randomCount` random splits with seeds 1...randomCount.
    public static func standard(randomCount: Int = 20) -> [ByteSplit] {
        [.whole, .byteByByte] + (1...UInt64(randomCount)).map { .random(seed: $0) }
    }

    /// The ascending lengths of the prefixes delivered for `count` bytes; the last is `count`.
    public func prefixLengths(count: Int) -> [Int] {
        switch self {
        case .whole:
            return [count]
        case .byteByByte:
            return count == 0 ? [0] : Array(1...count)
        case .random(let seed):
            guard count > 1 else { return [count] }
            var generator = SeededGenerator(seed: seed)
            let cutCount = Int.random(in: 1...min(8, count - 1), using: &generator)
            var cuts = Set<Int>()
            while cuts.count < cutCount { cuts.insert(Int.random(in: 1..<count, using: &generator)) }
            return cuts.sorted() + [count]
        }
    }

    /// The deliveries themselves: consecutive, non-empty slices covering `bytes`.
    public func chunks(of bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var start = 0
        return prefixLengths(count: bytes.count).map { end in
            defer { start = end }
            return bytes[start..<end]
        }
    }

    /// The split in words, including the seed to replay a random one.
    public var description: String {
        switch self {
        case .whole: "whole"
        case .byteByByte: "byte by byte"
        case .random(let seed): "random split, seed \(seed)"
        }
    }
}

/// What one split produced: the first final output and the prefix length that produced it.
public struct FeedOutcome<Output: Equatable>: Equatable {
    /// The first final output, or the last output if none was final.
    public var output: Output
    /// The length of the prefix that produced `output`.
    public var prefixLength: Int

    /// An outcome, for comparing against.
    public init(output: Output, prefixLength: Int) {
        self.output = output
        self.prefixLength = prefixLength
    }
}

/// The outcomes of feeding one input under several splits.
public struct SplitFeedReport<Output: Equatable> {
    /// The input's length.
    public var byteCount: Int
    /// Each split with its outcome, in the order fed (`whole` first for `standard()`).
    public var outcomes: [(split: ByteSplit, outcome: FeedOutcome<Output>)]

    /// A report over `outcomes`, which must not be empty.
    public init(byteCount: Int, outcomes: [(split: ByteSplit, outcome: FeedOutcome<Output>)]) {
        precondition(!outcomes.isEmpty, "a report needs at least one split")
        self.byteCount = byteCount
        self.outcomes = outcomes
    }

    /// The output of the first split fed.
    public var output: Output { outcomes[0].outcome.output }
    /// The splits whose output differs from the first split's.
    public var inconsistentSplits: [ByteSplit] {
        outcomes.filter { $0.outcome.output != output }.map(\.split)
    }
    /// Whether every split reached its final output only with the whole input, that is,
    /// every proper prefix was reported as incomplete.
    public var allSettledAtEnd: Bool {
        outcomes.allSatisfy { $0.outcome.prefixLength == byteCount }
    }
}

/// Feeds growing prefixes of inputs to incremental parsers, as pico's tests do.
public enum ByteSplitting {
    /// Feeds the growing prefixes of `bytes` chosen by `split` to `parse`, until an output
    /// is final or the input ends.
    ///
    /// Each prefix is copied into its own allocation of exactly its length, so a parser that
    /// reads past the end of what it was given trips AddressSanitizer.
    public static func feed<Output: Equatable>(
        _ bytes: [UInt8], split: ByteSplit,
        isFinal: (Output) -> Bool,
        _ parse: (UnsafeRawBufferPointer) -> Output
    ) -> FeedOutcome<Output> {
        let lengths = split.prefixLengths(count: bytes.count)
        var last: FeedOutcome<Output>?
        for length in lengths {
            let prefix = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
            defer { prefix.deallocate() }
            bytes.withUnsafeBytes { prefix.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
            let output = parse(UnsafeRawBufferPointer(prefix))
            last = FeedOutcome(output: output, prefixLength: length)
            if isFinal(output) { break }
        }
        // `prefixLengths` is never empty, so the loop ran at least once.
        return last!
    }

    /// Feeds `bytes` under every split in `splits`, each to a fresh parser from `makeParser`.
    public static func feedAll<Output: Equatable>(
        _ bytes: [UInt8], splits: [ByteSplit] = ByteSplit.standard(),
        isFinal: (Output) -> Bool,
        makeParser: () -> (UnsafeRawBufferPointer) -> Output
    ) -> SplitFeedReport<Output> {
        let outcomes = splits.map { split in
            (split: split, outcome: feed(bytes, split: split, isFinal: isFinal, makeParser()))
        }
        return SplitFeedReport(byteCount: bytes.count, outcomes: outcomes)
    }
}
