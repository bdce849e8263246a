#!/usr/bin/env python3
"""The measurements of `scripts/bench load` (issue 3's loading benchmark), one TSV row per value.

usage: loadbench.py --bin MODELD --model-dir DIR --out TSV --logs DIR
           [--reps 3] [--only "rates eta"] [--observers poll:50:10]
           [--eta-caps "20000000 0"] [--eta-interval-ms 20] [--other-model-dir DIR]
           [--hub-caps "20m"]

rates  Per rep, on the same weights file (already in the page cache): `cat FILE >
       /dev/null`, `sha256sum FILE` and `openssl dgst -sha256 FILE` in bytes/s; then two
       loads, each by a fresh `modeld serve --load-at-startup none` with a fresh state dir
       (so step 5 computes the digest) and one blocking `POST /v2/repository/models/ID/load`:
         quiet     --log-level warning, nobody watching
         observed  --log-level info, the observers of --observers watching the whole load
       (order alternated per rep). For each: step 5's seconds and the whole load's seconds
       from eta-history.json, bytes/s = file size / step 5 seconds, the wall time of the load
       request, the server's CPU time, and what the observers did.
eta    Per cap of --eta-caps (bytes/s, 0 = none) and rep, four loads of the bench model, each
       started with `POST /v1/models/ID/load` and polled with `GET /v1/models/ID` every
       --eta-interval-ms until ready:
         first-empty  a fresh server and an empty state dir: no history at all
         repeat       unload and load again: the model's own history
         restart      a new server on the same state dir: the history from the file
         first-other  (with --other-model-dir) a fresh server and state dir that has loaded
                      only the other model (`other`, e.g. all-MiniLM-L6-v2) first
       Each sample's time is the middle of its request; the load ends at the first sample
       that says ready and starts when the load request is sent. A sample taken while at
       least 1.5 s remained is judged: |eta_seconds - remaining| / remaining (a null ETA is
       judged not within 20 %). The bar's gap is |progress - elapsed / total| over every
       sample, in points. Pooled over reps per variant: the share judged within 20 %, the
       median and worst error, the largest gap.
hub    (not in the default --only) Per nginx limit_rate of --hub-caps and rep, a first load
       of the model pulled from a local hub (nginx) into an empty hub cache, on an empty state
       dir and on the state dir of the load before, sampled and scored as `eta` (hubload.py).

Rows: date, rep, section, variant, key, value (see summarize.py).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import hubload
import observers
from modeld_process import ModeldProcess, step_seconds

MODEL_ID = "bench"
OTHER_ID = "other"
# ETA samples are judged while at least this many seconds remain (issue 12).
MIN_REMAINING_S = 1.5


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
        self.other = args.other_model_dir
        if self.other is not None:
            (self.repository / OTHER_ID).symlink_to(self.other.resolve(), target_is_directory=True)
        self.record = Recorder(args.out)
        self.runs = 0
        self.eta_samples: dict[str, list[dict]] = {}
        self.pooled: set[str] = set()

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

    def sampled_load(self, server: ModeldProcess, rep: int, variant: str) -> None:
        """Starts a load of the bench model and polls it to ready; records how far each
        sample's eta_seconds was from the time that actually remained and the bar from the
        elapsed fraction (see the module doc)."""
        interval = self.args.eta_interval_ms / 1000
        start = time.perf_counter()
        status, body = server.request("POST", f"/v1/models/{MODEL_ID}/load")
        if status != 202:
            raise RuntimeError(f"load answered {status} {body} (log: {server.log_path})")
        samples: list[tuple[float, dict]] = []
        deadline = time.monotonic() + 900
        with open(self.args.logs / f"eta-{variant.replace('/', '-')}-rep{rep}.jsonl", "w") as trace:
            while time.monotonic() < deadline:
                at, model = self.sample(server)
                trace.write(json.dumps({"t": round(at - start, 4), **model}) + "\n")
                if model["state"] == "ready":
                    break
                if model["state"] not in ("queued", "loading"):
                    raise RuntimeError(f"load ended in {model['state']}: {model}")
                samples.append((at, model))
                time.sleep(interval)
            else:
                raise RuntimeError("the load did not finish within 900 s")
        end = at
        total = end - start
        judged = [(end - t, m.get("eta_seconds")) for t, m in samples if end - t >= MIN_REMAINING_S]
        errors = [abs(eta - left) / left * 100 for left, eta in judged if eta is not None]
        gaps = [abs(m["progress"] - (t - start) / total) * 100 for t, m in samples]
        self.eta_samples.setdefault(variant, []).append({
            "judged": len(judged), "null": sum(1 for _, eta in judged if eta is None),
            "within": sum(1 for e in errors if e <= 20), "errors": errors, "bar_gap": max(gaps, default=0)})
        self.record(rep, "eta", variant, "load_s", total)
        self.record(rep, "eta", variant, "judged_samples", len(judged))
        self.record(rep, "eta", variant, "within20_pct", (sum(1 for e in errors if e <= 20) / len(judged) * 100) if judged else "")
        self.record(rep, "eta", variant, "bar_gap_max_pts", max(gaps, default=0))

    def eta(self) -> None:
        other = ["--log-level", "warning"]
        for cap in self.args.eta_caps.split():
            name = f"cap{int(cap) // 1_000_000}MBps" if int(cap) else "uncapped"
            flags = [*other, "--max-read-bytes-per-second", cap]
            for rep in range(1, self.args.reps + 1):
                log(f"eta {name} rep {rep}/{self.args.reps}: first load (empty state dir), repeat load, load after restart")
                server, state = self.server(f"eta-{name}-rep{rep}-empty", flags)
                try:
                    self.sampled_load(server, rep, f"{name}/first-empty")
                    if server.request("POST", f"/v1/models/{MODEL_ID}/unload")[0] != 200:
                        raise RuntimeError(f"unload failed (log: {server.log_path})")
                    self.sampled_load(server, rep, f"{name}/repeat")
                finally:
                    self.record(rep, "eta", f"{name}/first-empty", "exit_code", server.stop())
                self.runs += 1
                server = ModeldProcess(self.args.bin, self.repository, state,
                                       self.args.logs / f"modeld-{self.runs}-eta-{name}-rep{rep}-restart.log",
                                       ["--load-at-startup", "none", *flags])
                try:
                    self.sampled_load(server, rep, f"{name}/restart")
                finally:
                    self.record(rep, "eta", f"{name}/restart", "exit_code", server.stop())
                if self.other is None:
                    continue
                log(f"eta {name} rep {rep}/{self.args.reps}: first load after a load of {OTHER_ID} only")
                server, _ = self.server(f"eta-{name}-rep{rep}-other", flags)
                try:
                    if server.request("POST", f"/v2/repository/models/{OTHER_ID}/load")[0] != 200:
                        raise RuntimeError(f"loading {OTHER_ID} failed (log: {server.log_path})")
                    self.sampled_load(server, rep, f"{name}/first-other")
                finally:
                    self.record(rep, "eta", f"{name}/first-other", "exit_code", server.stop())
        self.pool_eta()

    def pool_eta(self) -> None:
        """Records the pooled rows of each ETA variant not pooled yet."""
        for variant, loads in self.eta_samples.items():
            if variant in self.pooled:
                continue
            self.pooled.add(variant)
            judged = sum(load["judged"] for load in loads)
            errors = sorted(e for load in loads for e in load["errors"])
            self.record(0, "eta", variant, "pooled_judged", judged)
            self.record(0, "eta", variant, "pooled_null", sum(load["null"] for load in loads))
            self.record(0, "eta", variant, "pooled_within20_pct",
                        sum(load["within"] for load in loads) / judged * 100 if judged else "")
            self.record(0, "eta", variant, "pooled_err_median_pct", statistics.median(errors) if errors else "")
            self.record(0, "eta", variant, "pooled_err_max_pct", errors[-1] if errors else "")
            self.record(0, "eta", variant, "pooled_bar_gap_max_pts", max(load["bar_gap"] for load in loads))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True)
    parser.add_argument("--model-dir", type=pathlib.Path, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    parser.add_argument("--logs", type=pathlib.Path, required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--only", default="rates eta")
    parser.add_argument("--observers", default="poll:50:10")
    parser.add_argument("--eta-caps", default="20000000 0")
    parser.add_argument("--other-model-dir", type=pathlib.Path, default=None)
    parser.add_argument("--eta-interval-ms", type=float, default=20)
    parser.add_argument("--hub-caps", default="20m")
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
        if "hub" in args.only.split():
            hubload.run(bench, args.hub_caps)
        bench.record(0, "machine", "loadavg", "end", pathlib.Path("/proc/loadavg").read_text().split()[0])
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
