"""The soak's growth rules over its /proc samples (README "Soak" states them too).

After a warm-up (the first 20 % of the run, at least 30 s), each metric's samples must not
grow beyond its tolerance: the metric FAILS only when BOTH the least-squares slope times
the measured window AND the median of the last third minus the median of the first third
exceed the tolerance (one outlier or one step moves only one of them). Tolerances:
RSS max(16 MiB, 5 % of its first-third median), fds 8, threads 4. At the end, with every
client gone and the cycled model unloaded, fds must come back to at most their idle baseline
+ 2 and threads to at most their idle baseline + 2 within 60 s."""

from __future__ import annotations

import statistics

METRICS = ("rss_kib", "fds", "threads")
END_TOLERANCE = {"fds": 2, "threads": 2}


def tolerance(metric: str, first_third_median: float) -> float:
    if metric == "rss_kib":
        return max(16 * 1024, 0.05 * first_third_median)
    return {"fds": 8, "threads": 4}[metric]


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (t, value) points, per second."""
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return 0.0 if var == 0 else sum((t - mean_t) * (v - mean_v) for t, v in points) / var


def analyse(samples: list[dict], warmup_s: float, require: bool = True) -> tuple[dict, list[str]]:
    """Per metric: slope per hour, growths and tolerance; and the failures. Fewer than 4
    samples after the warm-up fail if `require` (runs of 10 minutes or more), else the
    growth is only reported as not evaluated."""
    window = [s for s in samples if s["t"] >= warmup_s]
    result: dict = {"warmup_s": warmup_s, "samples_analysed": len(window)}
    failures: list[str] = []
    if len(window) < 4:
        why = f"only {len(window)} samples after the {warmup_s:.0f} s warm-up (need 4)"
        if require:
            failures.append(why + ": run longer")
        else:
            result["not_evaluated"] = why
        return result, failures
    third = len(window) // 3
    span = window[-1]["t"] - window[0]["t"]
    for metric in METRICS:
        points = [(s["t"], float(s[metric])) for s in window]
        first = statistics.median(v for _, v in points[:third])
        last = statistics.median(v for _, v in points[-third:])
        per_s = slope(points)
        tol = tolerance(metric, first)
        entry = {"slope_per_hour": round(per_s * 3600, 1), "slope_growth": round(per_s * span, 1),
                 "median_growth": last - first, "tolerance": round(tol, 1)}
        result[metric] = entry
        if per_s * span > tol and last - first > tol:
            failures.append(f"{metric} grows: slope {entry['slope_per_hour']}/h (x {span:.0f} s = "
                            f"{entry['slope_growth']}) and last-third median - first-third median = "
                            f"{last - first}, both over the tolerance {tol:.0f}")
    return result, failures


def table(samples: list[dict]) -> str:
    lines = ["  t(s)   RSS(MiB)   fds  threads"]
    for s in samples:
        lines.append(f"{s['t']:6.0f} {s['rss_kib'] / 1024:10.1f} {s['fds']:5d} {s['threads']:8d}")
    return "\n".join(lines)
