#!/usr/bin/env python3
"""Print the table of a `scripts/bench http` run: medians over reps and modeld/nginx ratios.

usage: summarize.py bench-results/http-DATE.tsv [--baseline nginx]

The TSV has one measured value per row: date, rep, server, workload, key, value. Writes
<input>-summary.txt next to the input with the same table it prints.
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import median, spread, table, tsv_rows, write_summary  # noqa: E402

# Throughput columns: key, heading, decimals, higher-is-better (for the ratio's wording).
W1_COLUMNS = [
    ("req_per_s", "req/s", 0), ("lat_p50_ms", "p50 ms", 3), ("lat_p99_ms", "p99 ms", 3),
    ("srv_cpu_us_per_req", "CPU us/req", 2), ("srv_user_us_per_req", "user", 2), ("srv_sys_us_per_req", "kernel", 2),
    ("peak_rss_kb", "peak RSS MiB", 1),
    ("errors", "errors", 0), ("read_err", "read err", 0), ("probe_valid", "valid", 0),
    ("close_hdr", "close hdr", 0),
]
RATIO_KEYS = ["req_per_s", "lat_p50_ms", "lat_p99_ms", "srv_cpu_us_per_req", "srv_user_us_per_req",
              "srv_sys_us_per_req", "peak_rss_kb"]
WORKLOAD_TITLES = {"w1_keepalive": "W1 keep-alive", "w1_close": "W1 Connection: close"}


def load(path: str) -> tuple[dict, list[str], list[str]]:
    values: dict[tuple[str, str, str], list[float]] = collections.defaultdict(list)
    servers: list[str] = []
    workloads: list[str] = []
    for _, server, workload, key, _, number in tsv_rows(path):
        values[(server, workload, key)].append(number)
        if server not in servers:
            servers.append(server)
        if workload not in workloads:
            workloads.append(workload)
    return values, servers, workloads


def cell(xs: list[float], decimals: int, key: str) -> str:
    return spread(xs, decimals, scale=1024 if key.endswith("_kb") else 1, with_range=key in RATIO_KEYS)


def report(values: dict, servers: list[str], workloads: list[str], baseline: str) -> list[str]:
    out: list[str] = []
    for workload in [w for w in workloads if w in WORKLOAD_TITLES]:
        present = [s for s in servers if (s, workload, "req_per_s") in values]
        reps = max(len(values[(s, workload, "req_per_s")]) for s in present)
        out += ["", f"{WORKLOAD_TITLES[workload]} (median [min-max] over {reps} reps)"]
        rows = [[s] + [cell(values.get((s, workload, k), []), d, k) for k, _, d in W1_COLUMNS] for s in present]
        out += table(["server"] + [h for _, h, _ in W1_COLUMNS], rows)
        if baseline in present:
            ratio_rows = []
            for s in (s for s in present if s != baseline):
                ratios = []
                for key in RATIO_KEYS:
                    a, b = median(values.get((s, workload, key), [])), median(values.get((baseline, workload, key), []))
                    ratios.append(f"{a / b:.2f}x" if b and not math.isnan(a) and not math.isnan(b) else "-")
                ratio_rows.append([f"{s}/{baseline}", *ratios])
            out += [""] + table(["ratio", "req/s", "p50", "p99", "CPU/req", "user", "kernel", "peak RSS"], ratio_rows)
    for server in servers:
        first = values.get((server, "startup", "first_200_ms"), [])
        if first:
            out += ["", f"Start-up, exec -> first 200 on /livez ({server}, {len(first)} runs): "
                        f"median {median(first):.2f} ms [{min(first):.2f}-{max(first):.2f}] (budget 50 ms)"]
        allocs = values.get((server, "alloc", "allocs_per_req"), [])
        if allocs:
            bytes_per = median(values.get((server, "alloc", "bytes_per_req"), []))
            out += ["", f"Heap allocations per keep-alive /livez request ({server}): "
                        f"{median(allocs):.2f} allocs, {bytes_per:.0f} bytes (budget 0)"]
    out += syscall_report(values, servers)
    return out


def syscall_report(values: dict, servers: list[str]) -> list[str]:
    """System calls per request by name (`syscalls` rows: `<name>_per_req`), one column per server."""
    present = [s for s in servers if (s, "syscalls", "total_per_req") in values]
    if not present:
        return []
    names = sorted({key[: -len("_per_req")] for (s, w, key) in values
                    if w == "syscalls" and key.endswith("_per_req") and key != "total_per_req"})
    names.sort(key=lambda n: -max(median(values.get((s, "syscalls", f"{n}_per_req"), [0.0])) for s in present))
    rows = [[name] + [f"{median(values.get((s, 'syscalls', f'{name}_per_req'), [0.0])):.4f}" for s in present]
            for name in names + ["total"]]
    requests = ", ".join(f"{s} {median(values[(s, 'syscalls', 'requests')]):.0f}" for s in present
                         if (s, "syscalls", "requests") in values)
    return ["", f"System calls per keep-alive /livez request (requests counted: {requests})"] + table(
        ["syscall"] + present, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tsv")
    parser.add_argument("--baseline", default="nginx")
    args = parser.parse_args()
    values, servers, workloads = load(args.tsv)
    write_summary(args.tsv, report(values, servers, workloads, args.baseline))


if __name__ == "__main__":
    main()
