import ModelLoading

/// The JSON shapes of model status, shared by probes, `/v1/models` and events, so a
/// progress bar reads the same fields everywhere (DESIGN §1.1, §1.3).
enum StatusJSON {
    /// Writes the fields of one model's status (without the surrounding braces' owner).
    static func writeModel(_ status: ModelStatus, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(status.id)
        json.key("state"); json.string(status.state.rawValue)
        json.key("required"); json.bool(status.required)
        writeProgressFields(step: status.step, progress: status.progress, bytesLoaded: status.bytesLoaded,
                            bytesTotal: status.bytesTotal, etaSeconds: status.etaSeconds, into: &json)
        json.key("attempt"); json.int(status.attempt)
        if let transfer = status.transfer, status.state == .loading {
            json.key("file"); json.string(transfer.file)
            json.key("bytes_per_second"); json.int(Int(transfer.bytesPerSecond.rounded()))
        }
        if let failure = status.failure {
            json.key("error"); writeFailure(failure, into: &json)
        }
        if let timings = status.timings {
            json.key("load_seconds"); json.double(timings.totalSeconds, fractionDigits: 3)
        }
        json.endObject()
    }

    /// The progress fields of DESIGN §1.3 (`step`, `total`, `phase`, `message`, `progress`,
    /// `bytes_loaded`, `bytes_total`, `eta_seconds`); step-derived fields are null before step 1.
    static func writeProgressFields(step: LoadStep?, progress: Double, bytesLoaded: Int64, bytesTotal: Int64,
                                    etaSeconds: Int?, into json: inout JSONWriter) {
        json.key("step"); json.optionalInt(step?.number)
        json.key("total"); json.int(LoadStep.total)
        json.key("phase"); json.optionalString(step?.phase.rawValue)
        json.key("message"); json.optionalString(step?.message)
        json.key("progress"); json.double(progress)
        json.key("bytes_loaded"); json.int(bytesLoaded)
        json.key("bytes_total"); json.int(bytesTotal)
        json.key("eta_seconds"); json.optionalInt(etaSeconds)
    }

    /// `{"code":...,"message":...,"step":n,"phase":...}`.
    static func writeFailure(_ failure: LoadFailure, into json: inout JSONWriter) {
        json.beginObject()
        json.key("code"); json.string(failure.code)
        json.key("message"); json.string(failure.message)
        json.key("step"); json.optionalInt(failure.step?.number)
        json.key("phase"); json.optionalString(failure.step?.phase.rawValue)
        json.endObject()
    }

    /// One model's status as a complete JSON document.
    static func model(_ status: ModelStatus) -> [UInt8] {
        var json = JSONWriter()
        writeModel(status, into: &json)
        return json.bytes
    }

    /// `{"models":[...]}` for `GET /v1/models`.
    static func modelList(_ snapshot: RegistrySnapshot) -> [UInt8] {
        var json = JSONWriter(capacity: 256 * max(1, snapshot.models.count))
        json.beginObject()
        json.key("models")
        json.beginArray()
        for status in snapshot.models { writeModel(status, into: &json) }
        json.endArray()
        json.endObject()
        return json.bytes
    }
}
