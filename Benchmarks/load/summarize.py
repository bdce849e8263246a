#!/usr/bin/env python3
"""Print the table of a `scripts/bench load` run: medians over reps, ratios, targets.

usage: summarize.py bench-results/load-DATE.tsv

The TSV has one value per row: date, rep, section, variant, key, value (loadbench.py).
Writes <input>-summary.txt next to the input with the same text it prints. Targets (issue
3, DESIGN §2.3): step 5 at least 90 % of min(cat, sha256sum); reporting overhead under 1 %
of the load time; ETA within 20 % of the time that actually remained.
"""

from __future__ import annotations

import argparse
import collections
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchlib import median as med, spread as format_spread, table, tsv_rows, write_summary  # noqa: E402

MB = 1_000_000


def load(path: str) -> tuple[dict, dict, list[str]]:
    numbers: dict[tuple[str, str, str], dict[int, float]] = collections.defaultdict(dict)
    texts: dict[tuple[str, str, str], str] = {}
    eta_variants: list[str] = []
    for rep, section, variant, key, text, number in tsv_rows(path):
        if math.isnan(number):
            texts[(section, variant, key)] = text
        else:
            numbers[(section, variant, key)][rep] = number
        if section == "eta" and variant not in eta_variants:
            eta_variants.append(variant)
    return numbers, texts, eta_variants


def values(numbers: dict, section: str, variant: str, key: str) -> list[float]:
    return [v for v in numbers.get((section, variant, key), {}).values() if not math.isnan(v)]


def spread(xs: list[float], scale: float = 1, decimals: int = 2) -> str:
    return format_spread(xs, decimals, scale)


def verdict(ok: bool) -> str:
    return "meets the target" if ok else "MISSES the target"


def rates_report(numbers: dict, texts: dict) -> list[str]:
    size = med(values(numbers, "rates", "file", "bytes"))
    reps = len(values(numbers, "rates", "cat", "bytes_per_s"))
    out = [f"Weights file: {size:,.0f} bytes ({size / 2**30:.2f} GiB), in the page cache; {reps} reps, "
           "median [min-max]", ""]
    rows = []
    for label, variant, rate_key, seconds_key in [
        ("cat FILE > /dev/null", "cat", "bytes_per_s", "seconds"),
        ("sha256sum FILE", "sha256sum", "bytes_per_s", "seconds"),
        ("openssl dgst -sha256 FILE", "openssl", "bytes_per_s", "seconds"),
        ("modeld step 5 (quiet load)", "quiet", "step5_bytes_per_s", "step5_s"),
        ("modeld step 5 (observed load)", "observed", "step5_bytes_per_s", "step5_s"),
    ]:
        rows.append([label, spread(values(numbers, "rates", variant, rate_key), MB, 0),
                     spread(values(numbers, "rates", variant, seconds_key), 1, 3)])
    out += table(["read + SHA-256 of the same file", "MB/s", "seconds"], rows)
    step5 = med(values(numbers, "rates", "quiet", "step5_bytes_per_s"))
    cat = med(values(numbers, "rates", "cat", "bytes_per_s"))
    sha = med(values(numbers, "rates", "sha256sum", "bytes_per_s"))
    ssl = med(values(numbers, "rates", "openssl", "bytes_per_s"))
    lower = min(cat, sha)
    out += ["", f"step 5 / min(cat, sha256sum) = {step5 / lower:.0%}: {verdict(step5 / lower >= 0.9)} (>= 90 %)",
            f"step 5 / openssl dgst -sha256 = {step5 / ssl:.0%} (the same libcrypto SHA-256, without the reading)"]
    return out


