"""`modeld pull hf://ORG/NAME[@REV]` against a local hub (nginx, hub_support.py): the cache
it fills, its progress output, its error codes, and resume and retry through a fault proxy."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import time

import pytest

from conftest import modeld_binary
from hub_support import (COMMIT, NAME, ORG, REPO_ID, FaultProxy, local_hub, modeld_needed,  # noqa: F401
                         progress_lines, run_pull, sha256_file)

REFERENCE = f"hf://{REPO_ID}"
REPO_FOLDER = f"models--{ORG}--{NAME}"


def snapshot(cache: pathlib.Path) -> pathlib.Path:
    return cache / REPO_FOLDER / "snapshots" / COMMIT


def assert_complete_snapshot(hub, cache: pathlib.Path) -> None:
    """Every file modeld needs is linked (relatively) to a blob with the hub's bytes."""
    folder = snapshot(cache)
    for f in hub.files:
        path = folder / f.path
        if not modeld_needed(f.path):
            assert not path.exists(), f"{f.path} is not needed but was fetched"
            continue
        assert path.is_symlink(), f.path
        target = os.readlink(path)
        assert not target.startswith("/") and target.endswith(f"blobs/{f.etag}"), target
        assert path.stat().st_size == f.size, f.path
        if f.sha256:
            assert sha256_file(path) == f.sha256
        else:
            assert path.read_bytes() == f.source.read_bytes(), f.path
    assert (cache / REPO_FOLDER / "refs" / "main").read_text().strip() == COMMIT
    assert not list((cache / REPO_FOLDER / "blobs").glob("*.incomplete"))


def test_pull_fills_the_shared_cache_layout_and_a_rerun_is_a_no_op(local_hub, tmp_path):
    hub = local_hub()
    cache = tmp_path / "cache"
    result = run_pull(REFERENCE, cache, hub.url)
    assert result.returncode == 0, result.stderr
    assert f"commit={COMMIT}" in result.stdout
    assert_complete_snapshot(hub, cache)
    # the large file went through the redirect, once, whole
    assert len(hub.lfs_requests()) == 1 and " 200 " in hub.lfs_requests()[0]
    total = sum(f.size for f in hub.files if modeld_needed(f.path))
    lines = progress_lines(result.stdout)
    assert lines and int(lines[-1]["bytes_total"]) == total and int(lines[-1]["bytes_loaded"]) == total
    assert f"bytes_downloaded={total}" in result.stdout

    requests_before = len(hub.access_log())
    again = run_pull(REFERENCE, cache, hub.url)
    assert again.returncode == 0, again.stderr
    assert "bytes_downloaded=0" in again.stdout
    new = hub.access_log()[requests_before:]
    assert not [line for line in new if "/resolve/" in line or "/lfs/" in line], new


def test_pull_by_commit_needs_no_ref_and_offline_rerun_answers_from_the_cache(local_hub, tmp_path):
    hub = local_hub()
    cache = tmp_path / "cache"
    result = run_pull(f"{REFERENCE}@{COMMIT}", cache, hub.url)
    assert result.returncode == 0, result.stderr
    assert snapshot(cache).is_dir()
    assert not (cache / REPO_FOLDER / "refs" / "main").exists()
    before = len(hub.access_log())
    offline = run_pull(f"{REFERENCE}@{COMMIT}", cache, hub.url, "--hub-offline")
    assert offline.returncode == 0, offline.stderr
    # HF_HUB_OFFLINE=1 is honoured as well, and neither makes a single request
    env_offline = run_pull(f"{REFERENCE}@{COMMIT}", cache, hub.url, env={"HF_HUB_OFFLINE": "1"})
    assert env_offline.returncode == 0, env_offline.stderr
    assert len(hub.access_log()) == before


def test_slow_pull_reports_progress_every_second_and_never_backwards(local_hub, tmp_path):
    hub = local_hub(lfs_rate="20m")  # 90.9 MB at 20 MB/s: about 4.5 s
    result = run_pull(REFERENCE, tmp_path / "cache", hub.url)
    assert result.returncode == 0, result.stderr
    lines = progress_lines(result.stdout)
    assert len(lines) >= 4, result.stdout
    loaded = [int(line["bytes_loaded"]) for line in lines]
    assert loaded == sorted(loaded)
    during = [line for line in lines if line["file"] == "model.safetensors" and int(line["bytes_per_second"]) > 0]
    assert during, result.stdout
    # the measured rate is the capped one (generous bounds for a busy machine)
    rates = [int(line["bytes_per_second"]) for line in during]
    assert all(2e6 < rate < 40e6 for rate in rates), rates
    assert all("eta_seconds" in line for line in during)


