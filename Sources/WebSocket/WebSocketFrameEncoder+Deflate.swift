extension WebSocketFrameEncoder {
    /// Appends a whole server message as one unfragmented frame, compressed with RSV1 set
    /// (RFC 7692 §6) when a deflater is given and the payload is worth compressing.
    ///
    /// The result depends only on the payload, the deflater's window and `configuration`,
    /// never on earlier messages (server_no_context_takeover), so a broadcast encoded once
    /// is valid for every subscriber that agreed the same window.
    /// - Parameters:
    ///   - opcode: `.text` or `.binary`.
    ///   - deflater: the loop's deflater for the connection's `serverMaxWindowBits`, or nil
    ///     when the connection did not negotiate permessage-deflate.
    public static func encodeMessage(
        opcode: WebSocketFrame.Opcode, payload: [UInt8], deflater: Deflater?,
        configuration: PerMessageDeflateConfiguration, into out: inout [UInt8]
    ) {
        precondition(opcode == .text || opcode == .binary, "a message is text or binary")
        guard let deflater, configuration.shouldCompress(byteCount: payload.count) else {
            encode(opcode: opcode, payload: payload, into: &out)
            return
        }
        encode(opcode: opcode, payload: deflater.compress(payload), rsv1: true, into: &out)
    }
}
