extension LoadEvent {
    /// The `data` object of the event on the wire (DESIGN §1.3), in key order: `id`,
    /// `state`, `attempt`, `step`, `total`, `phase`, `message`, `progress`, `bytes_loaded`,
    /// `bytes_total`, `eta_seconds`, then `file` and `bytes_per_second` during a download,
    /// `error` `{code, message, step}` for failures and
    /// `timings` `{step_seconds, total_seconds}` for completions.
    public var dataFields: [LoadEventField] {
        var fields: [LoadEventField] = [
            LoadEventField("id", .string(modelID)),
            LoadEventField("state", .string(state.rawValue)),
            LoadEventField("attempt", .int(Int64(attempt))),
            LoadEventField("step", step.map { .int(Int64($0.number)) } ?? .null),
            LoadEventField("total", .int(Int64(LoadStep.total))),
            LoadEventField("phase", step.map { .string($0.phase.rawValue) } ?? .null),
            LoadEventField("message", step.map { .string($0.message) } ?? .null),
            LoadEventField("progress", .double(progress)),
            LoadEventField("bytes_loaded", .int(bytesLoaded)),
            LoadEventField("bytes_total", .int(bytesTotal)),
            LoadEventField("eta_seconds", etaSeconds.map { .int(Int64($0)) } ?? .null),
        ]
        if let transfer {
            fields.append(LoadEventField("file", .string(transfer.file)))
            fields.append(LoadEventField("bytes_per_second", .int(Int64(transfer.bytesPerSecond.rounded()))))
        }
        if let failure {
            fields.append(LoadEventField("error", .object([
                LoadEventField("code", .string(failure.code)),
                LoadEventField("message", .string(failure.message)),
                LoadEventField("step", failure.step.map { .int(Int64($0.number)) } ?? .null),
            ])))
        }
        if let timings {
            fields.append(LoadEventField("timings", .object([
                LoadEventField("step_seconds", .object(LoadStep.allCases.map {
                    LoadEventField(String($0.number), .double(timings.seconds(of: $0)))
                })),
                LoadEventField("total_seconds", .double(timings.totalSeconds)),
            ])))
        }
        return fields
    }
}
