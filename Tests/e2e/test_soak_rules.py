"""The failure rules of scripts/soak (Tests/soak/), on made-up figures: a leak fails, noise and
a single outlier do not; a subscriber that saw a load start and not its end is reported, and
so is a repeated seq. No server needed."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "soak"))

from clients import Stats  # noqa: E402
from events import Tracker  # noqa: E402
from growth import analyse  # noqa: E402


def samples(rss_kib, fds=None, threads=None, every_s=10.0):
    n = len(rss_kib)
    fds = fds or [25] * n
    threads = threads or [8] * n
    return [{"t": i * every_s, "rss_kib": r, "fds": f, "threads": th}
            for i, (r, f, th) in enumerate(zip(rss_kib, fds, threads))]


def test_flat_and_noisy_figures_pass():
    noisy = [130_000 + (7_000 if i % 3 == 0 else -3_000) for i in range(40)]
    result, failures = analyse(samples(noisy), warmup_s=60)
    assert failures == [], failures
    assert result["samples_analysed"] == 34


def test_one_outlier_at_the_end_passes():
    rss = [130_000] * 39 + [400_000]
    _, failures = analyse(samples(rss), warmup_s=60)
    assert failures == [], failures


def test_a_steady_leak_fails_on_each_metric():
    n = 40
    rss = [130_000 + 1_000 * i for i in range(n)]  # ~1 MiB per sample: 34 MiB over the window
    fds = [25 + i // 2 for i in range(n)]  # a descriptor every 20 s
    threads = [8 + i // 4 for i in range(n)]
    _, failures = analyse(samples(rss, fds, threads), warmup_s=60)
    assert [f.split()[0] for f in failures] == ["rss_kib", "fds", "threads"], failures


def test_too_few_samples_after_the_warm_up_fail():
    _, failures = analyse(samples([130_000] * 7), warmup_s=40)
    assert failures and "only 3 samples" in failures[0]
    # A short run (under 10 minutes) only reports it.
    result, failures = analyse(samples([130_000] * 7), warmup_s=40, require=False)
    assert failures == [] and "only 3 samples" in result["not_evaluated"]


def event(name, seq, model="minilm2", room="model:minilm2"):
    return {"event": name, "room": room, "seq": seq, "data": {"id": model}}


def test_a_started_load_without_its_end_is_missing():
    stats = Stats()
    tracker = Tracker(stats, "test")
    tracker.see(event("snapshot", 3))
    tracker.see(event("model_load_started", 4))
    tracker.see(event("model_load_progress", 6))
    assert tracker.missing() == ["minilm2 in model:minilm2"]
    tracker.see(event("model_load_cancelled", 7))
    assert tracker.missing() == [] and stats.failures == []


def test_a_second_start_and_a_repeated_seq_are_failures():
    stats = Stats()
    tracker = Tracker(stats, "test")
    tracker.see(event("model_load_started", 1))
    tracker.see(event("model_load_started", 2))
    tracker.see(event("model_load_progress", 2))
    assert len(stats.failures) == 2, stats.failures
    assert "second model_load_started" in stats.failures[0] and "seq 2 after 2" in stats.failures[1]
