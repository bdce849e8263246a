#!/usr/bin/env python3
"""Print the tables of a `scripts/bench ws` run: medians over reps, ratios modeld/peer, targets.

usage: summarize.py bench-results/ws-DATE.tsv

The TSV has one value per row: date, rep, server, workload, key, value (wsbench.py).
Writes <input>-summary.txt next to the input with the same text it prints. Targets (the
issue, DESIGN §2.3): delivered msgs/s at least twice Hummingbird's; fan-out of one event
to 10,000 subscribers under 10 ms p99; under 4 KiB per idle connection; 2,000 handshakes
at least twice as fast as Hummingbird; open loop (issue 14), at every size and rate where
modeld and a peer both sustain the offered rate (every rep complete, delivered >= 95 % of
offered), modeld's p99 at most half the best such peer's. The floor reference rows
(c-floor, c-floor-uring) are never peers; modeld's p99 over theirs is printed for reference.
"""

from __future__ import annotations

import collections
import math
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import median as med, spread, table as aligned_table, tsv_rows, write_summary  # noqa: E402

PEER = "hummingbird"
# Reference rows, not peers (Benchmarks/ws/floor_server.c): never "the best peer".
FLOORS = ("c-floor", "c-floor-uring")
SUSTAINED = 0.95  # delivered / offered at or above which a rate counts as sustained


def load(path: str) -> tuple[dict, list[str], list[int]]:
    numbers: dict[tuple[str, str, str], list[float]] = collections.defaultdict(list)
    servers: list[str] = []
    sizes: set[int] = set()
    for _, server, workload, key, _, number in tsv_rows(path):
        if server not in servers:
            servers.append(server)
        if workload.startswith("fanout_n"):
            sizes.add(int(workload[len("fanout_n"):]))
        numbers[(server, workload, key)].append(number)
    return numbers, servers, sorted(sizes)


def cell(xs: list[float], decimals: int = 2, with_range: bool = False) -> str:
    return spread(xs, decimals, with_range=with_range)


def table(headings: list[str], rows: list[list[str]]) -> list[str]:
    return aligned_table(headings, rows, markdown=True)


def errors(numbers: dict, server: str, workload: str) -> str:
    values = numbers.get((server, workload, "errors"), [])
    started = numbers.get((server, workload, "start_failed"), [])
    if not values and not started:
        return "-"
    bad = sum(1 for v in values if math.isnan(v))  # ws-load gave no line at all
    return f"{int(sum(v for v in values if not math.isnan(v))) + bad + len(started)}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if a == a and b == b and b else "-"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "MISSED")


def summarize(path: str) -> list[str]:
    numbers, servers, sizes = load(path)
    get = lambda s, w, k: numbers.get((s, w, k), [])
    out = [f"WebSocket fan-out, {path}", "medians over reps [min-max]; errors summed over reps", ""]
    rows = []
    for n in sizes:
        w = f"fanout_n{n}"
        for s in servers:
            rows.append([s, f"{n:,}", cell(get(s, w, "msgs_per_s"), 0, True),
                         " / ".join(cell(get(s, w, k), 2) for k in ("p50_ms", "p99_ms", "max_ms")),
                         cell(get(s, w, "srv_cpu_us_per_msg"), 1), cell(get(s, w, "rss_per_conn_bytes"), 0),
                         cell(get(s, w, "connect_s"), 3), errors(numbers, s, w)])
    out += table(["server", "N", "delivered msgs/s", "p50 / p99 / max ms", "srv CPU µs/msg",
                  "RSS B/idle conn", "connect s", "errors"], rows)
    largest = f"fanout_n{sizes[-1]}" if sizes else ""
    paced_rows = [[s, cell(get(s, largest, "paced"), 0), cell(get(s, largest, "paced_p50_ms"), 2),
                   cell(get(s, largest, "paced_p99_ms"), 2, True), cell(get(s, largest, "paced_max_ms"), 2)]
                  for s in servers if get(s, largest, "paced_p99_ms")]
    if paced_rows:
        out += ["", f"Paced: one event at a time to {sizes[-1]:,} subscribers (send -> last receipt)"]
        out += table(["server", "events", "p50 ms", "p99 ms", "max ms"], paced_rows)
    storm_rows = [[s, cell(get(s, "storm", "handshake_total_s"), 3, True), cell(get(s, "storm", "handshakes_per_s"), 0),
                   cell(get(s, "storm", "hs_p50_ms"), 1) + " / " + cell(get(s, "storm", "hs_p99_ms"), 1),
                   errors(numbers, s, "storm")] for s in servers]
    if any(get(s, "storm", "handshake_total_s") for s in servers):
        out += ["", "Handshake storm (started at once, bounded in flight)"]
        out += table(["server", "total s", "handshakes/s", "hs p50 / p99 ms", "errors"], storm_rows)

    open_lines, open_targets = open_loop(numbers, servers, sizes)
    out += open_lines

    m = lambda s, w, k: med(get(s, w, k))
    has_peer = PEER in servers
    out += ["", "Targets" + ("" if has_peer else f" (no {PEER} peer in this run: ratios not measured)")]
    trows = []
    for n in sizes:
        w = f"fanout_n{n}"
        r = m("modeld", w, "msgs_per_s") / m(PEER, w, "msgs_per_s") if has_peer else math.nan
        trows.append([f"msgs/s modeld/{PEER} at N={n:,} >= 2", ratio(m("modeld", w, "msgs_per_s"), m(PEER, w, "msgs_per_s")),
                      verdict(None if r != r else r >= 2)])
    if sizes:
        p99 = m("modeld", largest, "paced_p99_ms")
        trows.append([f"paced p99 at N={sizes[-1]:,} < 10 ms", f"{p99:.2f} ms" if p99 == p99 else "-",
                      verdict(None if p99 != p99 else p99 < 10)])
        closed = m("modeld", largest, "p99_ms")
        trows.append([f"closed-loop p99 at N={sizes[-1]:,} < 10 ms", f"{closed:.2f} ms" if closed == closed else "-",
                      verdict(None if closed != closed else closed < 10)])
        rss = m("modeld", largest, "rss_per_conn_bytes")
        trows.append([f"RSS per idle connection at N={sizes[-1]:,} < 4096 B", f"{rss:.0f} B" if rss == rss else "-",
                      verdict(None if rss != rss else rss < 4096)])
    speed = m(PEER, "storm", "handshake_total_s") / m("modeld", "storm", "handshake_total_s") if has_peer else math.nan
    trows.append([f"storm: {PEER} time / modeld time >= 2", f"{speed:.2f}" if speed == speed else "-",
                  verdict(None if speed != speed else speed >= 2)])
    trows += open_targets
    out += table(["target", "measured", "verdict"], trows)
    return out


