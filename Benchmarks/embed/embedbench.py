#!/usr/bin/env python3
"""`scripts/bench embed`: all-MiniLM-L6-v2 served by a release modeld through HTTP, next to
ONNX Runtime and sentence-transformers on PyTorch measured in the same run (issues 5 and 14,
DESIGN §2.3).

usage: embedbench.py --bin MODELD --repository DIR --model-id ID --logs DIR
                     [--python VENV_PYTHON] [--onnx MODEL.onnx] [--threads T] [--single N]
                     [--seconds S] [--load-reps R] [--rounds K]

K rounds (default 3), each measuring modeld, then ONNX Runtime, then sentence-transformers,
so all three see the same stretches of the machine's other load; the table gives each
metric's median over the rounds, the ratios of those medians, and the per-round ratios to
ONNX Runtime.

modeld rows, over one keep-alive connection, one request at a time (the server gets a fresh
admin token, which load and unload send as `Authorization: Bearer`):
  load_s          POST /v1/models/ID/load (server started with --load-at-startup none) until
                  GET /v1/models/ID says ready, polled every 5 ms; median of R unload/load
  single p50/p99  N POST /v1/embeddings with one short sentence, after a warm-up
  batch32_per_s   sentences per second of POST /v1/embeddings with 32 medium sentences, S s
  *_cpu_ms        the server's CPU time (user + system, all threads) per single request and
                  per batch of 32: unlike wall time, barely moved by other processes sharing
                  the cores (the references report their own process's CPU time likewise)
The references measure the same texts in-process with T threads: ONNX Runtime on --onnx (the
encoder exported from the same weights by export_onnx.py; onnx_reference_bench.py in --python:
same tokenizer, mean pooling and normalization in NumPy) and sentence-transformers
(reference_bench.py in --python, torch.set_num_threads(T)). A missing one's column says why.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "load"))
import workload  # noqa: E402
from modeld_process import ModeldProcess  # noqa: E402


class Client:
    """One keep-alive HTTP/1.1 connection to modeld; `admin_headers` (the server's bearer
    token) go with the mutating calls (`admin=True`: load, unload) only."""

    def __init__(self, port: int, admin_headers: dict[str, str]) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        self.admin_headers = admin_headers

    def call(self, method: str, path: str, body: object | None = None, admin: bool = False) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if admin:
            headers.update(self.admin_headers)
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw.strip() else {})

    def embed(self, model: str, texts: list[str]) -> int:
        status, body = self.call("POST", "/v1/embeddings", {"model": model, "input": texts})
        if status != 200 or len(body.get("data", [])) != len(texts):
            raise RuntimeError(f"/v1/embeddings answered {status}: {str(body)[:300]}")
        return len(texts)


def timed_load(client: Client, model: str) -> float:
    start = time.perf_counter()
    status, body = client.call("POST", f"/v1/models/{model}/load", admin=True)
    if status not in (200, 202):
        raise RuntimeError(f"load answered {status} {body}")
    while True:
        state = client.call("GET", f"/v1/models/{model}")[1].get("state")
        if state == "ready":
            return time.perf_counter() - start
        if state not in ("queued", "loading"):
            raise RuntimeError(f"load ended in state {state}")
        time.sleep(0.005)


def measure_modeld(args: argparse.Namespace) -> dict:
    work = pathlib.Path(tempfile.mkdtemp(prefix="modeld-bench-embed-"))
    (work / "run").mkdir()
    server = ModeldProcess(args.bin, args.repository, work / "run" / "state", args.logs / "modeld.log",
                           ["--load-at-startup", "none", "--log-level", "warning"])
    try:
        client = Client(server.port, server.admin_headers)
        loads = []
        for rep in range(args.load_reps):
            if rep > 0:
                status, body = client.call("POST", f"/v1/models/{args.model_id}/unload", admin=True)
                if status != 200:
                    raise RuntimeError(f"unload answered {status} {body}")
            loads.append(timed_load(client, args.model_id))
        client.embed(args.model_id, [workload.SHORT_SENTENCE])
        samples = []
        cpu_start = server.cpu_seconds()
        for _ in range(args.single):
            start = time.perf_counter()
            client.embed(args.model_id, [workload.SHORT_SENTENCE])
            samples.append((time.perf_counter() - start) * 1000)
        single_cpu_ms = (server.cpu_seconds() - cpu_start) * 1000 / args.single
        batch = workload.medium_batch()
        client.embed(args.model_id, batch)
        done = 0
        cpu_start = server.cpu_seconds()
        start = time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            done += client.embed(args.model_id, batch)
        rate = done / (time.perf_counter() - start)
        batch_cpu_ms = (server.cpu_seconds() - cpu_start) * 1000 * len(batch) / done
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)  # its state and admin token
    return {"load_s": statistics.median(loads), "single_p50_ms": workload.percentile(samples, 0.50),
            "single_p99_ms": workload.percentile(samples, 0.99), "batch32_per_s": rate,
            "single_cpu_ms": single_cpu_ms, "batch32_cpu_ms": batch_cpu_ms}


def measure_reference(args: argparse.Namespace, script: str, extra: list[str], log: str) -> dict | str:
    """Runs one reference script in --python; its JSON, or why it is missing."""
    if not args.python:
        return "no reference virtualenv (see the log above)"
    argv = [args.python, str(HERE / script), str(args.repository / args.model_id), *extra,
            "--threads", str(args.threads), "--single", str(args.single), "--seconds", str(args.seconds)]
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "TOKENIZERS_PARALLELISM": "false"}
    result = subprocess.run(argv, capture_output=True, text=True, env=env)
    (args.logs / log).write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        return f"{script} failed (log: {args.logs / log})"
    return json.loads(result.stdout.strip().splitlines()[-1])


def print_table(args: argparse.Namespace, ours: dict, references: dict[str, dict | str]) -> None:
    rows = [("load to ready (s)", "load_s", "lower"), ("single sentence p50 (ms)", "single_p50_ms", "lower"),
            ("single sentence p99 (ms)", "single_p99_ms", "lower"),
            ("batch 32 medium (sentences/s)", "batch32_per_s", "higher"),
            ("single sentence CPU (ms)", "single_cpu_ms", "lower"), ("batch 32 CPU (ms)", "batch32_cpu_ms", "lower")]
    print(f"all-MiniLM-L6-v2, {args.threads} threads, modeld through HTTP (keep-alive), "
          f"references in-process; medians of {args.rounds} interleaved rounds; ratio > 1: modeld better")
    header = f"{'metric':32} {'modeld':>10}"
    for name in references:
        header += f" {name:>14} {'ratio':>6}"
    print(header)
    for label, key, better in rows:
        mine = ours[key]
        line = f"{label:32} {mine:10.3f}"
        for reference in references.values():
            if isinstance(reference, dict) and key in reference:
                theirs = reference[key]
                ratio = theirs / mine if better == "lower" else mine / theirs
                line += f" {theirs:14.3f} {ratio:6.2f}"
            else:
                line += f" {'-':>14} {'-':>6}"
        print(line)
    for name, reference in references.items():
        if isinstance(reference, dict):
            gap = reference.get("max_cosine_gap")
            accuracy = f"; largest 1 - cosine to sentence-transformers {gap:.1e}" if gap is not None else ""
            print(f"{name}: {reference['versions']}; its imports took {reference['import_s']:.2f} s "
                  f"before the model load{accuracy}")
        else:
            print(f"{name} skipped: {reference}")


def median_of(results: list) -> dict | str:
    """Each numeric key's median over the rounds that produced a dict (other keys from the
    first); the first failure's reason when none did."""
    measured = [result for result in results if isinstance(result, dict)]
    if not measured:
        return results[0]
    merged = dict(measured[0])
    for key, value in measured[0].items():
        if isinstance(value, (int, float)) and value is not None:
            merged[key] = statistics.median(result[key] for result in measured)
    return merged


