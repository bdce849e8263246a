"""Inference requests cannot crash modeld or exhaust its memory (issue 10, part B), with the
real all-MiniLM-L6-v2 and real HTTP clients: tensor shapes are checked with checked
arithmetic, each embeddings limit answers with its own status and code before the work is
done, a large request runs as micro-batches in bounded memory, and after each case the
process is alive and `/livez` answers. Skipped when the model is missing."""

from __future__ import annotations

import json
import os
import pathlib
import struct
import threading
import time

import pytest
import requests

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")

READY_TIMEOUT_S = 180.0  # a debug build on a busy 2-core machine
# Peak RSS (VmHWM) may grow by at most this much across a refused or micro-batched request.
# The issue's request grew RSS by 8 GB; a refused one parses a 622 KB body and tokenizes
# at most the token limit, and a pass under a 256-token budget needs about 4 MB of scratch.
RSS_GROWTH_BOUND_BYTES = 128 << 20


def start(start_modeld, repository, *flags: str):
    server = start_modeld("--model-repository", str(repository), *flags)
    wait_ready(server)
    return server


def wait_ready(server) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if requests.get(server.url("/readyz"), timeout=10).status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError(f"not ready in {READY_TIMEOUT_S:.0f} s:\n{server.output()}")


def assert_alive(server) -> None:
    assert server.proc.poll() is None, f"modeld exited with {server.proc.returncode}:\n{server.output()}"
    assert requests.get(server.url("/livez"), timeout=10).status_code == 200


def peak_rss_bytes(server) -> int:
    for line in pathlib.Path(f"/proc/{server.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc/PID/status")


def embed(server, texts, timeout: float = 300.0) -> requests.Response:
    return requests.post(server.url("/v1/embeddings"), json={"model": "minilm", "input": texts}, timeout=timeout)


def infer(server, body, headers=None, data=None) -> requests.Response:
    return requests.post(server.url("/v2/models/minilm/infer"), json=body if data is None else None, data=data,
                         headers=headers or {}, timeout=300)


def texts_tensor(shape, data) -> dict:
    return {"inputs": [{"name": "text", "shape": shape, "datatype": "BYTES", "data": data}]}


