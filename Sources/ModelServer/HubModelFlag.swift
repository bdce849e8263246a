public import ModelHub
import ModelLoading

/// A model served straight from the hub, without a folder: `--model ID=hf://ORG/NAME[@REV]`
/// (the setting `model`, repeatable), like TEI's `--model-id`. It is a `bert-embedding` model
/// with the manifest defaults whose files come from the hub cache (steps 2 and 3).
public struct HubModelFlag: Sendable, Equatable {
    /// The model's id in the API.
    public let id: String
    /// Where its files come from.
    public let reference: HubReference

    /// Parses `ID=hf://ORG/NAME[@REV]`; nil when the id or the reference is invalid.
    public init?(parsing text: String) {
        // Among scalars: "=" and a combining mark after it are one Character.
        guard let equals = text.unicodeScalars.firstIndex(of: "=") else { return nil }
        let id = String(text[..<equals])
        let rest = String(text.unicodeScalars[text.unicodeScalars.index(after: equals)...])
        guard ModelRepository.isValidID(id), let reference = try? HubReference(parsing: rest)
        else { return nil }
        self.id = id
        self.reference = reference
    }

    /// The runtime such models use.
    public static let runtime = "bert-embedding"

    /// The descriptor the loader gets: no folder, the defaults, and the hub source.
    var descriptor: ModelDescriptor {
        ModelDescriptor(id: id, directory: "", manifest: ModelManifest(runtime: Self.runtime, source: reference))
    }
}