def overhead_report(numbers: dict, texts: dict) -> list[str]:
    rows = []
    for variant in ("quiet", "observed"):
        steps79 = [sum(parts) for parts in zip(*(values(numbers, "rates", variant, f"step{n}_s") for n in (7, 8, 9)))]
        rows.append([variant, spread(values(numbers, "rates", variant, "load_s"), 1, 3),
                     spread(values(numbers, "rates", variant, "load_wall_s"), 1, 3),
                     spread(values(numbers, "rates", variant, "srv_cpu_s"), 1, 2),
                     spread(values(numbers, "rates", variant, "step5_s"), 1, 3), spread(steps79, 1, 3)])
    out = ["", "Reporting overhead: the whole load (eta-history total), quiet vs observed"]
    out += table(["load", "load s", "request wall s", "server CPU s", "step 5 s", "steps 7-9 s"], rows)
    quiet = numbers.get(("rates", "quiet", "load_s"), {})
    observed = numbers.get(("rates", "observed", "load_s"), {})
    if quiet and observed:
        overhead = med(list(observed.values())) / med(list(quiet.values())) - 1
        pairs = [observed[r] / quiet[r] - 1 for r in sorted(quiet) if r in observed]
        cpu = med(values(numbers, "rates", "observed", "srv_cpu_s")) / med(values(numbers, "rates", "quiet", "srv_cpu_s")) - 1
        requests = med(values(numbers, "rates", "observed", "observer_requests"))
        out += ["", "quiet:    --log-level warning, nobody watching",
                f"observed: --log-level info (one log line per progress event) and "
                f"{texts.get(('rates', 'observed', 'observers'), '?')}",
                f"          ({requests:,.0f} answered requests per load, "
                f"{med(values(numbers, 'rates', 'observed', 'observer_errors')):.0f} errors, "
                f"client CPU {med(values(numbers, 'rates', 'observed', 'observer_cpu_s')):.2f} s on this machine); "
                "WebSocket/SSE subscribers do not exist yet",
                f"overhead = median(observed) / median(quiet) - 1 = {overhead:+.1%}: "
                f"{verdict(overhead < 0.01)} (< 1 %)",
                f"per-rep pairs: {', '.join(f'{p:+.1%}' for p in pairs)}; server CPU {cpu:+.1%}"]
    return out


def eta_report(numbers: dict, variants: list[str]) -> list[str]:
    if not variants:
        return []
    rows = []
    verdicts = []
    for variant in variants:
        def pooled(key: str) -> float:
            found = values(numbers, "eta", variant, key)
            return found[0] if found else math.nan
        within, gap = pooled("pooled_within20_pct"), pooled("pooled_bar_gap_max_pts")
        rows.append([variant, f"{pooled('pooled_judged'):.0f}", f"{pooled('pooled_null'):.0f}", f"{within:.0f} %",
                     f"{pooled('pooled_err_median_pct'):.1f} %", f"{pooled('pooled_err_max_pct'):.0f} %",
                     f"{gap:.1f}", spread(values(numbers, "eta", variant, "load_s"), 1, 2)])
        ok = within >= 90 and gap <= 10
        verdicts.append(f"{variant}: {within:.0f} % within 20 %, bar within {gap:.1f} points: "
                        f"{verdict(ok)} (>= 90 %, <= 10 points)")
    out = ["", "ETA and bar per load kind, pooled over reps: samples taken while >= 1.5 s remained (judged), "
           "those with eta_seconds null, share within 20 % of the time that actually remained, median and "
           "worst error; the largest |progress - elapsed fraction| of any sample, in points; load seconds"]
    out += table(["read cap / load", "judged", "null", "within 20 %", "median err", "worst err", "bar gap pts",
                  "load s"], rows)
    out += [""] + verdicts
    out += ["first-empty: an empty state dir (no history on this machine); first-other: the state dir holds only",
            "the other model's load; repeat: the model's own history; restart: its history read from the file."]
    return out


def hub_report(numbers: dict) -> list[str]:
    """Step 3 of the hub loads (the download and the snapshot's links): seconds and rate."""
    variants = sorted({variant for section, variant, _key in numbers if section == "hub"})
    if not variants:
        return []
    rows = [[variant, spread(values(numbers, "hub", variant, "step3_s"), 1, 2),
             spread(values(numbers, "hub", variant, "bytes_per_s"), 1e6, 1)] for variant in variants]
    return ["", "Hub loads: step 3 (download of the weights into an empty hub cache), median [range] over reps"] + \
        table(["hub cap / load", "step 3 s", "MB/s"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tsv")
    args = parser.parse_args()
    numbers, texts, eta_variants = load(args.tsv)
    lines = [f"Machine: {med(values(numbers, 'machine', 'cpus', 'online')):.0f} CPUs, load average "
             f"{med(values(numbers, 'machine', 'loadavg', 'start')):.2f} at the start and "
             f"{med(values(numbers, 'machine', 'loadavg', 'end')):.2f} at the end (other work shares them)", ""]
    if ("rates", "cat", "bytes_per_s") in numbers:
        lines += rates_report(numbers, texts) + overhead_report(numbers, texts)
    lines += eta_report(numbers, eta_variants)
    lines += hub_report(numbers)
    write_summary(args.tsv, lines)


if __name__ == "__main__":
    main()
