"""Event subscribers of the soak: WebSocket clients joining and leaving rooms, and Server-Sent
Events streams connecting and disconnecting. A subscriber that saw `model_load_started` for
a model must see that load's terminal event (DESIGN §1.3) before it leaves: it stays up to
LOAD_TIMEOUT_S for it, and a missing one is a failure. `seq` must increase within a room
(gaps are allowed: queued progress events may be replaced for slow subscribers)."""

from __future__ import annotations

import json
import random
import socket
import threading
import time

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from clients import LOAD_TIMEOUT_S, Stats
from daemon import CYCLED, Daemon

TERMINAL = {"model_load_completed", "model_load_failed", "model_load_cancelled"}


class Tracker:
    """One subscriber's view: loads started and not yet ended, per (room, model)."""

    def __init__(self, stats: Stats, who: str) -> None:
        self.stats, self.who = stats, who
        self.open: dict[tuple[str, str], float] = {}
        self.seq: dict[str, int] = {}

    def see(self, envelope: dict) -> None:
        name, room = envelope.get("event", "?"), envelope.get("room", "?")
        self.stats.event(name)
        seq = envelope.get("seq")
        if isinstance(seq, int) and name != "snapshot":
            if seq <= self.seq.get(room, 0):
                self.stats.fail(f"{self.who}: seq {seq} after {self.seq[room]} in {room} ({name})")
            self.seq[room] = seq
        elif isinstance(seq, int):
            self.seq[room] = max(self.seq.get(room, 0), seq)
        model = (envelope.get("data") or {}).get("id", "?")
        key = (room, model)
        if name == "model_load_started":
            if key in self.open:
                self.stats.fail(f"{self.who}: second model_load_started for {model} in {room} without a terminal event")
            self.open[key] = time.monotonic()
        elif name in TERMINAL:
            self.open.pop(key, None)

    def missing(self) -> list[str]:
        return [f"{model} in {room}" for room, model in self.open]


def ws_worker(daemon: Daemon, stats: Stats, stop: threading.Event, seed: int) -> None:
    """Joins rooms (by query or by a subscribe message), listens 1-8 s, leaves (unsubscribe
    then close, or just close), again and again."""
    rng = random.Random(seed)
    base = f"ws://{daemon.host}:{daemon.port}/ws"
    while not stop.is_set():
        how = rng.choice(["query", "query-models", "message", "two-rooms"])
        rooms = {"query": [f"model:{CYCLED}"], "query-models": ["models"], "message": [f"model:{CYCLED}"],
                 "two-rooms": [f"model:{CYCLED}", "models"]}[how]
        url = base + ("" if how == "message" else "?" + "&".join(f"room={r}" for r in rooms))
        tracker = Tracker(stats, f"WebSocket {how}")
        try:
            with connect(url, open_timeout=30, close_timeout=10, max_size=2 ** 22) as ws:
                stats.count("ws join " + how, "101")
                if how == "message":
                    ws.send(json.dumps({"action": "subscribe", "room": rooms[0]}))
                snapshots = 0
                leave_at = time.monotonic() + rng.uniform(1, 8)
                while True:
                    now = time.monotonic()
                    if now >= leave_at and (not tracker.open or now - min(tracker.open.values()) > LOAD_TIMEOUT_S):
                        break
                    try:
                        message = ws.recv(timeout=1.0 if now >= leave_at else min(1.0, leave_at - now))
                    except TimeoutError:
                        continue
                    envelope = json.loads(message)
                    snapshots += envelope.get("event") == "snapshot"
                    tracker.see(envelope)
                if snapshots < len(rooms):
                    stats.fail(f"WebSocket {how}: {snapshots} snapshots for {len(rooms)} rooms")
                if tracker.open:
                    stats.fail(f"WebSocket {how}: no terminal event within {LOAD_TIMEOUT_S:.0f} s for {tracker.missing()}")
                if rng.random() < 0.5:
                    for room in rooms:
                        ws.send(json.dumps({"action": "unsubscribe", "room": room}))
        except (ConnectionClosed, OSError) as error:
            stats.fail(f"WebSocket {how}: {type(error).__name__}: {error}")
        stats.count("ws leave " + how, "closed")


class SSEStream:
    """A raw-socket `GET /v1/models/{id}/events`: status, then events as they arrive
    (chunked or close-delimited)."""

    def __init__(self, daemon: Daemon, model: str) -> None:
        self.sock = socket.create_connection((daemon.host, daemon.port), timeout=30)
        self.sock.sendall(f"GET /v1/models/{model}/events HTTP/1.1\r\nHost: soak\r\n"
                          f"Accept: text/event-stream\r\n\r\n".encode())
        self.raw = b""
        while b"\r\n\r\n" not in self.raw:
            self._fill()
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        self.chunked = headers.get("transfer-encoding", "").lower() == "chunked"
        self.body = b""

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("stream closed by the server")
        self.raw += chunk

    def _decode(self) -> None:
        if not self.chunked:
            self.body, self.raw = self.body + self.raw, b""
            return
        while b"\r\n" in self.raw:
            size_line, rest = self.raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            self.body += rest[:size]
            self.raw = rest[size + 2:]

    def next_event(self, timeout_s: float) -> dict | None:
        """The next event's envelope (its `data:` JSON), or None after `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        while True:
            self._decode()
            if b"\n\n" in self.body:
                block, self.body = self.body.split(b"\n\n", 1)
                data = [line[5:].strip() for line in block.split(b"\n") if line.startswith(b"data:")]
                if data:
                    return json.loads(b"\n".join(data))
                continue  # a comment or keep-alive
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self.sock.settimeout(remaining)
            try:
                self._fill()
            except TimeoutError:
                return None

    def close(self) -> None:
        self.sock.close()


def sse_worker(daemon: Daemon, stats: Stats, stop: threading.Event, seed: int) -> None:
    """Opens the cycled model's event stream, reads it 1-8 s (longer while a load it saw
    start is still running), disconnects, again and again."""
    rng = random.Random(seed)
    while not stop.is_set():
        tracker = Tracker(stats, "SSE")
        stream = SSEStream(daemon, CYCLED)
        try:
            stats.count("sse connect", stream.status)
            if stream.status != 200:
                stats.fail(f"SSE: status {stream.status}")
                continue
            leave_at = time.monotonic() + rng.uniform(1, 8)
            while True:
                now = time.monotonic()
                if now >= leave_at and (not tracker.open or now - min(tracker.open.values()) > LOAD_TIMEOUT_S):
                    break
                envelope = stream.next_event(1.0 if now >= leave_at else min(1.0, leave_at - now))
                if envelope is not None:
                    tracker.see(envelope)
            if tracker.open:
                stats.fail(f"SSE: no terminal event within {LOAD_TIMEOUT_S:.0f} s for {tracker.missing()}")
        except (OSError, ValueError) as error:
            stats.fail(f"SSE: {type(error).__name__}: {error}")
        finally:
            stream.close()
