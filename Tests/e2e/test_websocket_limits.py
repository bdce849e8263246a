"""No single WebSocket or event-stream client can take over modeld (issue 10, DESIGN §1.4,
§1.8), checked with the real binary, the Python `websockets` client and raw sockets:

- Origin: no `Origin` or same-origin passes; another site gets 403 `origin_not_allowed`
  unless `--websocket-allowed-origins` lists it (`*`: any); on `/ws` and `/ws/echo`;
- rooms per connection (64 by default) and room-name length (256 bytes): an error event
  (`too_many_rooms`, `invalid_room`) and the connection goes on; 400 at the handshake and
  on publishing;
- Server-Sent Events streams (`--sse-max-subscribers`): past the cap, 503
  `too_many_subscribers` with `Retry-After`, and the open streams keep streaming;
- a client that floods pings, bad commands or echo messages and never reads: the server
  stops reading it (backpressure), its memory stays bounded and `/livez` answers.

Rooms other than `model:*` and `models` need no model; the event-stream tests use the real
model's id (not loaded) and are skipped without it.
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import shutil
import socket
import ssl
import struct
import time
import urllib.request

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
TOKEN = "limits-token"
needs_model = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                 reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")


def serve(start_modeld, tmp_path: pathlib.Path, *extra: str, model: bool = False, **options):
    """A server with an admin token (publishing needs it), no loads at start-up, and an
    empty repository, or one holding the real model as `minilm`."""
    repo = tmp_path / "repo"
    repo.mkdir(exist_ok=True)
    if model and not (repo / "minilm").exists():
        (repo / "minilm").symlink_to(MODEL_DIR, target_is_directory=True)
    token = tmp_path / "admin-token"
    token.write_text(TOKEN + "\n")
    return start_modeld("--model-repository", str(repo), "--state-dir", str(tmp_path / "state"),
                        "--load-at-startup", "none", "--admin-token-file", str(token), *extra, **options)


def ws_url(server, path: str = "/ws", *rooms: str) -> str:
    query = "&".join(f"room={room}" for room in rooms)
    return f"ws://{server.host}:{server.port}{path}" + (f"?{query}" if query else "")


def handshake(server, path: str = "/ws", origin: str | None = None, host: str | None = None,
              receive_buffer: int | None = None, tls: ssl.SSLContext | None = None,
              ) -> tuple[socket.socket, int, dict[str, str], bytes]:
    """A raw upgrade request (over TLS with `tls`); returns the socket, the status, the
    headers (lowercase names) and what followed the head (a refusal's body, or frames)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, receive_buffer)
    sock.settimeout(30)
    sock.connect(server.address)
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname=server.host)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", f"Host: {host or f'{server.host}:{server.port}'}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"closed before a response head: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (h.partition(":") for h in header_lines)}
    status = int(status_line.split()[1])
    if status != 101 and "content-length" in headers:
        while len(rest) < int(headers["content-length"]):
            rest += sock.recv(4096)
    return sock, status, headers, rest


def error_of(body: bytes) -> dict:
    return json.loads(body)["error"]


def next_event(ws, timeout_s: float = 30.0) -> dict:
    return json.loads(ws.recv(timeout=timeout_s))


def settle(ws) -> None:
    """Waits until the server has handled everything sent on `ws` so far (and the joins of
    its handshake): commands are handled in order, and this one is answered."""
    ws.send(json.dumps({"action": "unsubscribe", "room": "settle"}))
    answer = next_event(ws)
    assert answer["event"] == "error" and answer["data"]["code"] == "not_subscribed", answer


