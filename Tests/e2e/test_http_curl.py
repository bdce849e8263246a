"""modeld as curl sees it: probes, errors, keep-alive, HTTP/1.0, chunked uploads, Expect."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass

import pytest

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


@dataclass
class CurlResult:
    status: int
    headers: dict[str, str]
    body: bytes
    verbose: str

    def json(self) -> object:
        return json.loads(self.body)


def curl(*args: str, stdin: bytes | None = None) -> CurlResult:
    """Runs `curl -s -i -v ARGS` and parses the last response head and the body."""
    proc = subprocess.run(
        ["curl", "-s", "-S", "-i", "-v", "--max-time", "20", *args],
        input=stdin, capture_output=True, timeout=30,
    )
    verbose = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, f"curl exited {proc.returncode}: {verbose}"
    out = proc.stdout
    # With several URLs or a 100 Continue, -i prints several heads; the last one is ours.
    head, body = b"", out
    while body.startswith(b"HTTP/"):
        head, _, body = body.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return CurlResult(status=int(lines[0].split()[1]), headers=headers, body=body, verbose=verbose)


def assert_json_error(result: CurlResult, status: int, code: str | None = None) -> None:
    assert result.status == status, result
    assert result.headers.get("content-type", "").startswith("application/json")
    error = result.json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code


@pytest.mark.parametrize("path", ["/livez", "/healthz"])
def test_liveness_probe_answers_ok(modeld, path):
    result = curl(modeld.url(path))
    assert result.status == 200
    assert result.headers["content-type"].startswith("application/json")
    assert result.json() == {"status": "ok"}


def test_readiness_without_models_is_ready(modeld):
    result = curl(modeld.url("/readyz"))
    assert result.status == 200
    body = result.json()
    assert body["status"] == "ready" and body["ready"] is True
    assert body["models"] == []


@pytest.mark.parametrize("path", ["/livez", "/healthz", "/readyz"])
def test_head_answers_like_get_without_body(modeld, path):
    result = curl("-I", modeld.url(path))
    assert result.status == 200
    assert result.headers["content-type"].startswith("application/json")
    assert result.body == b""


def test_unknown_path_is_json_404(modeld):
    assert_json_error(curl(modeld.url("/v1/does-not-exist")), 404, "not_found")


def test_wrong_method_is_json_405_with_allow(modeld):
    result = curl("-X", "POST", modeld.url("/livez"))
    assert_json_error(result, 405)
    assert "GET" in result.headers.get("allow", "")


def test_keep_alive_reuses_the_connection(modeld):
    result = curl(modeld.url("/livez"), modeld.url("/readyz"))
    assert "Re-using existing connection" in result.verbose, result.verbose
    assert result.verbose.count("Connected to") == 1


def test_connection_close_is_echoed_and_honoured(modeld):
    result = curl("-H", "Connection: close", modeld.url("/livez"))
    assert result.status == 200
    assert result.headers.get("connection", "").lower() == "close"
    assert "Re-using" not in curl("-H", "Connection: close", modeld.url("/livez"), modeld.url("/livez")).verbose


def test_http10_request_is_answered(modeld):
    result = curl("-0", modeld.url("/livez"))
    assert result.status == 200
    assert result.json() == {"status": "ok"}


def test_chunked_upload_to_unknown_route_is_json_404(modeld):
    body = b'{"input":"' + b"y" * 5000 + b'"}'
    result = curl("-X", "POST", "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/json",
                  "--data-binary", "@-", modeld.url("/v1/nowhere"), stdin=body)
    assert "Transfer-Encoding: chunked" in result.verbose
    assert_json_error(result, 404, "not_found")


def test_expect_100_continue_is_answered_without_waiting(modeld):
    # RFC 9110 §10.1.1: the server either sends 100 Continue or a final status; either way curl
    # must not have to give up waiting (it logs "Done waiting for 100-continue" when it does).
    body = b"z" * (64 * 1024)
    result = curl("-X", "POST", "-H", "Expect: 100-continue", "--expect100-timeout", "8",
                  "--data-binary", "@-", modeld.url("/v1/nowhere"), stdin=body)
    assert "Expect: 100-continue" in result.verbose
    assert "Done waiting for 100-continue" not in result.verbose
    assert_json_error(result, 404, "not_found")
