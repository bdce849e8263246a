#!/usr/bin/env python3
"""Does a large embeddings body stall the other connections of its event loop? (issue 10)

usage: loop_stall.py --bin MODELD [--seconds S] [--model ID] [--repository DIR]

Starts `modeld serve --event-loops 1` (one loop, so every connection shares it), then for S
seconds (default 10) runs two clients at once:
  - a sender that posts ~1 MiB `/v1/embeddings` bodies in a loop on one keep-alive
    connection (2,000 texts of ~500 characters; model `nope` by default, so the answer is a
    404 after the body is parsed, and no model compute is measured, only parsing);
  - a prober that sends `GET /livez` one at a time on another keep-alive connection and
    records each round trip.
Prints the prober's p50 / p99 / max latency in ms, the number of probes, and the number of
large bodies answered, next to a baseline of the prober alone. With --model ID and
--repository DIR the bodies name a real model (answers are then 413 too_many_tokens or 200).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def large_body(model: str) -> bytes:
    words = "the quick brown fox jumps over the lazy dog while modeld keeps serving probes".split()
    text = " ".join(words[i % len(words)] for i in range(90))[:495]
    body = json.dumps({"model": model, "input": [text] * 2000}).encode()
    assert 900_000 < len(body) < 1_048_576, len(body)
    return body


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def probe(port: int, seconds: float) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        conn.request("GET", "/livez")
        response = conn.getresponse()
        response.read()
        latencies.append((time.perf_counter() - start) * 1000)
        assert response.status == 200
    conn.close()
    return latencies


def send_loop(port: int, body: bytes, stop: threading.Event, answers: dict[int, int]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    while not stop.is_set():
        conn.request("POST", "/v1/embeddings", body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        answers[response.status] = answers.get(response.status, 0) + 1
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--model", default="nope")
    parser.add_argument("--repository", default=None)
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    work = pathlib.Path(tempfile.mkdtemp(prefix="modeld-loop-stall-"))
    repository = args.repository or str(work / "empty-repo")
    os.makedirs(repository, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELD_")}
    proc = subprocess.Popen([args.bin, "serve", "--listen", f"127.0.0.1:{port}", "--event-loops", "1",
                             "--model-repository", repository, "--state-dir", str(work / "state"),
                             "--log-level", "warning"],
                            cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                ready = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                ready.request("GET", "/readyz")
                if ready.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("modeld did not become ready")
            time.sleep(0.05)
        baseline = probe(port, min(args.seconds, 3.0))
        stop = threading.Event()
        answers: dict[int, int] = {}
        sender = threading.Thread(target=send_loop, args=(port, large_body(args.model), stop, answers))
        sender.start()
        time.sleep(0.5)  # let the first body reach the server before probing
        loaded = probe(port, args.seconds)
        stop.set()
        sender.join()
        for name, values in (("alone", baseline), ("with 1 MiB bodies", loaded)):
            print(f"livez {name:18} probes={len(values):6d} p50={percentile(values, 0.5):8.3f} ms "
                  f"p99={percentile(values, 0.99):8.3f} ms max={max(values):8.3f} ms")
        print(f"large bodies answered: {answers}")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
