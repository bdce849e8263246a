"""The `hub` section of `scripts/bench load`: a first load of a model pulled from a hub at a
capped rate, its ETA samples scored as the `eta` section scores its kinds.

The hub is Tests/e2e/hub_support.py's `LocalHub`: nginx serving the bench model's files as a
Hugging Face repository, the weights under `limit_rate CAP` (nginx syntax: `20m` is 20 MiB/s).
Per cap of --hub-caps and rep, two loads of `bench` (a folder whose model.yaml says
`source: hf://...`), each with an empty hub cache, so step 3 downloads the whole weights file:
  hub-CAP/first-empty  a fresh server and an empty state dir: no history at all
  hub-CAP/first-known  a new server on that state dir: the history of the load before (its
                       CPU steps are known; the download is again the hub's)
Rows go to the `eta` section (variant `hub-CAP/KIND`), so summarize.py tables them with the
other kinds; `hub/download_s` and `hub/bytes_per_s` rows give the download's time and rate.
"""

from __future__ import annotations

import pathlib
import shutil
import sys

from modeld_process import ModeldProcess, step_seconds

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "Tests" / "e2e"))
from hub_support import REPO_ID, LocalHub  # noqa: E402

MODEL_ID = "bench"


def run(bench, caps: str) -> None:
    """Runs the hub section on `bench` (a loadbench.Bench): its args, recorder, runs, and
    sampled_load / pool_eta."""
    repository = bench.work / "hub-repository"
    (repository / MODEL_ID).mkdir(parents=True)
    (repository / MODEL_ID / "model.yaml").write_text(f"runtime: bert-embedding\nsource: hf://{REPO_ID}\n")
    for cap in caps.split():
        hub = LocalHub(bench.args.model_dir, bench.work / f"hub-{cap}", lfs_rate=cap)
        try:
            for rep in range(1, bench.args.reps + 1):
                state = bench.work / f"hub-{cap}-rep{rep}" / "state"
                for kind in ("first-empty", "first-known"):
                    cache = bench.work / f"hub-{cap}-rep{rep}-{kind}-cache"
                    bench.runs += 1
                    bench_log(f"hub {cap} rep {rep}/{bench.args.reps}: {kind} (empty hub cache)")
                    server = ModeldProcess(bench.args.bin, repository, state,
                                           bench.args.logs / f"modeld-{bench.runs}-hub-{cap}-rep{rep}-{kind}.log",
                                           ["--load-at-startup", "none", "--log-level", "warning",
                                            "--hub-endpoint", hub.url, "--hub-cache-dir", str(cache)])
                    variant = f"hub-{cap}/{kind}"
                    try:
                        bench.sampled_load(server, rep, variant)
                    finally:
                        bench.record(rep, "eta", variant, "exit_code", server.stop())
                    # eta-history.json is complete once the server has stopped.
                    step3 = step_seconds(state, MODEL_ID)[2]  # the download, and linking the snapshot
                    bench.record(rep, "hub", variant, "step3_s", step3)
                    bench.record(rep, "hub", variant, "bytes_per_s", bench.size / step3 if step3 > 0 else "")
                    shutil.rmtree(cache, ignore_errors=True)
        finally:
            hub.stop()
    bench.pool_eta()


def bench_log(message: str) -> None:
    print(f"bench load: {message}", file=sys.stderr, flush=True)