@pytest.mark.parametrize("reference, code", [
    ("sentence-transformers/all-MiniLM-L6-v2", "invalid_reference"),
    ("hf://../etc", "invalid_reference"),
    ("hf://nobody/nothing", "hub_not_found"),
    ("hf://private/model", "hub_unauthorized"),
    (f"{REFERENCE}@no-such-branch", "hub_not_found"),
])
def test_pull_failures_exit_non_zero_with_their_code(local_hub, tmp_path, reference, code):
    hub = local_hub()
    result = run_pull(reference, tmp_path / "cache", hub.url)
    assert result.returncode != 0
    assert f"pull failed error={code}" in result.stderr, result.stderr


def test_offline_pull_of_a_model_not_in_the_cache_fails_with_not_in_cache(tmp_path):
    result = run_pull(REFERENCE, tmp_path / "cache", "http://127.0.0.1:9", "--hub-offline")
    assert result.returncode != 0 and "error=not_in_cache" in result.stderr, result.stderr


def test_unreachable_hub_fails_with_download_failed_after_retries(tmp_path):
    started = time.monotonic()
    result = run_pull(REFERENCE, tmp_path / "cache", "http://127.0.0.1:9")
    assert result.returncode != 0 and "error=download_failed" in result.stderr, result.stderr
    assert "curl error" in result.stderr
    assert time.monotonic() - started >= 7  # 0.5 + 1 + 2 + 4 s of backoff between 5 attempts


def test_digest_mismatch_discards_the_blob(local_hub, tmp_path):
    hub = local_hub(corrupt_lfs_oid=True)
    cache = tmp_path / "cache"
    result = run_pull(REFERENCE, cache, hub.url)
    assert result.returncode != 0 and "error=digest_mismatch" in result.stderr, result.stderr
    blobs = cache / REPO_FOLDER / "blobs"
    assert not (blobs / ("0" * 64)).exists() and not (blobs / ("0" * 64 + ".incomplete")).exists()


def test_cut_connections_resume_with_range_and_the_file_verifies(local_hub, tmp_path):
    hub = local_hub()
    proxy = FaultProxy(hub.port, "/lfs/", [("cut", 20_000_000), ("cut", 30_000_000)])
    try:
        cache = tmp_path / "cache"
        result = run_pull(REFERENCE, cache, proxy.url)
        assert result.returncode == 0, result.stderr
        assert_complete_snapshot(hub, cache)
        ranges = [line for line in hub.lfs_requests()]
        assert len(ranges) == 3, ranges
        assert "range=-" in ranges[0] and "range=bytes=" in ranges[1] and "range=bytes=" in ranges[2], ranges
        assert " 206 " in ranges[1] and " 206 " in ranges[2]
        # progress stayed monotonic across the cuts
        loaded = [int(line["bytes_loaded"]) for line in progress_lines(result.stdout)]
        assert loaded == sorted(loaded)
    finally:
        proxy.close()


def test_5xx_and_a_stalled_hub_are_retried(local_hub, tmp_path):
    hub = local_hub()
    proxy = FaultProxy(hub.port, "/lfs/", [("status", 503), ("stall", 8), ("status", 502)])
    try:
        cache = tmp_path / "cache"
        result = run_pull(REFERENCE, cache, proxy.url, "--stall-timeout", "2")
        assert result.returncode == 0, result.stderr
        assert_complete_snapshot(hub, cache)
        assert len(proxy.seen) == 4, proxy.seen
    finally:
        proxy.close()


