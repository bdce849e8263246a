import Testing
import WSLoadCore

struct OpenLoopScheduleTests {
    @Test("publish i is due at start + i / rate, and dueCount agrees with dueTime at the edges")
    func dueTimes() {
        let schedule = OpenLoopSchedule(start: 1_000_000_000, rate: 50, count: 5)
        #expect((0..<5).map(schedule.dueTime) == [1_000_000_000, 1_020_000_000, 1_040_000_000, 1_060_000_000, 1_080_000_000])
        #expect(schedule.dueCount(at: 999_999_999) == 0)
        #expect(schedule.dueCount(at: 1_000_000_000) == 1)
        #expect(schedule.dueCount(at: 1_019_999_999) == 1)
        #expect(schedule.dueCount(at: 1_020_000_000) == 2)
        #expect(schedule.dueCount(at: 5_000_000_000) == 5)
    }

    @Test("dueCount matches a count of due times for a rate that is not a whole number of ns")
    func fractionalRate() {
        let schedule = OpenLoopSchedule(start: 7, rate: 3, count: 100)
        for now in stride(from: UInt64(0), through: 40_000_000_000, by: 333_333_331) {
            #expect(schedule.dueCount(at: now) == (0..<100).count { schedule.dueTime($0) <= now })
        }
    }

    @Test("the wait before the next publish is rounded down, 0 when due, nil when all are out")
    func waits() {
        let schedule = OpenLoopSchedule(start: 0, rate: 20, count: 2)
        #expect(schedule.waitMillis(next: 1, now: 0) == 50)
        #expect(schedule.waitMillis(next: 1, now: 49_500_000) == 0)
        #expect(schedule.waitMillis(next: 0, now: 10) == 0)
        #expect(schedule.waitMillis(next: 2, now: 0) == nil)
    }
}

struct PipelinedRequestsTests {
    @Test("responses answer requests oldest first, once their last byte is written")
    func order() {
        var requests = PipelinedRequests()
        requests.enqueue(byteCount: 100, sentAt: 10)
        requests.enqueue(byteCount: 50, sentAt: 20)
        #expect(requests.outstanding == 2 && requests.unwrittenBytes == 150)
        requests.wrote(99)
        #expect(requests.answer() == nil)  // the first request is not wholly written yet
        requests.wrote(1)
        #expect(requests.answer() == 10)
        #expect(requests.answer() == nil)
        requests.wrote(50)
        #expect(requests.answer() == 20)
        #expect(requests.outstanding == 0 && requests.unwrittenBytes == 0)
        #expect(requests.answer() == nil)  // a response nobody asked for
    }

    @Test("thousands of exchanges keep the bookkeeping small and right")
    func many() {
        var requests = PipelinedRequests()
        for index in 0..<5000 {
            requests.enqueue(byteCount: 10, sentAt: UInt64(index))
            requests.enqueue(byteCount: 10, sentAt: UInt64(index) + 100_000)
            requests.wrote(20)
            #expect(requests.answer() == UInt64(index))
            #expect(requests.answer() == UInt64(index) + 100_000)
        }
        #expect(requests.outstanding == 0 && requests.writtenBytes == 100_000)
    }
}
