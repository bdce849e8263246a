import ModelLoading
import Synchronization
import WebSocket

/// The bridge from the loader's events to the rooms (DESIGN §1.3, §1.4): each event goes
/// to `model:<id>` and to `models`, wrapped in the envelope
/// `{"event":...,"room":...,"seq":n,"data":{...}}` with `seq` counting per room.
///
/// Delivery classes (STYLE §1 "rooms stay model-agnostic"): `model_load_progress` of model
/// X is replaceable under the key `progress:X`; every other event, and the snapshot a client
/// gets on joining, must be delivered. Each message is framed once (plain, deflated, and as
/// a Server-Sent Event) and the same bytes go to every subscriber. The last
/// `recentLimit` messages per room are kept so an SSE client can resume from
/// `Last-Event-ID`.
final class LoadEventRooms: Sendable {
    static let modelsRoom = RoomName("models")
    static let recentLimit = 512

    let hub: RoomHub
    private let loader: ModelLoader
    private let framing = RoomMessageFraming()
    private struct RoomLog {
        var seq = 0
        var recent: [(seq: Int, message: RoomMessage)] = []
    }
    private let logs = Mutex<[RoomName: RoomLog]>([:])
    private let subscription = Mutex<LoadSubscription?>(nil)

    init(loader: ModelLoader, hub: RoomHub) {
        self.loader = loader
        self.hub = hub
    }

    /// Starts forwarding the loader's events.
    func start() {
        let token = loader.subscribe { [weak self] event in self?.forward(event) }
        subscription.withLock { $0 = token }
    }

    static func room(forModel id: String) -> RoomName { RoomName("model:" + id) }

