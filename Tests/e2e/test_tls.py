"""modeld over TLS as outside clients see it: curl over HTTPS (ALPN http/1.1), Python
`websockets` over WSS, plain HTTP sent to the TLS port, TLS 1.1 refused, and start-up errors
for a key that does not match its certificate.

Every test gets its own CA and server certificate (subjectAltName IP:127.0.0.1), made with
the `openssl` command in the test's temporary directory.
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import shutil
import ssl
import subprocess
from dataclasses import dataclass

import re
import signal

import pytest
import websockets

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("curl") is None,
                                reason="openssl and curl are needed")


@dataclass
class TLSFiles:
    ca: pathlib.Path
    certificate: pathlib.Path
    key: pathlib.Path
    other_key: pathlib.Path

    def flags(self, key: pathlib.Path | None = None) -> list[str]:
        return ["--tls-certificate-file", str(self.certificate), "--tls-key-file", str(key or self.key)]


def openssl(*args: str, cwd: pathlib.Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


@pytest.fixture
def tls_files(tmp_path: pathlib.Path) -> TLSFiles:
    return make_tls_files(tmp_path / "tls")


def make_tls_files(d: pathlib.Path) -> TLSFiles:
    """A CA, a server certificate it signed for 127.0.0.1, its key, and an unrelated key."""
    d.mkdir()
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=modeld test CA", cwd=d)
    openssl("req", *ec, "-keyout", "server-key.pem", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "san.ext", cwd=d)
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", "other-key.pem", cwd=d)
    return TLSFiles(ca=d / "ca.pem", certificate=d / "server.pem", key=d / "server-key.pem",
                    other_key=d / "other-key.pem")


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["curl", "-s", "-S", "--max-time", "20", *args], capture_output=True, text=True, timeout=30)


def test_https_livez_with_curl_negotiates_http11(start_modeld, tls_files):
    server = start_modeld(*tls_files.flags(), scheme="https")
    result = curl("-v", "--cacert", str(tls_files.ca), "-w", "%{http_code}", server.url("/livez"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == '{"status":"ok"}200'
    assert "ALPN: server accepted http/1.1" in result.stderr


def test_wss_room_join_gets_snapshot(start_modeld, tls_files):
    server = start_modeld(*tls_files.flags(), scheme="https")
    context = ssl.create_default_context(cafile=str(tls_files.ca))

    async def join() -> dict:
        url = f"wss://{server.host}:{server.port}/ws?room=models"
        async with websockets.connect(url, ssl=context, open_timeout=10) as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), 10))

    message = asyncio.run(join())
    assert message["event"] == "snapshot"
    assert message["room"] == "models"


def test_plain_http_to_tls_port_gets_400_tls_required(start_modeld, tls_files):
    server = start_modeld(*tls_files.flags(), scheme="https")
    result = subprocess.run(["curl", "-s", "-S", "-i", "--max-time", "20", f"http://{server.host}:{server.port}/livez"],
                            capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in head
    assert json.loads(body) == {"error": {"code": "tls_required", "message": "This port speaks HTTPS; use https://"}}


def test_tls11_is_refused(start_modeld, tls_files):
    if "-tls1_1" not in subprocess.run(["openssl", "s_client", "-help"], capture_output=True, text=True).stderr:
        pytest.skip("this openssl cannot offer TLS 1.1")
    server = start_modeld(*tls_files.flags(), scheme="https")
    result = subprocess.run(
        ["openssl", "s_client", "-connect", f"{server.host}:{server.port}", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    output = result.stdout + result.stderr
    if "no protocols available" in output:
        pytest.skip("this openssl refuses to offer TLS 1.1")
    assert result.returncode != 0
    # The alert comes from the server: the client did offer TLS 1.1.
    assert "alert protocol version" in output, output


def test_mismatched_key_stops_startup_naming_the_file(modeld_bin, tls_files, tmp_path):
    result = subprocess.run(
        [modeld_bin, "serve", "--listen", "127.0.0.1:0", *tls_files.flags(key=tls_files.other_key)],
        cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result.stderr
    assert "does not match certificate file" in result.stderr
    assert str(tls_files.other_key) in result.stderr
    assert "listening" not in result.stderr


def test_certificate_without_key_is_a_configuration_error(modeld_bin, tls_files, tmp_path):
    result = subprocess.run(
        [modeld_bin, "serve", "--listen", "127.0.0.1:0", "--tls-certificate-file", str(tls_files.certificate)],
        cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    assert result.returncode == 78, result.stderr
    assert "tls.key-file" in result.stderr


def test_sighup_rereads_the_certificate_and_rejects_a_mismatched_key(start_modeld, tmp_path):
    first, second = make_tls_files(tmp_path / "first"), make_tls_files(tmp_path / "second")
    live = tmp_path / "live"
    live.mkdir()
    certificate, key = live / "server.pem", live / "server-key.pem"
    shutil.copy(first.certificate, certificate)
    shutil.copy(first.key, key)
    server = start_modeld("--tls-certificate-file", str(certificate), "--tls-key-file", str(key), scheme="https")
    assert curl("--cacert", str(first.ca), server.url("/livez")).returncode == 0

    shutil.copy(second.certificate, certificate)
    shutil.copy(second.key, key)
    server.proc.send_signal(signal.SIGHUP)
    assert server.wait_for_line(re.compile(r"\breloaded\b"), 20), server.output()
    assert curl("--cacert", str(second.ca), server.url("/livez")).returncode == 0, server.output()
    assert curl("--cacert", str(first.ca), server.url("/livez")).returncode != 0

    shutil.copy(first.other_key, key)  # no longer matches the certificate
    server.proc.send_signal(signal.SIGHUP)
    assert server.wait_for_line(re.compile(r"reload rejected.*tls"), 20), server.output()
    assert curl("--cacert", str(second.ca), server.url("/livez")).returncode == 0, server.output()
