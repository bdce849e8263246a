"""Fault injection on the state directory and the model files (issue 11): the real daemon,
the real MiniLM, requests and an SSE reader as clients.

1. `kill -9` at several points of a load, each time restarting on the same `--state-dir`:
   the ETA history and digest cache are never torn, leftovers of the killed writer are
   cleaned up, and the load succeeds.
2. A full state directory (a 64 KiB tmpfs, filled up), then a read-only one: loads succeed,
   each streak of failed state writes is logged once, and the daemon keeps serving.
3. The weights removed, replaced, written in place or truncated while step 5 reads them:
   the load fails with a specific code, the daemon keeps serving, the restored file loads.

A read-rate cap stretches step 5 so each fault lands inside it; the tests wait on the
model's status (step, bytes_loaded) and on events, never on sleeps.
"""

from __future__ import annotations

import errno
import json
import os
import pathlib
import re
import shutil
import subprocess
import threading
import time

import pytest
import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
WEIGHTS = "model.safetensors"
STATE_FILES = ("eta-history.json", "digest-cache.json")
# 90.9 MB at 30 MB/s: step 5 lasts about 3 s, a wide window for each fault.
READ_CAP = "30000000"
TERMINAL = {"model_load_completed", "model_load_failed", "model_load_cancelled"}
WAIT_S = 180.0  # a debug build on a busy 2-core machine

