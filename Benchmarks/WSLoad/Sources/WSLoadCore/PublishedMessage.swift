/// The JSON body of one published message (the referee's workload W2): its sequence number
/// and its send time, padded with `x` to a fixed size so every message costs the same.
///
/// `{"seq":7,"t_ns":00000123456789012345,"type":"progress","model":"bench","pad":"xx…x"}`
///
/// `t_ns` is CLOCK_MONOTONIC at send time, zero-padded to 20 digits so the size does not
/// depend on the clock. Receivers find `seq` at a fixed place and compare the whole
/// payload byte for byte with what was published for it.
public enum PublishedMessage {
    private static let seqPrefix = Array(#"{"seq":"#.utf8)

    /// The body for `seq` sent at `sendTimeNanos`, `targetBytes` long (default 150) unless
    /// the fields alone are longer.
    public static func make(seq: Int, sendTimeNanos: UInt64, targetBytes: Int = 150) -> [UInt8] {
        let time = String(sendTimeNanos)
        let paddedTime = String(repeating: "0", count: max(0, 20 - time.count)) + time
        let head = #"{"seq":\#(seq),"t_ns":\#(paddedTime),"type":"progress","model":"bench","pad":""#
        let tail = #""}"#
        let padCount = max(0, targetBytes - head.utf8.count - tail.utf8.count)
        return Array((head + String(repeating: "x", count: padCount) + tail).utf8)
    }

    /// The `seq` of a body made by `make`, or nil if `payload` does not start like one.
    public static func seq(of payload: UnsafeRawBufferPointer) -> Int? {
        guard payload.count > seqPrefix.count else { return nil }
        for index in 0..<seqPrefix.count where payload[index] != seqPrefix[index] { return nil }
        var value = 0
        var index = seqPrefix.count
        while index < payload.count, (0x30...0x39).contains(payload[index]) {
            value = value * 10 + Int(payload[index] - 0x30)
            index += 1
            guard index - seqPrefix.count <= 9 else { return nil }
        }
        guard index > seqPrefix.count, index < payload.count, payload[index] == UInt8(ascii: ",") else { return nil }
        return value
    }
}
