"""Step 3 of a `source: hf://...` model fetches its files from the hub (local nginx hub,
hub_support.py) into the shared cache, with byte progress, then the load goes on from the
snapshot; offline it loads what huggingface_hub downloaded; a cancel keeps the partial blob."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time

import pytest

from conftest import modeld_binary
from hub_support import COMMIT, NAME, ORG, REPO_ID, local_hub, modeld_needed  # noqa: F401
from test_loading import curl, poll

CHECK_CACHE_STEP = 3


def hub_repository(tmp_path: pathlib.Path) -> pathlib.Path:
    """A repository whose model `hubbed` ships only its manifest."""
    folder = tmp_path / "repo" / "hubbed"
    folder.mkdir(parents=True)
    (folder / "model.yaml").write_text(f"runtime: bert-embedding\nsource: hf://{REPO_ID}\n")
    return folder.parent


def hub_env(hub_url: str, cache: pathlib.Path, offline: bool = False) -> dict[str, str]:
    env = {"HF_ENDPOINT": hub_url, "HF_HUB_CACHE": str(cache)}
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    return env


def serve(start_modeld, tmp_path, env, *extra):
    repo = hub_repository(tmp_path)
    return start_modeld("--model-repository", str(repo), "--state-dir", str(tmp_path / "state"), *extra, env=env)


def test_first_load_downloads_at_step_3_with_byte_progress_then_serves(start_modeld, local_hub, tmp_path):
    hub = local_hub(lfs_rate="20m")
    cache = tmp_path / "cache"
    server = serve(start_modeld, tmp_path, hub_env(hub.url, cache))
    seen = poll(server, "/v1/models/hubbed", lambda _s, _h, body: body.get("state") in ("ready", "failed"),
                timeout_s=180, interval_s=0.2)
    final = seen[-1][2]
    assert final["state"] == "ready", final
    lfs = next(f for f in hub.files if f.sha256)
    downloading = [b for _s, _h, b in seen if b.get("step") == CHECK_CACHE_STEP and b.get("bytes_loaded", 0) > 0]
    assert len(downloading) >= 3, [b.get("step") for _s, _h, b in seen]
    assert all(b["bytes_total"] == lfs.size for b in downloading)
    loaded = [b["bytes_loaded"] for b in downloading]
    assert loaded == sorted(loaded) and loaded[0] < lfs.size
    assert all(b["file"] == "model.safetensors" for b in downloading)
    rates = [b["bytes_per_second"] for b in downloading if b["bytes_per_second"] > 0]
    assert rates and all(2e6 < rate < 40e6 for rate in rates), rates  # the hub's 20 MB/s cap, measured
    assert all("file" not in b for _s, _h, b in seen if b.get("step") not in (None, CHECK_CACHE_STEP))
    progress = [b["progress"] for _s, _h, b in seen if b.get("state") == "loading"]
    assert progress == sorted(progress), "progress went backwards"
    # the cache is huggingface_hub's layout, the weights came once, and the model answers
    snapshot = cache / f"models--{ORG}--{NAME}" / "snapshots" / COMMIT
    assert os.readlink(snapshot / "model.safetensors") == f"../../blobs/{lfs.sha256}"
    assert len(hub.lfs_requests()) == 1
    out = subprocess.run(["curl", "-sS", "--max-time", "30", "-H", "Content-Type: application/json",
                          "-d", '{"model":"hubbed","input":["hello hub"]}', server.url("/v1/embeddings")],
                         check=True, capture_output=True, text=True).stdout
    assert '"embedding"' in out, out


def test_offline_load_uses_what_huggingface_hub_downloaded_without_a_request(start_modeld, local_hub, tmp_path):
    pytest.importorskip("huggingface_hub")
    hub = local_hub()
    cache = tmp_path / "cache"
    files = [f.path for f in hub.files if modeld_needed(f.path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELD_", "HF_"))}
    env.update({"HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(cache), "HF_HUB_DISABLE_TELEMETRY": "1"})
    subprocess.run([sys.executable, "-c", "import huggingface_hub as hh\n"
                    f"for f in {files!r}: hh.hf_hub_download({REPO_ID!r}, f)"], env=env, check=True, timeout=300)
    before = len(hub.access_log())
    server = serve(start_modeld, tmp_path, hub_env(hub.url, cache, offline=True))
    seen = poll(server, "/v1/models/hubbed", lambda _s, _h, body: body.get("state") in ("ready", "failed"),
                timeout_s=120, interval_s=0.2)
    assert seen[-1][2]["state"] == "ready", seen[-1][2]
    assert hub.access_log()[before:] == []


def test_offline_load_of_an_uncached_model_fails_at_step_2_with_not_in_cache(start_modeld, tmp_path):
    server = serve(start_modeld, tmp_path, hub_env("http://127.0.0.1:9", tmp_path / "cache", offline=True))
    seen = poll(server, "/v1/models/hubbed", lambda _s, _h, body: body.get("state") == "failed", timeout_s=60)
    failure = seen[-1][2]
    assert failure["error"]["code"] == "not_in_cache", failure
    status, _h, _b = curl(server, "GET", "/livez")
    assert status == 200


def test_hub_not_found_fails_the_load_with_its_code(start_modeld, local_hub, tmp_path):
    hub = local_hub()
    repo = tmp_path / "repo" / "missing"
    repo.mkdir(parents=True)
    (repo / "model.yaml").write_text("runtime: bert-embedding\nsource: hf://nobody/nothing\n")
    server = start_modeld("--model-repository", str(repo.parent), "--state-dir", str(tmp_path / "state"),
                          env=hub_env(hub.url, tmp_path / "cache"))
    seen = poll(server, "/v1/models/missing", lambda _s, _h, body: body.get("state") == "failed", timeout_s=60)
    assert seen[-1][2]["error"]["code"] == "hub_not_found", seen[-1][2]


def test_cancel_mid_download_stops_the_transfer_keeps_the_blob_and_a_reload_resumes(start_modeld, local_hub, tmp_path):
    hub = local_hub(lfs_rate="5m")
    cache = tmp_path / "cache"
    lfs = next(f for f in hub.files if f.sha256)
    partial = cache / f"models--{ORG}--{NAME}" / "blobs" / f"{lfs.sha256}.incomplete"
    server = serve(start_modeld, tmp_path, hub_env(hub.url, cache))
    poll(server, "/v1/models/hubbed", lambda _s, _h, body: body.get("bytes_loaded", 0) >= 5_000_000
         and body.get("step") == CHECK_CACHE_STEP, timeout_s=120, interval_s=0.1)
    status, _h, body = curl(server, "POST", "/v1/models/hubbed/cancel")
    assert status == 202 and body["state"] == "cancelled"
    time.sleep(0.5)  # the transfer must have stopped by now (it polls every 50 ms)
    size = partial.stat().st_size
    time.sleep(1.5)  # at 5 MB/s a running transfer would add ~7 MB in this window
    assert partial.stat().st_size == size, "the transfer went on after the cancel"
    assert 0 < size < lfs.size

    status, _h, _b = curl(server, "POST", "/v1/models/hubbed/load")
    assert status == 202
    seen = poll(server, "/v1/models/hubbed", lambda _s, _h, body: body.get("state") in ("ready", "failed"),
                timeout_s=180, interval_s=0.2)
    assert seen[-1][2]["state"] == "ready", seen[-1][2]
    last = hub.lfs_requests()[-1]
    assert " 206 " in last and f"range=bytes={size}-" in last, last


def test_check_model_does_not_hash_streamed_verified_weights_again(local_hub, tmp_path):
    hub = local_hub()
    repo = hub_repository(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELD_", "HF_"))}
    env.update(hub_env(hub.url, tmp_path / "cache"))
    first = subprocess.run([modeld_binary(), "check-model", str(repo / "hubbed")], env=env,
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "verified_by_cache" in first.stdout, first.stdout
    lfs = next(f for f in hub.files if f.sha256)
    assert f"bytes_downloaded={lfs.size}" in first.stdout.replace(": ", "=").replace(" = ", "="), first.stdout
    # a second run finds the weights in the cache, not in a digest cache: it verifies them
    # against the hub's SHA-256 (the blob's name) at step 5
    second = subprocess.run([modeld_binary(), "check-model", str(repo / "hubbed")], env=env,
                            capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "sha256" in second.stdout, second.stdout
    assert "verified_by_cache" not in second.stdout and "verified" in second.stdout, second.stdout


def test_serve_model_flag_adds_a_hub_model_without_a_folder(start_modeld, local_hub, tmp_path):
    hub = local_hub()
    empty = tmp_path / "empty-repo"
    empty.mkdir()
    server = start_modeld("--model-repository", str(empty), "--state-dir", str(tmp_path / "state"),
                          "--model", f"first=hf://{REPO_ID}", "--model", f"second=hf://{REPO_ID}@{COMMIT}",
                          env=hub_env(hub.url, tmp_path / "cache"))
    for model in ("first", "second"):
        seen = poll(server, f"/v1/models/{model}", lambda _s, _h, body: body.get("state") in ("ready", "failed"),
                    timeout_s=120, interval_s=0.2)
        assert seen[-1][2]["state"] == "ready", seen[-1][2]
    # two models of one repository: the blob was fetched once (the second found it cached)
    assert len(hub.lfs_requests()) == 1


@pytest.mark.parametrize("flag", ["nohub", "x=org/name", "bad id=hf://a/b", "x=hf://a/b/c"])
def test_serve_model_flag_rejects_bad_values(flag, tmp_path):
    result = subprocess.run([modeld_binary(), "serve", "--listen", "127.0.0.1:0", "--model", flag],
                            capture_output=True, text=True, timeout=30, cwd=tmp_path)
    assert result.returncode != 0
    assert "model" in result.stderr and "ID=hf://ORG/NAME[@REV]" in result.stderr, result.stderr
