/// The `Date` header line, formatted as an IMF-fixdate (RFC 9110 §5.6.7) at most once per
/// second.
///
/// A loop owns one cache and calls `refresh(epochSeconds:)` with the wall clock before it
/// writes responses; within one second every response copies the same 37 bytes. The line
/// is rewritten in place, so refreshing never allocates. Until the first refresh the line
/// shows the epoch (1970-01-01), so the owner must refresh before the first response.
public struct HTTPDateCache: Sendable {
    /// `"Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"`: always 37 bytes.
    public private(set) var headerLine: [UInt8]
    private var epochSeconds: Int64

    /// Latest instant with a four-digit year: 9999-12-31T23:59:59Z, in seconds since the epoch.
    private static let latestEpochSeconds: Int64 = 253_402_300_799
    private static let weekdays = Array("SunMonTueWedThuFriSat".utf8)
    private static let months = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    /// A cache showing the epoch; call `refresh(epochSeconds:)` before use.
    public init() {
        self.init(epochSeconds: 0)
    }

    /// A cache showing `epochSeconds` (seconds since 1970-01-01T00:00:00Z).
    public init(epochSeconds: Int64) {
        headerLine = Array("Date: Thu, 01 Jan 1970 00:00:00 GMT\r\n".utf8)
        self.epochSeconds = 0
        format(Self.clamped(epochSeconds))
    }

    /// Rewrites `headerLine` in place if the second changed (no allocation while the line is
    /// not shared). Times before the epoch or after year 9999 are clamped to those bounds.
    public mutating func refresh(epochSeconds: Int64) {
        let seconds = Self.clamped(epochSeconds)
        if seconds != self.epochSeconds { format(seconds) }
    }

    private static func clamped(_ seconds: Int64) -> Int64 {
        min(max(seconds, 0), latestEpochSeconds)
    }

    /// Fills the fixed positions of "Date: www, dd mmm yyyy hh:mm:ss GMT\r\n".
    private mutating func format(_ seconds: Int64) {
        epochSeconds = seconds
        let days = Int(seconds / 86_400)
        let secondOfDay = Int(seconds % 86_400)
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        // 1970-01-01 was a Thursday (index 4, counting from Sunday).
        let weekday = (days + 4) % 7
        for offset in 0..<3 {
            headerLine[6 + offset] = Self.weekdays[weekday * 3 + offset]
            headerLine[14 + offset] = Self.months[(month - 1) * 3 + offset]
        }
        writeDigits(day, count: 2, at: 11)
        writeDigits(year, count: 4, at: 18)
        writeDigits(secondOfDay / 3600, count: 2, at: 23)
        writeDigits(secondOfDay / 60 % 60, count: 2, at: 26)
        writeDigits(secondOfDay % 60, count: 2, at: 29)
    }

    private mutating func writeDigits(_ value: Int, count: Int, at position: Int) {
        var rest = value
        for index in stride(from: position + count - 1, through: position, by: -1) {
            headerLine[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    /// The proleptic Gregorian date of a day count from 1970-01-01, for non-negative counts
    /// (Howard Hinnant's `civil_from_days`, with eras of 400 years).
    static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days from 0000-03-01
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 is March
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
