"""The soak driver behind scripts/soak (whose header is the documentation): one `modeld serve`,
mixed concurrent traffic for N minutes, /proc samples every 10 s, and the failure rules of
growth.py and clients.py / events.py. Exit status 0 when nothing failed, 1 otherwise."""

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
import threading
import time

import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from clients import LOAD_TIMEOUT_S, Quiet, Stats, admin_worker, embed_worker, hup_worker, probe_worker  # noqa: E402
from daemon import CYCLED, STABLE, Daemon  # noqa: E402
from events import sse_worker, ws_worker  # noqa: E402
from growth import END_TOLERANCE, analyse, table  # noqa: E402

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def run_worker(stats: Stats, stop: threading.Event, name: str, target, *args) -> threading.Thread:
    def body() -> None:
        try:
            target(*args)
        except Exception as error:  # noqa: BLE001 - any client error is a finding
            stats.fail(f"{name} stopped on {type(error).__name__}: {error}")
            stop.set()
    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread


def idle_sample(daemon: Daemon) -> dict:
    """The figures once the daemon is idle: taken 3 s after the last client left."""
    time.sleep(3)
    return daemon.sample()


def wait_back(daemon: Daemon, baseline: dict, timeout_s: float) -> dict:
    """The first sample, from 3 s after the last client left, with fds and threads back
    within END_TOLERANCE of `baseline`; or the last one after `timeout_s`."""
    time.sleep(3)
    deadline = time.monotonic() + timeout_s
    while True:
        sample = daemon.sample()
        if all(sample[m] <= baseline[m] + tol for m, tol in END_TOLERANCE.items()) or time.monotonic() > deadline:
            return sample
        time.sleep(1)


def prime(daemon: Daemon, stats: Stats) -> None:
    """One of each client once, so lazily made pools and caches exist before the baseline."""
    requests.post(daemon.url("/v1/embeddings"), json={"model": STABLE, "input": ["prime"]}, timeout=120)
    for path in ["/livez", "/readyz", "/v1/models", "/metrics"]:
        requests.get(daemon.url(path), timeout=30)
    requests.post(daemon.url(f"/v1/models/{CYCLED}/load"), headers=daemon.headers, timeout=60)
    if daemon.wait_state(CYCLED, {"ready", "failed"}, LOAD_TIMEOUT_S) != "ready":
        stats.fail(f"priming: {CYCLED} did not become ready")
    requests.post(daemon.url(f"/v1/models/{CYCLED}/unload"), headers=daemon.headers, timeout=60)
    daemon.wait_state(CYCLED, {"unloaded"}, 60)


