import Testing
import WebSocket

struct PerMessageDeflateNegotiationTests {
    /// The response value for a `Sec-WebSocket-Extensions` value, or nil if declined.
    static func answer(_ header: String, configuration: PerMessageDeflateConfiguration = PerMessageDeflateConfiguration()) -> String? {
        let offers = WebSocketExtensionOffer.parseList(Array(header.utf8)) ?? []
        return PerMessageDeflateNegotiation.negotiate(offers: offers, configuration: configuration)?.responseValue
    }

    @Test("each offer gets the answer of RFC 7692 §7.1 with server_no_context_takeover always", arguments: [
        ("permessage-deflate", "permessage-deflate; server_no_context_takeover"),
        ("permessage-deflate; server_no_context_takeover", "permessage-deflate; server_no_context_takeover"),
        ("permessage-deflate; client_max_window_bits",
         "permessage-deflate; server_no_context_takeover; client_max_window_bits=15"),
        ("permessage-deflate; client_max_window_bits=10",
         "permessage-deflate; server_no_context_takeover; client_max_window_bits=10"),
        ("permessage-deflate; client_max_window_bits=\"12\"",
         "permessage-deflate; server_no_context_takeover; client_max_window_bits=12"),
        ("permessage-deflate; client_no_context_takeover; client_max_window_bits",
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=15"),
        ("permessage-deflate; server_max_window_bits=10",
         "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"),
        ("PerMessage-Deflate; Server_No_Context_Takeover", "permessage-deflate; server_no_context_takeover"),
        ("x-webkit-deflate-frame, permessage-deflate; client_max_window_bits=9",
         "permessage-deflate; server_no_context_takeover; client_max_window_bits=9"),
        ("permessage-deflate; server_max_window_bits=8, permessage-deflate; server_no_context_takeover",
         "permessage-deflate; server_no_context_takeover"),
        ("permessage-deflate; foo, permessage-deflate; client_no_context_takeover",
         "permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
    ])
    func acceptedOffers(header: String, response: String) {
        #expect(Self.answer(header) == response)
    }

    @Test("invalid, duplicate, unknown or unsupported parameters decline the offer", arguments: [
        "permessage-deflate; server_max_window_bits=8",
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; client_max_window_bits=abc",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
        "permessage-deflate; mystery",
        "x-webkit-deflate-frame",
        "permessage-deflate; =",
        "",
    ])
    func declinedOffers(header: String) {
        #expect(Self.answer(header) == nil)
    }

    @Test("the configuration can lower the client window and ask for client_no_context_takeover")
    func configurationShapesTheAnswer() {
        let configuration = PerMessageDeflateConfiguration(clientMaxWindowBits: 11, requestsClientNoContextTakeover: true)
        #expect(Self.answer("permessage-deflate; client_max_window_bits=13", configuration: configuration)
                == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=11")
        #expect(Self.answer("permessage-deflate", configuration: configuration)
                == "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
    }

    @Test("the agreed parameters pick the deflater window and the inflater's context policy")
    func agreedParameters() {
        let offers = WebSocketExtensionOffer.parseList(Array("permessage-deflate; server_max_window_bits=9; client_no_context_takeover".utf8)) ?? []
        let agreed = PerMessageDeflateNegotiation.negotiate(offers: offers, configuration: PerMessageDeflateConfiguration())
        #expect(agreed?.serverMaxWindowBits == 9)
        #expect(agreed?.makeDeflater(configuration: PerMessageDeflateConfiguration()).windowBits == 9)
        #expect(agreed?.makeInflater().keepsContext == false)
    }

    @Test("the offer list parser keeps order, lowercases names and unquotes values")
    func parseList() {
        let offers = WebSocketExtensionOffer.parseList(Array(#"foo ;a=1; B = "x\y" ,, bar"#.utf8))
        #expect(offers == [
            WebSocketExtensionOffer(name: "foo", parameters: [.init(name: "a", value: "1"), .init(name: "b", value: "xy")]),
            WebSocketExtensionOffer(name: "bar"),
        ])
    }

    @Test("garbled offer lists are refused as a whole", arguments: [
        "foo;", "foo; a=", #"foo; a="unterminated"#, #"foo; a="has space""#, "foo bar", "foo; a=1 b", "(foo)",
    ])
    func garbledLists(header: String) {
        #expect(WebSocketExtensionOffer.parseList(Array(header.utf8)) == nil)
    }
}
