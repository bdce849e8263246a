/// One extension a client offered in `Sec-WebSocket-Extensions` (RFC 6455 §9.1): its name
/// and its parameters in order, duplicates kept so a negotiator can reject them.
public struct WebSocketExtensionOffer: Sendable, Equatable {
    /// One `name[=value]` parameter; quoted values are unquoted.
    public struct Parameter: Sendable, Equatable {
        /// The parameter name, lowercased.
        public var name: String
        /// The value, or nil when the parameter has none.
        public var value: String?

        /// A parameter with this name and value.
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The extension token, lowercased (for example `permessage-deflate`).
    public var name: String
    /// The parameters in the order sent.
    public var parameters: [Parameter]

    /// An offer with this name and these parameters.
    public init(name: String, parameters: [Parameter] = []) {
        self.name = name
        self.parameters = parameters
    }

    /// Parses one `Sec-WebSocket-Extensions` field value into its offers, in order.
    ///
    /// Grammar (RFC 6455 §9.1): `1#( token *( ";" token [ "=" ( token / quoted-string ) ] ) )`
    /// with optional whitespace around separators; empty list elements are skipped (RFC 9110
    /// §5.6.1). Returns nil if the value does not match, so a garbled field offers nothing
    /// rather than something misread; a quoted value must itself be a token.
    public static func parseList(_ value: some Collection<UInt8>) -> [WebSocketExtensionOffer]? {
        var scanner = ExtensionScanner(bytes: Array(value))
        var offers: [WebSocketExtensionOffer] = []
        while true {
            scanner.skipWhitespace()
            if scanner.isAtEnd { return offers }
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard let name = scanner.token() else { return nil }
            var offer = WebSocketExtensionOffer(name: name)
            scanner.skipWhitespace()
            while scanner.take(UInt8(ascii: ";")) {
                guard let parameter = scanner.parameter() else { return nil }
                offer.parameters.append(parameter)
                scanner.skipWhitespace()
            }
            offers.append(offer)
            guard scanner.isAtEnd || scanner.take(UInt8(ascii: ",")) else { return nil }
        }
    }
}

/// A cursor over a field value for `WebSocketExtensionOffer.parseList`.
private struct ExtensionScanner {
    let bytes: [UInt8]
    var index = 0

    var isAtEnd: Bool { index == bytes.count }

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
    }

    /// Consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A token (RFC 9110 §5.6.2), lowercased, or nil if none starts here.
    mutating func token() -> String? {
        let start = index
        while index < bytes.count, Self.isTokenByte(bytes[index]) { index += 1 }
        guard index > start else { return nil }
        return String(decoding: bytes[start..<index].map(Self.lowercased), as: UTF8.self)
    }

    /// `OWS name [ OWS "=" OWS value ]`.
    mutating func parameter() -> WebSocketExtensionOffer.Parameter? {
        skipWhitespace()
        guard let name = token() else { return nil }
        skipWhitespace()
        guard take(UInt8(ascii: "=")) else { return WebSocketExtensionOffer.Parameter(name: name) }
        skipWhitespace()
        guard let value = take(UInt8(ascii: "\"")) ? quotedToken() : rawToken() else { return nil }
        return WebSocketExtensionOffer.Parameter(name: name, value: value)
    }

    /// A token value as sent (case kept).
    private mutating func rawToken() -> String? {
        let start = index
        while index < bytes.count, Self.isTokenByte(bytes[index]) { index += 1 }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    /// The rest of a quoted-string whose opening quote was consumed; RFC 6455 §9.1: after
    /// unescaping it MUST be a token.
    private mutating func quotedToken() -> String? {
        var value: [UInt8] = []
        while index < bytes.count {
            var byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") {
                return value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                guard index < bytes.count else { return nil }
                byte = bytes[index]
                index += 1
            }
            guard Self.isTokenByte(byte) else { return nil }
            value.append(byte)
        }
        return nil
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