def trim(daemon: Daemon, stats: Stats) -> None:
    """Has the daemon hand its free heap pages back before a sample: a load of the cycled
    model cancelled at once ends with model_load_cancelled, which the memory reclaimer
    follows with malloc_trim 200 ms later. Then samples show what the daemon keeps, not
    which embedding requests last ran."""
    def post(action: str, allowed: set[int]) -> None:
        response = requests.post(daemon.url(f"/v1/models/{CYCLED}/{action}"), headers=daemon.headers, timeout=60)
        stats.count("sampler " + action, response.status_code)
        if response.status_code not in allowed:
            stats.fail(f"sampler: POST {action} {CYCLED}: {response.status_code} {response.text[:200]}")
    post("load", {202})
    post("cancel", {202, 409})  # 409: the load already finished
    if daemon.wait_state(CYCLED, {"cancelled", "ready", "failed"}, LOAD_TIMEOUT_S) == "ready":
        post("unload", {200})
    daemon.wait_state(CYCLED, {"cancelled", "unloaded", "failed"}, 60)
    time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("--bin", default=str(REPO_ROOT / ".build" / "debug" / "modeld"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (log, state)")
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    parser.add_argument("--hup-seconds", type=float, default=20.0)
    args = parser.parse_args()
    model_dir = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
    if not (model_dir / "model.safetensors").exists():
        print(f"soak: no model at {model_dir} (scripts/fetch-model, or set MODELD_TEST_MODEL_DIR)", file=sys.stderr)
        return 2
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="modeld-soak-"))
    stats = Stats()
    daemon = Daemon(args.bin, model_dir.resolve(), workdir)
    duration = args.minutes * 60
    warmup = max(0.2 * duration, 30.0)
    samples: list[dict] = []
    started_at = datetime.datetime.now(datetime.timezone.utc)
    commit = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print(f"soak: {args.minutes:g} min against {args.bin} (commit {commit}), work dir {workdir}", flush=True)
    exit_code = None
    baseline = end = {}
    try:
        daemon.start()
        if daemon.wait_state(STABLE, {"ready", "failed"}, LOAD_TIMEOUT_S) != "ready":
            raise RuntimeError(f"{STABLE} did not become ready:\n{daemon.log_tail()}")
        prime(daemon, stats)
        baseline = idle_sample(daemon)
        print(f"soak: idle baseline {baseline}", flush=True)
        stop = threading.Event()
        quiet, cycles = Quiet(), Quiet()  # embedding requests; admin cycles
        workers = [run_worker(stats, stop, "probes", probe_worker, daemon, stats, stop)]
        workers += [run_worker(stats, stop, f"embed{i}", embed_worker, daemon, stats, stop, quiet, i) for i in range(2)]
        workers += [run_worker(stats, stop, f"ws{i}", ws_worker, daemon, stats, stop, 10 + i) for i in range(3)]
        workers += [run_worker(stats, stop, f"sse{i}", sse_worker, daemon, stats, stop, 20 + i) for i in range(2)]
        workers += [run_worker(stats, stop, "admin", admin_worker, daemon, stats, stop, cycles, 30)]
        workers += [run_worker(stats, stop, "sighup", hup_worker, daemon, stats, stop, args.hup_seconds)]
        t0 = time.monotonic()
        next_sample = t0
        while time.monotonic() - t0 < duration and not stop.is_set():
            if not daemon.alive():
                break
            if time.monotonic() >= next_sample:
                # With no embedding in flight, minilm2 not resident and the heap trimmed:
                # what the daemon retains, not what its requests hold for a moment.
                with cycles.exclusive(), quiet.exclusive():
                    trim(daemon, stats)
                    if not daemon.alive():
                        break
                    sample = {"t": round(time.monotonic() - t0, 1), **daemon.sample()}
                samples.append(sample)
                print(f"soak: sample t={sample['t']:.0f}s rss={sample['rss_kib'] / 1024:.1f}MiB "
                      f"fds={sample['fds']} threads={sample['threads']}", flush=True)
                next_sample = max(next_sample + args.sample_seconds, time.monotonic() + args.sample_seconds / 2)
            time.sleep(0.2)
        stop.set()
        if not daemon.alive():
            stats.fail(f"the daemon died (exit code {daemon.proc.poll()}):\n{daemon.log_tail()}")
        for worker in workers:
            worker.join(LOAD_TIMEOUT_S + 60)
            if worker.is_alive():
                stats.fail(f"client {worker.name} did not finish within {LOAD_TIMEOUT_S + 60:.0f} s of the end")
        if daemon.alive():
            if daemon.state(CYCLED) not in {"unloaded", "cancelled", "failed"}:
                stats.fail(f"{CYCLED} is {daemon.state(CYCLED)} after the admin client stopped")
            end = wait_back(daemon, baseline, 60)
            print(f"soak: end (all clients gone) {end}", flush=True)
            for metric, tol in END_TOLERANCE.items():
                if end[metric] > baseline[metric] + tol:
                    stats.fail(f"{metric} did not return to the idle baseline: {end[metric]} > "
                               f"{baseline[metric]} + {tol} after 60 s with no clients")
    except Exception as error:  # noqa: BLE001
        stats.fail(f"soak driver: {type(error).__name__}: {error}")
    finally:
        if daemon.proc is not None:
            was_alive = daemon.alive()
            if not was_alive and not any("the daemon died" in why for why in stats.failures):
                stats.fail(f"the daemon died (exit code {daemon.proc.poll()}):\n{daemon.log_tail()}")
            exit_code = daemon.stop(30)
            if was_alive and exit_code != 0:
                stats.fail(f"SIGTERM: exit code {exit_code} (None: still running after 30 s):\n{daemon.log_tail()}")
    growth, growth_failures = analyse(samples, warmup, require=args.minutes >= 10)
    for why in growth_failures:
        stats.fail(why)
    summary = {
        "started": started_at.isoformat(timespec="seconds"), "minutes": args.minutes, "commit": commit,
        "binary": args.bin, "requests": dict(stats.requests),
        "statuses": {k: dict(v) for k, v in sorted(stats.statuses.items())},
        "allowed_503_overloaded": stats.allowed_503, "events": dict(stats.events), "reloads": daemon.reloads,
        "baseline": baseline, "end": end, "samples": samples, "growth": growth,
        "sigterm_exit_code": exit_code, "failures": stats.failures, "passed": not stats.failures,
    }
    print("\nsoak: requests per kind and status")
    for kind, statuses in summary["statuses"].items():
        print(f"  {kind:28s} {sum(statuses.values()):7d}  {statuses}")
    print(f"soak: events seen {dict(sorted(stats.events.items()))}")
    print(f"soak: SIGHUP reloads logged {daemon.reloads}; 503 overloaded (allowed) {stats.allowed_503}")
    print("soak: samples\n" + table(samples))
    print(f"soak: growth after {warmup:.0f} s warm-up: {json.dumps(growth)}")
    out = REPO_ROOT / "bench-results" / "soak" / (started_at.strftime("%Y-%m-%dT%H%M%SZ") + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"soak: summary written to {out}")
    if args.keep:
        print(f"soak: kept {workdir} (modeld.log, state)")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    if stats.failures:
        print(f"soak: FAILED ({len(stats.failures)}):", file=sys.stderr)
        for why in stats.failures:
            print("  " + why, file=sys.stderr)
        return 1
    print(f"soak: passed ({args.minutes:g} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
