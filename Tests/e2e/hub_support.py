"""A local model hub for the pull tests: the real MiniLM laid out as a Hugging Face hub
serves it, behind a real HTTP server (nginx from Debian), plus a small fault proxy.

`LocalHub` writes the hub's answers as static files and an nginx configuration:
- `GET /api/models/ORG/NAME/revision/{main,COMMIT}`: `{"id", "sha", "siblings"}`;
- `GET /api/models/ORG/NAME/tree/COMMIT` (`?recursive=true` ignored): entries with `path`,
  `size`, `oid` (git blob SHA-1) and, for large files, `lfs.oid` (SHA-256);
- `GET|HEAD /ORG/NAME/resolve/{main,COMMIT}/FILE`: small files with `X-Repo-Commit` and
  `ETag: "<git sha1>"`; large files answer `302` to `/lfs/<sha256>` (on the host the client
  asked, so through the fault proxy too) with `X-Repo-Commit`, `X-Linked-Etag: "<sha256>"`,
  `X-Linked-Size`, as the real hub redirects to its CDN;
- `/lfs/<sha256>`: the large file, with `Range` support and an optional `limit_rate`.
Unknown repositories get 404; the repository `private/model` gets 401. nginx's access log
(one line per request: method, path, status, Range) tells what each client asked for.
With `tls=True` it speaks HTTPS with a certificate for 127.0.0.1 and localhost signed by a
CA made for the test (`make_test_ca`, openssl CLI); `hub.ca_file` is that CA's PEM.

`FaultProxy` sits in front of it: each new connection whose request head contains a given
text takes the next planned fault: cut after N response bytes, stall, or answer a status.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import threading
import time

try:  # the fixture is for the tests; scripts/bench load imports LocalHub without pytest
    import pytest
except ImportError:  # pragma: no cover
    pytest = None

ORG, NAME = "sentence-transformers", "all-MiniLM-L6-v2"
REPO_ID = f"{ORG}/{NAME}"
COMMIT = "c9745ed1d9f207416be6d2e6f8de32d1f16199bf"
LFS_THRESHOLD = 10 * 1024 * 1024
# Files of the model folder that are modeld's own, not the publisher's.
NOT_ON_HUB = {"model.yaml"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git_blob_sha1(path: pathlib.Path) -> str:
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def sha256_file(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class HubFile:
    def __init__(self, rel: str, source: pathlib.Path):
        self.path = rel
        self.source = source
        self.size = source.stat().st_size
        self.oid = git_blob_sha1(source) if self.size < LFS_THRESHOLD else hashlib.sha1(rel.encode()).hexdigest()
        self.sha256 = sha256_file(source) if self.size >= LFS_THRESHOLD else None

    @property
    def etag(self) -> str:
        return self.sha256 or self.oid


class LocalHub:
    """nginx serving `model_dir` as the hub repository REPO_ID at COMMIT (see module doc)."""

    def __init__(self, model_dir: pathlib.Path, workdir: pathlib.Path, *, lfs_rate: str | None = None,
                 corrupt_lfs_oid: bool = False, tls: bool = False):
        self.workdir = workdir
        self.tls = tls
        self.ca_file: pathlib.Path | None = None
        if tls:
            self.ca_file, self.cert_file, self.key_file = make_test_ca(workdir / "tls")
        self.root = workdir / "root"
        self.port = free_port()
        self.files = [HubFile(str(p.relative_to(model_dir)), p) for p in sorted(model_dir.rglob("*"))
                      if p.is_file() and str(p.relative_to(model_dir)) not in NOT_ON_HUB]
        self.by_path = {f.path: f for f in self.files}
        self.lfs_rate = lfs_rate
        self.corrupt_lfs_oid = corrupt_lfs_oid
        self._write_tree()
        self._write_config()
        self.proc = subprocess.Popen(["nginx", "-c", str(self.workdir / "nginx.conf"), "-p", str(self.workdir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise AssertionError(f"nginx exited: {self.proc.stderr.read().decode()}")
                time.sleep(0.05)
        raise AssertionError("nginx did not start listening")

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def _write_tree(self) -> None:
        api = self.root / "api" / "models" / ORG / NAME
        siblings = [{"rfilename": f.path} for f in self.files]
        for rev in ("main", COMMIT):
            (api / "revision").mkdir(parents=True, exist_ok=True)
            (api / "revision" / rev).write_text(json.dumps({"id": REPO_ID, "modelId": REPO_ID, "sha": COMMIT,
                                                            "private": False, "siblings": siblings}))
        tree = []
        for f in self.files:
            entry = {"type": "file", "oid": f.oid, "size": f.size, "path": f.path}
            if f.sha256:
                oid = ("0" * 64) if self.corrupt_lfs_oid else f.sha256
                entry["lfs"] = {"oid": oid, "size": f.size, "pointerSize": 134}
            tree.append(entry)
        dirs = sorted({str(pathlib.PurePosixPath(f.path).parent) for f in self.files} - {"."})
        tree = [{"type": "directory", "oid": "0" * 40, "size": 0, "path": d} for d in dirs] + tree
        (api / "tree").mkdir(parents=True, exist_ok=True)
        (api / "tree" / COMMIT).write_text(json.dumps(tree))
        for f in self.files:
            target = self.root / "files" / f.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(f.source)
            if f.sha256:
                lfs = self.root / "lfs" / self.lfs_etag(f)
                lfs.parent.mkdir(parents=True, exist_ok=True)
                lfs.symlink_to(f.source)

    def lfs_etag(self, f: HubFile) -> str:
        return ("0" * 64) if self.corrupt_lfs_oid else f.sha256

    def _write_config(self) -> None:
        locations = []
        for f in self.files:
            for rev in ("main", COMMIT):
                loc = f"/{REPO_ID}/resolve/{rev}/{f.path}"
                if f.sha256:
                    etag = self.lfs_etag(f)
                    locations.append(f"""
        location = {loc} {{
            add_header X-Repo-Commit {COMMIT};
            add_header X-Linked-Etag '"{etag}"';
            add_header X-Linked-Size {f.size};
            return 302 $scheme://$http_host/lfs/{etag};
        }}""")
                else:
                    locations.append(f"""
        location = {loc} {{
            etag off;
            add_header X-Repo-Commit {COMMIT};
            add_header ETag '"{f.oid}"';
            alias {self.root}/files/{f.path};
        }}""")
        rate = f"limit_rate {self.lfs_rate};" if self.lfs_rate else ""
        # As root, nginx's workers would run as nobody and could not read pytest's 0700 folders.
        user = "user root;" if os.geteuid() == 0 else ""
        conf = f"""
{user}
daemon off;
worker_processes 1;
pid {self.workdir}/nginx.pid;
error_log {self.workdir}/error.log;
events {{ worker_connections 256; }}
http {{
    log_format hub '$request_method $uri $status range=$http_range bytes=$body_bytes_sent';
    access_log {self.workdir}/access.log hub;
    client_body_temp_path {self.workdir}/tmp;
    proxy_temp_path {self.workdir}/tmp;
    fastcgi_temp_path {self.workdir}/tmp;
    uwsgi_temp_path {self.workdir}/tmp;
    scgi_temp_path {self.workdir}/tmp;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{self.port}{" ssl" if self.tls else ""};
        {f"ssl_certificate {self.cert_file}; ssl_certificate_key {self.key_file};" if self.tls else ""}
        location /api/models/{REPO_ID}/ {{
            default_type application/json;
            root {self.root};
        }}
        location /api/models/private/ {{ return 401; }}
        location /private/ {{ return 401; }}
        location /lfs/ {{
            root {self.root};
            {rate}
        }}
        {"".join(locations)}
        location / {{ return 404; }}
    }}
}}
"""
        (self.workdir / "tmp").mkdir(parents=True, exist_ok=True)
        (self.workdir / "nginx.conf").write_text(conf)

    def access_log(self) -> list[str]:
        path = self.workdir / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    def lfs_requests(self) -> list[str]:
        return [line for line in self.access_log() if " /lfs/" in line and line.startswith("GET ")]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def make_test_ca(folder: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path, pathlib.Path]:
    """A CA and a server certificate it signs for 127.0.0.1 and localhost (P-256 keys, two
    days), made with the openssl CLI; returns (CA PEM, certificate PEM, key PEM)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_pem = folder / "ca.key", folder / "ca.pem"
    key, csr, pem, ext = folder / "hub.key", folder / "hub.csr", folder / "hub.pem", folder / "hub.ext"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run("req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca_pem), "-days", "2",
        "-subj", "/CN=modeld test hub CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", str(key), "-out", str(csr), "-subj", "/CN=localhost")
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                   "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_pem), "-CAkey", str(ca_key), "-CAcreateserial",
        "-out", str(pem), "-days", "2", "-extfile", str(ext))
    return ca_pem, pem, key


