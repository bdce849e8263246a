"""Embeddings from the real all-MiniLM-L6-v2 over HTTP (issue 5): the OpenAI-compatible
`/v1/embeddings`, the Open Inference Protocol `/v2/models/{id}/infer`, and the answers while
the model is not ready. Skipped when the model is missing (scripts/test fetches it)."""

from __future__ import annotations

import base64
import math
import os
import pathlib
import struct
import time

import pytest
import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")

# sentence-transformers on PyTorch, all-MiniLM-L6-v2, "hello world": the first values.
HELLO_WORLD_PREFIX = [-0.03447727, 0.03102317, 0.00673496, 0.02610897, -0.03936202]


@pytest.fixture
def server(start_modeld, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "minilm").symlink_to(MODEL_DIR, target_is_directory=True)
    return start_modeld("--model-repository", str(repo), "--state-dir", str(tmp_path / "state"))


def wait_ready(server, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if requests.get(server.url("/v1/models/minilm/ready"), timeout=10).status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError(f"model not ready in {timeout_s} s:\n{server.output()}")


def embed(server, body: dict) -> requests.Response:
    return requests.post(server.url("/v1/embeddings"), json=body, timeout=60)


def test_embedding_matches_the_reference_and_is_normalised(server):
    wait_ready(server)
    response = embed(server, {"model": "minilm", "input": "hello world"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "list" and body["model"] == "minilm"
    vector = body["data"][0]["embedding"]
    assert len(vector) == 384
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, abs_tol=1e-4)
    for got, want in zip(vector, HELLO_WORLD_PREFIX):
        assert abs(got - want) < 1e-4, (vector[:5], HELLO_WORLD_PREFIX)
    assert body["usage"]["prompt_tokens"] == 4  # [CLS] hello world [SEP]


def test_batch_order_base64_and_batching_do_not_change_vectors(server):
    wait_ready(server)
    texts = ["the quick brown fox", "jumps over the lazy dog", "hello world"]
    batch = embed(server, {"model": "minilm", "input": texts}).json()
    assert [item["index"] for item in batch["data"]] == [0, 1, 2]
    alone = embed(server, {"model": "minilm", "input": texts[2]}).json()["data"][0]["embedding"]
    assert max(abs(a - b) for a, b in zip(batch["data"][2]["embedding"], alone)) < 1e-5
    encoded = embed(server, {"model": "minilm", "input": texts[2], "encoding_format": "base64"}).json()
    decoded = struct.unpack("<384f", base64.b64decode(encoded["data"][0]["embedding"]))
    assert max(abs(a - b) for a, b in zip(decoded, alone)) < 1e-6


def test_open_inference_protocol_infer(server):
    wait_ready(server)
    metadata = requests.get(server.url("/v2/models/minilm"), timeout=10).json()
    assert metadata["outputs"][0]["shape"] == [-1, 384]
    response = requests.post(server.url("/v2/models/minilm/infer"), timeout=60, json={
        "inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["hello world", "second"]}]})
    assert response.status_code == 200, response.text
    output = response.json()["outputs"][0]
    assert output["datatype"] == "FP32" and output["shape"] == [2, 384] and len(output["data"]) == 768
    bad = requests.post(server.url("/v2/models/minilm/infer"), json={"inputs": []}, timeout=10)
    assert bad.status_code == 400 and "error" in bad.json()


def test_bad_requests_get_clear_errors(server):
    assert embed(server, {"model": "nope", "input": "x"}).status_code == 404
    wait_ready(server)
    for body, status in [({"input": "x"}, 400), ({"model": "minilm", "input": 7}, 400),
                         ({"model": "minilm", "input": []}, 400),
                         ({"model": "minilm", "input": "x", "encoding_format": "hex"}, 400),
                         ({"model": "minilm", "input": ["x"] * 3000}, 413)]:
        response = embed(server, body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"]["code"]
    garbage = requests.post(server.url("/v1/embeddings"), data=b"{not json", timeout=10)
    assert garbage.status_code == 400


def test_loading_model_answers_425_with_retry_after(start_modeld, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "minilm").symlink_to(MODEL_DIR, target_is_directory=True)
    server = start_modeld("--model-repository", str(repo), "--state-dir", str(tmp_path / "state"),
                          "--max-read-bytes-per-second", "20000000")
    response = embed(server, {"model": "minilm", "input": "hello"})
    assert response.status_code == 425, response.text
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["model"]["state"] in ("queued", "loading")
    requests.post(server.url("/v1/models/minilm/cancel"), headers=server.admin_headers, timeout=10)
    response = embed(server, {"model": "minilm", "input": "hello"})
    assert response.status_code == 503 and response.json()["error"]["code"] == "model_not_ready"
