/// What went right and wrong in one run. Every field except `handshakes`, `received`,
/// `pings` and `gaps` is an error.
struct Counters {
    var handshakes = 0
    var received = 0
    var pings = 0
    /// Messages that skipped a seq on their connection (the skipped ones count as missing).
    var gaps = 0

    var connectFailures = 0
    var handshakeRejected = 0
    var handshakeEOF = 0
    var frameErrors = 0
    var payloadErrors = 0
    var orderErrors = 0
    var binaryMessages = 0
    var closedByServer = 0
    var eofAfterOpen = 0
    var controlWriteFailures = 0
    var postFailures = 0
    var postIOErrors = 0
    var recipientMismatches = 0

    var handshakeFailures: Int { connectFailures + handshakeRejected + handshakeEOF }

    /// Everything that counts as an error, given the messages still missing and whether the
    /// run timed out.
    func errors(missing: Int, timedOut: Bool) -> Int {
        handshakeFailures + frameErrors + payloadErrors + orderErrors + binaryMessages + closedByServer
            + eofAfterOpen + controlWriteFailures + postFailures + postIOErrors + recipientMismatches
            + max(0, missing) + (timedOut ? 1 : 0)
    }
}
