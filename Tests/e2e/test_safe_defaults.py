"""Safe defaults and memory that comes back (issue 10): the admin endpoints are off without a
token, unloading a loading model cancels it, the memory budget counts loads in progress, and
load -> embed -> unload cycles give their memory back. Real clients: curl, requests and the
`websockets` client."""

from __future__ import annotations

import json
import subprocess
import time

import pytest
import requests
from websockets.sync.client import connect

from conftest import MODEL_DIR

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")

MUTATING = [
    ("/v1/models/minilm/load", "code"), ("/v1/models/minilm/cancel", "code"), ("/v1/models/minilm/unload", "code"),
    ("/v1/rooms/ops/messages", "code"),
    ("/v2/repository/models/minilm/load", "oip"), ("/v2/repository/models/minilm/unload", "oip"),
]


def curl(server, method: str, path: str, *extra: str, body: str | None = None) -> tuple[int, dict]:
    args = ["curl", "-sS", "-X", method, "-o", "-", "-w", "\n%{http_code}", "--max-time", "30", *extra]
    if body is not None:
        args += ["-H", "Content-Type: application/json", "--data-binary", body]
    out = subprocess.run([*args, server.url(path)], check=True, capture_output=True, text=True).stdout
    text, _, status = out.rpartition("\n")
    return int(status), (json.loads(text) if text.strip() else {})


def rss_bytes(server) -> int:
    with open(f"/proc/{server.proc.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


def model(server, model_id: str = "minilm") -> dict:
    return requests.get(server.url(f"/v1/models/{model_id}"), timeout=10).json()


def wait_state(server, states: set[str], model_id: str = "minilm", timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = model(server, model_id)
        if status["state"] in states:
            return status
        time.sleep(0.05)
    raise AssertionError(f"{model_id} never reached {states}: {model(server, model_id)}\n{server.output()}")


def test_without_a_token_every_mutating_endpoint_is_off_and_says_how_to_turn_it_on(start_modeld, repository, tmp_path):
    server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"),
                          "--load-at-startup", "none", admin_token=False)
    for path, shape in MUTATING:
        status, body = curl(server, "POST", path, "-H", "Authorization: Bearer guessed", body="{}")
        assert status == 403, (path, body)
        if shape == "code":
            assert body["error"]["code"] == "admin_disabled", (path, body)
            message = body["error"]["message"]
        else:
            message = body["error"]
        assert "--admin-token-file" in message, (path, message)
    status, admin = curl(server, "GET", "/v1/admin")
    assert status == 200 and admin == {"enabled": False, "message": message}, admin
    assert model(server)["state"] == "unloaded"
    assert curl(server, "GET", "/livez")[0] == 200


def test_with_a_token_the_admin_status_says_enabled(start_modeld, repository, tmp_path):
    server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"),
                          "--load-at-startup", "none")
    assert curl(server, "GET", "/v1/admin") == (200, {"enabled": True})
    status, body = curl(server, "POST", "/v1/models/minilm/load")
    assert status == 401 and body["error"]["code"] == "unauthorized", body


def test_unload_of_a_loading_model_cancels_it_and_ends_unloaded(start_modeld, repository, tmp_path):
    server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"),
                          "--max-read-bytes-per-second", "10000000")
    auth = [arg for name, value in server.admin_headers.items() for arg in ("-H", f"{name}: {value}")]
    with connect(f"ws://{server.host}:{server.port}/ws?room=model:minilm", open_timeout=20) as ws:
        assert json.loads(ws.recv(timeout=30))["event"] == "snapshot"
        wait_state(server, {"loading"})
        status, body = curl(server, "POST", "/v1/models/minilm/unload", *auth)
        assert status == 200 and body["state"] == "unloaded", body
        events = []
        while not events or events[-1]["event"] != "model_unloaded":
            events.append(json.loads(ws.recv(timeout=30)))
    kinds = [event["event"] for event in events]
    assert kinds[-2:] == ["model_load_cancelled", "model_unloaded"], kinds
    assert model(server)["state"] == "unloaded"
    # Nothing left to unload now: 409 that names the state.
    status, body = curl(server, "POST", "/v1/models/minilm/unload", *auth)
    assert status == 409 and body["error"]["code"] == "model_not_loaded" and "unloaded" in body["error"]["message"]
    status, _ = curl(server, "POST", "/v1/models/minilm/load", *auth)
    assert status == 202
    wait_state(server, {"ready"})


