import Foundation
import HTTPServer

/// A parsed `/v1/embeddings` request: `{"input": "text" | ["text", ...], "model": "id",
/// "encoding_format": "float" | "base64"}` (other OpenAI fields, such as `user`, are ignored).
///
/// Bodies are decoded with `JSONDecoder` into typed `Decodable` values: the standard
/// library checks every type (a number where a string belongs is an error, not a cast that
/// quietly yields nil), builds no untyped tree, and caps nesting depth. The project's own
/// `JSONParser` is internal to ModelFormats and built for safetensors headers (it refuses
/// duplicate keys, which OpenAI's clients never send but other JSON producers may).
struct EmbeddingRequest: Sendable {
    var inputs: [String]
    var model: String
    var base64: Bool

    struct Problem: Error {
        var status: HTTPStatus
        var code: String
        var message: String
        static func invalid(_ message: String) -> Problem { Problem(status: .badRequest, code: "invalid_request", message: message) }
    }

    /// The body as sent; each field's type problem is reported in `init(from:)` with its name.
    private struct Body: Decodable {
        var model: String?
        var input: [String]?
        var encodingFormat: String?

        enum CodingKeys: String, CodingKey {
            case model, input
            case encodingFormat = "encoding_format"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            guard let model = try? container.decodeIfPresent(String.self, forKey: .model), !model.isEmpty else {
                throw Problem.invalid("'model' must name a model.")
            }
            self.model = model
            if let text = try? container.decode(String.self, forKey: .input) {
                input = [text]
            } else if let texts = try? container.decode([String].self, forKey: .input) {
                input = texts
            } else {
                throw Problem.invalid("'input' must be a string or an array of strings.")
            }
            guard let format = try? container.decodeIfPresent(String.self, forKey: .encodingFormat) ?? "float" else {
                throw Problem.invalid("'encoding_format' must be 'float' or 'base64'.")
            }
            encodingFormat = format
        }
    }

    /// Decodes and checks `body`; more than `maxInputs` texts is `413 too_many_inputs`.
    static func parse(_ body: [UInt8], maxInputs: Int) -> Result<EmbeddingRequest, Problem> {
        let decoded: Body
        do {
            decoded = try JSONDecoder().decode(Body.self, from: Data(body))
        } catch let problem as Problem {
            return .failure(problem)
        } catch {
            return .failure(.invalid("The body must be a JSON object."))
        }
        let inputs = decoded.input ?? []
        guard !inputs.isEmpty else { return .failure(.invalid("'input' must not be empty.")) }
        guard inputs.count <= maxInputs else {
            return .failure(Problem(status: .contentTooLarge, code: "too_many_inputs",
                                    message: "At most \(maxInputs) inputs per request; this one has \(inputs.count)."))
        }
        let format = decoded.encodingFormat ?? "float"
        guard format == "float" || format == "base64" else {
            return .failure(.invalid("'encoding_format' must be 'float' or 'base64'."))
        }
        return .success(EmbeddingRequest(inputs: inputs, model: decoded.model ?? "", base64: format == "base64"))
    }
}
