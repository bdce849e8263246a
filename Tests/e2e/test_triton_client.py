"""Triton's own Python client (`tritonclient[http]` from PyPI) against modeld (issue 3).

DESIGN §1.5 promises that the Open Inference Protocol and Triton model-repository endpoints
are wire-compatible with Triton's clients: these tests drive the real
`tritonclient.http.InferenceServerClient` through health, server and model metadata, the
repository index (READY / LOADING / UNAVAILABLE), blocking load, unload and inference with
the real all-MiniLM-L6-v2. Skipped when the model is missing (scripts/test fetches it).
"""

from __future__ import annotations

import os
import pathlib
import time

import numpy as np
import pytest
import requests
import tritonclient.http as triton
from tritonclient.utils import InferenceServerException

from model_support import add_truncated_model

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
MODEL = "minilm"
DIMENSION = 384

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")


@pytest.fixture
def repository(tmp_path: pathlib.Path) -> pathlib.Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / MODEL).symlink_to(MODEL_DIR, target_is_directory=True)
    return repo


@pytest.fixture
def serve(start_modeld, repository, tmp_path):
    """Factory: a server on the repository with extra flags, and a Triton client for it."""
    clients: list[triton.InferenceServerClient] = []

    def start(*extra: str):
        server = start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"), *extra)
        # A load blocks the request until the model is ready: a debug build on a busy
        # machine may take a while, so the timeouts are generous.
        client = triton.InferenceServerClient(url=f"127.0.0.1:{server.port}", network_timeout=300.0)
        clients.append(client)
        return server, client

    yield start
    for client in clients:
        client.close()


def index_entry(client: triton.InferenceServerClient) -> dict:
    entries = client.get_model_repository_index()
    assert [entry["name"] for entry in entries] == [MODEL], entries
    return entries[0]


def wait_until(condition, what: str, server, timeout_s: float = 120.0, interval_s: float = 0.05) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval_s)
    raise AssertionError(f"{what} within {timeout_s:.0f} s\n{server.output()}")


def texts_input(binary: bool) -> triton.InferInput:
    tensor = triton.InferInput("text", [2], "BYTES")
    tensor.set_data_from_numpy(np.array([b"hello", b"world"], dtype=np.object_), binary_data=binary)
    return tensor


def test_health_and_index_follow_a_slow_load_until_ready(serve):
    # 90 MB at 20 MB/s: step 5 alone lasts about 4.5 s, long enough to see the load.
    server, client = serve("--max-read-bytes-per-second", "20000000")
    assert client.is_server_live()
    assert not client.is_server_ready()
    assert not client.is_model_ready(MODEL)
    entry = index_entry(client)
    assert entry["state"] == "LOADING" and entry["version"] == "1", entry
    assert 0 <= entry["progress"] < 1 and entry["total"] == 9
    metadata = client.get_server_metadata()
    assert metadata["name"] == "modeld" and "model_repository" in metadata["extensions"]
    wait_until(client.is_server_ready, "the server never became ready", server)
    assert client.is_model_ready(MODEL)
    assert index_entry(client)["state"] == "READY"


def test_load_blocks_until_ready_then_unload_makes_it_unavailable(serve):
    server, client = serve("--load-at-startup", "none")
    entry = index_entry(client)
    assert entry["state"] == "UNAVAILABLE", entry
    assert not client.is_model_ready(MODEL)
    client.load_model(MODEL, headers=server.admin_headers)  # Triton answers a load only once it has finished
    assert client.is_model_ready(MODEL)
    assert client.is_server_ready()
    assert index_entry(client)["state"] == "READY"
    metadata = client.get_model_metadata(MODEL)
    assert metadata["name"] == MODEL and metadata["versions"] == ["1"]
    assert metadata["inputs"] == [{"name": "text", "datatype": "BYTES", "shape": [-1]}]
    assert metadata["outputs"] == [{"name": "embedding", "datatype": "FP32", "shape": [-1, DIMENSION]}]
    client.unload_model(MODEL, headers=server.admin_headers)
    assert not client.is_model_ready(MODEL)
    entry = index_entry(client)
    assert entry["state"] == "UNAVAILABLE" and entry["reason"] == "unloaded", entry
    client.load_model(MODEL, headers=server.admin_headers)
    assert client.is_model_ready(MODEL)


def test_infer_with_json_tensors_returns_the_real_embeddings(serve):
    server, client = serve()
    client.load_model(MODEL, headers=server.admin_headers)  # joins the start-up load
    result = client.infer(MODEL, [texts_input(binary=False)],
                          outputs=[triton.InferRequestedOutput("embedding", binary_data=False)])
    embedding = result.as_numpy("embedding")
    assert embedding.dtype == np.float32 and embedding.shape == (2, DIMENSION)
    assert np.allclose(np.linalg.norm(embedding, axis=1), 1.0, atol=1e-4)
    assert result.get_response()["model_name"] == MODEL
    # The same vectors as the OpenAI-compatible endpoint gives for the same texts.
    body = requests.post(server.url("/v1/embeddings"), json={"model": MODEL, "input": ["hello", "world"]},
                         timeout=60).json()
    reference = np.array([item["embedding"] for item in body["data"]], dtype=np.float32)
    assert np.abs(embedding - reference).max() < 1e-5


def test_infer_with_the_clients_default_binary_tensors(serve):
    # What a Triton user writes by default: set_data_from_numpy(...) sends the texts with
    # the binary tensor data extension and asks for binary outputs.
    server, client = serve()
    client.load_model(MODEL, headers=server.admin_headers)
    tensor = triton.InferInput("text", [2], "BYTES")
    tensor.set_data_from_numpy(np.array([b"hello", b"world"], dtype=np.object_))
    result = client.infer(MODEL, [tensor])
    embedding = result.as_numpy("embedding")
    assert embedding is not None and embedding.dtype == np.float32 and embedding.shape == (2, DIMENSION)
    assert np.allclose(np.linalg.norm(embedding, axis=1), 1.0, atol=1e-4)


def test_failed_and_unknown_loads_raise_with_the_servers_reason(serve, repository):
    add_truncated_model(MODEL_DIR, repository / "broken")
    server, client = serve("--load-at-startup", "none")
    with pytest.raises(InferenceServerException, match="file_truncated"):
        client.load_model("broken", headers=server.admin_headers)
    entries = {entry["name"]: entry for entry in client.get_model_repository_index()}
    assert entries["broken"]["state"] == "UNAVAILABLE" and "file_truncated" in entries["broken"]["reason"]
    assert entries[MODEL]["state"] == "UNAVAILABLE"
    with pytest.raises(InferenceServerException, match="no such model"):
        client.load_model("missing", headers=server.admin_headers)
    with pytest.raises(InferenceServerException, match="not known"):
        client.get_model_metadata("missing")
    assert not client.is_model_ready("missing")
    client.load_model(MODEL, headers=server.admin_headers)  # the failure touched nothing else
    assert client.is_model_ready(MODEL)
