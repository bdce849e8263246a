import Foundation
import ModelHub
import Testing

/// Settings win over huggingface_hub's environment variables, which win over the defaults.
struct HubSettingsTests {
    @Test("defaults: the public hub, ~/.cache/huggingface/hub, online, no token")
    func defaults() throws {
        let settings = try HubSettings.resolve(
            endpoint: nil, tokenFile: nil, offline: false, cacheDirectory: nil, environment: ["HOME": "/home/u"])
        #expect(settings == HubSettings(endpoint: "https://huggingface.co", token: nil, offline: false,
                                        cacheDirectory: "/home/u/.cache/huggingface/hub"))
    }

    @Test("environment fallbacks: HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, HF_HUB_CACHE before HF_HOME")
    func environment() throws {
        var environment = ["HOME": "/home/u", "HF_ENDPOINT": "http://127.0.0.1:9/", "HF_TOKEN": "t0k",
                           "HF_HUB_OFFLINE": "1", "HF_HOME": "/hf"]
        var settings = try HubSettings.resolve(
            endpoint: nil, tokenFile: nil, offline: false, cacheDirectory: nil, environment: environment)
        #expect(settings == HubSettings(endpoint: "http://127.0.0.1:9", token: "t0k", offline: true, cacheDirectory: "/hf/hub"))
        environment["HF_HUB_CACHE"] = "/cache"
        environment["HF_HUB_OFFLINE"] = "0"
        settings = try HubSettings.resolve(
            endpoint: nil, tokenFile: nil, offline: false, cacheDirectory: nil, environment: environment)
        #expect(settings.cacheDirectory == "/cache")
        #expect(!settings.offline)
    }

    @Test("settings win over the environment; the token file is read and trimmed")
    func settingsWin() throws {
        let tokenFile = NSTemporaryDirectory() + "modeld-hub-token-\(getpid())"
        try "  secret\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { unlink(tokenFile) }
        let settings = try HubSettings.resolve(
            endpoint: "http://hub.local", tokenFile: tokenFile, offline: true, cacheDirectory: "/c",
            environment: ["HF_ENDPOINT": "http://other", "HF_TOKEN": "env", "HF_HUB_CACHE": "/e"])
        #expect(settings == HubSettings(endpoint: "http://hub.local", token: "secret", offline: true, cacheDirectory: "/c"))
    }

    @Test("an unreadable token file is an error, not a silent anonymous pull")
    func missingTokenFile() {
        #expect(throws: HubError.self) {
            try HubSettings.resolve(endpoint: nil, tokenFile: "/nonexistent/token", offline: false,
                                    cacheDirectory: "/c", environment: [:])
        }
    }
}

/// The CA bundle: `hub.ca-file`, else the variables `requests` and curl read, else none.
struct HubCAFileSettingsTests {
    @Test("hub.ca-file wins; then REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE; empty values are unset")
    func fallbacks() throws {
        var environment = ["REQUESTS_CA_BUNDLE": "/r.pem", "CURL_CA_BUNDLE": "/c.pem", "SSL_CERT_FILE": "/s.pem"]
        func resolved(_ setting: String?) throws -> String? {
            try HubSettings.resolve(endpoint: nil, tokenFile: nil, offline: false, cacheDirectory: "/c",
                                    caFile: setting, environment: environment).caFile
        }
        #expect(try resolved("/setting.pem") == "/setting.pem")
        #expect(try resolved(nil) == "/r.pem")
        environment["REQUESTS_CA_BUNDLE"] = ""
        #expect(try resolved("") == "/c.pem")
        environment["CURL_CA_BUNDLE"] = nil
        #expect(try resolved(nil) == "/s.pem")
        environment["SSL_CERT_FILE"] = nil
        #expect(try resolved(nil) == nil)
    }
}