def publish(server, room: str, message: dict) -> tuple[int, dict]:
    request = urllib.request.Request(server.url(f"/v1/rooms/{room}/messages"), data=json.dumps(message).encode(),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "Authorization": f"Bearer {TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def livez(server, tls: ssl.SSLContext | None = None) -> int:
    with urllib.request.urlopen(server.url("/livez"), timeout=10, context=tls) as response:
        return response.status


def rss_bytes(server) -> int:
    for line in pathlib.Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


# ---------------------------------------------------------------------------------- origins

@pytest.mark.parametrize("path", ["/ws", "/ws/echo"])
def test_another_sites_origin_is_refused_with_403(start_modeld, tmp_path, path):
    server = serve(start_modeld, tmp_path, "--enable-echo")
    sock, status, headers, body = handshake(server, path, origin="http://evil.example")
    sock.close()
    assert status == 403
    assert headers["content-type"].startswith("application/json")
    error = error_of(body)
    assert error["code"] == "origin_not_allowed"
    assert "websocket.allowed-origins" in error["message"]
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(server, path), origin="http://evil.example", open_timeout=20)
    assert refused.value.response.status_code == 403
    assert livez(server) == 200


@pytest.mark.parametrize("path", ["/ws", "/ws/echo"])
def test_same_origin_and_no_origin_are_accepted(start_modeld, tmp_path, path):
    server = serve(start_modeld, tmp_path, "--enable-echo")
    # The dashboard's case: a page of http://HOST:PORT (the client sends Host: HOST:PORT).
    for origin in [None, f"http://{server.host}:{server.port}", f"HTTP://{server.host.upper()}:{server.port}"]:
        with connect(ws_url(server, path), origin=origin, open_timeout=20) as ws:
            assert ws.ping().wait(10)
    # The default port of the scheme stands in for a missing one, on either side.
    sock, status, _, _ = handshake(server, path, origin="http://modeld.example", host="modeld.example:80")
    sock.close()
    assert status == 101
    for origin, host in [("http://modeld.example:8080", "modeld.example"),
                         ("https://modeld.example", "modeld.example:80"), ("null", "modeld.example")]:
        sock, status, _, _ = handshake(server, path, origin=origin, host=host)
        sock.close()
        assert status == 403, (origin, host)


def test_listed_origins_are_accepted_and_others_still_refused(start_modeld, tmp_path):
    server = serve(start_modeld, tmp_path, "--enable-echo",
                   "--websocket-allowed-origins", "https://Dash.Example.com,http://10.0.0.5:8080")
    for path in ["/ws", "/ws/echo"]:
        with connect(ws_url(server, path), origin="https://dash.example.com", open_timeout=20) as ws:
            assert ws.ping().wait(10)
        with pytest.raises(InvalidStatus) as refused:
            connect(ws_url(server, path), origin="https://evil.example", open_timeout=20)
        assert refused.value.response.status_code == 403


def test_star_allows_any_origin(start_modeld, tmp_path):
    server = serve(start_modeld, tmp_path, "--websocket-allowed-origins", "*")
    for origin in ["http://evil.example", "null"]:
        sock, status, _, _ = handshake(server, origin=origin)
        sock.close()
        assert status == 101, origin


