"""Observers of a load for the reporting-overhead measurement of `scripts/bench load`.

An observer set runs in one background thread while a load is timed, and reports what it
did (requests, errors, its own CPU time) so the output can say what "with observers" meant.

Kinds (`--observers KIND:COUNT:INTERVAL_MS`):
- `poll`: COUNT keep-alive HTTP clients, each sending `GET /v1/models/{id}` again
  INTERVAL_MS after its previous answer (default 50 clients every 10 ms).

Hook for subscribers: WebSocket rooms and Server-Sent Events do not exist in modeld yet.
When they do, add a class with the same `start()` / `stop() -> dict` interface (connect
COUNT subscribers to the model's room, drain every frame) and register it in `KINDS`.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time


class PollObservers:
    """COUNT non-blocking keep-alive clients polling one URL path, all on one thread."""

    description = "{count} HTTP keep-alive clients polling GET /v1/models/{model} every {interval_ms:g} ms"

    def __init__(self, port: int, model: str, count: int, interval_ms: float) -> None:
        self.port = port
        self.count = count
        self.interval_s = interval_ms / 1000
        self.request = f"GET /v1/models/{model} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        self.requests = 0
        self.errors = 0
        self.cpu_s = 0.0
        self.failure = ""
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        """Connects every client (so all are there before the load starts), then polls."""
        for _ in range(self.count):
            s = socket.create_connection(("127.0.0.1", self.port))
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.setblocking(False)
            self._sockets.append(s)
        self._thread.start()

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        if self.failure:
            raise RuntimeError(f"observers failed: {self.failure}")
        return {"requests": self.requests, "errors": self.errors, "cpu_s": self.cpu_s}

    def _run(self) -> None:
        cpu0 = time.thread_time()
        sel = selectors.DefaultSelector()
        due: dict[socket.socket, float] = {}
        buffers: dict[socket.socket, bytearray] = {}
        for s in self._sockets:
            sel.register(s, selectors.EVENT_READ)
            buffers[s] = bytearray()
            due[s] = time.monotonic()  # first request at once
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                for s, at in list(due.items()):
                    if at <= now:
                        del due[s]
                        s.sendall(self.request)  # a few dozen bytes: fits the socket buffer
                next_due = min(due.values(), default=now + 0.05)
                for key, _ in sel.select(timeout=max(0.0, min(next_due - time.monotonic(), 0.05))):
                    self._receive(key.fileobj, buffers, due)
        except OSError as error:
            self.failure = f"{type(error).__name__}: {error}"
        finally:
            for s in buffers:
                sel.unregister(s)
                s.close()
            self.cpu_s = time.thread_time() - cpu0

    def _receive(self, s: socket.socket, buffers: dict[socket.socket, bytearray], due: dict[socket.socket, float]) -> None:
        data = s.recv(65536)
        if not data:
            raise ConnectionError("the server closed a polling connection")
        buf = buffers[s]
        buf += data
        head_end = buf.find(b"\r\n\r\n")
        if head_end < 0:
            return
        head = bytes(buf[:head_end]).decode("latin-1").lower()
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip() == "content-length":
                length = int(value)
        if len(buf) < head_end + 4 + length:
            return
        if not head.startswith("http/1.1 200"):
            self.errors += 1
        del buf[: head_end + 4 + length]
        self.requests += 1
        due[s] = time.monotonic() + self.interval_s


KINDS = {"poll": PollObservers}


def parse_spec(spec: str) -> tuple[str, int, float]:
    """`poll:50:10` -> ("poll", 50, 10.0)."""
    kind, count, interval = (spec.split(":") + ["", ""])[:3]
    if kind not in KINDS:
        raise ValueError(f"unknown observer kind '{kind}' (known: {', '.join(KINDS)}; "
                         "WebSocket/SSE subscribers do not exist in modeld yet)")
    return kind, int(count or 50), float(interval or 10)


def make(spec: str, port: int, model: str):
    kind, count, interval_ms = parse_spec(spec)
    return KINDS[kind](port, model, count, interval_ms)


def describe(spec: str, model: str) -> str:
    kind, count, interval_ms = parse_spec(spec)
    return KINDS[kind].description.format(count=count, model=model, interval_ms=interval_ms)
