import Glibc
import Logging
import Synchronization
import Testing

@testable import ModelServer

struct KeyValueLogHandlerTests {
    /// Collects the lines a handler writes, in order.
    private final class LineCapture: Sendable {
        private let storage = Mutex<[String]>([])
        var lines: [String] { storage.withLock { $0 } }
        var output: KeyValueLogHandler.Output { .init { line in self.storage.withLock { $0.append(line) } } }
    }

    private func makeLogger(
        _ capture: LineCapture,
        level: Logger.Level = .info,
        format: LogFormat = .keyValue,
        journal: Bool = false
    ) -> Logger {
        let handler = KeyValueLogHandler(
            logLevel: level, format: format, prefixesSyslogPriority: journal, output: capture.output)
        return Logger(label: "test") { _ in handler }
    }

    @Test("the listening line appears literally after ts and level")
    func listeningLineIsLiteral() throws {
        let capture = LineCapture()
        makeLogger(capture).info("listening", metadata: [LogKey.address: "127.0.0.1:8080"])
        let line = try #require(capture.lines.first)
        #expect(capture.lines.count == 1)
        #expect(line.hasPrefix("ts="))
        #expect(line.hasSuffix(" level=info msg=listening address=127.0.0.1:8080\n"))
    }

    @Test("ts is UTC with milliseconds in RFC 3339 form")
    func timestampShape() throws {
        let capture = LineCapture()
        makeLogger(capture).info("x")
        let line = try #require(capture.lines.first)
        let ts = String(line.dropFirst(3).prefix { $0 != " " })
        #expect(ts.count == "2026-11-22T03:54:01.123Z".count)
        #expect(ts.hasSuffix("Z"))
        #expect(Array(ts)[10] == "T" && Array(ts)[19] == ".")
    }

