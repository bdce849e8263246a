#if canImport(Glibc)
import Glibc
#endif

/// When a listener stops accepting after `accept` fails, and for how long, as a value
/// (STYLE P1; `Acceptor` is its I/O shell).
///
/// Policy:
/// - Errors that belong to one pending connection (`accept(2)` passes pending network
///   errors on: `ENETDOWN`, `EPROTO`, `EHOSTUNREACH`...) are retried at once, as the man
///   page asks: they say nothing about the server.
/// - Any other error (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM` above all) pauses the
///   listener: with level-triggered epoll the listening socket stays readable while the
///   connection waits in the backlog, so retrying on the next readiness event would spin a
///   core. The pause starts at `initialPause` and doubles on each failure in a row up to
///   `maxPause`; one accepted connection ends the episode and resets it.
/// - The first failure of an episode is the one to report (log once per episode, not per
///   accept).
struct AcceptBackoff: Sendable, Equatable {
    /// The first pause of an episode. 10 ms: a burst of closes frees descriptors quickly.
    static let initialPause: Duration = .milliseconds(10)
    /// The longest pause. 1 s: a freed descriptor is used again within a second.
    static let maxPause: Duration = .seconds(1)

    /// What to do after `accept` failed.
    enum Decision: Sendable, Equatable {
        /// Try the next pending connection now.
        case retry
        /// Stop watching the listener for the duration; `startsEpisode` on the first pause
        /// after a success (or ever).
        case pause(Duration, startsEpisode: Bool)
    }

    /// The pause the next failure gets; nil outside an episode.
    private(set) var nextPause: Duration?
    /// Failures that paused the listener in the current episode.
    private(set) var pausesInEpisode = 0

    /// Whether the listener is in a failure episode (no success since the last pause).
    var isInEpisode: Bool { nextPause != nil }

    /// `accept` failed with `code`.
    mutating func acceptFailed(errno code: Int32) -> Decision {
        if Self.isConnectionError(code) { return .retry }
        let pause = nextPause ?? Self.initialPause
        let startsEpisode = nextPause == nil
        nextPause = min(pause * 2, Self.maxPause)
        pausesInEpisode = startsEpisode ? 1 : pausesInEpisode + 1
        return .pause(pause, startsEpisode: startsEpisode)
    }

    /// `accept` returned a connection: the episode (if any) is over.
    mutating func acceptSucceeded() {
        nextPause = nil
        pausesInEpisode = 0
    }

    /// The errors `accept(2)` reports for one pending connection rather than the server
    /// ("should be treated like EAGAIN by retrying").
    static func isConnectionError(_ code: Int32) -> Bool {
        switch code {
        case ENETDOWN, EPROTO, ENOPROTOOPT, EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH,
             ECONNABORTED, EPERM:
            true
        default:
            false
        }
    }
}