pytestmark = pytest.mark.skipif(not (MODEL_DIR / WEIGHTS).exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")


# ---------------------------------------------------------------- helpers

def serve(start_modeld, repo: pathlib.Path, state: pathlib.Path, *extra: str):
    return start_modeld("--model-repository", str(repo), "--state-dir", str(state),
                        "--max-read-bytes-per-second", READ_CAP, *extra)


def status(server) -> dict:
    return requests.get(server.url("/v1/models/minilm"), timeout=10).json()


def wait_status(server, until, what: str, timeout_s: float = WAIT_S, interval_s: float = 0.02) -> dict:
    """The first model status for which `until` holds; fails on timeout or daemon exit."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, f"daemon exited waiting for {what}:\n{server.output()}"
        body = status(server)
        if until(body):
            return body
        time.sleep(interval_s)
    raise AssertionError(f"never saw {what}; last status {body}\n{server.output()}")


def mid_step_5(body: dict) -> bool:
    return body.get("step") == 5 and body["bytes_total"] > 0 and 0 < body["bytes_loaded"] < body["bytes_total"] // 2


def admin(server, action: str, expected_status: int) -> None:
    response = requests.post(server.url(f"/v1/models/minilm/{action}"), headers=server.admin_headers, timeout=30)
    assert response.status_code == expected_status, (action, response.status_code, response.text)


def load_and_wait_ready(server) -> None:
    admin(server, "load", 202)
    wait_status(server, lambda b: b["state"] in ("ready", "failed"), "the load to end")
    assert status(server)["state"] == "ready", f"{status(server)}\n{server.output()}"


def unload(server) -> None:
    admin(server, "unload", 200)
    wait_status(server, lambda b: b["state"] == "unloaded", "unloaded")


def embedding(server) -> list[float]:
    response = requests.post(server.url("/v1/embeddings"), json={"model": "minilm", "input": "hello world"}, timeout=60)
    assert response.status_code == 200, response.text
    vector = response.json()["data"][0]["embedding"]
    assert len(vector) == 384
    return vector


def serving(server) -> None:
    """The daemon is alive and answers probes."""
    assert server.proc.poll() is None, server.output()
    assert requests.get(server.url("/livez"), timeout=10).status_code == 200


def count(server, pattern: str) -> int:
    return sum(1 for line in server.output().splitlines() if re.search(pattern, line))


class EventStream:
    """`GET /v1/models/minilm/events` read on a thread; `terminal()` waits for the end event."""

    def __init__(self, server) -> None:
        self.response = requests.get(server.url("/v1/models/minilm/events"), stream=True, timeout=(10, WAIT_S))
        assert self.response.status_code == 200
        self.events: list[dict] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event: dict = {}
        try:
            for raw in self.response.iter_lines(chunk_size=1, decode_unicode=True):
                name, _, value = (raw or "").partition(":")
                value = value[1:] if value.startswith(" ") else value
                if not raw:
                    if "event" in event:
                        with self.changed:
                            self.events.append(event)
                            self.changed.notify_all()
                    event = {}
                elif name == "event":
                    event["event"] = value
                elif name == "data":
                    event["data"] = json.loads(value)
        except (requests.RequestException, ValueError):
            pass

    def terminal(self, timeout_s: float = 90.0) -> dict:
        """The first terminal event after the stream's snapshot."""
        deadline = time.monotonic() + timeout_s
        with self.changed:
            while True:
                for event in self.events[1:]:
                    if event["event"] in TERMINAL:
                        return event
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no terminal event; saw {[e['event'] for e in self.events]}"
                self.changed.wait(remaining)

    def close(self) -> None:
        self.response.close()


# The version each state file is written in (the ETA history gained weight sizes in 2).
STATE_FILE_VERSIONS = {"eta-history.json": 2, "digest-cache.json": 1}


def check_state_files(state: pathlib.Path) -> None:
    """Each state file present is whole JSON of its current version."""
    for name in STATE_FILES:
        path = state / name
        if path.exists():
            contents = json.loads(path.read_bytes())
            assert contents["version"] == STATE_FILE_VERSIONS[name], (name, contents)


def valid_json(path: pathlib.Path) -> bool:
    try:
        return json.loads(path.read_bytes())["version"] == STATE_FILE_VERSIONS[path.name]
    except (OSError, ValueError, KeyError):
        return False


def model_copy(tmp_path: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """A repository whose `minilm` has its own copy of the weights (the rest symlinked to
    the real model, read only); returns (repository, weights path)."""
    folder = tmp_path / "repo" / "minilm"
    folder.mkdir(parents=True)
    for item in MODEL_DIR.iterdir():
        if item.name != WEIGHTS:
            (folder / item.name).symlink_to(item)
    shutil.copyfile(MODEL_DIR / WEIGHTS, folder / WEIGHTS)
    return tmp_path / "repo", folder / WEIGHTS


# ---------------------------------------------------------------- 1. kill -9

def kill_when(server, state: pathlib.Path, point: str) -> str:
    """Waits for `point` of the load, then SIGKILLs the daemon; returns what triggered it.

    `step4`, `step5`: as soon as the status shows them (step 5: under half the bytes read).
    `digest_write`, `history_write`: as soon as a temporary file of that state file shows in
    the directory (the write under way; a thread busy-polls the directory), else at the
    moment the write is known to be done (step 6 for the digest cache, ready for the history).
    """
    prefix = {"digest_write": "digest-cache.json.tmp-", "history_write": "eta-history.json.tmp-"}.get(point)
    lock = threading.Lock()
    triggers: list[str] = []

    def kill(trigger: str) -> None:
        with lock:
            if not triggers:
                server.proc.kill()
                triggers.append(trigger)

    def watch() -> None:
        while not triggers and server.proc.poll() is None:
            if any(name.startswith(prefix) for name in os.listdir(state)):
                kill("temporary file seen")

    watcher = threading.Thread(target=watch, daemon=True) if prefix else None
    if watcher:
        watcher.start()
    deadline = time.monotonic() + WAIT_S
    while not triggers and time.monotonic() < deadline:
        try:
            body = status(server)
        except requests.ConnectionError:
            break  # the watcher killed it meanwhile
        assert body["state"] != "failed", body
        step = body.get("step") or 0
        if ((point == "step4" and step >= 4) or (point == "step5" and mid_step_5(body))
                or (point == "digest_write" and step >= 6) or (point == "history_write" and body["state"] == "ready")):
            kill(f"status {body['state']} step {step}")
        time.sleep(0.01)
    server.proc.wait(timeout=30)
    if watcher:
        watcher.join(timeout=30)
    assert triggers, f"never reached {point}:\n{server.output()}"
    return triggers[0]


def test_kill_9_during_load_and_state_writes_then_restart(start_modeld, repository, tmp_path):
    state = tmp_path / "state"
    triggers = []
    killed_pids = []
    # In this order: the first load to finish step 5 hashes and writes the digest cache.
    for point in ("step4", "step5", "digest_write", "history_write", "step5"):
        server = serve(start_modeld, repository, state)
        # Opening the state files happened before `listening`: leftovers are already gone.
        leftovers = [n for n in os.listdir(state) if ".tmp-" in n and int(n.split(".tmp-")[1].split("-")[0]) in killed_pids]
        assert leftovers == [], leftovers
        assert count(server, "state file ignored") == 0, server.output()
        killed_pids.append(server.proc.pid)
        trigger = kill_when(server, state, point)
        check_state_files(state)
        triggers.append((point, trigger, sorted(n for n in os.listdir(state) if ".tmp-" in n)))

    server = serve(start_modeld, repository, state)
    assert count(server, "state file ignored") == 0, server.output()
    wait_status(server, lambda b: b["state"] in ("ready", "failed"), "the load to end")
    assert status(server)["state"] == "ready", server.output()
    embedding(server)
    assert server.wait_for_line(re.compile("event=model_load_completed"), 10), server.output()
    # The history is written just after the model turns ready: wait for that write.
    deadline = time.monotonic() + 30
    while not valid_json(state / "eta-history.json") and time.monotonic() < deadline:
        time.sleep(0.05)
    check_state_files(state)
    for name in STATE_FILES:
        assert (state / name).exists(), (name, os.listdir(state))
    history = json.loads((state / "eta-history.json").read_bytes())
    assert len(history["models"]["minilm"]["step_seconds"]) == 9
    cache = json.loads((state / "digest-cache.json").read_bytes())
    assert [entry["sha256"] for entry in cache["entries"].values()] == \
        ["53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"]
    assert count(server, "state file not saved") == 0, server.output()
    print("kill points:", triggers)

    # Torn files (as a non-atomic writer would leave them) are logged, ignored and replaced.
    assert server.stop() == 0
    for name in STATE_FILES:
        whole = (state / name).read_bytes()
        (state / name).write_bytes(whole[: len(whole) // 2])
    server = serve(start_modeld, repository, state)
    ignored = [line for line in server.output().splitlines() if "state file ignored" in line]
    assert len(ignored) == 2 and all(name in "".join(ignored) for name in STATE_FILES), server.output()
    wait_status(server, lambda b: b["state"] in ("ready", "failed"), "the load after torn files to end")
    assert status(server)["state"] == "ready", server.output()
    embedding(server)
    assert server.wait_for_line(re.compile("event=model_load_completed"), 10), server.output()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(valid_json(state / name) for name in STATE_FILES):
        time.sleep(0.05)
    check_state_files(state)
    assert all(valid_json(state / name) for name in STATE_FILES), os.listdir(state)


# ---------------------------------------------------------------- 2. full / read-only state dir

def fill(directory: pathlib.Path) -> None:
    """Writes zeros into `directory/fill` until the file system is full."""
    with open(directory / "fill", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error


def test_full_then_read_only_state_dir_loads_succeed_and_failure_logged_once(start_modeld, repository, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    state = tmp_path / "state"
    state.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(state)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        fill(state)
        server = serve(start_modeld, repository, state)
        wait_status(server, lambda b: b["state"] in ("ready", "failed"), "the first load to end")
        assert status(server)["state"] == "ready", server.output()
        for _ in range(3):
            unload(server)
            load_and_wait_ready(server)
            embedding(server)
        # Each of the four loads tried to write the history (the first also the digest cache).
        failing = [line for line in server.output().splitlines() if "state file not saved" in line]
        assert len(failing) == 1, server.output()
        assert "No space left on device" in failing[0]
        assert sorted(os.listdir(state)) == ["fill"]  # no torn file, no temporary left behind

        os.unlink(state / "fill")
        unload(server)
        load_and_wait_ready(server)
        assert server.wait_for_line(re.compile("state file saved again"), 30), server.output()
        check_state_files(state)
        assert count(server, "state file saved again") == 1

        subprocess.run(["mount", "-o", "remount,ro", str(state)], check=True)
        for _ in range(2):
            unload(server)
            load_and_wait_ready(server)
            embedding(server)
        failing = [line for line in server.output().splitlines() if "state file not saved" in line]
        assert len(failing) == 2, server.output()
        assert "Read-only file system" in failing[1]
        check_state_files(state)
        serving(server)
    finally:
        subprocess.run(["umount", "-l", str(state)], check=False)


# ---------------------------------------------------------------- 3. weights changed during step 5

def remove(weights: pathlib.Path) -> None:
    os.unlink(weights)


def replace(weights: pathlib.Path) -> None:
    """Renames a copy with one different byte over the weights (a new inode)."""
    other = weights.with_name("incoming.safetensors")
    shutil.copyfile(MODEL_DIR / WEIGHTS, other)
    with open(other, "r+b") as handle:
        handle.seek(-1, os.SEEK_END)
        last = handle.read(1)
        handle.seek(-1, os.SEEK_END)
        handle.write(bytes([last[0] ^ 0xFF]))
    os.rename(other, weights)


def modify(weights: pathlib.Path) -> None:
    """Writes different bytes in place, near the end (ahead of the reader): same inode, same size."""
    with open(weights, "r+b") as handle:
        handle.seek(-4096, os.SEEK_END)
        handle.write(b"\xAB" * 4096)


def truncate(weights: pathlib.Path) -> None:
    os.truncate(weights, weights.stat().st_size // 2)


def test_weights_changed_while_step_5_reads_them(start_modeld, tmp_path):
    repo, weights = model_copy(tmp_path)
    server = serve(start_modeld, repo, tmp_path / "state", "--load-at-startup", "none")
    load_and_wait_ready(server)  # hashes the weights and records them in the digest cache
    reference = embedding(server)
    expected = {"remove": ("file_changed", "removed"), "replace": ("file_changed", "replaced"),
                "modify": ("file_changed", "modified"), "truncate": ("file_truncated", "truncated")}
    for fault in (remove, replace, modify, truncate):
        unload(server)
        events = EventStream(server)
        try:
            admin(server, "load", 202)
            wait_status(server, mid_step_5, "step 5 under half the bytes read")
            fault(weights)
            end = events.terminal()
        finally:
            events.close()
        code, word = expected[fault.__name__]
        assert end["event"] == "model_load_failed", (fault.__name__, end, server.output())
        error = end["data"]["data"].get("error")
        assert error is not None, end
        assert (error["code"], error["step"]) == (code, 5), (fault.__name__, end)
        assert word in error["message"] and str(weights) in error["message"], error
        body = status(server)
        assert body["state"] == "failed" and body["error"]["code"] == code, body
        assert requests.get(server.url("/v1/models/minilm/ready"), timeout=10).status_code == 503
        serving(server)
        # The file is put back (a fresh copy: new mtime, so it is hashed again) and loads.
        if weights.exists():
            os.unlink(weights)
        shutil.copyfile(MODEL_DIR / WEIGHTS, weights)
        load_and_wait_ready(server)
        assert embedding(server) == reference