    /// Whether clients may join `room`: `models`; `model:<id>` of a known model; or any
    /// other name of 1–128 letters, digits and `:._-` (free rooms for admin messages, which
    /// have no snapshot).
    func allows(_ room: RoomName) -> Bool {
        if room == Self.modelsRoom { return true }
        if room.value.hasPrefix("model:") { return loader.snapshot.status(of: String(room.value.dropFirst(6))) != nil }
        return (1...128).contains(room.value.utf8.count) && room.value.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private func forward(_ event: LoadEvent) {
        let delivery: Delivery = event.kind == .progress ? .replaceable(key: "progress:" + event.modelID) : .mustDeliver
        publish(event.name, modelID: event.modelID, delivery: delivery, data: event.dataFields)
    }

    /// Tells both rooms of model `id` that it left the repository (`SIGHUP`): the last
    /// message of `model:<id>`, after the cancel or unload its removal caused;
    /// `{"event":"model_removed",...,"data":{"id":...}}`. New clients can no longer join
    /// that room.
    func modelRemoved(_ id: String) {
        publish("model_removed", modelID: id, delivery: .mustDeliver, data: [LoadEventField("id", .string(id))])
    }

    private func publish(_ name: String, modelID: String, delivery: Delivery, data: [LoadEventField]) {
        for room in [Self.room(forModel: modelID), Self.modelsRoom] {
            // Sequence, framing and publishing under the room's lock keep seq order equal
            // to delivery order even if two threads publish at once.
            logs.withLock { logs in
                var log = logs[room] ?? RoomLog()
                log.seq += 1
                let json = Self.envelope(event: name, room: room, seq: log.seq) { json in
                    EventJSON.write(data, into: &json)
                }
                let message = framing.make(json, delivery: delivery, eventID: log.seq, eventName: name, room: room,
                                           layeredPacket: Self.socketIOEvent(name, data: data))
                log.recent.append((log.seq, message))
                if log.recent.count > Self.recentLimit { log.recent.removeFirst(log.recent.count - Self.recentLimit) }
                logs[room] = log
                hub.publish(message, to: room)
            }
        }
    }

    /// The `snapshot` message for a client joining `room` now.
    func snapshot(for room: RoomName) -> RoomMessage? {
        guard let (seq, data) = snapshotData(for: room) else { return nil }
        let json = Self.envelope(event: "snapshot", room: room, seq: seq) { $0.raw(data) }
        return framing.make(json, delivery: .mustDeliver, eventID: seq, eventName: "snapshot", room: room)
    }

    /// The snapshot of `room` (the model's status, or `{"models":[...]}` for the models room)
    /// and the sequence it covers: the `data` of a `/ws` join's `snapshot` message and a
    /// Socket.IO join's ack. Nil for a room that is neither.
    func snapshotData(for room: RoomName) -> (sequence: Int, data: [UInt8])? {
        let snapshot = loader.snapshot
        return logs.withLock { logs -> (sequence: Int, data: [UInt8])? in
            let seq = logs[room]?.seq ?? 0
            var json = JSONWriter(capacity: 384)
            if room == Self.modelsRoom {
                json.beginObject()
                json.key("models"); json.beginArray()
                for status in snapshot.models { StatusJSON.writeModel(status, into: &json) }
                json.endArray()
                json.endObject()
            } else {
                guard room.value.hasPrefix("model:"), let status = snapshot.status(of: String(room.value.dropFirst(6))) else {
                    return nil
                }
                StatusJSON.writeModel(status, into: &json)
            }
            return (seq, json.bytes)
        }
    }

    /// The event as a Socket.IO EVENT in an Engine.IO message packet (DESIGN §1.10):
    /// `42["model_load_progress",{...data...}]`, the event's `data` as the one argument.
    /// The fields the frontends read come first, in this order, then the rest as in `/ws`.
    static func socketIOEvent(_ name: String, data: [LoadEventField]) -> [UInt8] {
        let leading = data.filter { socketIOLeadingKeys.contains($0.key) }
            .sorted { socketIOLeadingKeys.firstIndex(of: $0.key)! < socketIOLeadingKeys.firstIndex(of: $1.key)! }
        var json = JSONWriter(capacity: 320)
        json.beginArray()
        json.string(name)
        EventJSON.write(leading + data.filter { !socketIOLeadingKeys.contains($0.key) }, into: &json)
        json.endArray()
        return Array("42".utf8) + json.bytes
    }

    static let socketIOLeadingKeys = ["id", "step", "total", "phase", "message", "eta_seconds"]

    /// Messages of `room` after `seq` still held, or nil if some were already dropped.
    func messages(after seq: Int, in room: RoomName) -> [RoomMessage]? {
        logs.withLock { logs in
            guard let log = logs[room] else { return seq == 0 ? [] : nil }
            guard seq <= log.seq else { return nil }
            if seq == log.seq { return [] }
            guard let first = log.recent.first, first.seq <= seq + 1 else { return nil }
            return log.recent.filter { $0.seq > seq }.map(\.message)
        }
    }

    /// Publishes an admin message verbatim to `room` (`POST /v1/rooms/{room}/messages`).
    func publishVerbatim(_ json: [UInt8], to room: RoomName) -> Int {
        // Socket.IO clients in the room get it as a `message` event with the JSON as argument.
        hub.publish(framing.make(json, delivery: .mustDeliver, eventID: nil, eventName: nil,
                                 layeredPacket: Array(#"42["message","#.utf8) + json + [UInt8(ascii: "]")]), to: room)
    }

    private static func envelope(event: String, room: RoomName, seq: Int, data: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter(capacity: 384)
        json.beginObject()
        json.key("event"); json.string(event)
        json.key("room"); json.string(room.value)
        json.key("seq"); json.int(seq)
        json.key("data"); data(&json)
        json.endObject()
        return json.bytes
    }
}

/// Writes `LoadEvent.dataFields` as JSON.
enum EventJSON {
    static func write(_ fields: [LoadEventField], into json: inout JSONWriter) {
        json.beginObject()
        for field in fields {
            json.key(field.key)
            write(field.value, into: &json)
        }
        json.endObject()
    }

    private static func write(_ value: LoadEventValue, into json: inout JSONWriter) {
        switch value {
        case .string(let text): json.string(text)
        case .int(let number): json.int(number)
        case .double(let number): json.double(number)
        case .bool(let flag): json.bool(flag)
        case .null: json.null()
        case .object(let fields): write(fields, into: &json)
        }
    }
}
