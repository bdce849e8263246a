import CEpoll
import Glibc

/// One level-triggered epoll instance. A registration carries a 64-bit token chosen by the
/// caller (a subscriber's index, or `Poller.publisherToken`); `wait` reports tokens and
/// event bits. Single-threaded: the whole generator runs on one loop.
final class Poller {
    static let readable = EPOLLIN.rawValue
    static let writable = EPOLLOUT.rawValue
    static let failed = EPOLLERR.rawValue | EPOLLHUP.rawValue
    static let publisherToken = UInt64.max

    private let epollFD: Int32
    private let events: UnsafeMutableBufferPointer<epoll_event>

    init(maxEventsPerWait: Int = 1024) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        precondition(epollFD >= 0, "epoll_create1 failed: errno \(errno)")
        events = .allocate(capacity: maxEventsPerWait)
    }

    deinit {
        events.deallocate()
        close(epollFD)
    }

    func add(_ fd: Int32, interest: UInt32, token: UInt64) {
        control(EPOLL_CTL_ADD, fd, interest, token)
    }

    func modify(_ fd: Int32, interest: UInt32, token: UInt64) {
        control(EPOLL_CTL_MOD, fd, interest, token)
    }

    func remove(_ fd: Int32) {
        // Close would drop the registration too; removing first keeps the set exact if the
        // descriptor number is reused by the next connect.
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
    }

    /// Waits up to `timeoutMillis` and calls `handle(token, events)` for each ready fd.
    func wait(timeoutMillis: Int32, _ handle: (UInt64, UInt32) -> Void) {
        let count = epoll_wait(epollFD, events.baseAddress, Int32(events.count), timeoutMillis)
        guard count > 0 else {
            // EINTR is retried by the caller's loop; anything else means a broken poller.
            precondition(count == 0 || errno == EINTR, "epoll_wait failed: errno \(errno)")
            return
        }
        for index in 0..<Int(count) { handle(events[index].data.u64, events[index].events) }
    }

    private func control(_ op: Int32, _ fd: Int32, _ interest: UInt32, _ token: UInt64) {
        var event = epoll_event(events: interest, data: epoll_data_t(u64: token))
        let result = epoll_ctl(epollFD, op, fd, &event)
        precondition(result == 0, "epoll_ctl(\(op), \(fd)) failed: errno \(errno)")
    }
}

@available(*, unavailable)
extension Poller: Sendable {}
