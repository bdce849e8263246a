"""A strict HTTP/1.1 client for the end-to-end tests: raw bytes out, h11 parsing in.

We write request bytes ourselves (so tests can send anything, including what no well-behaved
client would) and let h11, an independent implementation of RFC 9112, judge the framing of
every response the server sends back.
"""

from __future__ import annotations

import email.utils
import json
import socket
from dataclasses import dataclass, field

import h11

IO_TIMEOUT_S = 10.0


@dataclass
class Response:
    status: int
    http_version: bytes
    headers: list[tuple[str, str]]
    body: bytes = b""
    informational: list[int] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The value of the one header called `name` (case-insensitive); fails if repeated."""
        values = self.header_values(name)
        assert len(values) <= 1, f"header {name} repeated: {values}"
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name.lower()]

    def json(self) -> object:
        return json.loads(self.body)


class RawConnection:
    """One TCP connection to the server; responses are parsed strictly and in order."""

    def __init__(self, address: tuple[str, int], timeout_s: float = IO_TIMEOUT_S) -> None:
        self.sock = socket.create_connection(address, timeout=timeout_s)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.h11 = h11.Connection(our_role=h11.CLIENT)

    def __enter__(self) -> RawConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, method: str, path: str, headers: list[tuple[str, str]] | None = None,
                body: bytes = b"") -> Response:
        """Sends one well-formed request and returns its response."""
        self.send(request_bytes(method, path, headers, body))
        return self.read_response(method)

    def read_response(self, method: str = "GET") -> Response:
        """Parses the next response; `method` tells h11 whether a body follows (HEAD: none)."""
        if self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE:
            self.h11.start_next_cycle()
        # h11 parses a response only after "its" request: feed it a stand-in (never sent) of the
        # same method, since only HEAD changes how the response is framed.
        self.h11.send(h11.Request(method=method, target="/", headers=[("Host", "e2e")]))
        self.h11.send(h11.EndOfMessage())
        informational: list[int] = []
        response: Response | None = None
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as error:
                raise AssertionError(f"invalid or truncated response ({error}); response so far: {response}") from None
            if event is h11.NEED_DATA:
                data = self.sock.recv(65536)
                self.h11.receive_data(data)
                continue
            if isinstance(event, h11.InformationalResponse):
                informational.append(event.status_code)
            elif isinstance(event, h11.Response):
                response = Response(
                    status=event.status_code, http_version=event.http_version,
                    headers=[(k.decode().lower(), v.decode()) for k, v in event.headers],
                    informational=informational,
                )
            elif isinstance(event, h11.Data):
                assert response is not None
                response.body += bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                assert response is not None
                return response
            elif isinstance(event, h11.ConnectionClosed):
                raise AssertionError("server closed the connection before a complete response")

    def is_closed_by_peer(self) -> bool:
        """True once the server closes (EOF or reset) with no further bytes sent; False if
        it sends more bytes or keeps the connection open past the I/O timeout."""
        if self.h11.trailing_data[0]:
            return False
        try:
            data = self.sock.recv(1)
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
        return data == b""


def request_bytes(method: str, path: str, headers: list[tuple[str, str]] | None = None,
                  body: bytes = b"") -> bytes:
    """A request in wire format, with `Host` and, for a body, `Content-Length` added."""
    lines = [f"{method} {path} HTTP/1.1", "Host: e2e"]
    all_headers = list(headers or [])
    if body and not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in all_headers):
        all_headers.append(("Content-Length", str(len(body))))
    lines += [f"{k}: {v}" for k, v in all_headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def assert_well_framed(response: Response, method: str = "GET") -> None:
    """The framing rules every modeld response follows (RFC 9110/9112)."""
    assert response.http_version == b"1.1", response
    # RFC 9110 §6.6.1: an origin server with a clock MUST send Date.
    date = response.header("date")
    assert date is not None, f"no Date header: {response.headers}"
    assert email.utils.parsedate_to_datetime(date) is not None
    assert response.header("transfer-encoding") is None or response.header("content-length") is None
    length = response.header("content-length")
    if method == "HEAD":
        assert response.body == b""
    elif response.header("transfer-encoding") is None:
        assert length is not None, f"no Content-Length and not chunked: {response.headers}"
        assert int(length) == len(response.body)
    content_type = response.header("content-type") or ""
    if content_type.startswith("application/json") and response.body:
        response.json()


def assert_json_error(response: Response, status: int, code: str | None = None) -> None:
    """A DESIGN §1.5 error: the status and `{"error":{"code":...,"message":...}}`."""
    assert response.status == status, f"expected {status}, got {response.status}: {response.body!r}"
    assert (response.header("content-type") or "").startswith("application/json")
    error = response.json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
