import ModelLoading

/// The one-line loading summary sent as systemd's `STATUS=` (what `systemctl status` shows).
///
/// Format: the loading models as `id step/total pct% eta Ns` (the ETA only when known; at most
/// `listedLimit` of them, then `+N more`), then `N queued` when loads wait, then the counts
/// `N ready, N failed`, separated by `; `. With nothing loading or queued the first part is
/// `idle`:
///
///     loading minilm 5/9 61% eta 4s; 1 ready, 0 failed
///     loading a 2/9 12%, b 7/9 80% eta 1s; 1 queued; 0 ready, 1 failed
///     idle; 1 ready, 0 failed
enum SystemdStatusLine {
    /// Loading models listed by name before the rest are counted, so the line stays short.
    static let listedLimit = 3

    /// The summary of `snapshot`.
    static func make(_ snapshot: RegistrySnapshot) -> String {
        let loading = snapshot.models.filter { $0.state == .loading }
        let queued = snapshot.models.count { $0.state == .queued }
        let ready = snapshot.models.count { $0.state == .ready }
        let failed = snapshot.models.count { $0.state == .failed }
        var parts: [String] = []
        if !loading.isEmpty {
            var listed = loading.prefix(listedLimit).map(describe).joined(separator: ", ")
            if loading.count > listedLimit { listed += " +\(loading.count - listedLimit) more" }
            parts.append("loading " + listed)
        }
        if queued > 0 { parts.append("\(queued) queued") }
        if parts.isEmpty { parts.append("idle") }
        parts.append("\(ready) ready, \(failed) failed")
        return parts.joined(separator: "; ")
    }

    /// `id step/total pct%` plus ` eta Ns` when the ETA is known; step 0 before step 1 began.
    private static func describe(_ model: ModelStatus) -> String {
        let percent = Int((min(max(model.progress, 0), 1) * 100).rounded(.down))
        var text = "\(model.id) \(model.step?.number ?? 0)/\(LoadStep.total) \(percent)%"
        if let eta = model.etaSeconds { text += " eta \(eta)s" }
        return text
    }
}
