"""Live load progress over WebSocket rooms with the real binary and model (issue 4, DESIGN
§1.3, §1.4), watched with the Python `websockets` client.

A read-rate cap (`--max-read-bytes-per-second 20000000`) makes step 5 last about 4 s so a
test can join mid-load or cancel. Events with a seq at or below the snapshot's are already
reflected in it and are skipped. Skipped when the model is missing (scripts/test fetches it).
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import os
import pathlib
import resource
import socket
import struct
import time
import urllib.request

import pytest
from websockets.asyncio.client import connect as async_connect
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from model_support import add_truncated_model

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
TERMINAL = {"model_load_completed", "model_load_failed", "model_load_cancelled"}
SLOW_READS = ("--max-read-bytes-per-second", "20000000")

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")


def serve(start_modeld, repository: pathlib.Path, *extra: str):
    return start_modeld("--model-repository", str(repository), "--state-dir", str(repository.parent / "state"), *extra)


def call(server, method: str, path: str, body: bytes | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"} if body else {}
    request = urllib.request.Request(server.url(path), data=body, method=method,
                                     headers={**headers, **(server.admin_headers if method == "POST" else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def ws_url(server, *rooms: str) -> str:
    query = "&".join(f"room={room}" for room in rooms)
    return f"ws://{server.host}:{server.port}/ws" + (f"?{query}" if query else "")


def next_event(ws, timeout_s: float = 60.0) -> dict:
    return json.loads(ws.recv(timeout=timeout_s))


def events_until_terminal(ws, models: set[str] | None = None, timeout_s: float = 120.0) -> list[dict]:
    """Every event until each model in `models` (default: minilm) had a terminal event."""
    waiting = set(models or {"minilm"})
    events: list[dict] = []
    deadline = time.monotonic() + timeout_s
    while waiting:
        events.append(next_event(ws, max(0.1, deadline - time.monotonic())))
        if events[-1]["event"] in TERMINAL:
            waiting.discard(events[-1]["data"]["id"])
    return events


def after_snapshot(events: list[dict]) -> list[dict]:
    """The events after the leading snapshot that it does not already reflect; their seq must
    rise strictly."""
    snapshot = events[0]
    assert snapshot["event"] == "snapshot", events[0]
    later = [e for e in events[1:] if e["seq"] > snapshot["seq"]]
    seqs = [e["seq"] for e in later]
    assert seqs == sorted(set(seqs)), f"seq not strictly increasing: {seqs}"
    return later


def check_steps(events: list[dict], first_step: int) -> None:
    """Progress steps only move forward and include every step from `first_step` to 9."""
    steps = [e["data"]["step"] for e in events if e["event"] == "model_load_progress"]
    assert steps == sorted(steps), f"steps went backwards: {steps}"
    assert set(range(first_step, 10)) <= set(steps), f"missing steps: {steps}"


def test_subscriber_sees_snapshot_then_every_later_step_then_completed(start_modeld, repository):
    server = serve(start_modeld, repository, *SLOW_READS)
    with connect(ws_url(server, "model:minilm"), open_timeout=20) as ws:
        events = events_until_terminal(ws)
    snapshot = events[0]["data"]
    later = after_snapshot(events)
    assert later[-1]["event"] == "model_load_completed" and later[-1]["data"]["state"] == "ready"
    if snapshot["step"] is None:
        assert later[0]["event"] == "model_load_started"
    check_steps(later, (snapshot["step"] or 0) + 1)
    assert all(e["room"] == "model:minilm" and e["data"]["id"] == "minilm" for e in events)


def test_requested_load_goes_started_steps_one_to_nine_completed(start_modeld, repository):
    server = serve(start_modeld, repository, "--load-at-startup", "none")
    with connect(ws_url(server, "model:minilm"), open_timeout=20) as ws:
        snapshot = next_event(ws)
        assert snapshot["event"] == "snapshot" and snapshot["data"]["step"] is None
        assert call(server, "POST", "/v1/models/minilm/load")[0] == 202
        events = [snapshot, *events_until_terminal(ws)]
    later = after_snapshot(events)
    names = [e["event"] for e in later]
    assert names[0] == "model_load_started" and names[-1] == "model_load_completed"
    assert set(names[1:-1]) == {"model_load_progress"}
    check_steps(later, 1)
    assert later[-1]["data"]["progress"] == 1.0


def test_joining_mid_load_gets_the_current_step_first(start_modeld, repository):
    server = serve(start_modeld, repository, *SLOW_READS)
    deadline = time.monotonic() + 60
    while (call(server, "GET", "/v1/models/minilm")[1].get("step") or 0) < 5:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.02)
    with connect(ws_url(server, "model:minilm"), open_timeout=20) as ws:
        events = events_until_terminal(ws)
    snapshot = events[0]
    assert snapshot["event"] == "snapshot" and snapshot["seq"] > 0
    assert snapshot["data"]["state"] == "loading" and snapshot["data"]["step"] >= 5
    later = after_snapshot(events)
    check_steps(later, snapshot["data"]["step"] + 1)
    assert later[-1]["event"] == "model_load_completed"


def test_cancelled_load_ends_with_cancelled_event(start_modeld, repository):
    server = serve(start_modeld, repository, *SLOW_READS)
    with connect(ws_url(server, "model:minilm"), open_timeout=20) as ws:
        events = [next_event(ws)]
        while not (events[-1]["event"] == "model_load_progress" and events[-1]["data"]["step"] == 5):
            events.append(next_event(ws))
        assert call(server, "POST", "/v1/models/minilm/cancel")[0] == 202
        events += events_until_terminal(ws)
    later = after_snapshot(events)
    assert later[-1]["event"] == "model_load_cancelled" and later[-1]["data"]["state"] == "cancelled"
    assert "model_load_completed" not in [e["event"] for e in later]


def test_failed_load_ends_with_failed_event_with_code_and_step(start_modeld, tmp_path):
    add_truncated_model(MODEL_DIR, tmp_path / "repo" / "broken")
    server = serve(start_modeld, tmp_path / "repo", "--load-at-startup", "none")
    with connect(ws_url(server, "model:broken"), open_timeout=20) as ws:
        snapshot = next_event(ws)
        assert call(server, "POST", "/v1/models/broken/load")[0] == 202
        events = [snapshot, *events_until_terminal(ws, {"broken"})]
    failed = after_snapshot(events)[-1]
    assert failed["event"] == "model_load_failed" and failed["data"]["state"] == "failed"
    assert failed["data"]["error"]["code"] == "file_truncated" and failed["data"]["error"]["step"] == 4


def test_models_room_gets_the_events_of_every_model(start_modeld, repository):
    (repository / "minilm2").symlink_to(MODEL_DIR, target_is_directory=True)
    server = serve(start_modeld, repository, "--load-at-startup", "none")
    with connect(ws_url(server, "models"), open_timeout=20) as ws:
        snapshot = next_event(ws)
        assert sorted(m["id"] for m in snapshot["data"]["models"]) == ["minilm", "minilm2"]
        for model in ("minilm", "minilm2"):
            assert call(server, "POST", f"/v1/models/{model}/load")[0] == 202
        events = [snapshot, *events_until_terminal(ws, {"minilm", "minilm2"})]
    later = after_snapshot(events)
    assert all(e["room"] == "models" for e in later)
    for model in ("minilm", "minilm2"):
        names = [e["event"] for e in later if e["data"]["id"] == model]
        assert names[0] == "model_load_started" and names[-1] == "model_load_completed", names
        check_steps([e for e in later if e["data"]["id"] == model], 1)


def test_subscribe_and_unsubscribe_by_message(start_modeld, repository):
    server = serve(start_modeld, repository, "--load-at-startup", "none")
    with connect(ws_url(server), open_timeout=20) as ws:
        ws.send(json.dumps({"action": "subscribe", "room": "model:minilm"}))
        assert next_event(ws)["event"] == "snapshot"
        ws.send(json.dumps({"action": "subscribe", "room": "models"}))
        assert next_event(ws)["room"] == "models"
        ws.send(json.dumps({"action": "unsubscribe", "room": "model:minilm"}))
        assert next_event(ws) == {"event": "unsubscribed", "room": "model:minilm"}
        assert call(server, "POST", "/v1/models/minilm/load")[0] == 202
        events = events_until_terminal(ws)
    assert {e["room"] for e in events} == {"models"}


@pytest.mark.parametrize("message, code", [
    ('{"action":"dance","room":"models"}', "unknown_action"),
    ("{not json", "malformed_message"),
    ('{"action":"subscribe","room":"model:nope"}', "unknown_room"),
])
def test_bad_message_gets_an_error_event_and_the_connection_stays_open(start_modeld, repository, message, code):
    server = serve(start_modeld, repository, "--load-at-startup", "none")
    with connect(ws_url(server), open_timeout=20) as ws:
        ws.send(message)
        raw = ws.recv(timeout=10)
        ws.send(json.dumps({"action": "subscribe", "room": "model:minilm"}))
        assert next_event(ws)["event"] == "snapshot"
    error = json.loads(raw)  # the error event itself must be JSON
    assert error["event"] == "error" and error["data"]["code"] == code and error["data"]["message"]


def test_binary_message_closes_with_1003(start_modeld, repository):
    server = serve(start_modeld, repository, "--load-at-startup", "none")
    with connect(ws_url(server), open_timeout=20) as ws:
        ws.send(b"\x00\x01")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1003


class RawWebSocket:
    """A client on a plain socket with a small receive buffer that reads only when asked: a
    subscriber that has stopped reading."""

    def __init__(self, server, rooms: list[str], receive_buffer: int = 4096) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(30)
        self.sock.connect(server.address)
        key = base64.b64encode(os.urandom(16)).decode()
        query = "&".join(f"room={room}" for room in rooms)
        self.sock.sendall((f"GET /ws?{query} HTTP/1.1\r\nHost: {server.host}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(4096)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101 "), head

    def frames_until_closed(self) -> list[tuple[int, bytes]]:
        """(opcode, payload) of every frame until a close frame or EOF."""
        frames: list[tuple[int, bytes]] = []
        while True:
            while (frame := self._take_frame()) is not None:
                frames.append(frame)
                if frame[0] == 0x8:
                    return frames
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                return frames
            self.buffer += chunk

    def _take_frame(self) -> tuple[int, bytes] | None:
        buf = self.buffer
        if len(buf) < 2:
            return None
        length, offset = buf[1] & 0x7F, 2
        if length == 126:
            if len(buf) < 4:
                return None
            length, offset = struct.unpack(">H", buf[2:4])[0], 4
        elif length == 127:
            if len(buf) < 10:
                return None
            length, offset = struct.unpack(">Q", buf[2:10])[0], 10
        if len(buf) < offset + length:
            return None
        self.buffer = buf[offset + length:]
        return buf[0] & 0x0F, buf[offset:offset + length]


def test_a_reader_that_stops_does_not_slow_the_load_and_is_closed_with_1013(start_modeld, repository):
    server = serve(start_modeld, repository, "--load-at-startup", "none", *SLOW_READS)
    slow = RawWebSocket(server, ["model:minilm", "slow"])
    with connect(ws_url(server, "model:minilm"), open_timeout=20) as fast:
        assert next_event(fast)["event"] == "snapshot"
        assert call(server, "POST", "/v1/models/minilm/load")[0] == 202
        # 1,000 must-deliver messages of 8 KiB: twice the 4 MiB hard limit.
        publisher = http.client.HTTPConnection(server.host, server.port, timeout=30)
        recipients = []
        for n in range(1000):
            publisher.request("POST", "/v1/rooms/slow/messages", body=json.dumps({"n": n, "pad": "x" * 8192}),
                              headers={"Content-Type": "application/json", **server.admin_headers})
            response = publisher.getresponse()
            assert response.status == 200
            recipients.append(json.loads(response.read())["recipients"])
        # Read at once: the server gives a client 5 s to take its close frame.
        frames = slow.frames_until_closed()
        events = events_until_terminal(fast)
    assert recipients[0] == 1
    completed = events[-1]
    assert completed["event"] == "model_load_completed", events[-1]
    # ~91 MB at 20 MB/s is about 5 s; a loader held up by the slow socket would stall.
    assert completed["data"]["timings"]["total_seconds"] < 20, completed["data"]["timings"]
    assert frames and frames[-1][0] == 0x8, f"no close frame; last frames: {frames[-3:]}"
    assert struct.unpack(">H", frames[-1][1][:2])[0] == 1013, frames[-1]
    admin = [json.loads(payload)["n"] for opcode, payload in frames if opcode == 0x1 and b'"pad"' in payload]
    assert admin == list(range(len(admin))), "admin messages before the close arrived out of order or with gaps"


def test_a_thousand_subscribers_all_get_the_terminal_event(start_modeld, repository):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))  # inherited by the server
    if wanted < 2200:
        pytest.skip(f"file limit {hard} too low for 1,000 connections")
    server = serve(start_modeld, repository, "--load-at-startup", "none")
    outcomes = asyncio.run(watch_one_load(server, 1000))
    assert outcomes == ["model_load_completed"] * 1000


async def watch_one_load(server, count: int) -> list[str]:
    """Connects `count` subscribers to model:minilm, starts a load once all have their
    snapshot, and returns the terminal event each one saw."""
    url = ws_url(server, "model:minilm")
    joined = 0
    all_joined = asyncio.Event()
    connecting = asyncio.Semaphore(100)

    async def subscriber() -> str:
        nonlocal joined
        async with connecting:
            ws = await async_connect(url, open_timeout=60, ping_interval=None)
        async with ws:
            assert json.loads(await ws.recv())["event"] == "snapshot"
            joined += 1
            if joined == count:
                all_joined.set()
            while True:
                event = json.loads(await ws.recv())
                if event["event"] in TERMINAL:
                    return event["event"]

    tasks = [asyncio.create_task(subscriber()) for _ in range(count)]
    waiter = asyncio.create_task(all_joined.wait())
    done, _ = await asyncio.wait([waiter, *tasks], timeout=120, return_when=asyncio.FIRST_COMPLETED)
    assert waiter in done, [t.exception() for t in done] or f"only {joined} joined in time"
    status, _ = await asyncio.to_thread(call, server, "POST", "/v1/models/minilm/load")
    assert status == 202
    return list(await asyncio.wait_for(asyncio.gather(*tasks), timeout=180))
