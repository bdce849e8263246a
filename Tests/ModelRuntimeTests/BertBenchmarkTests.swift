#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import ModelRuntime

/// Encoder throughput on the real model, printed, never asserted (DESIGN §2.3: budgets are
/// benchmarks). Runs only with `MODELD_BENCH=1`, in a release build:
/// `MODELD_BENCH=1 swift test -c release --filter BertBenchmarkTests`.
@Suite(.enabled(if: BertTestModel.directory != nil && getenv("MODELD_BENCH") != nil,
                "a benchmark: set MODELD_BENCH=1 and have the model folder"))
struct BertBenchmarkTests {
    /// Seconds of encoding to time after one warm-up batch.
    static let measureSeconds = 10.0

    @Test("batches of 32 twelve-token sentences: sentences per second")
    func throughputBatch32() throws {
        let model = try #require(BertTestModel.loaded).get()
        // Lengths 11…14 like short English sentences, so padding is exercised too; ids are
        // arbitrary word pieces, which cost the same as real ones.
        let rows: [[Int32]] = (0..<32).map { row in
            let length = 11 + row % 4
            return [101] + (1..<(length - 1)).map { Int32(2000 + (row * 37 + $0 * 101) % 20000) } + [102]
        }
        let batch = TokenBatch(unpadded: rows)
        _ = try model.embed(tokenBatch: batch)
        let start = ContinuousClock.now
        var sentences = 0
        while ContinuousClock.now - start < .seconds(Self.measureSeconds) {
            sentences += try model.embed(tokenBatch: batch).vectors.count
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let tokens = Double(rows.reduce(0) { $0 + $1.count }) / Double(rows.count)
        print("bert-embedding batch=32 tokens/sentence=\(tokens) cores=\(ParallelLoop.coreCount): "
              + "\(Int(Double(sentences) / seconds)) sentences/s")
    }

    @Test("one short sentence: milliseconds per call")
    func latencySingle() throws {
        let model = try #require(BertTestModel.loaded).get()
        let batch = TokenBatch(unpadded: [[101, 7592, 2088, 2003, 1037, 3231, 102]])
        _ = try model.embed(tokenBatch: batch)
        var samples: [Double] = []
        for _ in 0..<200 {
            let start = ContinuousClock.now
            _ = try model.embed(tokenBatch: batch)
            let elapsed = ContinuousClock.now - start
            samples.append(Double(elapsed.components.attoseconds) * 1e-15 + Double(elapsed.components.seconds) * 1e3)
        }
        samples.sort()
        print("bert-embedding single 7-token sentence: p50 \(samples[100]) ms, p99 \(samples[197]) ms")
    }
}
