@testable import HTTPServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The listener's pause policy after a failed `accept` (see `AcceptBackoff`).
struct AcceptBackoffTests {
    @Test("descriptor exhaustion pauses 10 ms, doubling to 1 s, and only the first pause starts an episode")
    func exhaustionDoublesToTheCap() {
        var backoff = AcceptBackoff()
        var pauses: [AcceptBackoff.Decision] = []
        for _ in 0..<9 { pauses.append(backoff.acceptFailed(errno: EMFILE)) }
        #expect(pauses == [
            .pause(.milliseconds(10), startsEpisode: true),
            .pause(.milliseconds(20), startsEpisode: false),
            .pause(.milliseconds(40), startsEpisode: false),
            .pause(.milliseconds(80), startsEpisode: false),
            .pause(.milliseconds(160), startsEpisode: false),
            .pause(.milliseconds(320), startsEpisode: false),
            .pause(.milliseconds(640), startsEpisode: false),
            .pause(.seconds(1), startsEpisode: false),
            .pause(.seconds(1), startsEpisode: false),
        ])
        #expect(backoff.isInEpisode)
        #expect(backoff.pausesInEpisode == 9)
    }

    @Test("an accepted connection ends the episode: the next failure starts again at 10 ms and is reported")
    func successResets() {
        var backoff = AcceptBackoff()
        _ = backoff.acceptFailed(errno: ENFILE)
        _ = backoff.acceptFailed(errno: ENFILE)
        backoff.acceptSucceeded()
        #expect(!backoff.isInEpisode)
        #expect(backoff.pausesInEpisode == 0)
        #expect(backoff.acceptFailed(errno: ENOBUFS) == .pause(.milliseconds(10), startsEpisode: true))
    }

    @Test("every resource error pauses", arguments: [EMFILE, ENFILE, ENOBUFS, ENOMEM])
    func resourceErrorsPause(code: Int32) {
        var backoff = AcceptBackoff()
        #expect(backoff.acceptFailed(errno: code) == .pause(.milliseconds(10), startsEpisode: true))
    }

    @Test("an unknown error pauses too, so nothing can spin the loop")
    func unknownErrorPauses() {
        var backoff = AcceptBackoff()
        #expect(backoff.acceptFailed(errno: EINVAL) == .pause(.milliseconds(10), startsEpisode: true))
    }

    @Test("a pending connection's own network error is retried at once and leaves no episode",
          arguments: [ENETDOWN, EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH,
                      ECONNABORTED, EPERM])
    func connectionErrorsRetry(code: Int32) {
        var backoff = AcceptBackoff()
        #expect(backoff.acceptFailed(errno: code) == .retry)
        #expect(!backoff.isInEpisode)
    }
}
