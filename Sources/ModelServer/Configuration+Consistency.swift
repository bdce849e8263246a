import WebSocket

/// Rules that tie two settings together, checked once every layer has been applied (each
/// value alone was already checked against its own range).
extension Configuration {
    /// `websocket.outbound-soft-bytes` must lie below `websocket.outbound-hard-bytes`: past
    /// the soft limit a subscriber's progress events are coalesced, past the hard one it is
    /// closed with 1013, so a soft limit at or above the hard one would close slow
    /// subscribers without ever coalescing for them. The error names whichever of the two
    /// was set by the later layer (flag over environment over file over default), the one
    /// the operator most likely just changed.
    func checkOutboundLimitsOrdered(_ origins: SettingOrigins) throws(ConfigurationError) {
        let soft = outboundLimits.softBytes, hard = outboundLimits.hardBytes
        guard soft >= hard else { return }
        let softKey = "websocket.outbound-soft-bytes", hardKey = "websocket.outbound-hard-bytes"
        if origins.rank(of: hardKey) > origins.rank(of: softKey) {
            throw .invalidValue(key: hardKey, source: origins.source(of: hardKey),
                                problem: "is \(hard) bytes, not above \(softKey) (\(soft)); subscribers past the soft limit "
                                    + "get coalesced progress and are closed only past the hard one")
        }
        throw .invalidValue(key: softKey, source: origins.source(of: softKey),
                            problem: "is \(soft) bytes, not below \(hardKey) (\(hard)); subscribers past the soft limit "
                                + "get coalesced progress and are closed only past the hard one")
    }
}

/// Which layer gave each setting its final value, for errors about a pair of settings.
struct SettingOrigins {
    private var winners: [String: (source: ConfigurationSource, rank: Int)] = [:]

    /// Notes that `key` was set by `source`, whose layer has `rank` (1 for the file, rising
    /// with precedence); a later call for the same key replaces the earlier one.
    mutating func record(_ key: String, source: ConfigurationSource, rank: Int) {
        winners[key] = (source, rank)
    }

    /// The layer's rank for `key`; 0 when it kept its default.
    func rank(of key: String) -> Int { winners[key]?.rank ?? 0 }

    /// Where `key`'s value came from.
    func source(of key: String) -> ConfigurationSource { winners[key]?.source ?? .defaults }
}