def test_the_budget_counts_a_load_in_progress(start_modeld, repository, tmp_path):
    # Two copies of MiniLM whose peaks (raw + f32 + margin, about 250 MB each) fit the 300 MB
    # budget one at a time only: with both loading at once, exactly one must be refused.
    (repository / "minilm2").symlink_to(MODEL_DIR, target_is_directory=True)
    server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"),
                          "--memory-budget", "300000000", "--max-concurrent-loads", "2",
                          "--max-read-bytes-per-second", "20000000")
    ends = [wait_state(server, {"ready", "failed"}, model_id) for model_id in ("minilm", "minilm2")]
    assert sorted(end["state"] for end in ends) == ["failed", "ready"], ends
    failed = next(end for end in ends if end["state"] == "failed")
    assert failed["error"]["code"] == "insufficient_memory" and failed["error"]["step"] == 1, failed


def test_six_load_embed_unload_cycles_give_their_memory_back(start_modeld, repository, tmp_path):
    server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"),
                          "--load-at-startup", "none")
    texts = [f"sentence number {n} about memory that comes back" for n in range(64)]
    after_cycle = []
    for _ in range(6):
        assert requests.post(server.url("/v1/models/minilm/load"), headers=server.admin_headers, timeout=30).status_code == 202
        wait_state(server, {"ready"})
        response = requests.post(server.url("/v1/embeddings"), json={"model": "minilm", "input": texts}, timeout=120)
        assert response.status_code == 200, response.text
        assert len(response.json()["data"]) == len(texts)
        held = scrape_memory(server)
        assert held > 50_000_000, held
        unload = requests.post(server.url("/v1/models/minilm/unload"), headers=server.admin_headers, timeout=30)
        assert unload.status_code == 200, unload.text
        assert scrape_memory(server) == 0
        time.sleep(0.5)  # let the batch queue finish dropping its last reference
        after_cycle.append(rss_bytes(server))
    growth = max(after_cycle[1:]) - after_cycle[0]
    assert growth < 40 * 1024 * 1024, f"RSS after each cycle (MB): {[round(r / 2**20) for r in after_cycle]}"
    assert curl(server, "GET", "/livez")[0] == 200


def scrape_memory(server) -> float:
    text = requests.get(server.url("/metrics"), timeout=10).text
    for line in text.splitlines():
        if line.startswith('modeld_model_memory_bytes{model="minilm"}'):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError("no modeld_model_memory_bytes for minilm:\n" + text)


def test_room_publish_inputs_from_smallest_to_largest(start_modeld, tmp_path):
    """`POST /v1/rooms/{room}/messages` (admin): an empty body, a body of exactly
    http.max-body-bytes, one byte more, and the longest and a too-long room name."""
    server = start_modeld("--model-repository", str(tmp_path / "empty"), "--state-dir", str(tmp_path / "state"),
                          "--http-max-body-bytes", "65536")
    auth = server.admin_headers

    def publish(room: str, body: bytes) -> requests.Response:
        return requests.post(server.url(f"/v1/rooms/{room}/messages"), data=body,
                             headers={**auth, "Content-Type": "application/json"}, timeout=30)

    empty = publish("ops", b"")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "invalid_message", empty.text
    largest = b"[" + b'"' + b"x" * (65536 - 4) + b'"' + b"]"
    assert len(largest) == 65536
    response = publish("ops", largest)
    assert response.status_code == 200 and response.json() == {"recipients": 0}, response.text
    assert publish("ops", largest[:-1] + b" ]").status_code == 413
    assert publish("r" * 256, b"{}").status_code == 200
    too_long = publish("r" * 257, b"{}")
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "invalid_room", too_long.text
    assert curl(server, "GET", "/livez")[0] == 200
