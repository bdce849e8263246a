import TestSupport
import Testing

struct ByteSplittingTests {
    @Test("a seeded generator repeats its sequence and seeds differ")
    func seededRepeatable() {
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        var other = SeededGenerator(seed: 8)
        let a = (0..<4).map { _ in first.next() }
        #expect(a == (0..<4).map { _ in second.next() })
        #expect(a != (0..<4).map { _ in other.next() })
    }

    @Test("every split delivers ascending prefixes ending with the whole input")
    func prefixesCoverInput() {
        let bytes = Array(0..<50).map(UInt8.init)
        var distinct = Set<[Int]>()
        for split in ByteSplit.standard() {
            let lengths = split.prefixLengths(count: bytes.count)
            #expect(lengths.last == bytes.count)
            #expect(zip(lengths, lengths.dropFirst()).allSatisfy { $0 < $1 })
            #expect(lengths.first ?? 0 > 0)
            #expect(split.chunks(of: bytes).flatMap { $0 } == bytes)
            distinct.insert(lengths)
        }
        #expect(ByteSplit.standard().count == 22)
        #expect(distinct.count >= 20)
    }

    @Test("feeding stops at the first final output and reports its prefix length")
    func feedStopsAtFinal() {
        let bytes = Array("abcdef".utf8)
        let outcome = ByteSplitting.feed(bytes, split: .byteByByte, isFinal: { $0 >= 3 }) { $0.count }
        #expect(outcome == FeedOutcome(output: 3, prefixLength: 3))
    }
}
