import FuzzSupport
import Glibc
import ModelRuntime

/// The tokenizer of the model in `MODELD_FUZZ_TOKENIZER_DIR` (default
/// `models/all-minilm-l6-v2`, what `scripts/fetch-model` puts there); nil when it is absent,
/// and then every input is skipped.
private let tokenizer: BertTokenizer? = {
    let directory = getenv("MODELD_FUZZ_TOKENIZER_DIR").map { String(cString: $0) } ?? "models/all-minilm-l6-v2"
    do {
        return try BertTokenizer.load(directory: directory)
    } catch {
        let note = "FuzzTokenizer: no tokenizer in \(directory) (\(error)); every input is skipped\n"
        _ = note.withCString { write(2, $0, strlen($0)) }
        return nil
    }
}()

/// Tokenizes the input, decoded as UTF-8 with replacement (any bytes give some text), with
/// the real model's tokenizer. Checks: no trap; every id is inside the vocabulary; `encode`
/// is `[CLS]`, the first `maxLength - 2` ids of `tokenize`, `[SEP]`, for a small and a large
/// `maxLength`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let tokenizer else { return 0 }
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    let ids = tokenizer.tokenize(text)
    for id in ids {
        fuzzCheck(id >= 0 && Int(id) < tokenizer.vocabularySize, "id \(id) outside the \(tokenizer.vocabularySize)-token vocabulary")
    }
    for maxLength in [8, 4096] {
        let encoded = tokenizer.encode(text, maxLength: maxLength)
        let expected = [tokenizer.classifierID] + ids.prefix(maxLength - 2) + [tokenizer.separatorID]
        fuzzCheck(encoded == expected, "encode(maxLength: \(maxLength)) gave \(encoded), tokenize \(ids)")
    }
    return 0
}
