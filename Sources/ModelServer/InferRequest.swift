import Foundation
import HTTPServer

/// A parsed OIP inference request with one BYTES input, in JSON or with Triton's binary
/// tensor data extension (`Inference-Header-Content-Length: N`: the first N bytes are the
/// JSON, the input's data follows as elements of a 4-byte little-endian length and its
/// bytes — what `tritonclient` sends by default). The answer is always JSON, which Triton's
/// clients accept.
///
/// Every client-controlled size is checked before it is used, in this order, each with its
/// own message: the shape's dimensions are non-negative and their product (checked
/// arithmetic) fits `Int`; the product is at most `maxElementsPerInput` (`400`) and at most
/// the `maxInputs` texts a request may carry (`413`); the data (JSON values, or binary
/// elements, whose lengths must add up exactly to `binary_data_size`, itself equal to the
/// bytes after the JSON) holds exactly that many elements (`400`). Binary data is only
/// decoded once the shape has passed, and never past the element count it declares.
/// Bodies are decoded with `JSONDecoder` into typed values (see `EmbeddingRequest`).
struct InferRequest: Sendable {
    var texts: [String]
    var id: String?

    /// Most elements one input tensor may declare: 1,048,576. Fixed: it guards the shape
    /// arithmetic only, since a BYTES tensor here is a list of texts, already capped by
    /// `embeddings.max-inputs`, and a body cannot hold more elements than its bytes.
    static let maxElementsPerInput = 1 << 20

    /// A refused request: `400`, or `413` past a size limit, with the OIP body `{"error": message}`.
    struct Problem: Error, Equatable {
        var status: HTTPStatus
        var message: String

        static func invalid(_ message: String) -> Problem { Problem(status: .badRequest, message: message) }
    }

    /// Parses `body`; `jsonLengthHeader` is the `Inference-Header-Content-Length` value, if any.
    static func parse(_ body: [UInt8], jsonLengthHeader: String?, maxInputs: Int) -> Result<InferRequest, Problem> {
        do {
            return .success(try decode(body, jsonLengthHeader: jsonLengthHeader, maxInputs: maxInputs))
        } catch {
            return .failure(error)
        }
    }

    private static func decode(_ body: [UInt8], jsonLengthHeader: String?, maxInputs: Int) throws(Problem) -> InferRequest {
        let jsonLength = try parseJSONLength(jsonLengthHeader, bodyCount: body.count)
        let jsonBytes = body[..<(jsonLength ?? body.count)]
        let binary = body[(jsonLength ?? body.count)...]
        let request: InferBody
        do {
            request = try JSONDecoder().decode(InferBody.self, from: Data(jsonBytes))
        } catch let problem as Problem {
            throw problem
        } catch {
            throw .invalid("The body must be a JSON object with 'inputs'.")
        }
        let tensor = request.input
        let count = try elementCount(of: tensor.shape)
        guard count <= maxInputs else {
            throw Problem(status: .contentTooLarge, message: "At most \(maxInputs) texts per request; the shape \(tensor.shape) holds \(count).")
        }
        let texts: [String]
        if let size = tensor.binaryDataSize {
            guard jsonLength != nil else {
                throw .invalid("binary_data_size needs the Inference-Header-Content-Length header.")
            }
            guard size == binary.count else {
                throw .invalid("binary_data_size is \(size) but \(binary.count) bytes follow the JSON header.")
            }
            texts = try decodeBinaryStrings(binary, count: count)
        } else {
            guard binary.isEmpty else {
                throw .invalid("\(binary.count) bytes follow the JSON header but the input has no binary_data_size.")
            }
            guard let data = tensor.data else { throw .invalid("The input tensor needs 'data'.") }
            texts = data.flattened
            guard texts.count == count else {
                throw .invalid("The input tensor's shape \(tensor.shape) holds \(count) elements but its data has \(texts.count).")
            }
        }
        guard !texts.isEmpty else { throw .invalid("The input tensor holds no texts.") }
        return InferRequest(texts: texts, id: request.id)
    }

    /// `Inference-Header-Content-Length`: absent, or a byte count within the body.
    static func parseJSONLength(_ header: String?, bodyCount: Int) throws(Problem) -> Int? {
        guard let header else { return nil }
        guard let length = Int(header.trimmingASCIIWhitespace()), length >= 0 else {
            throw .invalid("Inference-Header-Content-Length must be a non-negative integer.")
        }
        guard length <= bodyCount else {
            throw .invalid("Inference-Header-Content-Length (\(length)) is larger than the body (\(bodyCount) bytes).")
        }
        return length
    }

    /// The number of elements `shape` declares: its product, refused when a dimension is
    /// negative, when the product overflows `Int`, or when it passes `maxElementsPerInput`.
    static func elementCount(of shape: [Int]) throws(Problem) -> Int {
        guard !shape.contains(where: { $0 < 0 }) else {
            throw .invalid("The input tensor's shape \(shape) has a negative dimension.")
        }
        var product = 1
        for dimension in shape {
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw .invalid("The input tensor's shape \(shape) has more elements than an Int can count.") }
            product = next
        }
        guard product <= maxElementsPerInput else {
            throw .invalid("The input tensor's shape \(shape) declares \(product) elements; at most \(maxElementsPerInput) per input.")
        }
        return product
    }

    /// Triton's BYTES serialisation: each element is a 4-byte little-endian length then
    /// that many bytes (UTF-8 text here). The data must hold exactly `count` elements and
    /// nothing after them; decoding stops at the first element that lies.
    static func decodeBinaryStrings(_ bytes: ArraySlice<UInt8>, count: Int) throws(Problem) -> [String] {
        var texts: [String] = []
        texts.reserveCapacity(min(count, bytes.count / 4))
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard texts.count < count else {
                throw .invalid("The binary tensor data holds more than the shape's \(count) elements.")
            }
            guard bytes.endIndex - index >= 4 else { throw .invalid("The binary tensor data ends inside an element's length.") }
            let length = Int(bytes[index]) | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2]) << 16 | Int(bytes[index + 3]) << 24
            index += 4
            guard length <= bytes.endIndex - index else {
                throw .invalid("A binary tensor element of \(length) bytes runs past the end of the data.")
            }
            guard let text = String(validating: bytes[index..<(index + length)], as: UTF8.self) else {
                throw .invalid("A binary tensor element is not UTF-8 text.")
            }
            texts.append(text)
            index += length
        }
        guard texts.count == count else {
            throw .invalid("The binary tensor data holds \(texts.count) elements; the shape declares \(count).")
        }
        return texts
    }
}