class FaultProxy:
    """A TCP proxy to `upstream_port`, one request per connection. A connection whose request head contains `match`
    takes the next entry of `plan` (then passes through): ("cut", N) closes after N response
    bytes, ("stall", seconds) forwards nothing after the response head for that long, then
    closes, ("status", code) answers that status itself. `seen` records each matching head."""

    def __init__(self, upstream_port: int, match: str, plan: list[tuple[str, int]]):
        self.upstream_port = upstream_port
        self.match = match.encode()
        self.plan = list(plan)
        self.seen: list[str] = []
        self._lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(65536)
                if not chunk:
                    return
                head += chunk
            action = None
            if self.match in head:
                with self._lock:
                    self.seen.append(head.split(b"\r\n\r\n")[0].decode(errors="replace"))
                    action = self.plan.pop(0) if self.plan else None
            if action and action[0] == "status":
                client.sendall(b"HTTP/1.1 %d Fault\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" % action[1])
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            # One request per connection, so a redirect to /lfs/ comes on a new connection
            # and meets the plan (clients reuse a kept-alive connection for same-host redirects).
            line_end = head.index(b"\r\n") + 2
            upstream.sendall(head[:line_end] + b"Connection: close\r\n" + head[line_end:])
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            sent = 0
            while True:
                data = upstream.recv(65536)
                if not data:
                    return
                if action and action[0] == "cut" and sent + len(data) >= action[1]:
                    client.sendall(data[: action[1] - sent])
                    return
                if action and action[0] == "stall" and b"\r\n\r\n" in data:
                    client.sendall(data[: data.index(b"\r\n\r\n") + 4])
                    time.sleep(action[1])
                    return
                client.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            client.close()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            try:
                sink.close()
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        self.listener.close()


