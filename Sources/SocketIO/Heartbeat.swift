/// The heartbeat's timer state of one Engine.IO session, either transport (a value; the loop's timers cannot be cancelled, so each
/// armed timer carries a generation and does nothing once it is stale).
struct Heartbeat {
    private var generation = 0
    private(set) var isAwaitingPong = false

    mutating func arm() -> Int {
        generation += 1
        isAwaitingPong = false
        return generation
    }

    func isCurrent(_ armed: Int) -> Bool { armed == generation }
    mutating func pingSent() { isAwaitingPong = true }
    mutating func pongReceived() { isAwaitingPong = false }
    mutating func cancel() { generation += 1 }
}
