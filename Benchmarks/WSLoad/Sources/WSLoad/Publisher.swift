/// The one keep-alive HTTP/1.1 client that POSTs the messages, one at a time (closed loop:
/// the next request leaves when the previous response has arrived).
final class Publisher {
    enum State {
        case connecting
        /// Connected and no request outstanding.
        case ready
        /// A request is partly written (waiting for EPOLLOUT).
        case sending
        case awaitingResponse
        case failed
    }

    var fd: Int32 = -1
    var state = State.connecting
    var request: [UInt8] = []
    var written = 0
    var inbound: [UInt8] = []
    /// Round trips of the POSTs, for the report.
    var roundTrips: [UInt64] = []
    var sentAt: UInt64 = 0

    /// `{"recipients":N}` → N, or nil for any other body.
    static func recipients(in body: [UInt8]) -> Int? {
        let text = String(decoding: body, as: UTF8.self).filter { !$0.isWhitespace }
        guard text.hasPrefix(#"{"recipients":"#), text.hasSuffix("}") else { return nil }
        return Int(text.dropFirst(14).dropLast())
    }
}

@available(*, unavailable)
extension Publisher: Sendable {}