def test_an_allowed_origin_that_could_never_match_stops_start_up(modeld_bin, tmp_path):
    import subprocess
    result = subprocess.run([modeld_bin, "serve", "--listen", "127.0.0.1:0", "--model-repository", str(tmp_path),
                             "--websocket-allowed-origins", "https://dash.example.com/"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert result.returncode == 78, result
    assert "websocket.allowed-origins" in result.stderr + result.stdout


# ---------------------------------------------------------------------------------- rooms

def test_the_65th_room_gets_too_many_rooms_and_the_connection_still_works(start_modeld, tmp_path):
    server = serve(start_modeld, tmp_path)
    with connect(ws_url(server), open_timeout=20) as ws:
        for n in range(64):
            ws.send(json.dumps({"action": "subscribe", "room": f"room-{n}"}))
        ws.send(json.dumps({"action": "subscribe", "room": "room-64"}))
        error = next_event(ws)  # free rooms have no snapshot: the first event is the refusal
        assert error["event"] == "error" and error["data"]["code"] == "too_many_rooms", error
        assert "64" in error["data"]["message"]
        # Still subscribed to the first 64, and usable.
        assert publish(server, "room-63", {"hello": 63}) == (200, {"recipients": 1})
        assert next_event(ws) == {"hello": 63}
        assert publish(server, "room-64", {"hello": 64}) == (200, {"recipients": 0})
        ws.send(json.dumps({"action": "unsubscribe", "room": "room-0"}))
        assert next_event(ws) == {"event": "unsubscribed", "room": "room-0"}
        ws.send(json.dumps({"action": "subscribe", "room": "room-64"}))
        settle(ws)
        assert publish(server, "room-64", {"hello": 64}) == (200, {"recipients": 1})
        assert next_event(ws) == {"hello": 64}


def test_too_many_query_rooms_are_refused_with_400(start_modeld, tmp_path):
    server = serve(start_modeld, tmp_path)
    rooms = [f"room-{n}" for n in range(65)]
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(server, "/ws", *rooms), open_timeout=20)
    assert refused.value.response.status_code == 400
    assert error_of(refused.value.response.body)["code"] == "too_many_rooms"
    with connect(ws_url(server, "/ws", *rooms[:64]), open_timeout=20) as ws:
        settle(ws)
        assert publish(server, "room-63", {"n": 1}) == (200, {"recipients": 1})


def test_a_long_room_name_gets_invalid_room_everywhere(start_modeld, tmp_path):
    server = serve(start_modeld, tmp_path)
    long = "r" * 257
    with connect(ws_url(server), open_timeout=20) as ws:
        ws.send(json.dumps({"action": "subscribe", "room": long}))
        error = next_event(ws)
        assert error["event"] == "error" and error["data"]["code"] == "invalid_room", error
        assert long not in error["data"]["message"]
        ws.send(json.dumps({"action": "subscribe", "room": "fine"}))
        settle(ws)
        assert publish(server, "fine", {"still": "open"}) == (200, {"recipients": 1})
        assert next_event(ws) == {"still": "open"}
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(server, "/ws", long), open_timeout=20)
    assert refused.value.response.status_code == 400
    assert error_of(refused.value.response.body)["code"] == "invalid_room"
    status, body = publish(server, long, {"n": 1})
    assert status == 400 and body["error"]["code"] == "invalid_room", body


# ---------------------------------------------------------------------------------- SSE

