import FuzzSupport
import Glibc
@testable import ModelServer

/// Reads settings through `Configuration.load`, the path `modeld serve` takes. An input whose
/// first byte is `0x80 + i`, with `i` an index of `ConfigurationKey.all` (a UTF-8
/// continuation byte, which no text file starts with), sets that key to the rest of the
/// input (decoded as UTF-8), once as `--flag=VALUE` and once as its `MODELD_*` variable; any
/// other input is a whole YAML file, written to a scratch file and read with `--config FILE`.
/// Checks: no trap; a rejected configuration is a `ConfigurationError` that names a key of
/// `ConfigurationKey.all` (the key that was set, for a single value) and its source, or the
/// file; the flag and the environment agree on every value; an accepted configuration,
/// rendered back to flags (`ConfigurationRendering`), loads again to the same values, which
/// also proves each value lies in its key's range (the parsers enforce the range).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    if let first = input.first, first >= 0x80, Int(first - 0x80) < ConfigurationKey.all.count {
        checkSingleValue(ConfigurationKey.all[Int(first - 0x80)], String(decoding: input.dropFirst(), as: UTF8.self))
    } else {
        checkFile(input)
    }
    return 0
}

/// One key's value given as a flag and as an environment variable.
private func checkSingleValue(_ key: ConfigurationKey, _ value: String) {
    let byFlag = load(arguments: ["\(key.flag)=\(value)"], environment: [:])
    let byEnvironment = load(arguments: [], environment: [key.environmentName: value])
    switch (byFlag, byEnvironment) {
    case (.success(let flagged), .success(let environment)):
        for other in ConfigurationKey.all {
            fuzzCheck(ConfigurationRendering.same(other, flagged, environment),
                      "\(key.name)=\(String(reflecting: value)): flag and environment disagree on \(other.name)")
        }
        checkRoundTrip(flagged, what: "\(key.name)=\(String(reflecting: value))")
    case (.failure(let flagError), .failure(let environmentError)):
        checkNamesKey(flagError, key, source: .flag(key.flag))
        checkNamesKey(environmentError, key, source: .environment(name: key.environmentName))
    default:
        fuzzCheck(false, "\(key.name)=\(String(reflecting: value)): flag gives \(byFlag), environment gives \(byEnvironment)")
    }
}

/// A rejected single value names its key and source, or is the TLS pairing rule (one TLS
/// file set without the other).
private func checkNamesKey(_ error: ConfigurationError, _ key: ConfigurationKey, source: ConfigurationSource) {
    guard case .invalidValue(let name, let named, let problem) = error, !problem.isEmpty else {
        fuzzCheck(false, "\(key.name): unexpected error \(error)")
        return
    }
    let pairing = key.name.hasPrefix("tls.") && name.hasPrefix("tls.") && named == .defaults
    fuzzCheck((name == key.name && named == source) || pairing, "\(key.name) from \(source): the error names \(name) (\(named)): \(error)")
}

/// A whole configuration file.
private func checkFile(_ bytes: UnsafeRawBufferPointer) {
    let path = scratchFile
    let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
    fuzzCheck(fd >= 0, "cannot open \(path)")
    var written = 0
    while written < bytes.count {
        let count = write(fd, bytes.baseAddress! + written, bytes.count - written)
        fuzzCheck(count > 0, "cannot write \(path)")
        written += count
    }
    close(fd)
    switch load(arguments: ["--config", path], environment: [:]) {
    case .success(let configuration):
        checkRoundTrip(configuration, what: "the file")
    case .failure(.invalidValue(let name, let source, let problem)):
        fuzzCheck(ConfigurationKey.named(name) != nil, "the error names \(String(reflecting: name)), not a key")
        fuzzCheck(source == .file(path: path) || (source == .defaults && name.hasPrefix("tls.")), "\(name): source \(source)")
        fuzzCheck(!problem.isEmpty, "\(name): no problem stated")
    case .failure(.unreadableFile(let named, let reason)):
        fuzzCheck(named == path && !reason.isEmpty, "unreadable file \(named): \(reason)")
    case .failure(let error):
        fuzzCheck(false, "a file gave a command-line error: \(error)")
    }
}

/// Renders every key back to flags and loads them: the same configuration must come back.
private func checkRoundTrip(_ configuration: Configuration, what: String) {
    let flags = ConfigurationKey.all.flatMap { key in
        ConfigurationRendering.values(key, configuration).map { "\(key.flag)=\($0)" }
    }
    switch load(arguments: flags, environment: [:]) {
    case .success(let again):
        for key in ConfigurationKey.all {
            fuzzCheck(ConfigurationRendering.same(key, configuration, again),
                      "\(what): \(key.name) rendered as \(ConfigurationRendering.values(key, configuration)) loads differently")
        }
    case .failure(let error):
        fuzzCheck(false, "\(what): the rendering \(flags) is rejected: \(error)")
    }
}

private func load(arguments: [String], environment: [String: String]) -> Result<Configuration, ConfigurationError> {
    Result { () throws(ConfigurationError) in try Configuration.load(arguments: arguments, environment: environment) }
}

/// The file the YAML inputs are written to, one per process.
private let scratchFile: String = {
    var template = Array("/tmp/modeld-fuzz-config-XXXXXX.yaml".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 5) }
    fuzzCheck(fd >= 0, "mkstemps failed")
    close(fd)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
}()
