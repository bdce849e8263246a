"""Weights named by URL in model.yaml (`files: {model.safetensors: {url, sha256}}`), served
by the local nginx (hub_support.py's `/lfs/<sha256>`, with Range): step 3 fetches them into
`modeld-url-files/` beside the hub cache with byte progress, resumes with `Range` after the
fault proxy cuts the connection, verifies the SHA-256 while streaming, and a restarted daemon
uses the cached file without a request."""

from __future__ import annotations

import json
import re
import subprocess

from conftest import MODEL_DIR
from hub_support import FaultProxy, local_hub, sha256_file  # noqa: F401
from test_hub_load import CHECK_CACHE_STEP
from test_loading import curl, poll

WEIGHTS = "model.safetensors"


def url_model_repository(tmp_path, url: str, sha256: str):
    """`urlmodel`: MiniLM's files but the weights, which model.yaml names by URL; `local`: the folder model."""
    repo = tmp_path / "repo"
    folder = repo / "urlmodel"
    folder.mkdir(parents=True)
    for item in MODEL_DIR.iterdir():
        if item.name not in (WEIGHTS, "model.yaml"):
            (folder / item.name).symlink_to(item, target_is_directory=item.is_dir())
    (folder / "model.yaml").write_text(f"runtime: bert-embedding\nfiles:\n  {WEIGHTS}: {{url: \"{url}\", sha256: {sha256}}}\n")
    (repo / "local").symlink_to(MODEL_DIR, target_is_directory=True)
    return repo


def serve(start_modeld, tmp_path, repo, state="state"):
    env = {"HF_HUB_CACHE": str(tmp_path / "cache" / "hub"), "HF_ENDPOINT": "http://127.0.0.1:9"}
    return start_modeld("--model-repository", str(repo), "--state-dir", str(tmp_path / state), env=env)


def final_state(server, model="urlmodel", timeout_s=240):
    return poll(server, f"/v1/models/{model}", lambda _s, _h, body: body.get("state") in ("ready", "failed"),
                timeout_s=timeout_s, interval_s=0.2)


def embedding(server, model: str) -> list[float]:
    out = subprocess.run(["curl", "-sS", "--max-time", "60", "-H", "Content-Type: application/json",
                          "-d", json.dumps({"model": model, "input": ["fetched by url"]}),
                          server.url("/v1/embeddings")], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["data"][0]["embedding"]


def test_url_weights_download_at_step_3_with_progress_and_a_restart_reuses_them(start_modeld, local_hub, tmp_path):
    hub = local_hub(lfs_rate="20m")
    lfs = next(f for f in hub.files if f.sha256)
    repo = url_model_repository(tmp_path, f"{hub.url}/lfs/{lfs.sha256}", lfs.sha256)
    server = serve(start_modeld, tmp_path, repo)
    seen = final_state(server)
    assert seen[-1][2]["state"] == "ready", seen[-1][2]
    downloading = [b for _s, _h, b in seen if b.get("step") == CHECK_CACHE_STEP and b.get("bytes_loaded", 0) > 0]
    assert len(downloading) >= 3 and all(b["bytes_total"] == lfs.size and b["file"] == WEIGHTS for b in downloading)
    loaded = [b["bytes_loaded"] for b in downloading]
    assert loaded == sorted(loaded) and loaded[0] < lfs.size
    assert [b["bytes_per_second"] for b in downloading if b["bytes_per_second"] > 0]
    cached = tmp_path / "cache" / "modeld-url-files" / "blobs" / lfs.sha256
    assert sha256_file(cached) == lfs.sha256
    assert not (tmp_path / "cache" / "hub").exists() or not list((tmp_path / "cache" / "hub").iterdir())
    gets = hub.lfs_requests()
    assert len(gets) == 1 and " 200 " in gets[0], gets
    assert final_state(server, "local")[-1][2]["state"] == "ready"
    assert embedding(server, "urlmodel") == embedding(server, "local")
    server.stop()

    before = len(hub.access_log())
    again = serve(start_modeld, tmp_path, repo)
    assert final_state(again)[-1][2]["state"] == "ready"
    assert hub.access_log()[before:] == [], "the cached file was fetched again"


def test_url_weights_resume_with_range_after_a_cut_connection(start_modeld, local_hub, tmp_path):
    hub = local_hub()
    lfs = next(f for f in hub.files if f.sha256)
    proxy = FaultProxy(hub.port, "GET /lfs/", [("cut", 30_000_000)])
    try:
        repo = url_model_repository(tmp_path, f"{proxy.url}/lfs/{lfs.sha256}", lfs.sha256)
        server = serve(start_modeld, tmp_path, repo)
        assert final_state(server)[-1][2]["state"] == "ready"
        assert len(proxy.seen) == 2, proxy.seen
        assert "range:" not in proxy.seen[0].lower()
        resumed_from = int(proxy.seen[1].lower().split("range: bytes=")[1].split("-")[0])
        assert 0 < resumed_from <= 30_000_000, proxy.seen[1]
        gets = hub.lfs_requests()
        assert " 206 " in gets[-1] and f"range=bytes={resumed_from}-" in gets[-1], gets
        assert embedding(server, "urlmodel") == embedding(server, "local")
    finally:
        proxy.close()


def test_a_wrong_sha256_fails_with_digest_mismatch_and_discards_the_file(start_modeld, local_hub, tmp_path):
    hub = local_hub()
    lfs = next(f for f in hub.files if f.sha256)
    wrong = "0" * 64
    repo = url_model_repository(tmp_path, f"{hub.url}/lfs/{lfs.sha256}", wrong)
    server = serve(start_modeld, tmp_path, repo)
    failure = final_state(server)[-1][2]
    assert failure["state"] == "failed" and failure["error"]["code"] == "digest_mismatch", failure
    blobs = tmp_path / "cache" / "modeld-url-files" / "blobs"
    assert not list(blobs.iterdir()), list(blobs.iterdir())
    missing = url_model_repository(tmp_path / "second", f"{hub.url}/lfs/{'1' * 64}", lfs.sha256)
    other = serve(start_modeld, tmp_path / "second", missing)
    failure = final_state(other)[-1][2]
    assert failure["error"]["code"] == "hub_not_found" and "HTTP 404" in failure["error"]["message"], failure


def test_a_plain_http_url_to_another_host_is_refused_at_the_manifest(start_modeld, tmp_path):
    repo = url_model_repository(tmp_path, "http://example.org/model.safetensors", "0" * 64)
    server = serve(start_modeld, tmp_path, repo)
    # An invalid manifest skips its folder with a warning; the daemon serves the others.
    line = server.wait_for_line(re.compile(r'model folder skipped" error=manifest_invalid folder=urlmodel .*'), 30)
    assert line is not None, server.output()
    assert "files.model.safetensors.url" in line[0] and "loopback" in line[0], line[0]
    assert final_state(server, "local")[-1][2]["state"] == "ready"
    status, _h, _b = curl(server, "GET", "/v1/models/urlmodel")
    assert status == 404
