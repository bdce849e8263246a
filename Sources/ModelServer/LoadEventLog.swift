import Logging
import ModelLoading

/// Turns every load event into one structured log line (DESIGN §1.3, §1.9), so a log
/// pipeline can rebuild a load's timeline:
/// `msg="Loading model weights..." event=model_load_progress model=minilm phase=loading_model step=5/9 ...`.
struct LoadEventLog: Sendable {
    let logger: Logger

    func log(_ event: LoadEvent) {
        var metadata: Logger.Metadata = [LogKey.event: "\(event.name)", LogKey.model: "\(event.modelID)"]
        if let step = event.step {
            metadata[LogKey.step] = "\(step.number)/\(LoadStep.total)"
            metadata[LogKey.phase] = "\(step.phase.rawValue)"
        }
        if event.kind == .progress || event.kind == .started {
            metadata[LogKey.progress] = "\(Int((event.progress * 100).rounded()))%"
            if event.bytesTotal > 0 { metadata[LogKey.bytes] = "\(event.bytesLoaded)/\(event.bytesTotal)" }
            if let eta = event.etaSeconds { metadata[LogKey.etaSeconds] = "\(eta)" }
        }
        if event.attempt > 1 { metadata[LogKey.attempt] = "\(event.attempt)" }
        if let failure = event.failure {
            metadata[LogKey.error] = "\(failure.code)"
            metadata[LogKey.reason] = "\(failure.message)"
        }
        if let timings = event.timings {
            metadata[LogKey.loadSeconds] = "\((timings.totalSeconds * 1000).rounded() / 1000)"
        }
        let message = event.kind == .progress ? (event.step?.message ?? event.name) : event.name
        logger.log(level: event.kind == .failed ? .warning : .info, "\(message)", metadata: metadata)
    }
}
