import Foundation
import ModelHub

/// How `modeld pull` shows progress: a bar redrawn in place on a terminal, else one
/// `key=value` line per second (logs, CI).
struct PullProgressDisplay {
    let isTerminal: Bool
    private var lastLine: ContinuousClock.Instant?
    private var latest: HubProgress?

    init(isTerminal: Bool) {
        self.isTerminal = isTerminal
    }

    /// Shows a progress update (the bar at once; a line at most once per second).
    mutating func show(_ progress: HubProgress) {
        latest = progress
        if isTerminal {
            Self.write("\r" + Self.bar(progress) + "\u{1B}[K")
            return
        }
        let now = ContinuousClock.now
        if let last = lastLine, now - last < .seconds(1) { return }
        lastLine = now
        Self.write(Self.line(progress) + "\n")
    }

    /// Ends the display: the last state as a line (or the finished bar and a newline).
    mutating func finish() {
        guard let latest else { return }
        Self.write(isTerminal ? "\r" + Self.bar(latest) + "\u{1B}[K\n" : Self.line(latest) + "\n")
    }

    /// `progress file=F bytes_loaded=N bytes_total=N bytes_per_second=N eta_seconds=S`.
    static func line(_ progress: HubProgress) -> String {
        var text = "progress file=\(progress.file.isEmpty ? "-" : progress.file) bytes_loaded=\(progress.bytesLoaded)"
            + " bytes_total=\(progress.bytesTotal) bytes_per_second=\(Int(progress.bytesPerSecond.rounded()))"
        if let eta = progress.etaSeconds { text += " eta_seconds=\(String(format: "%.1f", eta))" }
        return text
    }

    /// `[#########-----------]  45% 41.2/90.9 MB 12.3 MB/s 4s left model.safetensors`.
    static func bar(_ progress: HubProgress) -> String {
        let width = 30
        let filled = Int((progress.fraction * Double(width)).rounded(.down))
        let megabytes = { (bytes: Int64) in String(format: "%.1f", Double(bytes) / 1e6) }
        var text = "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
        text += String(format: "%3d%% ", Int(progress.fraction * 100))
        text += "\(megabytes(progress.bytesLoaded))/\(megabytes(progress.bytesTotal)) MB"
        text += String(format: " %.1f MB/s", progress.bytesPerSecond / 1e6)
        if let eta = progress.etaSeconds { text += " \(Int(eta.rounded()))s left" }
        if !progress.file.isEmpty { text += " " + progress.file }
        return text
    }

    /// Writes unbuffered, so lines appear as they happen even through a pipe.
    private static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
