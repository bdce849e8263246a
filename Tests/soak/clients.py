"""The soak's clients: probes, embeddings, admin load/cancel/unload cycles, SIGHUP, and event
subscribers (events.py). Each runs in its own thread until `stop` is set and records what it
saw in a shared `Stats`; anything the daemon must never do is a failure."""

from __future__ import annotations

import collections
import contextlib
import json
import random
import socket
import threading
import time

import requests

from daemon import CYCLED, STABLE, Daemon

# Generous for a debug build on a busy 2-core machine: time for one load of MiniLM.
LOAD_TIMEOUT_S = 180.0
WORDS = ("model server soak test embeddings tokens alpha beta gamma delta load cancel "
         "unload ready progress event room socket stream probe").split()


class Stats:
    """Counters and failures, shared by every client thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: collections.Counter[str] = collections.Counter()
        self.statuses: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        self.events: collections.Counter[str] = collections.Counter()
        self.allowed_503 = 0
        self.failures: list[str] = []

    def count(self, kind: str, status: int | str) -> None:
        with self.lock:
            self.requests[kind] += 1
            self.statuses[kind][str(status)] += 1

    def event(self, name: str) -> None:
        with self.lock:
            self.events[name] += 1

    def fail(self, why: str) -> None:
        with self.lock:
            if len(self.failures) < 200:
                self.failures.append(f"{time.strftime('%H:%M:%S')} {why}")


class Quiet:
    """Lets the sampler measure a quiet daemon: embedding requests and admin cycles run
    under `shared()`; `exclusive()` waits for those in flight and holds new ones back."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.active = 0
        self.held = False
        self.waiting = False

    @contextlib.contextmanager
    def shared(self):
        with self.cond:
            while self.held or self.waiting:
                self.cond.wait()
            self.active += 1
        try:
            yield
        finally:
            with self.cond:
                self.active -= 1
                self.cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self):
        with self.cond:
            self.waiting = True
            while self.active or self.held:
                self.cond.wait()
            self.held, self.waiting = True, False
        try:
            yield
        finally:
            with self.cond:
                self.held = False
                self.cond.notify_all()


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def error_code(response: requests.Response) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def probe_worker(daemon: Daemon, stats: Stats, stop: threading.Event) -> None:
    """Probes and status reads; each answer must be 200 (the stable model is ready and the
    cycled one is not required)."""
    paths = ["/livez", "/healthz", "/readyz", "/v1/models", f"/v1/models/{CYCLED}",
             f"/v1/models/{STABLE}/ready", "/v2/health/ready", "/metrics"]
    session = requests.Session()
    n = 0
    while not stop.is_set():
        path = paths[n % len(paths)]
        response = session.get(daemon.url(path), timeout=30)
        stats.count("probe " + path.split("/")[1] if path.startswith("/v") else "probe " + path, response.status_code)
        if response.status_code != 200:
            stats.fail(f"GET {path}: {response.status_code} {response.text[:200]}")
        n += 1
        if n % 100 == 0:  # connection churn
            session.close()
            session = requests.Session()
        time.sleep(0.02)
    session.close()


def raw_too_large(daemon: Daemon) -> int:
    """A body over max-body-bytes announced in Content-Length: the answer's status, read
    without sending the body (the server refuses it from the header)."""
    with socket.create_connection((daemon.host, daemon.port), timeout=30) as sock:
        sock.sendall(b"POST /v1/embeddings HTTP/1.1\r\nHost: soak\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 2097152\r\n\r\n")
        head = b""
        while b"\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed before answering")
            head += chunk
    return int(head.split(b" ", 2)[1])


