#!/usr/bin/env python3
"""The measurements of `scripts/bench load` (issue 3's loading benchmark), one TSV row per value.

usage: loadbench.py --bin MODELD --model-dir DIR --out TSV --logs DIR
           [--reps 3] [--only "rates eta"] [--observers poll:50:10]
           [--eta-caps "200000000 0"] [--eta-interval-ms 20]

rates  Per rep, on the same weights file (already in the page cache): `cat FILE >
       /dev/null`, `sha256sum FILE` and `openssl dgst -sha256 FILE` in bytes/s; then two
       loads, each by a fresh `modeld serve --load-at-startup none` with a fresh state dir
       (so step 5 computes the digest) and one blocking `POST /v2/repository/models/ID/load`:
         quiet     --log-level warning, nobody watching
         observed  --log-level info, the observers of --observers watching the whole load
       (order alternated per rep). For each: step 5's seconds and the whole load's seconds
       from eta-history.json, bytes/s = file size / step 5 seconds, the wall time of the load
       request, the server's CPU time, and what the observers did.
eta    Per cap of --eta-caps (bytes/s, 0 = none): one server and state dir; a first load
       records the history; then per rep: unload, load, poll `GET /v1/models/ID` every
       --eta-interval-ms. At the first sample with progress >= 0.5 it keeps eta_seconds and
       the time; the time that actually remained runs to the first sample that says ready
       (each sample's time is the middle of its request).

Rows: date, rep, section, variant, key, value (see summarize.py).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import observers
from modeld_process import ModeldProcess, step_seconds

MODEL_ID = "bench"


class Recorder:
    def __init__(self, path: pathlib.Path) -> None:
        self.path = path
        self.date = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path.write_text("date\trep\tsection\tvariant\tkey\tvalue\n")

    def __call__(self, rep: int, section: str, variant: str, key: str, value: object) -> None:
        text = repr(round(value, 6)) if isinstance(value, float) else str(value)
        with open(self.path, "a") as f:
            f.write(f"{self.date}\t{rep}\t{section}\t{variant}\t{key}\t{text}\n")


def log(message: str) -> None:
    print(f"bench load: {message}", file=sys.stderr, flush=True)


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


class Bench:
    def __init__(self, args: argparse.Namespace, work: pathlib.Path) -> None:
        self.args = args
        self.work = work
        self.weights = args.model_dir / "model.safetensors"
        self.size = self.weights.stat().st_size
        self.repository = work / "repository"
        self.repository.mkdir()
        (self.repository / MODEL_ID).symlink_to(args.model_dir.resolve(), target_is_directory=True)
        self.record = Recorder(args.out)
        self.runs = 0

    def server(self, name: str, flags: list[str]) -> tuple[ModeldProcess, pathlib.Path]:
        self.runs += 1
        run_dir = self.work / f"run{self.runs}-{name}"
        (run_dir / "state").mkdir(parents=True)
        server = ModeldProcess(self.args.bin, self.repository, run_dir / "state",
                               self.args.logs / f"modeld-{self.runs}-{name}.log",
                               ["--load-at-startup", "none", *flags])
        return server, run_dir / "state"

    # ------------------------------------------------------------ rates and overhead
    def reference_rates(self, rep: int) -> None:
        f = str(self.weights)
        for tool, argv in [("cat", ["sh", "-c", 'cat "$1" > /dev/null', "sh", f]),
                           ("sha256sum", ["sha256sum", f]),
                           ("openssl", ["openssl", "dgst", "-sha256", f])]:
            seconds = timed(argv)
            self.record(rep, "rates", tool, "seconds", seconds)
            self.record(rep, "rates", tool, "bytes_per_s", self.size / seconds)

    def timed_load(self, rep: int, variant: str) -> None:
        level = "warning" if variant == "quiet" else "info"
        server, state = self.server(f"rates-rep{rep}-{variant}", ["--log-level", level])
        watchers = None
        try:
            if variant == "observed":
                watchers = observers.make(self.args.observers, server.port, MODEL_ID)
                watchers.start()
            cpu0 = server.cpu_seconds()
            start = time.perf_counter()
            status, body = server.request("POST", f"/v2/repository/models/{MODEL_ID}/load")
            wall = time.perf_counter() - start
            cpu = server.cpu_seconds() - cpu0
            if status != 200:
                raise RuntimeError(f"load answered {status} {body} (log: {server.log_path})")
            if watchers:
                for key, value in watchers.stop().items():
                    self.record(rep, "rates", variant, f"observer_{key}", value)
                watchers = None
        finally:
            if watchers:
                watchers.stop()
            code = server.stop()
        steps = step_seconds(state, MODEL_ID)
        self.record(rep, "rates", variant, "exit_code", code)
        self.record(rep, "rates", variant, "load_s", sum(steps))
        self.record(rep, "rates", variant, "load_wall_s", wall)
        self.record(rep, "rates", variant, "srv_cpu_s", cpu)
        self.record(rep, "rates", variant, "step5_s", steps[4])
        self.record(rep, "rates", variant, "step5_bytes_per_s", self.size / steps[4])
        for number, seconds in enumerate(steps, 1):
            self.record(rep, "rates", variant, f"step{number}_s", seconds)

    def rates(self) -> None:
        self.record(0, "rates", "file", "bytes", self.size)
        self.record(0, "rates", "observed", "observers", observers.describe(self.args.observers, MODEL_ID))
        for rep in range(1, self.args.reps + 1):
            log(f"rates rep {rep}/{self.args.reps}: cat, sha256sum, openssl")
            self.reference_rates(rep)
            order = ["quiet", "observed"] if rep % 2 else ["observed", "quiet"]
            for variant in order:
                log(f"rates rep {rep}/{self.args.reps}: {variant} load")
                self.timed_load(rep, variant)

    # ------------------------------------------------------------ ETA
    def sample(self, server: ModeldProcess) -> tuple[float, dict]:
        before = time.perf_counter()
        status = server.status(MODEL_ID)
        return (before + time.perf_counter()) / 2, status

    def eta_run(self, server: ModeldProcess, rep: int, variant: str) -> None:
        interval = self.args.eta_interval_ms / 1000
        if server.request("POST", f"/v1/models/{MODEL_ID}/unload")[0] != 200:
            raise RuntimeError(f"unload failed (log: {server.log_path})")
        status, body = server.request("POST", f"/v1/models/{MODEL_ID}/load")
        if status != 202:
            raise RuntimeError(f"load answered {status} {body}")
        half: tuple[float, dict] | None = None
        first_eta: int | None = None
        trace = open(self.args.logs / f"eta-{variant}-rep{rep}.jsonl", "w")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            at, model = self.sample(server)
            trace.write(json.dumps({"t": round(at, 4), **model}) + "\n")
            if model["state"] == "ready":
                break
            if model["state"] not in ("queued", "loading"):
                raise RuntimeError(f"load ended in {model['state']}: {model}")
            if first_eta is None and model.get("eta_seconds") is not None:
                first_eta = model["eta_seconds"]
            if half is None and model["progress"] >= 0.5:
                half = (at, model)
            time.sleep(interval)
        else:
            raise RuntimeError("the load did not finish within 600 s")
        trace.close()
        if half is None:
            raise RuntimeError("no sample between progress 0.5 and ready: the load was too fast to watch")
        half_at, half_model = half
        actual = at - half_at
        self.record(rep, "eta", variant, "progress_at_sample", half_model["progress"])
        self.record(rep, "eta", variant, "step_at_sample", half_model["step"])
        self.record(rep, "eta", variant, "first_eta_s", "" if first_eta is None else first_eta)
        self.record(rep, "eta", variant, "eta_at_half_s", "" if half_model["eta_seconds"] is None else half_model["eta_seconds"])
        self.record(rep, "eta", variant, "actual_remaining_s", actual)
        self.record(rep, "eta", variant, "load_s", model.get("load_seconds", ""))
        if half_model["eta_seconds"] is not None and actual > 0:
            self.record(rep, "eta", variant, "eta_error_pct", abs(half_model["eta_seconds"] - actual) / actual * 100)

    def eta(self) -> None:
        for cap in self.args.eta_caps.split():
            variant = f"cap{int(cap) // 1_000_000}MBps" if int(cap) else "uncapped"
            log(f"eta {variant}: first load (records the history)")
            server, _ = self.server(f"eta-{variant}", ["--log-level", "warning", "--max-read-bytes-per-second", cap])
            try:
                if server.request("POST", f"/v2/repository/models/{MODEL_ID}/load")[0] != 200:
                    raise RuntimeError(f"first load failed (log: {server.log_path})")
                for rep in range(1, self.args.reps + 1):
                    log(f"eta {variant} rep {rep}/{self.args.reps}: repeat load")
                    self.eta_run(server, rep, variant)
            finally:
                self.record(0, "eta", variant, "exit_code", server.stop())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--model-dir", type=pathlib.Path, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--logs", type=pathlib.Path, required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", default="rates eta")
    parser.add_argument("--observers", default="poll:50:10")
    parser.add_argument("--eta-caps", default="200000000 0")
    parser.add_argument("--eta-interval-ms", type=float, default=20)
    args = parser.parse_args()
    args.bin = str(pathlib.Path(args.bin).resolve())
    observers.parse_spec(args.observers)  # fail before any work on a bad spec
    args.logs.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="modeld-bench-load-"))
    try:
        bench = Bench(args, work)
        bench.record(0, "machine", "loadavg", "start", pathlib.Path("/proc/loadavg").read_text().split()[0])
        bench.record(0, "machine", "cpus", "online", os.cpu_count() or 0)
        # Warm the page cache once: every rate below reads the file from memory.
        subprocess.run(["sh", "-c", 'cat "$1" > /dev/null', "sh", str(bench.weights)], check=True)
        if "rates" in args.only.split():
            bench.rates()
        if "eta" in args.only.split():
            bench.eta()
        bench.record(0, "machine", "loadavg", "end", pathlib.Path("/proc/loadavg").read_text().split()[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
