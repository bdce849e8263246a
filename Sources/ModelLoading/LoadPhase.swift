/// The four coarse phases a load passes through, as named on the wire (DESIGN §1.3).
///
/// A phase groups consecutive `LoadStep`s; the raw value is the `phase` string of every
/// progress event, probe body and log line.
public enum LoadPhase: String, CaseIterable, Sendable {
    case initialization
    case loadingModel = "loading_model"
    case deviceSetup = "device_setup"
    case optimization
}
