import FuzzSupport
import ModelFormats

/// Parses the input as a whole safetensors file with `SafetensorsHeader.parse` and checks what
/// an accepted header promises: every tensor's range inside the data buffer and the file,
/// ranges in order and covering the buffer exactly, each range as long as its dtype and shape
/// say.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let file = fuzzBytes(data, size)
    let header: SafetensorsHeader
    do throws(SafetensorsError) {
        header = try SafetensorsHeader.parse(prefix: file, fileSize: file.count)
    } catch {
        return 0
    }
    fuzzCheck(header.dataStart <= file.count, "data starts at \(header.dataStart) in a \(file.count)-byte file")
    var cursor = header.dataStart
    for tensor in header.tensors {
        let range = tensor.dataRange
        fuzzCheck(range.lowerBound >= header.dataStart && range.upperBound <= file.count,
                  "\(tensor.name) at \(range) outside \(header.dataStart)..<\(file.count)")
        fuzzCheck(range.lowerBound == cursor || range.isEmpty, "\(tensor.name) at \(range) does not start at \(cursor)")
        let (bits, overflow) = tensor.shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
            .multipliedReportingOverflow(by: tensor.dtype.bitSize)
        fuzzCheck(!overflow && bits == range.count * 8, "\(tensor.name): \(tensor.shape) of \(tensor.dtype) in \(range.count) bytes")
        cursor = max(cursor, range.upperBound)
    }
    fuzzCheck(cursor == file.count, "tensors end at \(cursor), the file at \(file.count)")
    return 0
}
