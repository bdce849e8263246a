"""A hub over HTTPS (nginx with a certificate signed by a CA the test makes, hub_support.py):
with `hub.ca-file` (or `--hub-ca-file`, or CURL_CA_BUNDLE) the pull and a daemon load
verify it and succeed; without it they fail with `download_failed` naming the verification
error, and no request reaches the hub (no unverified fallback)."""

from __future__ import annotations

import pathlib

from hub_support import REPO_ID, local_hub, make_test_ca, run_pull  # noqa: F401
from test_hub_load import CHECK_CACHE_STEP, serve  # noqa: F401
from test_hub_pull import assert_complete_snapshot
from test_loading import poll

REFERENCE = f"hf://{REPO_ID}"
# The environment variables that would otherwise name a CA bundle (empty means unset).
NO_BUNDLE_ENV = {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": "", "SSL_CERT_FILE": ""}


def test_pull_over_https_verifies_with_the_ca_file_and_refuses_without_it(local_hub, tmp_path):
    hub = local_hub(tls=True)
    assert hub.url.startswith("https://") and hub.files
    refused = run_pull(REFERENCE, tmp_path / "refused", hub.url, env=NO_BUNDLE_ENV)
    assert refused.returncode == 1
    assert "error=download_failed" in refused.stderr, refused.stderr
    assert "curl error 60" in refused.stderr and "certificate" in refused.stderr, refused.stderr
    assert "hub.ca-file" in refused.stderr, refused.stderr
    assert hub.access_log() == [], "a request went through an unverified connection"
    assert not (tmp_path / "refused" / f"models--{REPO_ID.replace('/', '--')}" / "snapshots").exists()

    cache = tmp_path / "cache"
    pulled = run_pull(REFERENCE, cache, hub.url, "--hub-ca-file", str(hub.ca_file), env=NO_BUNDLE_ENV)
    assert pulled.returncode == 0, pulled.stderr
    assert_complete_snapshot(hub, cache)
    # the large file's redirect to /lfs/ stayed on HTTPS and was verified too
    assert len(hub.lfs_requests()) == 1 and " 200 " in hub.lfs_requests()[0]


def test_pull_takes_the_bundle_from_curl_ca_bundle_and_the_option_wins_over_it(local_hub, tmp_path):
    hub = local_hub(tls=True)
    from_env = run_pull(REFERENCE, tmp_path / "env", hub.url, env={**NO_BUNDLE_ENV, "CURL_CA_BUNDLE": str(hub.ca_file)})
    assert from_env.returncode == 0, from_env.stderr
    # The option names the bundle used alone: another CA's, so the pull is refused even
    # though the hub's CA is in CURL_CA_BUNDLE.
    other, _cert, _key = make_test_ca(tmp_path / "other-ca")
    replaced = run_pull(REFERENCE, tmp_path / "replaced", hub.url, "--hub-ca-file", str(other),
                        env={**NO_BUNDLE_ENV, "CURL_CA_BUNDLE": str(hub.ca_file)})
    assert replaced.returncode == 1 and "error=download_failed" in replaced.stderr, replaced.stderr
    missing = run_pull(REFERENCE, tmp_path / "missing", hub.url, "--hub-ca-file", str(tmp_path / "nope.pem"),
                       env=NO_BUNDLE_ENV)
    assert missing.returncode == 1 and "error=download_failed" in missing.stderr, missing.stderr
    assert "curl error 77" in missing.stderr and "nope.pem" in missing.stderr, missing.stderr


def test_daemon_loads_from_an_https_hub_with_hub_ca_file_and_fails_without(start_modeld, local_hub, tmp_path):
    hub = local_hub(tls=True)
    env = {**NO_BUNDLE_ENV, "HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(tmp_path / "cache")}
    server = serve(start_modeld, tmp_path, env, "--hub-ca-file", str(hub.ca_file))
    seen = poll(server, "/v1/models/hubbed", lambda _s, _h, body: body.get("state") in ("ready", "failed"),
                timeout_s=180, interval_s=0.2)
    assert seen[-1][2]["state"] == "ready", seen[-1][2]
    assert len(hub.lfs_requests()) == 1
    server.stop()

    before = len(hub.access_log())
    untrusting = start_modeld("--model-repository", str(tmp_path / "repo"), "--state-dir", str(tmp_path / "state2"),
                              env={**env, "HF_HUB_CACHE": str(tmp_path / "cache2")})
    seen = poll(untrusting, "/v1/models/hubbed", lambda _s, _h, body: body.get("state") in ("ready", "failed"),
                timeout_s=120, interval_s=0.2)
    failure = seen[-1][2]
    assert failure["state"] == "failed", failure
    assert failure["error"]["code"] == "download_failed", failure
    assert "curl error 60" in failure["error"]["message"] and "certificate" in failure["error"]["message"], failure
    assert hub.access_log()[before:] == []
    assert not pathlib.Path(tmp_path / "cache2").joinpath(f"models--{REPO_ID.replace('/', '--')}", "snapshots").exists()
