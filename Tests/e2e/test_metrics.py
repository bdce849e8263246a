"""`GET /metrics` of the real binary, read with the Prometheus Python client's own text parser
(DESIGN §1.9): after a real load of all-MiniLM-L6-v2 the model is ready, one load completed,
each of the nine steps has one duration, the bytes loaded equal `model.safetensors`; probes are
counted under their route pattern; the WebSocket gauge follows a live client.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import connect

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
STEPS = {"initialize", "load_tokenizer", "check_cache", "prepare_strategies", "load_weights",
         "load_complete", "move_to_device", "apply_optimizations", "finalize"}
STATES = {"unloaded", "queued", "loading", "ready", "failed", "cancelled", "unloading"}

needs_model = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                 reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")


class Scrape:
    """One `/metrics` answer: its Content-Type and every sample, parsed by prometheus_client."""

    def __init__(self, server) -> None:
        with urllib.request.urlopen(server.url("/metrics"), timeout=10) as response:
            self.content_type = response.headers["Content-Type"]
            text = response.read().decode()
        self.families = list(text_string_to_metric_families(text))
        self.samples = [sample for family in self.families for sample in family.samples]

    def value(self, name: str, **labels: str) -> float | None:
        """The value of the sample `name` whose labels are exactly `labels`."""
        found = [s.value for s in self.samples if s.name == name and s.labels == labels]
        assert len(found) <= 1, f"{name}{labels} appears {len(found)} times"
        return found[0] if found else None

    def named(self, name: str) -> list:
        return [s for s in self.samples if s.name == name]


def scrape_until(server, condition, timeout_s: float = 120.0) -> Scrape:
    """Scrapes until `condition(scrape)` holds (bounded: a load takes seconds)."""
    deadline = time.monotonic() + timeout_s
    while True:
        scrape = Scrape(server)
        if condition(scrape):
            return scrape
        if time.monotonic() > deadline:
            raise AssertionError(f"/metrics never satisfied the condition\n{server.output()}")
        time.sleep(0.1)


def curl_status(server, path: str) -> int:
    out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", server.url(path)],
                         check=True, capture_output=True, text=True).stdout
    return int(out)


@needs_model
def test_metrics_after_a_real_load(start_modeld, repository, tmp_path):
    server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"))
    scrape = scrape_until(server, lambda s: s.value("modeld_loads_total", outcome="completed") == 1)
    assert scrape.content_type == "text/plain; version=0.0.4; charset=utf-8"
    families = {family.name: family for family in scrape.families}
    # prometheus_client names counter families without `_total`; each family kept its HELP.
    for name, kind in [("modeld_model_state", "gauge"), ("modeld_model_memory_bytes", "gauge"), ("modeld_loads", "counter"),
                       ("modeld_load_duration_seconds", "histogram"), ("modeld_load_step_duration_seconds", "histogram"),
                       ("modeld_load_bytes", "counter"), ("modeld_http_requests", "counter"),
                       ("modeld_http_request_duration_seconds", "histogram"), ("modeld_websocket_connections", "gauge")]:
        assert families[name].type == kind and families[name].documentation, name

    assert scrape.value("modeld_model_state", model="minilm", state="ready") == 1
    # The ready model's weights in compute layout: f32, so about the file's size.
    weights = (MODEL_DIR / "model.safetensors").stat().st_size
    assert 0.9 * weights < scrape.value("modeld_model_memory_bytes", model="minilm") < 1.5 * weights
    others = [s for s in scrape.named("modeld_model_state") if s.labels["state"] != "ready"]
    assert {s.labels["state"] for s in others} == STATES - {"ready"} and all(s.value == 0 for s in others)
    assert scrape.value("modeld_loads_total", outcome="failed") == 0
    assert scrape.value("modeld_loads_total", outcome="cancelled") == 0

    steps = scrape.named("modeld_load_step_duration_seconds_count")
    assert {s.labels["step"] for s in steps} == STEPS
    assert all(s.value == 1 for s in steps), steps
    assert scrape.value("modeld_load_duration_seconds_count") == 1
    step_seconds = sum(s.value for s in scrape.named("modeld_load_step_duration_seconds_sum"))
    assert 0 < step_seconds <= scrape.value("modeld_load_duration_seconds_sum") * 1.001
    assert scrape.value("modeld_load_bytes_total", model="minilm") == (MODEL_DIR / "model.safetensors").stat().st_size

    probes = 7
    for _ in range(probes):
        assert curl_status(server, "/livez") == 200
    assert curl_status(server, "/v1/models/minilm") == 200
    assert curl_status(server, "/v1/models/no-such-model") == 404
    scrape = Scrape(server)
    assert scrape.value("modeld_http_requests_total", route="/livez", method="GET", status="200") == probes
    assert scrape.value("modeld_http_request_duration_seconds_count", route="/livez", method="GET") == probes
    assert scrape.value("modeld_http_requests_total", route="/v1/models/{id}", method="GET", status="200") == 1
    assert scrape.value("modeld_http_requests_total", route="/v1/models/{id}", method="GET", status="404") == 1
    routes = {s.labels["route"] for s in scrape.named("modeld_http_requests_total")}
    assert not any("minilm" in route or "no-such-model" in route for route in routes), routes


def test_websocket_gauge_follows_a_client(start_modeld, tmp_path):
    server = start_modeld("--model-repository", str(tmp_path / "empty"), "--state-dir", str(tmp_path / "state"))
    assert Scrape(server).value("modeld_websocket_connections") == 0
    host, port = server.address
    with connect(f"ws://{host}:{port}/ws?room=models", open_timeout=10) as client:
        client.recv(timeout=10)  # the room's snapshot
        scrape = Scrape(server)
        assert scrape.value("modeld_websocket_connections") == 1
        assert scrape.value("modeld_websocket_messages_sent_total") >= 1
        assert scrape.value("modeld_http_requests_total", route="/ws", method="GET", status="101") == 1
    scrape = scrape_until(server, lambda s: s.value("modeld_websocket_connections") == 0, timeout_s=10)
    assert scrape.value("modeld_websocket_slow_closed_total") == 0
    assert scrape.value("modeld_websocket_progress_coalesced_total") == 0
