/// Chooses the permessage-deflate offer to accept (RFC 7692 §5, §7.1).
///
/// Policy: offers are tried in the client's order of preference and the first acceptable
/// one wins. An offer is declined if it repeats a parameter, has an unknown one, or gives
/// one an invalid value (RFC 7692 §7.1: "MUST decline"), and also if it asks for
/// `server_max_window_bits=8`, which zlib cannot honour for raw deflate (it only writes
/// 9-bit windows or more); RFC 7692 §7.1.2.1 lets a server decline what it cannot support.
/// The accepted answer always has `server_no_context_takeover`.
public enum PerMessageDeflateNegotiation {
    /// The extension's registered name.
    public static let extensionName = "permessage-deflate"

    /// The parameters agreed for the first acceptable offer, or nil to answer without
    /// the extension.
    public static func negotiate(
        offers: [WebSocketExtensionOffer], configuration: PerMessageDeflateConfiguration
    ) -> PerMessageDeflateParameters? {
        for offer in offers where offer.name == extensionName {
            if let accepted = accept(offer, configuration: configuration) { return accepted }
        }
        return nil
    }

    /// The answer to one offer, or nil to decline it.
    private static func accept(
        _ offer: WebSocketExtensionOffer, configuration: PerMessageDeflateConfiguration
    ) -> PerMessageDeflateParameters? {
        var seen: Set<String> = []
        var agreed = PerMessageDeflateParameters(clientNoContextTakeover: configuration.requestsClientNoContextTakeover)
        for parameter in offer.parameters {
            guard seen.insert(parameter.name).inserted else { return nil }
            switch parameter.name {
            case "server_no_context_takeover":
                guard parameter.value == nil else { return nil }
            case "client_no_context_takeover":
                guard parameter.value == nil else { return nil }
                agreed.clientNoContextTakeover = true
            case "server_max_window_bits":
                // RFC 7692 §7.1.2.1: the value is required.
                guard let bits = parameter.value.flatMap(windowBits), bits >= 9 else { return nil }
                agreed.serverMaxWindowBits = bits
                agreed.confirmsServerMaxWindowBits = true
            case "client_max_window_bits":
                // RFC 7692 §7.1.2.2: the value is optional; the answer may not exceed it.
                var limit = configuration.clientMaxWindowBits
                if let value = parameter.value {
                    guard let bits = windowBits(value) else { return nil }
                    limit = min(limit, bits)
                }
                agreed.clientMaxWindowBits = limit
            default:
                return nil
            }
        }
        return agreed
    }

    /// A window-bits value: a decimal integer 8...15 without leading zeros (RFC 7692 §7.1.2).
    private static func windowBits(_ value: String) -> Int? {
        guard let bits = Int(value), (8...15).contains(bits), String(bits) == value else { return nil }
        return bits
    }
}
