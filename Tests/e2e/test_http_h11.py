"""HTTP/1.1 conformance of modeld as judged by h11, over raw sockets (DESIGN §1.1, §1.8)."""

from __future__ import annotations

import pytest

from rawhttp import RawConnection, assert_json_error, assert_well_framed, request_bytes

PROBE_BODY = {"status": "ok"}


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/livez", 200), ("HEAD", "/livez", 200),
    ("GET", "/healthz", 200), ("HEAD", "/healthz", 200),
    ("GET", "/readyz", 200), ("HEAD", "/readyz", 200),
    ("GET", "/no/such/path", 404), ("HEAD", "/no/such/path", 404),
    ("POST", "/livez", 405), ("DELETE", "/readyz", 405),
])
def test_every_response_is_well_framed(modeld, method, path, status):
    with RawConnection(modeld.address) as conn:
        response = conn.request(method, path)
        assert response.status == status
        assert_well_framed(response, method)
        assert (response.header("content-type") or "").startswith("application/json")
        # The connection stays usable: a HEAD response that leaked a body would garble this.
        assert conn.request("GET", "/livez").json() == PROBE_BODY


def test_probe_bodies_are_exact(modeld):
    with RawConnection(modeld.address) as conn:
        for path in ("/livez", "/healthz"):
            response = conn.request("GET", path)
            assert response.body == b'{"status":"ok"}'
        ready = conn.request("GET", "/readyz").json()
        assert ready["status"] == "ready" and ready["ready"] is True
        assert isinstance(ready["models"], list)


def test_head_announces_the_get_length(modeld):
    with RawConnection(modeld.address) as conn:
        get = conn.request("GET", "/livez")
        head = conn.request("HEAD", "/livez")
        # RFC 9110 §9.3.2: HEAD gets the same header fields as GET, without content.
        assert head.body == b""
        assert head.header("content-length") in (None, get.header("content-length"))


def test_method_not_allowed_lists_allowed_methods(modeld):
    with RawConnection(modeld.address) as conn:
        response = conn.request("PUT", "/healthz", body=b"{}")
        assert_json_error(response, 405)
        allowed = {m.strip() for m in (response.header("allow") or "").split(",")}
        assert {"GET", "HEAD"} <= allowed


def test_unknown_path_is_a_json_404(modeld):
    with RawConnection(modeld.address) as conn:
        assert_json_error(conn.request("GET", "/nope"), 404, "not_found")


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_body_to_unknown_route_is_consumed_and_answered_404(modeld, framing):
    body = b'{"input":"' + b"x" * 3000 + b'"}'
    with RawConnection(modeld.address) as conn:
        if framing == "chunked":
            chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 1000]), body[i:i + 1000])
                              for i in range(0, len(body), 1000)) + b"0\r\n\r\n"
            conn.send(request_bytes("POST", "/v1/nowhere", [("Transfer-Encoding", "chunked")]) + chunks)
        else:
            conn.send(request_bytes("POST", "/v1/nowhere", body=body))
        response = conn.read_response("POST")
        assert_well_framed(response)
        assert_json_error(response, 404, "not_found")
        # The body was read to its end, so the next request on the connection parses cleanly.
        assert conn.request("GET", "/livez").json() == PROBE_BODY


def test_fifty_pipelined_requests_are_answered_in_order(modeld):
    paths = ["/livez", "/readyz", "/healthz", "/nope", "/livez?probe=1"]
    plan = [("HEAD" if i % 7 == 3 else "GET", paths[i % len(paths)]) for i in range(50)]
    with RawConnection(modeld.address) as conn:
        conn.send(b"".join(request_bytes(method, path) for method, path in plan))
        for i, (method, path) in enumerate(plan):
            response = conn.read_response(method)
            assert_well_framed(response, method)
            expected = 404 if path == "/nope" else 200
            assert response.status == expected, f"request {i} ({method} {path})"
            if method == "GET" and path.startswith(("/livez", "/healthz")):
                assert response.json() == PROBE_BODY, f"request {i}"
            if method == "GET" and path == "/readyz":
                assert response.json()["ready"] is True, f"request {i}"
        assert conn.request("GET", "/livez").status == 200


