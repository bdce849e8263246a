import Foundation
import ModelFormats
import ModelLoading
import Testing

struct MemoryLedgerTests {
    @Test("reservations add up against the budget; a refusal reports what was in use")
    func reservationsCountAgainstTheBudget() throws {
        let ledger = MemoryLedger()
        let first = try ledger.reserve(600, for: "a", budget: 1_000, otherBytesInUse: 100).get()
        #expect(ledger.reservedBytes(for: "a") == 600)
        #expect(ledger.reserve(301, for: "b", budget: 1_000, otherBytesInUse: 100) == .failure(.init(bytes: 700)))
        let second = try ledger.reserve(300, for: "b", budget: 1_000, otherBytesInUse: 100).get()
        #expect(ledger.totalReservedBytes == 900)
        ledger.release(first)
        ledger.release(first)  // a second release changes nothing
        #expect(ledger.totalReservedBytes == 300 && ledger.reservedBytes(for: "a") == 0)
        ledger.release(second)
        #expect(ledger.totalReservedBytes == 0)
    }

    @Test("nothing fits when the bytes in use already exceed the budget, and huge sizes do not overflow")
    func overBudgetAndOverflow() {
        let ledger = MemoryLedger()
        #expect(ledger.reserve(0, for: "a", budget: 10, otherBytesInUse: 11) == .failure(.init(bytes: 11)))
        #expect(ledger.reserve(.max, for: "a", budget: .max, otherBytesInUse: 1) == .failure(.init(bytes: 1)))
        #expect(ledger.totalReservedBytes == 0)
    }

    @Test("two loads racing for a budget that fits one: exactly one wins")
    func concurrentReservationsNeverOvercommit() async {
        let ledger = MemoryLedger()
        let wins = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<64 {
                group.addTask {
                    (try? ledger.reserve(600, for: "m\(index)", budget: 1_000, otherBytesInUse: 0).get()) != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(wins == 1)
        #expect(ledger.totalReservedBytes == 600)
    }

    @Test("the peak counts raw + f32 while step 7 runs, and twice the f32 size for half-precision files")
    func peakFollowsTheDTypes() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("f32.safetensors", WeightsFixture.singleTensor(shape: [4, 8], dtype: "F32"))
        let f32 = PeakMemoryEstimate.of(weightsFiles: [folder.path + "/f32.safetensors"], marginBytes: 7)
        let f32File = try #require(FileManager.default.attributesOfItem(atPath: folder.path + "/f32.safetensors")[.size] as? Int)
        #expect(f32.fileBytes == f32File && f32.f32Bytes == 128)
        #expect(f32.peakBytes == f32File + 128 + 7)
        let half = PeakMemoryEstimate(fileBytes: 1_000, f32Bytes: 2_000, marginBytes: 0)
        #expect(half.peakBytes == 4_000)
        // An unreadable header: assume F32 filling the file (step 4 will report it).
        try folder.write("junk.safetensors", [UInt8](repeating: 0xFF, count: 100))
        let junk = PeakMemoryEstimate.of(weightsFiles: [folder.path + "/junk.safetensors"], marginBytes: 0)
        #expect(junk.fileBytes == 100 && junk.f32Bytes == 100 && junk.peakBytes == 200)
        #expect(PeakMemoryEstimate(fileBytes: .max, f32Bytes: 1, marginBytes: 0).peakBytes == .max)
    }
}
