"""The HTTP layer's limits against the real binary and raw sockets (issue 10, part A):
backpressure on a client that pipelines without reading, the body-read and write timeouts,
absolute-form request targets, and HSTS over TLS. Each test checks that another connection's
`/livez` still answers afterwards.
"""

from __future__ import annotations

import json
import os
import pathlib
import select
import shutil
import socket
import subprocess
import time

import pytest

from rawhttp import RawConnection, assert_json_error, request_bytes

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
LIVEZ_TIMEOUT_S = 10.0  # generous: a debug build on a busy 2-core machine


def resident_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def assert_livez(server) -> float:
    """`/livez` on a new connection answers 200; returns how long it took."""
    started = time.monotonic()
    with RawConnection(server.address, timeout_s=LIVEZ_TIMEOUT_S) as conn:
        response = conn.request("GET", "/livez")
    assert response.status == 200, response
    return time.monotonic() - started


def wait_ready(server, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    with RawConnection(server.address) as conn:
        while time.monotonic() < deadline:
            if conn.request("GET", "/readyz").status == 200:
                return
            time.sleep(0.1)
    raise AssertionError(f"/readyz not 200 within {timeout_s} s:\n{server.output()}")


def small_receive_buffer_socket(address: tuple[str, int]) -> socket.socket:
    """A client socket whose receive window stays small, so unread responses back up into
    the server quickly (set before connect, so the window scaling is negotiated for it)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(address)
    return sock


def server_side_state(server_port: int, client: socket.socket) -> str | None:
    """The TCP state (hex, as in /proc/net/tcp: 01 is ESTABLISHED) of the server's end of
    `client`'s connection, or None once that socket is gone (closed with a reset)."""
    client_port = client.getsockname()[1]
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                return fields[3]
    return None


def wait_until_server_closes(server_port: int, client: socket.socket, timeout_s: float) -> float:
    """Waits until the server's end of `client` is no longer ESTABLISHED; returns when."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server_side_state(server_port, client) != "01":
            return time.monotonic()
        time.sleep(0.05)
    raise AssertionError(f"the server kept the connection open for {timeout_s} s")


def read_until_closed(sock: socket.socket) -> tuple[int, bool]:
    """Reads everything left; returns the byte count and whether the stream ended (EOF or
    reset) rather than timing out."""
    total = 0
    sock.settimeout(10)
    while True:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            return total, True
        except TimeoutError:
            return total, False
        if not data:
            return total, True
        total += len(data)


# --- (1) backpressure --------------------------------------------------------------------

FLOOD_SECONDS = 10.0
RSS_BOUND_KIB = 64 * 1024


def send_without_reading(flood: socket.socket, batch: bytes, seconds: float, every_2s=None) -> int:
    """Sends `batch` over and over on non-blocking `flood` for `seconds`, reading nothing;
    calls `every_2s()` every 2 s. Returns the bytes the kernel accepted."""
    flood.setblocking(False)
    sent = offset = 0
    started = time.monotonic()
    next_call = started + 2.0
    while (now := time.monotonic()) < started + seconds:
        _, writable, _ = select.select([], [flood], [], 0.2)
        if writable:
            try:
                count = flood.send(memoryview(batch)[offset:offset + (1 << 20)])
            except BlockingIOError:
                count = 0
            sent += count
            offset = (offset + count) % len(batch)
        if every_2s is not None and now >= next_call:
            every_2s()
            next_call = now + 2.0
    return sent


@pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                    reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")
def test_pipelining_without_reading_keeps_memory_bounded(start_modeld, repository, tmp_path):
    """A client pipelines batches of 2,000 `POST /v1/embeddings` for 10 s and never reads.
    The server stops reading it once a response is pending and 64 KiB wait, so the kernel's
    buffers fill, the client's sends stall, and the server's RSS stays within 64 MB of its
    start; meanwhile another connection's /livez answers."""
    server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"))
    wait_ready(server)
    body = json.dumps({"model": "minilm", "input": "hello world"}).encode()
    one = request_bytes("POST", "/v1/embeddings", [("Content-Type", "application/json")], body)
    with RawConnection(server.address, timeout_s=60) as warm:  # the batcher and its buffers exist
        assert warm.request("POST", "/v1/embeddings", [("Content-Type", "application/json")], body).status == 200
    before = resident_kib(server.proc.pid)

    peak = before
    livez_seconds = []

    def probe() -> None:
        nonlocal peak
        peak = max(peak, resident_kib(server.proc.pid))
        livez_seconds.append(assert_livez(server))

    flood = small_receive_buffer_socket(server.address)
    try:
        sent = send_without_reading(flood, one * 2000, FLOOD_SECONDS, every_2s=probe)
        after = resident_kib(server.proc.pid)
        peak = max(peak, after)
        # The flood connection is still open and unread: others are still served.
        livez_seconds.append(assert_livez(server))
    finally:
        flood.close()
    print(f"\nflood: client got {sent / 1e6:.1f} MB ({sent // len(one)} requests) into the kernel in "
          f"{FLOOD_SECONDS:.0f} s; VmRSS {before} KiB before, {after} KiB after, peak {peak} KiB; "
          f"/livez on another connection took at most {max(livez_seconds) * 1000:.0f} ms")
    assert peak - before < RSS_BOUND_KIB, f"VmRSS grew from {before} KiB to {peak} KiB"
    # Backpressure, not buffering: the client's sends stalled once the buffers were full
    # (without it the server read everything: 340 MB in 10 s here, VmRSS +330 MB).
    assert sent < 64 * 1024 * 1024, f"the client could send {sent} bytes: the server kept reading"
    assert max(livez_seconds) < LIVEZ_TIMEOUT_S
    assert_livez(server)


def test_pipelined_livez_flood_without_reading_keeps_memory_bounded(start_modeld):
    """The same with `GET /livez` (no model needed), 100,000 requests per batch for 5 s:
    output passes its high-water mark, reading stops, RSS stays bounded."""
    server = start_modeld()
    assert_livez(server)
    before = resident_kib(server.proc.pid)
    flood = small_receive_buffer_socket(server.address)
    try:
        sent = send_without_reading(flood, request_bytes("GET", "/livez") * 100_000, FLOOD_SECONDS / 2)
        after = resident_kib(server.proc.pid)
        assert_livez(server)
    finally:
        flood.close()
    print(f"\nlivez flood: {sent / 1e6:.1f} MB accepted by the kernel in {FLOOD_SECONDS / 2:.0f} s; "
          f"VmRSS {before} -> {after} KiB")
    assert sent < 64 * 1024 * 1024, f"the client could send {sent} bytes: the server kept reading"
    assert after - before < RSS_BOUND_KIB, f"VmRSS grew from {before} KiB to {after} KiB"
    assert_livez(server)


# --- (2) body-read timeout ---------------------------------------------------------------

@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_body_that_never_arrives_gets_408_and_a_close(start_modeld, framing):
    server = start_modeld("--http-body-read-timeout", "1")
    with RawConnection(server.address) as conn:
        if framing == "content-length":
            conn.send(b"POST /v1/embeddings HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{\"model\":")
        else:
            conn.send(b"POST /v1/embeddings HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n9\r\n{\"model\":\r\n")
        sent = time.monotonic()
        response = conn.read_response("POST")
        waited = time.monotonic() - sent
        assert_json_error(response, 408, "request_timeout")
        assert "body" in response.json()["error"]["message"]
        assert response.header("connection") == "close"
        assert waited >= 0.9, f"answered after {waited:.2f} s, before the 1 s timeout"
        assert conn.is_closed_by_peer()
    assert_livez(server)


def test_body_read_timeout_default_is_30_seconds_in_help(modeld_bin):
    result = subprocess.run([modeld_bin, "serve", "--help"], capture_output=True, text=True, timeout=30)
    assert "--http-body-read-timeout" in result.stdout and "--http-write-timeout" in result.stdout, result.stdout


# --- (3) write timeout -------------------------------------------------------------------

def test_client_that_never_reads_is_closed_after_the_write_timeout(start_modeld):
    """A client asks for 1,000 /metrics pages (about 14 MB) and reads nothing. With
    `--http-write-timeout 1` the server closes it once its output has made no progress for
    a second; the client then reads what its kernel buffered, and the stream ends early."""
    server = start_modeld("--http-write-timeout", "1")
    with RawConnection(server.address) as probe:
        page = len(probe.request("GET", "/metrics").body)
    client = small_receive_buffer_socket(server.address)
    try:
        requests_sent = 1000
        client.sendall(request_bytes("GET", "/metrics") * requests_sent)
        sent = time.monotonic()
        closed = wait_until_server_closes(server.port, client, timeout_s=30)
        assert closed - sent >= 0.9, f"closed after {closed - sent:.2f} s, before the 1 s timeout"
        assert_livez(server)
        received, ended = read_until_closed(client)
    finally:
        client.close()
    print(f"\nwrite timeout: closed {closed - sent:.2f} s after the requests; the client then read "
          f"{received} of about {page * requests_sent} bytes")
    assert ended, "the stream did not end after the server closed"
    # At most what the kernel buffers held (the server's send buffer grows to 4 MB at most).
    assert received < page * requests_sent // 2
    assert_livez(server)


class SlowReader:
    """Stands in for a RawConnection's socket: every read takes at most 16 KiB, after a
    pause of 0.1 s (about 160 KB/s)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def recv(self, size: int) -> bytes:
        time.sleep(0.1)
        return self.sock.recv(min(size, 16384))

    def sendall(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()


def test_slow_reader_that_keeps_reading_is_served_in_full(start_modeld):
    """Reading slowly is not stalling: a client that takes 16 KiB every 0.1 s gets all of
    100 /metrics pages (about 1.4 MB, several seconds) although the write timeout is 1 s."""
    server = start_modeld("--http-write-timeout", "1")
    conn = RawConnection(server.address, timeout_s=30)
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    conn.sock = SlowReader(conn.sock)
    started = time.monotonic()
    try:
        conn.send(request_bytes("GET", "/metrics") * 100)
        total = sum(len(conn.read_response().body) for _ in range(100))
    finally:
        conn.close()
    took = time.monotonic() - started
    print(f"\nslow reader: {total} bytes of body in {took:.1f} s")
    assert took > 2.0, "the responses fitted in the socket buffers: no slow write was tested"
    assert_livez(server)


# --- (4) absolute-form request targets ---------------------------------------------------

@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_absolute_form_livez_with_curl(modeld):
    url = modeld.url("/livez")
    result = subprocess.run(["curl", "-s", "-S", "-i", "--max-time", "20", "--request-target", url, url],
                            capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head
    assert json.loads(body) == {"status": "ok"}
    assert_livez(modeld)


def test_absolute_form_raw(modeld):
    host, port = modeld.address
    with RawConnection(modeld.address) as conn:
        # RFC 9112 §3.2.2: routed by the target's path; Host is ignored in its favour.
        for target, host_header in [(f"http://{host}:{port}/livez", f"{host}:{port}"),
                                    (f"HTTP://{host}:{port}/livez", "elsewhere.example"),
                                    (f"https://{host}:{port}/livez?x=1", f"{host}:{port}")]:
            conn.send(f"GET {target} HTTP/1.1\r\nHost: {host_header}\r\n\r\n".encode())
            response = conn.read_response()
            assert response.status == 200, (target, response)
            assert response.json() == {"status": "ok"}
        conn.send(f"GET http://{host}:{port}/nope HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        assert_json_error(conn.read_response(), 404, "not_found")
    with RawConnection(modeld.address) as conn:
        conn.send(b"GET ftp://example.org/livez HTTP/1.1\r\nHost: example.org\r\n\r\n")
        assert_json_error(conn.read_response(), 400, "invalid_target")
        assert conn.is_closed_by_peer()
    with RawConnection(modeld.address) as conn:
        conn.send(f"GET http://{host}:{port}/livez HTTP/1.1\r\n\r\n".encode())
        assert_json_error(conn.read_response(), 400, "missing_host")
    assert_livez(modeld)


# --- HSTS ----------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("curl") is None,
                    reason="openssl and curl are needed")
def test_hsts_over_tls_only(start_modeld, tmp_path):
    from test_tls import make_tls_files

    tls = make_tls_files(tmp_path / "tls")
    secure = start_modeld(*tls.flags(), scheme="https")
    for path in ["/livez", "/nope"]:
        result = subprocess.run(["curl", "-s", "-S", "-i", "--max-time", "20", "--cacert", str(tls.ca),
                                 secure.url(path)], capture_output=True, timeout=30)
        assert result.returncode == 0, result.stderr
        head = result.stdout.partition(b"\r\n\r\n")[0].decode("latin-1")
        assert "\r\nStrict-Transport-Security: max-age=31536000" in head, head
    plain = start_modeld()
    with RawConnection(plain.address) as conn:
        response = conn.request("GET", "/livez")
    assert response.header("strict-transport-security") is None
    assert_livez(plain)


def assert_livez_tls(server, context) -> None:
    """`/livez` over a new TLS connection answers 200."""
    import http.client

    conn = http.client.HTTPSConnection(server.host, server.port, context=context, timeout=LIVEZ_TIMEOUT_S)
    try:
        conn.request("GET", "/livez")
        response = conn.getresponse()
        assert response.status == 200 and response.read() == b'{"status":"ok"}'
    finally:
        conn.close()


def flood_then_read_tls(server, sock, context) -> tuple[int, int, int, int]:
    """Writes pipelined `/livez` through `sock` (non-blocking TLS) until no write has gone
    through for 2 s, then reads every answer, finishing the write that stalled. Returns
    the requests written, the answers read, and VmRSS before the flood and at the stall."""
    import ssl

    before = resident_kib(server.proc.pid)
    sock.setblocking(False)
    chunk = request_bytes("GET", "/livez") * 1000  # whole requests per write
    written = 0
    last_progress = time.monotonic()
    deadline = last_progress + 60
    while time.monotonic() - last_progress < 2.0:
        assert time.monotonic() < deadline, "the client never stalled: the server kept reading"
        select.select([], [sock], [], 0.2)
        try:
            sock.send(chunk)  # no partial writes: all of it, or an SSLWant error and a retry
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
            continue
        written += 1
        last_progress = time.monotonic()
    after = resident_kib(server.proc.pid)
    assert_livez_tls(server, context)
    expected = (written + 1) * 1000  # the stalled write goes through once the client reads
    marker = b"HTTP/1.1 200 OK\r\n"
    answered = 0
    tail = b""
    pending = True
    deadline = time.monotonic() + 120
    while answered < expected:
        assert time.monotonic() < deadline, f"{answered} of {expected} answered"
        _, writable, _ = select.select([sock], [sock] if pending else [], [], 1.0)
        if pending and writable:
            try:
                sock.send(chunk)
                pending = False
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
                pass
        while True:
            try:
                data = sock.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                break
            assert data, f"server closed after {answered} of {expected} responses"
            buffer = tail + data
            answered += buffer.count(marker)
            tail = buffer[-(len(marker) - 1):]
    return expected, answered, before, after


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed")
def test_tls_pipelining_without_reading_stalls_then_everything_is_served(start_modeld, tmp_path):
    """Backpressure over TLS: a client pipelines `GET /livez` through TLS without reading
    until its sends stall; the server's RSS stays bounded. Then it reads: every request it
    sent is answered, none lost across the pause (TLS may hold decrypted input that the
    socket no longer shows when reading resumes)."""
    import ssl

    from test_tls import make_tls_files

    tls = make_tls_files(tmp_path / "tls")
    server = start_modeld(*tls.flags(), scheme="https")
    context = ssl.create_default_context(cafile=str(tls.ca))
    sock = context.wrap_socket(socket.create_connection(server.address, timeout=10), server_hostname="127.0.0.1")
    try:
        expected, answered, before, after = flood_then_read_tls(server, sock, context)
    finally:
        sock.close()
    print(f"\ntls flood: {expected} requests sent, the last 1,000 after the stall "
          f"({expected * 34 / 1e6:.1f} MB); VmRSS {before} -> {after} KiB at the stall; {answered} answered")
    assert answered == expected
    assert after - before < RSS_BOUND_KIB
    assert_livez_tls(server, context)
