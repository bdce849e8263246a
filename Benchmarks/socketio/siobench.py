#!/usr/bin/env python3
"""Drive `scripts/bench socketio`: Socket.IO fan-out, modeld against python-socketio's own
server (aiohttp) in the same run, measured by ws-load in its `--socketio` mode.

usage: siobench.py --ws-load BIN --modeld BIN --peer-python PYTHON --out TSV --logs DIR
                   [--reps R] [--clients N] [--messages M] [--event-loops L]

Per rep, for each server (order rotated per rep) a FRESH server process: N Socket.IO clients
over the websocket transport (Engine.IO v4 handshake, CONNECT, pings answered), then M
closed-loop POSTs of a 150-byte JSON body to /v1/rooms/models/messages, each delivered to
every client as `42["message",BODY]` and checked byte for byte and in order. Recorded per
run (TSV rows: date, rep, server, workload, key, value): delivered msgs/s, publish->receipt
p50/p99/max, server CPU per message, handshakes/s, errors. Then a table of medians with the
ratios modeld/peer.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "ws"))
from benchlib import admin_token_file, free_port  # noqa: E402
from wsbench import Server  # noqa: E402

PEER = pathlib.Path(__file__).resolve().parent / "peer_server.py"
KEYS = ["msgs_per_s", "p50_ms", "p99_ms", "max_ms", "srv_cpu_us_per_msg", "handshakes_per_s", "errors"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ws-load", required=True)
    parser.add_argument("--modeld", required=True)
    parser.add_argument("--peer-python", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--logs", required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--event-loops", type=int, default=2)
    args = parser.parse_args()
    logs = pathlib.Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    work = logs / "work"
    work.mkdir(exist_ok=True)
    token, _ = admin_token_file(work)
    date = time.strftime("%Y-%m-%dT%H:%M:%S")
    rows: list[tuple] = []
    results: dict[str, dict[str, list[float]]] = {"modeld": {}, "python-socketio": {}}
    servers = ["modeld", "python-socketio"]
    for rep in range(1, args.reps + 1):
        for name in servers[rep % 2:] + servers[:rep % 2]:
            port = free_port()
            if name == "modeld":
                argv = [args.modeld, "serve", "--listen", f"127.0.0.1:{port}", "--event-loops", str(args.event_loops),
                        "--load-at-startup", "none", "--model-repository", str(work / "empty-repo"),
                        "--state-dir", str(work / "state"), "--admin-token-file", str(token)]
                (work / "empty-repo").mkdir(exist_ok=True)
            else:
                argv = [args.peer_python, str(PEER), str(port)]
            print(f"siobench: rep {rep}/{args.reps} {name}", flush=True)
            server = Server(name, argv, port, "/livez", logs / f"{name}-rep{rep}.log", work)
            try:
                cmd = [args.ws_load, "fanout", "--socketio", "-n", str(args.clients), "-m", str(args.messages),
                       "--room", "models", "--port", str(port), "--pid", str(server.proc.pid), "--label", name,
                       "--timeout", "150"]
                if name == "modeld":
                    cmd += ["--token-file", str(token)]
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
                (logs / f"ws-load-{name}-rep{rep}.txt").write_text(" ".join(cmd) + "\n" + done.stdout + done.stderr)
                pairs = dict(kv.split("=", 1) for kv in done.stdout.split() if "=" in kv)
                for key, value in pairs.items():
                    rows.append((date, rep, name, f"socketio_fanout_n{args.clients}", key, value))
                for key in KEYS:
                    if key in pairs:
                        results[name].setdefault(key, []).append(float(pairs[key]))
            finally:
                server.stop()
    with open(args.out, "w") as out:
        out.write("date\trep\tserver\tworkload\tkey\tvalue\n")
        for row in rows:
            out.write("\t".join(str(v) for v in row) + "\n")
    print(f"\nSocket.IO fan-out, {args.clients} websocket clients, {args.messages} closed-loop publishes of 150 B, "
          f"medians of {args.reps} reps (modeld --event-loops {args.event_loops})")
    print(f"{'':22}{'modeld':>14}{'python-socketio':>18}{'modeld/peer':>14}")
    for key in KEYS:
        a, b = results["modeld"].get(key), results["python-socketio"].get(key)
        ma = statistics.median(a) if a else None
        mb = statistics.median(b) if b else None
        ratio = f"{ma / mb:.2f}x" if ma is not None and mb else "-"
        print(f"{key:22}{(f'{ma:.2f}' if ma is not None else '-'):>14}{(f'{mb:.2f}' if mb is not None else '-'):>18}{ratio:>14}")


if __name__ == "__main__":
    main()