def _many_headers(count: int) -> bytes:
    fields = "".join(f"X-Field-{i}: {i}\r\n" for i in range(count))
    return f"GET /livez HTTP/1.1\r\nHost: e2e\r\n{fields}\r\n".encode()


# The sizes are chosen against HTTPLimits' defaults: head 16 KiB, 100 fields, URI 8 KiB,
# body 1 MiB. A URI of 9 KiB fits in the head limit, so it must be 414, not 431.
BAD_REQUESTS = [
    ("malformed request line", b"GARBAGE\r\n\r\n", 400),
    ("header line without a colon", b"GET /livez HTTP/1.1\r\nHost: e2e\r\nNoColonHere\r\n\r\n", 400),
    # RFC 9112 §5.1: whitespace between field name and colon MUST be rejected with 400.
    ("whitespace before the colon", b"GET /livez HTTP/1.1\r\nHost : e2e\r\n\r\n", 400),
    # RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host.
    ("HTTP/1.1 request without Host", b"GET /livez HTTP/1.1\r\n\r\n", 400),
    ("header section too large",
     b"GET /livez HTTP/1.1\r\nHost: e2e\r\nX-Big: " + b"a" * (32 * 1024) + b"\r\n\r\n", 431),
    ("too many header fields", _many_headers(150), 431),
    ("URI too long", b"GET /" + b"u" * (9 * 1024) + b" HTTP/1.1\r\nHost: e2e\r\n\r\n", 414),
    ("body too large", b"POST /v1/nowhere HTTP/1.1\r\nHost: e2e\r\nContent-Length: 2097152\r\n\r\n", 413),
    # RFC 9112 §6.3: Content-Length with Transfer-Encoding is a smuggling vector; reject and close.
    ("Content-Length and Transfer-Encoding",
     b"POST /v1/nowhere HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("conflicting Content-Length values",
     b"POST /v1/nowhere HTTP/1.1\r\nHost: e2e\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
    ("non-numeric Content-Length",
     b"POST /v1/nowhere HTTP/1.1\r\nHost: e2e\r\nContent-Length: five\r\n\r\nhello", 400),
    ("HTTP/2.0 request line", b"GET /livez HTTP/2.0\r\nHost: e2e\r\n\r\n", 505),
]


@pytest.mark.parametrize(("raw", "status"), [pytest.param(raw, status, id=name) for name, raw, status in BAD_REQUESTS])
def test_bad_request_gets_its_status_then_close_and_others_are_still_served(modeld, raw, status):
    with RawConnection(modeld.address) as bystander, RawConnection(modeld.address) as offender:
        assert bystander.request("GET", "/livez").status == 200
        offender.send(raw)
        response = offender.read_response("POST" if raw.startswith(b"POST") else "GET")
        assert_well_framed(response)
        assert_json_error(response, status)
        # RFC 9112 §9.6: a server that is about to close SHOULD say so.
        assert (response.header("connection") or "").lower() == "close"
        assert offender.is_closed_by_peer(), "server kept the connection open after an error"
        assert bystander.request("GET", "/livez").status == 200
    with RawConnection(modeld.address) as newcomer:
        assert newcomer.request("GET", "/healthz").json() == PROBE_BODY


@pytest.mark.modeld_args("--http-header-read-timeout", "1")
def test_slow_header_section_gets_408_and_close(modeld):
    with RawConnection(modeld.address, timeout_s=15.0) as slow:
        slow.send(b"GET /livez HTTP/1.1\r\nHost: e2e\r\n")  # no blank line: the head never ends
        response = slow.read_response()
        assert_well_framed(response)
        assert_json_error(response, 408)
        assert slow.is_closed_by_peer()
    with RawConnection(modeld.address) as other:
        assert other.request("GET", "/livez").status == 200


@pytest.mark.modeld_args("--http-idle-timeout", "1")
def test_idle_keep_alive_connection_is_closed_silently(modeld):
    with RawConnection(modeld.address, timeout_s=15.0) as idle:
        assert idle.request("GET", "/livez").status == 200
        # No 408 for a connection that sent nothing: it is closed without a response.
        assert idle.is_closed_by_peer()
