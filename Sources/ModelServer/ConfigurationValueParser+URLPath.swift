extension ConfigurationValueParser<String> {
    /// A URL path for a route: starts with `/`, printable ASCII without `?`, `#`, `{`, `}`.
    static let urlPath = scalar("PATH") { text throws(ConfigurationValueProblem) in
        guard text.hasPrefix("/"), text.utf8.allSatisfy({ (0x21...0x7E).contains($0) && !"?#{}".utf8.contains($0) }) else {
            throw .expected("a URL path starting with /", got: text)
        }
        return text
    }
}
