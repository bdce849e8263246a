/// The four coarse phases a load passes through, as named on the wire (DESIGN §1.3).
///
/// A phase groups consecutive `LoadStep`s; the raw value is the `phase` string of every
/// progress event, probe body and log line.
public enum LoadPhase: String, CaseIterable, Sendable {
    /// Steps 1-2: manifest, paths, budget, tokenizer.
    case initialization
    /// Steps 3-5: cache, header, weights.
    case loadingModel = "loading_model"
    /// Steps 6-7: completeness check, device layout.
    case deviceSetup = "device_setup"
    /// Steps 8-9: kernel preparation, warm-up.
    case optimization
}
