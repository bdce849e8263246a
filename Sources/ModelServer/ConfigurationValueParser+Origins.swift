import WebSocket

extension ConfigurationValueParser<[String]> {
    /// Origins as browsers send them (`https://dash.example.com`, `http://10.0.0.5:8080`),
    /// `null`, or `*`; empty items are dropped. An item with a path, a trailing slash or no
    /// scheme could never match an `Origin` field, so it is refused rather than ignored.
    static let originList = Self(placeholder: "ORIGIN,ORIGIN...", isList: true) { values throws(ConfigurationValueProblem) in
        let origins = values.filter { !$0.isEmpty }
        if let bad = origins.first(where: { !OriginPolicy.isValidListEntry($0) }) {
            throw .expected("origins like https://host[:port], null or *", got: bad)
        }
        return origins
    }
}
