"""modeld and `huggingface_hub` (PyPI, the second real client) share one hub cache in both
directions: what modeld pulls, huggingface_hub finds offline; what huggingface_hub downloads,
modeld uses without a request for its files; and they honour each other's blob locks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from hub_support import COMMIT, NAME, ORG, REPO_ID, local_hub, modeld_needed, run_pull  # noqa: F401

pytest.importorskip("huggingface_hub")

REFERENCE = f"hf://{REPO_ID}"


def run_hf(code: str, cache, endpoint: str | None = None, offline: bool = False, timeout: float = 300) -> dict:
    """Runs `code` (which sets `result`) in a fresh interpreter with huggingface_hub's
    environment (it reads HF_* at import), and returns `result`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELD_", "HF_"))}
    env.update({"HF_HUB_CACHE": str(cache), "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1"})
    if endpoint:
        env["HF_ENDPOINT"] = endpoint
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    script = "import json, huggingface_hub as hh\nresult = None\n" + code + "\nprint(json.dumps(result))\n"
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def needed(hub) -> list[str]:
    return [f.path for f in hub.files if modeld_needed(f.path)]


def test_huggingface_hub_finds_what_modeld_pulled_with_local_files_only(local_hub, tmp_path):
    hub = local_hub()
    cache = tmp_path / "cache"
    assert run_pull(REFERENCE, cache, hub.url).returncode == 0
    before = len(hub.access_log())
    files = needed(hub)
    paths = run_hf(f"""
result = [hh.hf_hub_download({REPO_ID!r}, f, local_files_only=True) for f in {files!r}]
result += [hh.hf_hub_download({REPO_ID!r}, "config.json", revision={COMMIT!r}, local_files_only=True)]
result += [hh.snapshot_download({REPO_ID!r}, local_files_only=True)]
""", cache, offline=True)
    snapshot = cache / f"models--{ORG}--{NAME}" / "snapshots" / COMMIT
    assert paths[:-2] == [str(snapshot / f) for f in files]
    assert paths[-2] == str(snapshot / "config.json") and paths[-1] == str(snapshot)
    assert len(hub.access_log()) == before


def test_modeld_uses_what_huggingface_hub_downloaded_without_fetching_it_again(local_hub, tmp_path):
    hub = local_hub()
    cache = tmp_path / "cache"
    files = needed(hub)
    paths = run_hf(f"result = [hh.hf_hub_download({REPO_ID!r}, f) for f in {files!r}]", cache, endpoint=hub.url)
    assert len(paths) == len(files)
    assert len(hub.lfs_requests()) == 1  # huggingface_hub followed the redirect of the large file

    offline = run_pull(REFERENCE, cache, hub.url, "--hub-offline")
    assert offline.returncode == 0, offline.stderr
    assert f"commit={COMMIT}" in offline.stdout

    before = len(hub.access_log())
    online = run_pull(REFERENCE, cache, hub.url)
    assert online.returncode == 0, online.stderr
    assert "bytes_downloaded=0" in online.stdout
    new = hub.access_log()[before:]
    assert not [line for line in new if "/resolve/" in line or "/lfs/" in line], new


def test_modeld_waits_for_a_blob_lock_that_huggingface_hub_holds(local_hub, tmp_path):
    hub = local_hub()
    cache = tmp_path / "cache"
    lfs = next(f for f in hub.files if f.sha256)
    lock = cache / ".locks" / f"models--{ORG}--{NAME}" / f"{lfs.sha256}.lock"
    lock.parent.mkdir(parents=True)
    holder_env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, filelock\n"
         f"with filelock.FileLock({str(lock)!r}):\n    print('held', flush=True)\n    time.sleep(3)\n"],
        env=holder_env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        result = run_pull(REFERENCE, cache, hub.url)
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert waited >= 2.0, waited  # it could not take the blob before huggingface_hub's lock was released
    assert len(hub.lfs_requests()) == 1
