import WSLoadCore

/// The one keep-alive HTTP/1.1 client that POSTs the messages. Closed loop, the next request
/// leaves once the previous response has arrived; open loop, requests leave on their schedule
/// and are pipelined behind unanswered ones (the server answers them in order).
final class Publisher {
    enum State {
        case connecting
        case open
        case failed
    }

    var fd: Int32 = -1
    var state = State.connecting
    /// Request bytes not yet written.
    var outbound: [UInt8] = []
    /// What was sent and which responses are still owed.
    var requests = PipelinedRequests()
    var inbound: [UInt8] = []
    /// Round trips of the POSTs (first byte handed to the socket → response), for the report.
    var roundTrips: [UInt64] = []

    /// Connected, with nothing unwritten and no response owed.
    var isIdle: Bool { state == .open && requests.outstanding == 0 }

    /// `{"recipients":N}` → N, or nil for any other body.
    static func recipients(in body: [UInt8]) -> Int? {
        let text = String(decoding: body, as: UTF8.self).filter { !$0.isWhitespace }
        guard text.hasPrefix(#"{"recipients":"#), text.hasSuffix("}") else { return nil }
        return Int(text.dropFirst(14).dropLast())
    }
}

@available(*, unavailable)
extension Publisher: Sendable {}