def test_interrupted_pull_keeps_the_partial_blob_and_the_rerun_resumes(local_hub, tmp_path):
    hub = local_hub(lfs_rate="10m")
    cache = tmp_path / "cache"
    blobs = cache / REPO_FOLDER / "blobs"
    lfs = next(f for f in hub.files if f.sha256)
    partial = blobs / f"{lfs.sha256}.incomplete"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELD_", "HF_"))}
    proc = subprocess.Popen([modeld_binary(), "pull", REFERENCE, "--hub-endpoint", hub.url,
                             "--hub-cache-dir", str(cache)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < 15_000_000):
            time.sleep(0.05)
        assert partial.exists() and partial.stat().st_size >= 15_000_000
    finally:
        # SIGTERM, not SIGINT: a test run started as a background job of a non-interactive
        # shell inherits SIGINT ignored (POSIX), so the pull would go on to the end (seen once:
        # the blob was complete and renamed before the check below).
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == -signal.SIGTERM, "the pull ended before the signal"
    kept = partial.stat().st_size
    assert 0 < kept < lfs.size
    result = run_pull(REFERENCE, cache, hub.url)
    assert result.returncode == 0, result.stderr
    assert_complete_snapshot(hub, cache)
    last = hub.lfs_requests()[-1]
    assert " 206 " in last, last
    start = int(last.split("range=bytes=")[1].split("-")[0])
    assert start >= kept  # the rerun asked only for what was missing
    downloaded = int(result.stdout.split("bytes_downloaded=")[1].split()[0])
    total = sum(f.size for f in hub.files if modeld_needed(f.path))
    assert lfs.size - kept <= downloaded <= total - kept


def test_two_pulls_at_once_download_each_blob_once(local_hub, tmp_path):
    hub = local_hub(lfs_rate="30m")
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELD_", "HF_"))}
    argv = [modeld_binary(), "pull", REFERENCE, "--hub-endpoint", hub.url, "--hub-cache-dir", str(cache)]
    procs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outputs = [proc.communicate(timeout=300) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    assert_complete_snapshot(hub, cache)
    assert len(hub.lfs_requests()) == 1, hub.lfs_requests()


@pytest.fixture
def small_filesystem(tmp_path):
    """An 8 MiB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_cache_without_room_fails_with_insufficient_disk_before_downloading(local_hub, small_filesystem):
    hub = local_hub()
    result = run_pull(REFERENCE, small_filesystem / "cache", hub.url)
    assert result.returncode != 0 and "error=insufficient_disk" in result.stderr, result.stderr
    assert hub.lfs_requests() == []
    assert not [line for line in hub.access_log() if "/resolve/" in line]


def test_an_unreachable_hub_falls_back_to_the_cached_snapshot(local_hub, tmp_path):
    hub = local_hub()
    cache = tmp_path / "cache"
    assert run_pull(REFERENCE, cache, hub.url).returncode == 0
    result = run_pull(REFERENCE, cache, "http://127.0.0.1:9")
    assert result.returncode == 0, result.stderr
    assert f"commit={COMMIT}" in result.stdout and "bytes_downloaded=0" in result.stdout


def test_the_proxy_environment_is_honoured(local_hub, tmp_path):
    hub = local_hub()
    # nginx accepts absolute-form request targets, so the byte-forwarding proxy works as an
    # HTTP proxy; it records every request head it sees ("http" matches them all).
    proxy = FaultProxy(hub.port, "http", [])
    try:
        via = run_pull(REFERENCE, tmp_path / "via-proxy", hub.url, env={"http_proxy": proxy.url})
        assert via.returncode == 0, via.stderr
        assert proxy.seen and all(head.split()[1].startswith(hub.url + "/") for head in proxy.seen), proxy.seen[:3]
        seen = len(proxy.seen)
        bypass = run_pull(REFERENCE, tmp_path / "bypass", hub.url,
                          env={"http_proxy": proxy.url, "NO_PROXY": "127.0.0.1"})
        assert bypass.returncode == 0, bypass.stderr
        assert len(proxy.seen) == seen
    finally:
        proxy.close()


def test_on_a_terminal_pull_draws_a_bar_in_place(local_hub, tmp_path):
    import pty
    hub = local_hub(lfs_rate="30m")
    primary, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MODELD_", "HF_"))}
    proc = subprocess.Popen([modeld_binary(), "pull", REFERENCE, "--hub-endpoint", hub.url,
                             "--hub-cache-dir", str(tmp_path / "cache")], env=env,
                            stdout=secondary, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(secondary)
    output = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the terminal's other side closed
            break
        if not chunk:
            break
        output += chunk
    os.close(primary)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    text = output.decode()
    bars = [part for part in text.split("\r") if part.startswith("[")]
    assert len(bars) >= 3, text[:500]
    assert any("MB/s" in bar and "s left" in bar and "model.safetensors" in bar for bar in bars), bars[:5]
    assert "progress file=" not in text  # the key=value lines are for pipes only
    assert "pulled reference=" in text
