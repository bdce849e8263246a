#!/usr/bin/env python3
"""Drive `scripts/bench ws`: fresh servers, the ws-load generator, one TSV of results.

usage: wsbench.py --ws-load BIN --modeld BIN [--peer 'NAME=BIN [ARG...]']... --out TSV --logs DIR
                  [--reps R] [--sizes 100,2000,10000] [--messages M] [--paced K]
                  [--rates 20,50,100] [--rate-seconds S] [--storm-n N] [--event-loops L]

For each rep: for each size N, for each server (order rotated per rep) a FRESH server
process runs `ws-load fanout -n N -m M --rate RATES --rate-seconds S`: M closed-loop
publishes, then one open-loop phase per rate (r<RATE>_ keys), plus `--paced K` at the
largest size; then one `ws-load storm -n STORM_N` per server, again on a fresh process.
Every value goes to the TSV as one row: date, rep, server, workload, key, value. Each run is
bounded by timeouts. modeld runs with a fresh admin token (--admin-token-file; without one
room publish answers 403 admin_disabled) and ws-load gets the same file (--token-file) for
its POSTs to modeld; the peers (the referee's Hummingbird 2 and Vapor servers, and the
floor reference Benchmarks/ws/floor_server.c, started as `BIN PORT ARG...`) get none.
"""

from __future__ import annotations

import argparse
import http.client
import os
import pathlib
import resource
import shutil
import shlex
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from benchlib import admin_token_file, free_port  # noqa: E402

START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


def probe(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    finally:
        conn.close()


class Server:
    """One fresh server process, started directly (so its PID is the one whose RSS and CPU
    ws-load reads), ready once `health_path` answers 200."""

    def __init__(self, name: str, argv: list[str], port: int, health_path: str, log_path: pathlib.Path,
                 cwd: pathlib.Path) -> None:
        self.name, self.port = name, port
        self._log = open(log_path, "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MODELD_")}
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                if probe(port, health_path) == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{name} did not start (log: {log_path})")
            time.sleep(0.05)

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.date = time.strftime("%Y%m%d-%H%M%S")
        self.logs = pathlib.Path(args.logs)
        self.logs.mkdir(parents=True, exist_ok=True)
        self.out = open(args.out, "w")
        self.out.write("date\trep\tserver\tworkload\tkey\tvalue\n")
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="modeld-bench-ws-"))
        (self.work / "models").mkdir()
        self.token_file, _ = admin_token_file(self.work)
        self.peers = {name: shlex.split(command) for name, command in (p.split("=", 1) for p in args.peer)}
        self.servers = ["modeld"] + list(self.peers)

    def record(self, rep: int, server: str, workload: str, key: str, value: object) -> None:
        self.out.write(f"{self.date}\t{rep}\t{server}\t{workload}\t{key}\t{value}\n")
        self.out.flush()

    def start(self, name: str, tag: str, connections: int) -> Server:
        port = free_port()
        log = self.logs / f"{name}-{tag}.log"
        if name == "modeld":
            # Every WebSocket keeps its HTTP connection slot: room for N subscribers plus the
            # publisher. `--event-loops` as asked (default 2, one per core here).
            argv = [self.args.modeld, "serve", "--listen", f"127.0.0.1:{port}",
                    "--event-loops", self.args.event_loops,
                    "--http-max-connections", str(connections + 1000),
                    "--admin-token-file", str(self.token_file)]
            return Server(name, argv, port, "/livez", log, self.work)
        binary, *extra = self.peers[name]
        return Server(name, [binary, str(port), *extra], port, "/healthz", log, self.work)

    def ws_load(self, rep: int, server: Server, workload: str, argv: list[str], timeout_s: int) -> None:
        cmd = [self.args.ws_load, *argv, "--port", str(server.port), "--pid", str(server.proc.pid),
               "--label", server.name, "--timeout", str(timeout_s - 30)]
        if server.name == "modeld":
            cmd += ["--token-file", str(self.token_file)]  # room publish is an admin endpoint
        tag = f"{server.name}-{workload}-rep{rep}"
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
            stdout, stderr, code = done.stdout, done.stderr, done.returncode
        except subprocess.TimeoutExpired as expired:
            stdout, stderr, code = "", str(expired.stderr or ""), "timeout"
        (self.logs / f"ws-load-{tag}.txt").write_text(" ".join(cmd) + "\n" + stdout + stderr)
        pairs = [kv.split("=", 1) for kv in stdout.split() if "=" in kv]
        if not pairs:
            self.record(rep, server.name, workload, "errors", f"ws_load_exit_{code}")
            return
        for key, value in pairs:
            if key not in ("ws-load", "label", "mode"):
                self.record(rep, server.name, workload, key, value)
        self.record(rep, server.name, workload, "server_alive", int(server.proc.poll() is None))

    def run_one(self, rep: int, name: str, workload: str, connections: int, argv: list[str], timeout_s: int) -> None:
        print(f"wsbench: rep {rep}/{self.args.reps} {workload} {name}", flush=True)
        try:
            server = self.start(name, f"{workload}-rep{rep}", connections)
        except RuntimeError as error:
            print(f"wsbench: {error}", flush=True)
            self.record(rep, name, workload, "start_failed", 1)
            return
        try:
            self.ws_load(rep, server, workload, argv, timeout_s)
        finally:
            code = server.stop()
            if name == "modeld":
                self.record(rep, name, workload, "exit_code", code)
        time.sleep(0.5)  # let TIME_WAIT sockets and the other core settle between servers

    def run(self) -> None:
        sizes = [int(s) for s in self.args.sizes.split(",") if s]
        rates = [float(r) for r in self.args.rates.split(",") if r]
        k = len(self.servers)
        for rep in range(1, self.args.reps + 1):
            order = [self.servers[(i + rep - 1) % k] for i in range(k)]
            for n in sizes:
                argv = ["fanout", "-n", str(n), "-m", str(self.args.messages)]
                open_messages = sum(round(r * self.args.rate_seconds) for r in rates)
                if rates:
                    argv += ["--rate", ",".join(f"{r:g}" for r in rates), "--rate-seconds", f"{self.args.rate_seconds:g}"]
                if n == max(sizes) and self.args.paced > 0:
                    argv += ["--paced", str(self.args.paced)]
                timeout_s = 120 + n * (self.args.messages + self.args.paced + open_messages) // 10_000
                for name in order:
                    self.run_one(rep, name, f"fanout_n{n}", n, argv, timeout_s)
            for name in order:
                self.run_one(rep, name, "storm", self.args.storm_n, ["storm", "-n", str(self.args.storm_n)], 120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ws-load", required=True)
    parser.add_argument("--modeld", required=True)
    parser.add_argument("--peer", action="append", default=[], help="'NAME=BIN [ARG...]' (started as BIN PORT ARG...), repeatable")
    parser.add_argument("--out", required=True)
    parser.add_argument("--logs", required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--sizes", default="100,2000,10000")
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--paced", type=int, default=100)
    parser.add_argument("--rates", default="20,50,100")
    parser.add_argument("--rate-seconds", type=float, default=5.0)
    parser.add_argument("--storm-n", type=int, default=2000)
    parser.add_argument("--event-loops", default="2")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the servers inherit it
    bench = Bench(args)
    try:
        bench.run()
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)  # the servers' cwd and the admin token


if __name__ == "__main__":
    main()