def run_pull(reference: str, cache: pathlib.Path, endpoint: str, *extra: str, env: dict | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess:
    """`modeld pull` with a clean environment (no HF_* leaking in), output captured."""
    from conftest import modeld_binary
    merged = {k: v for k, v in os.environ.items() if not k.startswith(("MODELD_", "HF_"))}
    merged.update(env or {})
    return subprocess.run([modeld_binary(), "pull", reference, "--hub-endpoint", endpoint,
                           "--hub-cache-dir", str(cache), *extra],
                          env=merged, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def progress_lines(stdout: str) -> list[dict[str, str]]:
    """The `progress key=value ...` lines of a non-TTY pull, as dictionaries."""
    lines = []
    for line in stdout.splitlines():
        if line.startswith("progress "):
            lines.append(dict(part.split("=", 1) for part in line.split()[1:]))
    return lines


def modeld_needed(path: str) -> bool:
    """Mirror of HubFile.isNeeded: what modeld fetches of a repository."""
    name = path.rsplit("/", 1)[-1]
    return "." in name and name.rsplit(".", 1)[1].lower() in {"json", "txt", "safetensors", "model", "yaml"}


def _local_hub(tmp_path):
    from conftest import MODEL_DIR
    hubs = []

    def start(**kwargs) -> LocalHub:
        hub = LocalHub(MODEL_DIR, tmp_path / f"hub{len(hubs)}", **kwargs)
        hubs.append(hub)
        return hub

    yield start
    for hub in hubs:
        hub.stop()


if pytest is not None:
    local_hub = pytest.fixture(_local_hub, name="local_hub")