class EventStream:
    """`GET /v1/models/minilm/events` on a raw socket."""

    def __init__(self, server) -> None:
        self.sock = socket.create_connection(server.address, timeout=30)
        self.sock.sendall(f"GET /v1/models/minilm/events HTTP/1.1\r\nHost: {server.host}\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(4096)
            assert chunk, data
            data += chunk
        head, _, self.buffer = data.partition(b"\r\n\r\n")
        self.status = int(head.split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in
                        (line.partition(":") for line in head.decode("latin-1").split("\r\n")[1:])}

    def body(self) -> bytes:
        while len(self.buffer) < int(self.headers.get("content-length", "0")):
            self.buffer += self.sock.recv(4096)
        return self.buffer

    def data_until(self, needle: bytes, timeout_s: float = 30.0) -> bytes:
        deadline = time.monotonic() + timeout_s
        while needle not in self.buffer:
            self.sock.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            assert chunk, f"stream closed before {needle!r}: {self.buffer[-300:]!r}"
            self.buffer += chunk
        return self.buffer


@needs_model
def test_event_streams_past_the_cap_get_503_and_the_open_ones_keep_streaming(start_modeld, tmp_path):
    server = serve(start_modeld, tmp_path, "--sse-max-subscribers", "3", model=True)
    streams = [EventStream(server) for _ in range(3)]
    assert [s.status for s in streams] == [200, 200, 200]
    for stream in streams:
        stream.data_until(b"event: snapshot")
    refused = EventStream(server)
    assert refused.status == 503
    assert int(refused.headers["retry-after"]) > 0
    error = error_of(refused.body())
    assert error["code"] == "too_many_subscribers" and "sse.max-subscribers" in error["message"], error
    refused.sock.close()
    with urllib.request.urlopen(f"http://{server.host}:{server.port}/metrics", timeout=10) as response:
        assert "\nmodeld_sse_streams 3" in response.read().decode(), "the gauge does not show the 3 open streams"
    assert publish(server, "model:minilm", {"n": 1}) == (200, {"recipients": 3})
    for stream in streams:
        stream.data_until(b'data: {"n": 1}')
    # A closed stream gives its slot back (once the server has seen the EOF).
    streams.pop().sock.close()
    deadline = time.monotonic() + 20
    while (again := EventStream(server)).status != 200:
        again.sock.close()
        assert time.monotonic() < deadline, "the closed stream's slot never came back"
        time.sleep(0.1)
    assert publish(server, "model:minilm", {"n": 2}) == (200, {"recipients": 3})
    for stream in [*streams, again]:
        stream.data_until(b'data: {"n": 2}')
    assert livez(server) == 200


# ---------------------------------------------------------------------------------- floods

def masked(opcode: int, payload: bytes) -> bytes:
    """One client frame (FIN set, masked with a zero key, so the payload goes as is)."""
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    return head + b"\0\0\0\0" + payload


FLOODS = {
    # 300,000 pings of 125 bytes (39 MB); unread, their pongs would be 38 MB.
    "pings": ("/ws", masked(0x9, b"p" * 125), 300_000),
    # 200,000 malformed commands (21 MB); each would get a ~150-byte error reply.
    "bad-commands": ("/ws", masked(0x1, b"x" * 100), 200_000),
    # 2,000 echo messages of 16 KiB (33 MB).
    "echo": ("/ws/echo", masked(0x2, b"e" * 16384), 2_000),
}


def flood_without_reading(server, path: str, data: bytes, tls: ssl.SSLContext | None = None) -> tuple[int, int]:
    """Opens `path`, writes `data` and never reads; returns the bytes the server took before
    it stopped taking any for 3 s (or closed), and how much its RSS grew meanwhile."""
    sock, status, _, _ = handshake(server, path, receive_buffer=16384, tls=tls)
    assert status == 101
    before = rss_bytes(server)
    sock.setblocking(False)
    written, idle_since = 0, time.monotonic()
    while written < len(data) and time.monotonic() - idle_since < 3.0:
        try:
            sent = sock.send(data[written:written + (1 << 14)])
        except (BlockingIOError, ssl.SSLWantWriteError, ssl.SSLWantReadError):
            time.sleep(0.01)
            continue
        except (BrokenPipeError, ConnectionResetError):
            break  # closed by the server: also an acceptable outcome
        written += sent
        idle_since = time.monotonic()
    grown = rss_bytes(server) - before
    assert livez(server, tls) == 200  # while the flooder is still connected
    sock.close()
    return written, grown


@pytest.mark.parametrize("kind", FLOODS)
def test_a_flood_that_is_never_read_is_backpressured_with_bounded_memory(start_modeld, tmp_path, kind):
    path, frame, count = FLOODS[kind]
    server = serve(start_modeld, tmp_path, "--enable-echo")
    data = frame * count
    written, grown = flood_without_reading(server, path, data)
    print(f"{kind}: wrote {written} of {len(data)} bytes, RSS grew {grown / (1 << 20):.1f} MiB")
    assert written < len(data), f"the server read all {len(data)} bytes of a client that never reads"
    assert grown < 16 << 20, f"RSS grew by {grown >> 20} MiB for one client that never reads"
    assert livez(server) == 200


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed")
def test_a_ping_flood_over_tls_is_backpressured_too(start_modeld, tmp_path):
    from test_tls import make_tls_files
    files = make_tls_files(tmp_path / "tls")
    server = serve(start_modeld, tmp_path, *files.flags(), scheme="https")
    context = ssl.create_default_context(cafile=str(files.ca))
    path, frame, count = FLOODS["pings"]
    data = frame * count
    written, grown = flood_without_reading(server, path, data, tls=context)
    print(f"pings over TLS: wrote {written} of {len(data)} bytes, RSS grew {grown / (1 << 20):.1f} MiB")
    assert written < len(data)
    assert grown < 16 << 20