def rates_of(numbers: dict) -> list[str]:
    """The open-loop rates in the run, as their key prefixes' text ("20", "50", ...)."""
    found = {m.group(1) for (_, _, key) in numbers if (m := re.fullmatch(r"r([0-9.]+)_p99_ms", key))}
    return sorted(found, key=float)


def sustained(numbers: dict, server: str, workload: str, rate: str) -> bool:
    get = lambda k: numbers.get((server, workload, f"r{rate}_{k}"), [])
    complete, offered, delivered = get("complete"), med(get("offered_per_s")), med(get("msgs_per_s"))
    return bool(complete) and all(c == 1 for c in complete) and delivered >= SUSTAINED * offered


def open_loop(numbers: dict, servers: list[str], sizes: list[int]) -> tuple[list[str], list[list[str]]]:
    """The open-loop table (per size, rate and server) and its target rows."""
    rates = rates_of(numbers)
    if not rates:
        return [], []
    rows, targets = [], []
    for n in sizes:
        w = f"fanout_n{n}"
        for rate in rates:
            get = lambda s, k: numbers.get((s, w, f"r{rate}_{k}"), [])
            for s in servers:
                if not get(s, "p99_ms"):
                    continue
                complete = get(s, "complete")
                rows.append([s, f"{n:,}", rate, cell(get(s, "offered_per_s"), 0), cell(get(s, "msgs_per_s"), 0, True),
                             " / ".join(cell(get(s, k), 1) for k in ("p50_ms", "p99_ms", "max_ms")),
                             cell(get(s, "srv_cpu_us_per_msg"), 1), cell(get(s, "late_p99_ms"), 1),
                             f"{sum(1 for c in complete if c == 1)}/{len(complete)}"])
            for floor in FLOORS:
                if "modeld" in servers and get(floor, "p99_ms") and get("modeld", "p99_ms"):
                    r = med(get("modeld", "p99_ms")) / med(get(floor, "p99_ms"))
                    targets.append([f"open loop N={n:,} {rate}/s: modeld p99 / {floor}'s (reference)", f"{r:.2f}", "-"])
            peers = [s for s in servers if s not in ("modeld", *FLOORS) and get(s, "p99_ms")]
            if "modeld" not in servers or not peers:
                continue
            both = [s for s in peers if sustained(numbers, s, w, rate)]
            label = f"open loop N={n:,} {rate}/s: modeld p99 <= 0.5 x best peer's"
            if not sustained(numbers, "modeld", w, rate):
                targets.append([label, "modeld below the offered rate", "MISSED"])
            elif not both:
                targets.append([label, "no peer sustains it", "-"])
            else:
                best = min(both, key=lambda s: med(get(s, "p99_ms")))
                r = med(get("modeld", "p99_ms")) / med(get(best, "p99_ms"))
                targets.append([label, f"{r:.2f} of {best}'s", verdict(r <= 0.5)])
    lines = ["", "Open loop: publishes on a fixed schedule, latency from each publish's due time "
             "(delivered msgs/s median [min-max]; complete = reps in which every subscriber got every message)"]
    lines += table(["server", "N", "pub/s", "offered msgs/s", "delivered msgs/s", "p50 / p99 / max ms",
                    "srv CPU µs/msg", "gen. late p99 ms", "complete"], rows)
    return lines, targets


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    write_summary(sys.argv[1], summarize(sys.argv[1]))


if __name__ == "__main__":
    main()