def embed_worker(daemon: Daemon, stats: Stats, stop: threading.Event, quiet: Quiet, seed: int) -> None:
    """Embeddings of the stable model: valid requests of several sizes (200, or 503
    overloaded with Retry-After, which DESIGN §1.8 allows for a full queue) and bad ones
    that must get their exact 4xx and code."""
    rng = random.Random(seed)
    session = requests.Session()
    url = daemon.url("/v1/embeddings")
    while not stop.is_set():
        case = rng.choices(["one", "batch", "long", "too_many_inputs", "too_many_tokens", "bad_json",
                            "no_input", "unknown_model", "too_large"], [30, 25, 8, 5, 2, 5, 5, 5, 5])[0]
        kind = "embed " + case
        if case == "too_large":
            status = raw_too_large(daemon)
            stats.count(kind, status)
            if status != 413:
                stats.fail(f"{kind}: {status}, expected 413")
            continue
        expected, code = 200, None
        if case == "one":
            body = json.dumps({"model": STABLE, "input": text(rng, rng.randint(1, 12))})
            inputs = 1
        elif case == "batch":
            inputs = rng.randint(2, 32)
            body = json.dumps({"model": STABLE, "input": [text(rng, rng.randint(3, 40)) for _ in range(inputs)]})
        elif case == "long":
            inputs = rng.randint(1, 4)
            body = json.dumps({"model": STABLE, "input": [text(rng, 300) for _ in range(inputs)]})
        elif case == "too_many_inputs":
            body, expected, code = json.dumps({"model": STABLE, "input": ["a"] * 2049}), 413, "too_many_inputs"
        elif case == "too_many_tokens":
            body = json.dumps({"model": STABLE, "input": [text(rng, 300) for _ in range(260)]})
            expected, code = 413, "too_many_tokens"
        elif case == "bad_json":
            body, expected = '{"model": "minilm", "input": ', 400
        elif case == "no_input":
            body, expected = json.dumps({"model": STABLE}), 400
        else:
            body, expected, code = json.dumps({"model": "no-such-model", "input": "x"}), 404, "model_not_found"
        with quiet.shared():
            response = session.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=120)
        status = response.status_code
        stats.count(kind, status)
        if expected == 200 and status == 503 and error_code(response) == "overloaded" \
                and response.headers.get("Retry-After", "").isdigit():
            with stats.lock:
                stats.allowed_503 += 1
        elif status != expected:
            stats.fail(f"{kind}: {status}, expected {expected}: {response.text[:200]}")
        elif code is not None and error_code(response) != code:
            stats.fail(f"{kind}: code {error_code(response)}, expected {code}")
        elif status == 200:
            vectors = response.json()["data"]
            if len(vectors) != inputs or any(len(v["embedding"]) != 384 for v in vectors):
                stats.fail(f"{kind}: {len(vectors)} vectors for {inputs} inputs")
    session.close()


def admin_worker(daemon: Daemon, stats: Stats, stop: threading.Event, quiet: Quiet, seed: int) -> None:
    """Cycles of the second model: load, then cancel it mid-load, unload it mid-load, or let
    it become ready, embed with it and unload it; each cycle ends with it not resident.
    The whole cycle runs under `quiet`, so the sampler measures between cycles."""
    rng = random.Random(seed)
    session = requests.Session()

    def post(action: str, allowed: set[int]) -> requests.Response:
        response = session.post(daemon.url(f"/v1/models/{CYCLED}/{action}"), headers=daemon.headers, timeout=60)
        stats.count("admin " + action, response.status_code)
        if response.status_code not in allowed:
            stats.fail(f"POST {action} {CYCLED}: {response.status_code} (allowed {sorted(allowed)}): "
                       f"{response.text[:200]}")
        return response

    while not stop.is_set():
        with quiet.shared():
            post("load", {202})
            if rng.random() < 0.3:
                post("load", {200, 202})  # joins the running load (or it already finished)
            plan = rng.choice(["cancel", "unload_loading", "ready"])
            if plan == "cancel":
                time.sleep(rng.uniform(0, 3))
                post("cancel", {202, 409})  # 409 nothing_to_cancel: the load finished first
            elif plan == "unload_loading":
                time.sleep(rng.uniform(0, 3))
                post("unload", {200})  # cancels a running load, unloads a ready model
            state = daemon.wait_state(CYCLED, {"ready", "cancelled", "unloaded", "failed"}, LOAD_TIMEOUT_S)
            if state == "failed":
                stats.fail(f"{CYCLED} load failed: {requests.get(daemon.url(f'/v1/models/{CYCLED}'), timeout=30).text[:300]}")
            elif state == "ready":
                response = session.post(daemon.url("/v1/embeddings"), json={"model": CYCLED, "input": ["cycled"]}, timeout=120)
                stats.count("embed cycled", response.status_code)
                if response.status_code != 200:
                    stats.fail(f"embeddings of ready {CYCLED}: {response.status_code} {response.text[:200]}")
                post("unload", {200})
            elif state not in {"cancelled", "unloaded"}:
                stats.fail(f"{CYCLED} still {state} after {LOAD_TIMEOUT_S:.0f} s")
            final = daemon.wait_state(CYCLED, {"cancelled", "unloaded", "failed"}, 60)
            if final not in {"cancelled", "unloaded", "failed"}:
                stats.fail(f"{CYCLED} still {final} 60 s after its unload or cancel")
        stop.wait(rng.uniform(1, 3))
    session.close()


def hup_worker(daemon: Daemon, stats: Stats, stop: threading.Event, every_s: float) -> None:
    """A SIGHUP every `every_s` after flipping a live setting; each must log `reloaded`."""
    while not stop.wait(every_s):
        ok = daemon.reload(60)
        stats.count("sighup", "reloaded" if ok else "no reload line")
        if not ok:
            stats.fail("SIGHUP: no 'reloaded' log line within 60 s")