    @Test("timestamps format known instants, including leap days and before 1970")
    func formatsKnownInstants() {
        #expect(
            KeyValueLogHandler.formatTimestamp(secondsSinceEpoch: 1_795_319_641, nanoseconds: 123_456_789)
                == "2026-11-22T03:54:01.123Z")
        #expect(
            KeyValueLogHandler.formatTimestamp(secondsSinceEpoch: 951_868_799, nanoseconds: 999_999_999)
                == "2000-02-29T23:59:59.999Z")
        #expect(KeyValueLogHandler.formatTimestamp(secondsSinceEpoch: -1, nanoseconds: 0) == "1969-12-31T23:59:59.000Z")
        #expect(KeyValueLogHandler.formatTimestamp(secondsSinceEpoch: 0, nanoseconds: 0) == "1970-01-01T00:00:00.000Z")
    }

    @Test(
        "values are quoted only when they contain a space, =, \" or a control character",
        arguments: [
            ("plain", "plain"),
            ("127.0.0.1:8080", "127.0.0.1:8080"),
            ("back\\slash", "back\\slash"),
            ("café", "café"),
            ("two words", "\"two words\""),
            ("a=b", "\"a=b\""),
            ("say \"hi\"", "\"say \\\"hi\\\"\""),
            ("line\nbreak", "\"line\\nbreak\""),
            ("tab\there", "\"tab\\there\""),
            ("bell\u{7}", "\"bell\\u{7}\""),
            ("quote\" and \\", "\"quote\\\" and \\\\\""),
            ("", "\"\""),
        ]
    )
    func quotesOnlyWhenNeeded(value: String, expected: String) {
        #expect(KeyValueLogHandler.quotedIfNeeded(value) == expected)
    }

    @Test("a message with spaces is quoted like any value")
    func quotesMessage() throws {
        let capture = LineCapture()
        makeLogger(capture, journal: true).warning("model failed to load", metadata: ["model": "bert"])
        #expect(capture.lines == ["<4>level=warning msg=\"model failed to load\" model=bert\n"])
    }

    @Test("metadata keys are sorted and the entry's metadata overrides the handler's")
    func metadataSortedAndMerged() {
        let capture = LineCapture()
        var logger = makeLogger(capture, journal: true)
        logger[metadataKey: "conn"] = "7"
        logger[metadataKey: "status"] = "200"
        logger.info("request", metadata: ["status": "431", "peer": "10.0.0.1:5000"])
        #expect(capture.lines == ["<6>level=info msg=request conn=7 peer=10.0.0.1:5000 status=431\n"])
    }

    @Test("an entry's error is logged under the error key")
    func logsAttachedError() {
        struct Broken: Error, CustomStringConvertible { var description: String { "disk gone" } }
        let capture = LineCapture()
        makeLogger(capture, journal: true).error("load failed", error: Broken())
        #expect(capture.lines == ["<3>level=error msg=\"load failed\" error=\"disk gone\"\n"])
    }

    @Test("under the journal each line carries its syslog priority and no ts")
    func journalPrefixes() {
        let capture = LineCapture()
        let logger = makeLogger(capture, level: .trace, journal: true)
        logger.trace("a")
        logger.debug("b")
        logger.info("c")
        logger.notice("d")
        logger.warning("e")
        logger.error("f")
        logger.critical("g")
        #expect(
            capture.lines == [
                "<7>level=trace msg=a\n", "<7>level=debug msg=b\n", "<6>level=info msg=c\n",
                "<5>level=notice msg=d\n", "<4>level=warning msg=e\n", "<3>level=error msg=f\n",
                "<2>level=critical msg=g\n",
            ])
    }

    @Test("entries below the handler's level are not written")
    func filtersByLevel() {
        let capture = LineCapture()
        let logger = makeLogger(capture, level: .notice, journal: true)
        logger.info("hidden")
        logger.notice("shown")
        #expect(capture.lines == ["<5>level=notice msg=shown\n"])
    }

    @Test("json format writes one object per line with escaped strings")
    func jsonLines() throws {
        let capture = LineCapture()
        makeLogger(capture, format: .json, journal: true).info(
            "listening\n", metadata: [LogKey.address: "127.0.0.1:8080", "ids": ["a", "b\"c"]])
        #expect(
            capture.lines == [
                "<6>{\"level\":\"info\",\"msg\":\"listening\\n\",\"address\":\"127.0.0.1:8080\",\"ids\":[\"a\",\"b\\\"c\"]}\n"
            ])
    }

    @Test("json format starts with ts outside the journal")
    func jsonHasTimestamp() throws {
        let capture = LineCapture()
        makeLogger(capture, format: .json).info("x")
        let line = try #require(capture.lines.first)
        #expect(line.hasPrefix("{\"ts\":\""))
        #expect(line.hasSuffix("\"level\":\"info\",\"msg\":\"x\"}\n"))
    }

    @Test("JSON control characters use \\u00XX escapes")
    func jsonControlEscapes() {
        let line = KeyValueLogHandler.encodeLine(
            level: .info, message: "a\u{1}", metadata: [:], timestamp: nil, format: .json, prefixesSyslogPriority: false)
        #expect(line == "{\"level\":\"info\",\"msg\":\"a\\u0001\"}\n")
    }

    @Test("a key with a space or = cannot break the line's grammar")
    func sanitizesKeys() {
        let line = KeyValueLogHandler.encodeLine(
            level: .info, message: "m", metadata: ["bad key=": "v"], timestamp: nil, format: .keyValue,
            prefixesSyslogPriority: false)
        #expect(line == "level=info msg=m bad_key_=v\n")
    }

    @Test("JOURNAL_STREAM counts only when it names stderr's device and inode")
    func detectsJournalByDeviceAndInode() {
        var status = stat()
        #expect(fstat(STDERR_FILENO, &status) == 0)
        let matching = "\(status.st_dev):\(status.st_ino)"
        #expect(KeyValueLogHandler.isStandardErrorJournal(environment: ["JOURNAL_STREAM": matching]))
        #expect(!KeyValueLogHandler.isStandardErrorJournal(environment: [:]))
        #expect(!KeyValueLogHandler.isStandardErrorJournal(environment: ["JOURNAL_STREAM": "garbage"]))
        #expect(
            !KeyValueLogHandler.isStandardErrorJournal(
                environment: ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino + 1)"]))
    }
}