def assert_oip_error(response: requests.Response, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    message = response.json()["error"]
    assert isinstance(message, str) and fragment in message, message


def test_the_issues_shape_body_and_other_bad_shapes_are_400(start_modeld, repository):
    server = start_modeld("--model-repository", str(repository))
    # The issue's exact body, before the model is even ready: the shape is judged first.
    issue = b'{"inputs":[{"name":"text","shape":[9223372036854775807,2],"datatype":"BYTES","data":["a"]}]}'
    first = infer(server, None, headers={"Content-Type": "application/json"}, data=issue)
    assert_oip_error(first, 400, "more elements than an Int can count")
    assert_alive(server)
    wait_ready(server)
    assert_oip_error(infer(server, None, data=issue), 400, "more elements than an Int can count")
    assert_oip_error(infer(server, texts_tensor([-1], ["a"])), 400, "negative dimension")
    assert_oip_error(infer(server, texts_tensor([-1, -1], ["a"])), 400, "negative dimension")
    assert_oip_error(infer(server, texts_tensor([2, 4611686018427387904], ["a"])), 400, "more elements than an Int")
    assert_oip_error(infer(server, texts_tensor([3], ["a", "b"])), 400, "holds 3 elements but its data has 2")
    assert_oip_error(infer(server, texts_tensor([0], [])), 400, "no texts")
    # Triton's binary extension with an element whose length runs past the end.
    header = json.dumps({"inputs": [{"name": "text", "shape": [1], "datatype": "BYTES",
                                     "parameters": {"binary_data_size": 8}}]}).encode()
    lying = header + struct.pack("<I", 1000) + b"abcd"
    assert_oip_error(infer(server, None, data=lying, headers={"Inference-Header-Content-Length": str(len(header))}),
                     400, "runs past the end")
    good = infer(server, texts_tensor([1, 1], ["hello world"]))
    assert good.status_code == 200 and good.json()["outputs"][0]["shape"] == [1, 384], good.text
    assert_alive(server)


def test_2048_inputs_of_300_bangs_are_refused_in_bounded_memory(start_modeld, repository):
    server = start(start_modeld, repository)
    before = peak_rss_bytes(server)
    started = time.monotonic()
    response = embed(server, ["!" * 300] * 2048)  # 622 KB; 2,048 x 256 = 524,288 tokens after truncation
    elapsed = time.monotonic() - started
    assert response.status_code == 413, response.text[:300]
    error = response.json()["error"]
    assert error["code"] == "too_many_tokens" and "65536" in error["message"], error
    growth = peak_rss_bytes(server) - before
    assert growth <= RSS_GROWTH_BOUND_BYTES, f"peak RSS grew by {growth / 2**20:.0f} MiB"
    assert elapsed < 60, f"the refusal took {elapsed:.1f} s"
    assert_alive(server)


def test_a_large_request_runs_as_micro_batches_in_bounded_memory_with_the_same_vectors(start_modeld, repository):
    server = start(start_modeld, repository, "--embeddings-max-batch-tokens", "256")
    texts = [f"sentence number {i} says something about {'cats' if i % 2 else 'dogs'} and the weather" for i in range(48)]
    before = peak_rss_bytes(server)
    response = embed(server, texts)
    assert response.status_code == 200, response.text[:300]
    body = response.json()
    assert [item["index"] for item in body["data"]] == list(range(48))
    growth = peak_rss_bytes(server) - before
    assert growth <= RSS_GROWTH_BOUND_BYTES, f"peak RSS grew by {growth / 2**20:.0f} MiB"
    # Alone, each text is one pass: the split request must give the same vectors and usage.
    alone = [embed(server, text).json() for text in texts]
    for i, single in enumerate(alone):
        vector = single["data"][0]["embedding"]
        assert max(abs(a - b) for a, b in zip(vector, body["data"][i]["embedding"])) < 1e-5, i
    assert body["usage"]["prompt_tokens"] == sum(single["usage"]["prompt_tokens"] for single in alone)
    assert body["usage"]["prompt_tokens"] > 256  # so it cannot have been one pass under the budget
    assert_alive(server)


def test_too_many_tokens_is_413_on_both_routes(start_modeld, repository):
    server = start(start_modeld, repository, "--embeddings-max-tokens-per-request", "20")
    ok = embed(server, ["hello world"] * 5)  # 5 x [CLS] hello world [SEP] = 20 tokens
    assert ok.status_code == 200 and ok.json()["usage"]["prompt_tokens"] == 20, ok.text
    refused = embed(server, ["hello world"] * 6)
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"]["code"] == "too_many_tokens"
    assert_oip_error(infer(server, texts_tensor([6], ["hello world"] * 6)), 413, "more than 20 tokens")
    # Truncation counts: one 1,000-word text is 256 tokens, not 1,002.
    wide = start(start_modeld, repository, "--embeddings-max-tokens-per-request", "256")
    long_text = embed(wide, "word " * 1000)
    assert long_text.status_code == 200 and long_text.json()["usage"]["prompt_tokens"] == 256, long_text.text[:300]
    assert_alive(server)
    assert_alive(wide)


def test_inputs_over_the_maximum_are_413_on_both_routes(start_modeld, repository):
    server = start(start_modeld, repository, "--embeddings-max-inputs", "4")
    assert embed(server, ["a"] * 4).status_code == 200
    refused = embed(server, ["a"] * 5)
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "too_many_inputs", refused.text
    assert_oip_error(infer(server, texts_tensor([5], ["a"] * 5)), 413, "At most 4 texts")
    assert_alive(server)


def test_a_full_queue_is_503_overloaded_with_retry_after(start_modeld, repository):
    # A queue of one token: while one request is admitted, every other one is refused.
    server = start(start_modeld, repository, "--embeddings-max-queued-tokens", "1", "--embeddings-max-batch-wait", "0")
    blocker: dict[str, requests.Response] = {}

    def run_blocker() -> None:
        # A probe below that reaches the queue first is the one request an empty queue admits,
        # and then the blocker itself is refused: send it again until it is admitted.
        while True:
            blocker["r"] = embed(server, ["!" * 300] * 2, timeout=600)
            if blocker["r"].status_code != 503:
                return

    thread = threading.Thread(target=run_blocker)
    thread.start()
    refused_v1 = refused_v2 = None
    deadline = time.monotonic() + 300
    while (refused_v1 is None or refused_v2 is None) and thread.is_alive() and time.monotonic() < deadline:
        if refused_v1 is None:
            response = embed(server, ["x"], timeout=300)
            if response.status_code == 503:
                refused_v1 = response
        if refused_v2 is None:
            response = infer(server, texts_tensor([1], ["x"]))
            if response.status_code == 503:
                refused_v2 = response
    thread.join(timeout=600)
    assert refused_v1 is not None and refused_v2 is not None, \
        "the queue never refused a request while the 512-token request ran"
    error = refused_v1.json()["error"]
    assert error["code"] == "overloaded", error
    assert int(refused_v1.headers["Retry-After"]) >= 1
    assert isinstance(refused_v2.json()["error"], str) and int(refused_v2.headers["Retry-After"]) >= 1
    assert blocker["r"].status_code == 200 and len(blocker["r"].json()["data"]) == 2
    assert embed(server, ["x"]).status_code == 200  # the queue drained
    assert_alive(server)
