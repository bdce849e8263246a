/// The JSON part of an OIP inference request as typed values, each field's problem reported
/// with its name: `{"id"?: "...", "inputs": [{"name", "shape": [Int], "datatype": "BYTES",
/// "data"?: [...], "parameters"?: {"binary_data_size": Int}}]}`. Other fields (`outputs`,
/// other parameters) are ignored.
struct InferBody: Decodable {
    var id: String?
    /// The one input tensor.
    var input: InferTensor

    enum CodingKeys: String, CodingKey { case id, inputs }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try? container.decodeIfPresent(String.self, forKey: .id)
        var inputs = try? container.nestedUnkeyedContainer(forKey: .inputs)
        guard inputs?.count == 1, let tensor = try inputs?.decode(InferTensor.self) else {
            throw InferRequest.Problem.invalid("Expected exactly one input tensor of texts.")
        }
        input = tensor
    }
}

/// One input tensor of texts.
struct InferTensor: Decodable {
    var shape: [Int]
    var data: InferTensorData?
    var binaryDataSize: Int?

    enum CodingKeys: String, CodingKey { case name, shape, datatype, data, parameters }
    enum ParameterKeys: String, CodingKey { case binaryDataSize = "binary_data_size" }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard (try? container.decode(String.self, forKey: .datatype)) == "BYTES" else {
            throw InferRequest.Problem.invalid("The input tensor's datatype must be BYTES.")
        }
        guard let shape = try? container.decode([Int].self, forKey: .shape) else {
            throw InferRequest.Problem.invalid("The input tensor needs 'shape', an array of integers that fit 64 bits.")
        }
        self.shape = shape
        if container.contains(.data) {
            data = try container.decode(InferTensorData.self, forKey: .data)
        }
        // `parameters` other than an object, or without a (non-null) binary_data_size, mean JSON data.
        if let parameters = try? container.nestedContainer(keyedBy: ParameterKeys.self, forKey: .parameters),
           parameters.contains(.binaryDataSize), (try? parameters.decodeNil(forKey: .binaryDataSize)) == false {
            guard let size = try? parameters.decode(Int.self, forKey: .binaryDataSize), size >= 0 else {
                throw InferRequest.Problem.invalid("'parameters.binary_data_size' must be a non-negative integer.")
            }
            binaryDataSize = size
        }
    }
}

/// A tensor's `data`: strings, flat or nested in arrays (row-major, as the OIP allows).
indirect enum InferTensorData: Decodable {
    case text(String)
    case list([InferTensorData])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else if let list = try? container.decode([InferTensorData].self) {
            self = .list(list)
        } else {
            throw InferRequest.Problem.invalid("The input tensor's data must be strings.")
        }
    }

    /// The strings in row-major order.
    var flattened: [String] {
        var texts: [String] = []
        append(to: &texts)
        return texts
    }

    private func append(to texts: inout [String]) {
        switch self {
        case .text(let text): texts.append(text)
        case .list(let items): for item in items { item.append(to: &texts) }
        }
    }
}
