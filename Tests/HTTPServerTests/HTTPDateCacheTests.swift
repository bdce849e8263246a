import HTTPServer
import Testing

struct HTTPDateCacheTests {
    private func line(_ cache: HTTPDateCache) -> String {
        String(decoding: cache.headerLine, as: UTF8.self)
    }

    @Test("the RFC 9110 §5.6.7 example instant formats as its IMF-fixdate")
    func rfcExample() {
        var cache = HTTPDateCache()
        cache.refresh(epochSeconds: 784_111_777)
        #expect(line(cache) == "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
        #expect(cache.headerLine.count == 37)
    }

    @Test("known instants: the epoch, a leap day, 2^31 seconds and the last four-digit year")
    func knownInstants() {
        let cases: [(Int64, String)] = [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (2_147_483_648, "Tue, 19 Jan 2038 03:14:08 GMT"),
            (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
        ]
        for (seconds, date) in cases {
            #expect(line(HTTPDateCache(epochSeconds: seconds)) == "Date: \(date)\r\n")
        }
    }

    @Test("instants outside 1970...9999 are clamped")
    func clamped() {
        #expect(line(HTTPDateCache(epochSeconds: -5)) == "Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n")
        #expect(line(HTTPDateCache(epochSeconds: .max)) == "Date: Fri, 31 Dec 9999 23:59:59 GMT\r\n")
    }

    @Test("refresh rewrites the line in place when the second changes")
    func refreshInPlace() {
        var cache = HTTPDateCache(epochSeconds: 784_111_777)
        let before = cache.headerLine.withUnsafeBufferPointer { $0.baseAddress }
        cache.refresh(epochSeconds: 784_111_778)
        #expect(line(cache) == "Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n")
        #expect(cache.headerLine.withUnsafeBufferPointer { $0.baseAddress } == before)
    }

    @Test("every midnight from 1970 to 2100 matches a day-by-day calendar count")
    func everyDayMatchesCalendar() {
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekdayNames = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        var cache = HTTPDateCache()
        var (year, month, day, dayCount) = (1970, 1, 1, 0)
        while year <= 2100 {
            cache.refresh(epochSeconds: Int64(dayCount) * 86_400 + 86_399)
            let dd = day < 10 ? "0\(day)" : "\(day)"
            let expected = "Date: \(weekdayNames[dayCount % 7]), \(dd) \(monthNames[month - 1]) \(year) 23:59:59 GMT\r\n"
            if line(cache) != expected {
                Issue.record("day \(dayCount): \(line(cache)) != \(expected)")
                return
            }
            let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let monthLength = [31, isLeap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            dayCount += 1
            day += 1
            if day > monthLength { (day, month) = (1, month + 1) }
            if month > 12 { (month, year) = (1, year + 1) }
        }
    }
}
