"""A hub download outlives its daemon and is shared between loads (local nginx hub under
`limit_rate`, hub_support.py): a daemon killed (SIGKILL) or stopped (SIGTERM) mid step 3
leaves the `.incomplete` blob, and a new daemon on the same cache resumes it with
`Range: bytes=N-`, so the hub serves about the file once; two loads of one repository at once,
in one daemon or in two daemons on one cache, download each blob once, and the load that
waits for the other's lock follows its partial blob's growth as progress (so a stall timeout
shorter than the download does not fire)."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading

import pytest

from conftest import MODEL_DIR
from hub_support import NAME, ORG, REPO_ID, local_hub  # noqa: F401
from test_hub_load import CHECK_CACHE_STEP, hub_env
from test_loading import curl, poll

BLOBS = f"models--{ORG}--{NAME}/blobs"
# Shorter than the ~9 s download at 10 MB/s: the load waiting for the lock must see progress.
STALL_TIMEOUT_S = 5


def repository_with_hub_and_local_model(tmp_path):
    """A repository whose `hubbed` ships only a model.yaml naming the hub."""
    repo = tmp_path / "repo"
    (repo / "hubbed").mkdir(parents=True)
    (repo / "hubbed" / "model.yaml").write_text(f"runtime: bert-embedding\nsource: hf://{REPO_ID}\n")
    return repo


def served_bytes(line: str) -> int:
    return int(re.search(r"bytes=(\d+)$", line).group(1))


def embedding(server, model: str) -> list[float]:
    out = subprocess.run(["curl", "-sS", "--max-time", "60", "-H", "Content-Type: application/json",
                          "-d", json.dumps({"model": model, "input": ["the hub resumed this download"]}),
                          server.url("/v1/embeddings")], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["data"][0]["embedding"]


def wait_ready(server, model: str, timeout_s: float = 240) -> dict:
    seen = poll(server, f"/v1/models/{model}", lambda _s, _h, body: body.get("state") in ("ready", "failed"),
                timeout_s=timeout_s, interval_s=0.2)
    return seen[-1][2]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["sigkill", "sigterm"])
def test_a_new_daemon_resumes_the_download_of_a_killed_or_stopped_one(sig, start_modeld, local_hub, tmp_path):
    hub = local_hub(lfs_rate="5m")
    assert hub.files
    cache = tmp_path / "cache"
    lfs = next(f for f in hub.files if f.sha256)
    partial = cache / BLOBS / f"{lfs.sha256}.incomplete"
    repo = repository_with_hub_and_local_model(tmp_path)
    args = ("--model-repository", str(repo), "--state-dir", str(tmp_path / "state"))
    first = start_modeld(*args, env=hub_env(hub.url, cache))
    poll(first, "/v1/models/hubbed", lambda _s, _h, body: body.get("step") == CHECK_CACHE_STEP
         and body.get("bytes_loaded", 0) >= 10_000_000, timeout_s=180, interval_s=0.1)
    first.proc.send_signal(sig)
    code = first.proc.wait(timeout=30)
    assert code == (-signal.SIGKILL if sig == signal.SIGKILL else 0), first.output()
    size = partial.stat().st_size
    assert 10_000_000 <= size < lfs.size
    assert len(hub.lfs_requests()) == 1

    # The same model as a folder, to compare the resumed weights' embeddings with.
    (repo / "local").symlink_to(MODEL_DIR, target_is_directory=True)
    second = start_modeld(*args, env=hub_env(hub.url, cache))
    final = wait_ready(second, "hubbed")
    assert final["state"] == "ready", final
    assert wait_ready(second, "local")["state"] == "ready"
    requests = hub.lfs_requests()
    assert len(requests) == 2, requests
    assert " 200 " in requests[0] and "range=-" in requests[0], requests
    assert " 206 " in requests[1] and f"range=bytes={size}-" in requests[1], requests
    assert served_bytes(requests[1]) == lfs.size - size
    # What the first daemon had in flight when it died is all that came twice.
    total = sum(served_bytes(line) for line in requests)
    assert lfs.size <= total < lfs.size * 1.1, (total, lfs.size)
    assert not partial.exists() and (cache / BLOBS / lfs.sha256).stat().st_size == lfs.size
    assert embedding(second, "hubbed") == pytest.approx(embedding(second, "local"), abs=1e-6)


def watch_states(server, models: list[str], until_all: set[str], timeout_s: float = 240) -> list[dict[str, str]]:
    """Every poll of every model's state until all are in `until_all`: [{model: state}]."""
    snapshots = []
    poll(server, "/livez", lambda *_: snapshots.append({m: curl(server, "GET", f"/v1/models/{m}")[2].get("state")
                                                         for m in models}) or
         all(state in until_all for state in snapshots[-1].values()), timeout_s=timeout_s, interval_s=0.1)
    return snapshots


def test_two_models_of_one_repository_loading_at_once_download_it_once(start_modeld, local_hub, tmp_path):
    hub = local_hub(lfs_rate="10m")
    assert hub.files
    empty = tmp_path / "empty"
    empty.mkdir()
    server = start_modeld("--model-repository", str(empty), "--state-dir", str(tmp_path / "state"),
                          "--max-concurrent-loads", "2", "--load-stall-timeout", str(STALL_TIMEOUT_S),
                          "--model", f"a=hf://{REPO_ID}", "--model", f"b=hf://{REPO_ID}",
                          env=hub_env(hub.url, tmp_path / "cache"))
    snapshots = watch_states(server, ["a", "b"], {"ready", "failed"})
    assert snapshots[-1] == {"a": "ready", "b": "ready"}, server.output()
    # they did run at once (both loading while the ~9 s download ran), and the blob came once
    assert any(s == {"a": "loading", "b": "loading"} for s in snapshots), snapshots
    assert len(hub.lfs_requests()) == 1, hub.lfs_requests()
    assert embedding(server, "a") == embedding(server, "b")


def test_two_daemons_on_one_cache_download_each_blob_once(start_modeld, local_hub, tmp_path):
    hub = local_hub(lfs_rate="10m")
    assert hub.files
    cache = tmp_path / "cache"
    servers = []
    for name in ("one", "two"):
        repo = tmp_path / name
        (repo / "hubbed").mkdir(parents=True)
        (repo / "hubbed" / "model.yaml").write_text(f"runtime: bert-embedding\nsource: hf://{REPO_ID}\n")
        servers.append(start_modeld("--model-repository", str(repo), "--state-dir", str(tmp_path / f"state-{name}"),
                                    "--load-stall-timeout", str(STALL_TIMEOUT_S), env=hub_env(hub.url, cache)))
    results: dict[int, dict] = {}
    threads = [threading.Thread(target=lambda i=i, s=s: results.__setitem__(i, wait_ready(s, "hubbed")))
               for i, s in enumerate(servers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[0]["state"], results[1]["state"]] == ["ready", "ready"], results
    lfs = next(f for f in hub.files if f.sha256)
    assert len(hub.lfs_requests()) == 1, hub.lfs_requests()
    small = [line for line in hub.access_log() if "/resolve/" in line and line.startswith("GET ")]
    needed_small = {line.split()[1] for line in small}
    assert len(small) == len(needed_small), small  # each small file once too
    assert (cache / BLOBS / lfs.sha256).stat().st_size == lfs.size
    assert embedding(servers[0], "hubbed") == embedding(servers[1], "hubbed")