def print_round_ratios(rounds: list) -> None:
    """The ratio to ONNX Runtime in each round, for the two headline metrics."""
    singles, batches = [], []
    for ours, references in rounds:
        theirs = references.get("onnxruntime")
        if isinstance(theirs, dict):
            singles.append(f"{theirs['single_p50_ms'] / ours['single_p50_ms']:.2f}")
            batches.append(f"{ours['batch32_per_s'] / theirs['batch32_per_s']:.2f}")
    if singles:
        print(f"per round vs onnxruntime: single p50 {' '.join(singles)}; batch 32 {' '.join(batches)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--repository", type=pathlib.Path, required=True)
    parser.add_argument("--model-id", default="all-minilm-l6-v2")
    parser.add_argument("--logs", type=pathlib.Path, required=True)
    parser.add_argument("--python", default="")
    parser.add_argument("--onnx", default="")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--load-reps", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    args.repository = args.repository.resolve()
    args.logs.mkdir(parents=True, exist_ok=True)
    # Both sides share the machine with whatever else runs: the load average shows how quiet it
    # was (PyTorch's OpenMP threads degrade sharply when the cores are oversubscribed).
    load_before = pathlib.Path("/proc/loadavg").read_text().split()[0]
    rounds: list[tuple[dict, dict[str, dict | str]]] = []
    for number in range(args.rounds):
        ours = measure_modeld(args)
        references: dict[str, dict | str] = {}
        references["onnxruntime"] = (
            measure_reference(args, "onnx_reference_bench.py", [str(args.onnx)], f"onnx-{number}.log")
            if args.onnx else "no exported ONNX graph (see the log above)")
        references["sentence-tf"] = measure_reference(args, "reference_bench.py", [], f"reference-{number}.log")
        rounds.append((ours, references))
    ours = median_of([mine for mine, _ in rounds])
    references = {name: median_of([theirs[name] for _, theirs in rounds]) for name in rounds[0][1]}
    print_table(args, ours, references)
    print_round_ratios(rounds)
    print(f"load average {load_before} before, {pathlib.Path('/proc/loadavg').read_text().split()[0]} after "
          f"({os.cpu_count()} CPUs)")
    (args.logs / "results.json").write_text(json.dumps({"modeld": ours, **references, "rounds": rounds}, indent=2))


if __name__ == "__main__":
    main()
