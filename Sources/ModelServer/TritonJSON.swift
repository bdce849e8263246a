import ModelLoading
import ModelRuntime

/// The JSON of Triton's repository index and of OIP model metadata.
enum TritonJSON {
    /// Triton's state name for ours: `READY`, `LOADING`, `UNLOADING`, else `UNAVAILABLE`.
    static func tritonState(_ state: ModelState) -> String {
        switch state {
        case .ready: "READY"
        case .queued, .loading: "LOADING"
        case .unloading: "UNLOADING"
        case .unloaded, .failed, .cancelled: "UNAVAILABLE"
        }
    }

    static func reason(_ status: ModelStatus) -> String {
        if let failure = status.failure { return "\(failure.code): \(failure.message)" }
        switch status.state {
        case .cancelled: return "load cancelled"
        case .unloaded: return "unloaded"
        default: return ""
        }
    }

    /// The index: one entry per model, Triton's four fields first, then our progress fields.
    static func index(_ snapshot: RegistrySnapshot, readyOnly: Bool) -> [UInt8] {
        var json = JSONWriter(capacity: 256 * max(1, snapshot.models.count))
        json.beginArray()
        for status in snapshot.models where !readyOnly || status.state == .ready {
            json.beginObject()
            json.key("name"); json.string(status.id)
            json.key("version"); json.string("1")
            json.key("state"); json.string(tritonState(status.state))
            json.key("reason"); json.string(reason(status))
            json.key("modeld_state"); json.string(status.state.rawValue)
            StatusJSON.writeProgressFields(step: status.step, progress: status.progress, bytesLoaded: status.bytesLoaded,
                                           bytesTotal: status.bytesTotal, etaSeconds: status.etaSeconds, into: &json)
            json.endObject()
        }
        json.endArray()
        return json.bytes
    }

    /// Whether an index request body asks for ready models only (`{"ready":true}`).
    static func asksReadyOnly(_ body: [UInt8]) -> Bool {
        let text = String(decoding: body, as: UTF8.self).filter { !$0.isWhitespace }
        return text.contains(#""ready":true"#)
    }

    /// OIP model metadata: name, versions, platform, and the tensors of an embedding model.
    static func modelMetadata(_ status: ModelStatus, model: (any LoadedModel)?) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("name"); json.string(status.id)
        json.key("versions"); json.beginArray(); json.string("1"); json.endArray()
        json.key("platform"); json.string("modeld")
        json.key("state"); json.string(tritonState(status.state))
        json.key("inputs"); json.beginArray()
        if model is any EmbeddingModel {
            json.beginObject()
            json.key("name"); json.string("text")
            json.key("datatype"); json.string("BYTES")
            json.key("shape"); json.beginArray(); json.int(-1); json.endArray()
            json.endObject()
        }
        json.endArray()
        json.key("outputs"); json.beginArray()
        if let embedding = model as? any EmbeddingModel {
            json.beginObject()
            json.key("name"); json.string("embedding")
            json.key("datatype"); json.string("FP32")
            json.key("shape"); json.beginArray(); json.int(-1); json.int(embedding.dimension); json.endArray()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
