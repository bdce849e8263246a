"""An ETA from the first step of a model's first load, and the history it leaves (issue 12).

The real all-MiniLM-L6-v2 loads under a 30 MB/s read cap (about 3 s of step 5), started by
`POST /v1/models/minilm/load` and watched with `GET /v1/models/minilm` every 20 ms:
- with an empty state dir, every sample of the running load has an `eta_seconds` (the size
  of the weights is known before step 1; main answered null until step 5 had a rate), the bar
  never moves back, and `eta-history.json` (version 2) records the weights' size;
- a version 1 history (no sizes) written by an older modeld is still read: its durations
  give the next load's ETA from the first sample, and the next write is version 2.
"""

from __future__ import annotations

import json
import pathlib
import time
import urllib.request

import pytest

from conftest import MODEL_DIR

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")

READ_CAP = "30000000"


def request(server, method: str, path: str) -> tuple[int, dict]:
    req = urllib.request.Request(server.url(path), method=method, data=b"" if method == "POST" else None,
                                 headers=server.admin_headers if method == "POST" else {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def watch_load(server, timeout_s: float = 120.0) -> list[dict]:
    """Starts a load of minilm and returns every status seen until it is ready."""
    status, body = request(server, "POST", "/v1/models/minilm/load")
    assert status == 202, (status, body)
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        model = request(server, "GET", "/v1/models/minilm")[1]
        seen.append(model)
        if model["state"] == "ready":
            return seen
        assert model["state"] in ("queued", "loading"), model
        time.sleep(0.02)
    raise AssertionError(f"minilm not ready within {timeout_s} s; last: {seen[-1]}\n{server.output()}")


def written_history(state: pathlib.Path, timeout_s: float = 20.0) -> dict:
    """eta-history.json once it is version 2: the load thread writes it just after the model
    turns ready, so a reader may see the old file (or none) for a moment."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            history = json.loads((state / "eta-history.json").read_text())
            if history.get("version") == 2 or time.monotonic() > deadline:
                return history
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def start(start_modeld, repository: pathlib.Path, state: pathlib.Path):
    return start_modeld("--model-repository", str(repository), "--state-dir", str(state),
                        "--load-at-startup", "none", "--max-read-bytes-per-second", READ_CAP)


def test_first_load_has_an_eta_from_its_first_step(start_modeld, repository, tmp_path):
    state = tmp_path / "state"
    server = start(start_modeld, repository, state)
    seen = watch_load(server)
    loading = [s for s in seen if s["state"] == "loading" and s.get("step") is not None]
    assert len(loading) >= 20, f"too few samples of the running load: {len(loading)}"
    assert any(s["step"] < 5 for s in loading) or loading[0]["bytes_loaded"] < 10_000_000, \
        f"the first sample came too late to judge the start: {loading[0]}"
    without = [s for s in loading if s["eta_seconds"] is None]
    assert not without, f"{len(without)} of {len(loading)} samples had no ETA, first: {without[0]}"
    progress = [s["progress"] for s in seen]
    assert all(a <= b for a, b in zip(progress, progress[1:])), progress
    history = written_history(state)
    assert history["version"] == 2
    entry = history["models"]["minilm"]
    assert entry["weight_bytes"] == (MODEL_DIR / "model.safetensors").stat().st_size
    assert len(entry["step_seconds"]) == 9


def test_version_1_history_still_estimates_and_is_rewritten(start_modeld, repository, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    # An older modeld's file: minilm took 100 s to read. Its own history wins until step 5
    # measures a rate, so the first samples say about 100 s (the weights' size alone would
    # say about 4).
    (state / "eta-history.json").write_text(json.dumps(
        {"version": 1, "models": {"minilm": {"step_seconds": [0.01, 0.01, 0.01, 0.01, 100, 0.01, 0.01, 0.01, 0.01]}}}))
    server = start(start_modeld, repository, state)
    seen = watch_load(server)
    first = next(s for s in seen if s["state"] in ("queued", "loading"))
    assert first["eta_seconds"] is not None and first["eta_seconds"] >= 50, first
    assert "state file ignored" not in server.output(), server.output()
    history = written_history(state)
    assert history["version"] == 2
    assert history["models"]["minilm"]["step_seconds"][4] < 50
    assert history["models"]["minilm"]["weight_bytes"] > 0
