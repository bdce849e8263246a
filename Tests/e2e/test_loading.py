"""Loading the real all-MiniLM-L6-v2 through the nine steps, watched with curl (issue 3).

A read-rate cap (`--max-read-bytes-per-second`) stretches step 5 so the test can watch the
load: `/readyz` answers 425 with a Retry-After and a step that only moves forward, then 200;
a cancel turns it into 503; a new load brings 200 back. Skipped when the model is missing
(scripts/test fetches it into models/ first).
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import time

import pytest

from model_support import add_truncated_model

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")


def curl(server, method: str, path: str) -> tuple[int, dict[str, str], dict]:
    """One request with the real curl; returns status, headers (lower-case names), JSON body."""
    auth = [arg for name, value in server.admin_headers.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run(
        ["curl", "-sS", "-X", method, "-D", "-", "--max-time", "30", *auth, server.url(path)],
        check=True, capture_output=True).stdout.decode()  # bytes: keep the CRLFs
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
    return status, headers, (json.loads(body) if body.strip() else {})


def poll(server, path: str, until, timeout_s: float = 120.0, interval_s: float = 0.05):
    """Every (status, headers, body) seen until `until` holds (bounded by `timeout_s`)."""
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        seen.append(curl(server, "GET", path))
        if until(*seen[-1]):
            return seen
        time.sleep(interval_s)
    raise AssertionError(f"{path} never satisfied the condition; last: {seen[-1] if seen else None}\n{server.output()}")


def serve_args(repository: pathlib.Path, tmp_path: pathlib.Path, *extra: str) -> list[str]:
    return ["--model-repository", str(repository), "--state-dir", str(tmp_path / "state"), *extra]


def test_readyz_425_with_forward_steps_then_200(start_modeld, repository, tmp_path):
    server = start_modeld(*serve_args(repository, tmp_path, "--max-read-bytes-per-second", "30000000"))
    seen = poll(server, "/readyz", lambda status, _h, _b: status == 200)
    loading = [(s, h, b) for s, h, b in seen if s == 425]
    assert loading, "never saw 425 while the model loaded"
    steps = []
    for _status, headers, body in loading:
        assert int(headers["retry-after"]) >= 1
        assert body["status"] == "loading" and body["ready"] is False
        model = body["models"][0]
        assert model["id"] == "minilm" and model["total"] == 9
        if model["step"] is not None:
            steps.append(model["step"])
    assert steps == sorted(steps), f"step went backwards: {steps}"
    assert seen[-1][2]["ready"] is True
    # Every event is a log line: the timeline has all nine steps in order and one completion
    # (the line may trail the snapshot that made /readyz say 200 by a moment).
    assert server.wait_for_line(re.compile("event=model_load_completed"), 10.0), server.output()
    logged = [line for line in server.output().splitlines() if "event=model_load_progress" in line and "step=" in line]
    numbers = [int(line.split("step=")[1].split("/")[0]) for line in logged]
    assert sorted(set(numbers)) == list(range(1, 10))


def test_cancel_gives_503_and_load_again_gives_200(start_modeld, repository, tmp_path):
    server = start_modeld(*serve_args(repository, tmp_path, "--max-read-bytes-per-second", "20000000"))
    poll(server, "/v1/models/minilm", lambda _s, _h, body: (body.get("step") or 0) >= 5)
    status, _h, body = curl(server, "POST", "/v1/models/minilm/cancel")
    assert status == 202 and body["state"] == "cancelled"
    status, _h, body = curl(server, "GET", "/readyz")
    assert status == 503
    assert body["models"][0]["state"] == "cancelled"
    status, headers, _b = curl(server, "POST", "/v1/models/minilm/load")
    assert status == 202 and headers["location"] == "/v1/models/minilm"
    poll(server, "/readyz", lambda status, _h, _b: status == 200)
    status, _h, body = curl(server, "GET", "/v1/models/minilm/ready")
    assert status == 200 and body["models"][0]["state"] == "ready"


def test_corrupted_weights_fail_at_step_4_and_server_keeps_serving(start_modeld, tmp_path):
    repo = tmp_path / "repo"
    add_truncated_model(MODEL_DIR, repo / "broken")
    server = start_modeld(*serve_args(repo, tmp_path))
    seen = poll(server, "/readyz", lambda status, _h, _b: status == 503)
    error = seen[-1][2]["models"][0]["error"]
    assert error["step"] == 4 and error["code"] == "file_truncated"
    assert curl(server, "GET", "/livez")[0] == 200


def test_check_model_reports_six_steps(modeld_bin):
    out = subprocess.run([modeld_bin, "check-model", str(MODEL_DIR)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    for number in range(1, 7):
        assert f"step {number}/9 ok" in out.stdout
    assert "result: valid" in out.stdout
