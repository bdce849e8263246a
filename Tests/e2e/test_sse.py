"""Load progress as Server-Sent Events (`GET /v1/models/{id}/events`, DESIGN §1.4) read
with the real `curl -N`: the same events as the WebSocket rooms, `id:` = seq, and
resumption from `Last-Event-ID`. Skipped when the model is missing (scripts/test fetches it).
"""

from __future__ import annotations

import json
import os
import pathlib
import select
import subprocess
import time
import urllib.request

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
TERMINAL = {"model_load_completed", "model_load_failed", "model_load_cancelled"}

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")


@pytest.fixture
def server(start_modeld, tmp_path: pathlib.Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "minilm").symlink_to(MODEL_DIR, target_is_directory=True)
    return start_modeld("--model-repository", str(repo), "--state-dir", str(tmp_path / "state"),
                        "--load-at-startup", "none", "--max-read-bytes-per-second", "20000000")


def post(server, path: str) -> int:
    request = urllib.request.Request(server.url(path), data=b"", method="POST", headers=server.admin_headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def model_status(server) -> dict:
    with urllib.request.urlopen(server.url("/v1/models/minilm"), timeout=30) as response:
        return json.loads(response.read())


class CurlEventStream:
    """`curl -sN -i URL` with its output parsed into events as they arrive."""

    def __init__(self, server, path: str, *headers: str) -> None:
        args = ["curl", "-sN", "-i", "--max-time", "120"]
        for header in headers:
            args += ["-H", header]
        # Unbuffered, so select() sees every byte readline has not consumed.
        self.proc = subprocess.Popen([*args, server.url(path)], stdout=subprocess.PIPE, bufsize=0)
        self.status_line = self._line(20.0)
        self.headers: dict[str, str] = {}
        while line := self._line(20.0):
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def _line(self, timeout_s: float) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout_s)
        assert ready, f"no output from curl within {timeout_s} s"
        raw = self.proc.stdout.readline()
        assert raw, "curl's stream ended"
        return raw.decode().rstrip("\r\n")

    def next_event(self, timeout_s: float = 60.0) -> dict:
        """The next event as {"id", "event", "data"}; comments (keep-alives) are skipped."""
        fields: dict = {}
        data_lines: list[str] = []
        while True:
            line = self._line(timeout_s)
            if not line:
                if data_lines:
                    fields["data"] = json.loads("\n".join(data_lines))
                    return fields
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data_lines.append(value)
            elif name in ("id", "event"):
                fields[name] = value

    def until_terminal(self, timeout_s: float = 120.0) -> list[dict]:
        events: list[dict] = []
        deadline = time.monotonic() + timeout_s
        while not events or events[-1]["event"] not in TERMINAL:
            events.append(self.next_event(max(0.1, deadline - time.monotonic())))
        return events

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def streams():
    opened: list[CurlEventStream] = []
    yield lambda *args: opened.append(CurlEventStream(*args)) or opened[-1]
    for stream in opened:
        stream.close()


def check_consistent(event: dict) -> None:
    """`id:` is the envelope's seq and `event:` its name."""
    assert int(event["id"]) == event["data"]["seq"], event
    assert event["event"] == event["data"]["event"], event


def test_stream_has_snapshot_started_steps_and_completed(server, streams):
    stream = streams(server, "/v1/models/minilm/events")
    assert stream.status_line.startswith("HTTP/1.1 200")
    assert stream.headers["content-type"] == "text/event-stream"
    snapshot = stream.next_event(20)
    assert snapshot["event"] == "snapshot" and snapshot["data"]["data"]["id"] == "minilm"
    assert post(server, "/v1/models/minilm/load") == 202
    events = stream.until_terminal()
    for event in [snapshot, *events]:
        check_consistent(event)
    # Nothing the snapshot covered comes again: every id after it is higher, and none repeats.
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(set(ids)) and ids[0] > int(snapshot["id"]), f"ids not strictly increasing: {snapshot['id']}, {ids}"
    later = events
    names = [e["event"] for e in later]
    assert names[0] == "model_load_started" and names[-1] == "model_load_completed"
    steps = [e["data"]["data"]["step"] for e in later if e["event"] == "model_load_progress"]
    assert steps == sorted(steps) and set(steps) == set(range(1, 10)), steps


def test_last_event_id_resumes_with_exactly_the_following_events(server, streams):
    first = streams(server, "/v1/models/minilm/events")
    assert first.next_event(20)["event"] == "snapshot"
    assert post(server, "/v1/models/minilm/load") == 202
    seen = [first.next_event() for _ in range(6)]
    last_id = int(seen[-1]["id"])
    first.close()
    # Let the load move on while nobody listens, so the resumed stream has events to replay.
    loaded = seen[-1]["data"]["data"]["bytes_loaded"]
    deadline = time.monotonic() + 60
    while model_status(server).get("bytes_loaded", 0) < loaded + 4_000_000:
        assert time.monotonic() < deadline, "the load did not move on"
        time.sleep(0.05)

    resumed = streams(server, "/v1/models/minilm/events", f"Last-Event-ID: {last_id}")
    assert resumed.status_line.startswith("HTTP/1.1 200")
    events = resumed.until_terminal()
    for event in events:
        check_consistent(event)
    ids = [int(e["id"]) for e in events]
    assert ids == list(range(last_id + 1, last_id + 1 + len(ids))), f"gap or repeat after {last_id}: {ids}"
    assert events[0]["event"] != "snapshot"
    assert len(ids) > 1 and events[-1]["event"] == "model_load_completed"


def test_unknown_last_event_id_falls_back_to_a_snapshot(server, streams):
    stream = streams(server, "/v1/models/minilm/events", "Last-Event-ID: 999999")
    first = stream.next_event(20)
    assert first["event"] == "snapshot"
    check_consistent(first)


def test_unknown_model_is_404(server):
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "30",
                          server.url("/v1/models/nope/events")], capture_output=True, text=True, check=True)
    assert out.stdout == "404"
