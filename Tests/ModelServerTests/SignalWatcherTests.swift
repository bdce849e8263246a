import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import ModelServer

/// The signal pipe is one per process, so these run one at a time, on SIGUSR1/SIGUSR2
/// (which nothing else in the test process uses).
@Suite(.serialized, .timeLimit(.minutes(1))) struct SignalWatcherTests {
    @Test func signalsSentFromOtherThreadsArriveInTheStream() async throws {
        let watcher = try SignalWatcher([SIGUSR1, SIGUSR2])
        var iterator = watcher.signals.makeAsyncIterator()
        // Process-directed signals, sent from threads that are neither the reader nor this
        // task's: the kernel picks the thread that runs the handler.
        let senders = (0..<4).map { index in
            Thread { kill(getpid(), index % 2 == 0 ? SIGUSR1 : SIGUSR2) }
        }
        var received: [Int32] = []
        for sender in senders {
            sender.start()
            // One at a time: the kernel merges a signal that is sent again while pending.
            received.append(try #require(await iterator.next()))
        }
        #expect(received == [SIGUSR1, SIGUSR2, SIGUSR1, SIGUSR2])
        watcher.stop()
        #expect(await iterator.next() == nil)
    }

    @Test func aSecondWatcherIsRefusedUntilTheFirstStops() throws {
        let first = try SignalWatcher([SIGUSR1])
        #expect(throws: SignalWatcherError.self) { try SignalWatcher([SIGUSR2]) }
        first.stop()
        let second = try SignalWatcher([SIGUSR2])
        second.stop()
    }

    @Test func stoppedSignalsAreIgnored() async throws {
        let watcher = try SignalWatcher([SIGUSR1])
        watcher.stop()
        var action = sigaction()
        sigaction(SIGUSR1, nil, &action)
        #expect(unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self))
        kill(getpid(), SIGUSR1)  // would end the test process if it were not ignored
        var iterator = watcher.signals.makeAsyncIterator()
        #expect(await iterator.next() == nil)
    }
}
