"""Socket.IO compatibility (issue 13, DESIGN §1.10) with python-socketio's AsyncClient, a
client nobody here wrote: polling only, websocket only and with the upgrade; a full load of
the real MiniLM watched from a client; a late join acked with the snapshot; reconnection
after a daemon restart; bad input answered with a clear error while other sessions go on.

A read-rate cap (`--max-read-bytes-per-second`) stretches step 5 so a load can be watched.
Waits are bounded by generous deadlines; outcomes are checked strictly.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import time

import pytest
import requests
import socketio
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from conftest import ADMIN_TOKEN

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))

pytestmark = pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                                reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)")

LOAD_EVENTS = ["model_load_started", "model_load_progress", "model_load_completed", "model_load_failed",
               "model_load_cancelled", "model_unloaded"]
TRANSPORTS = {"polling": ["polling"], "websocket": ["websocket"], "upgrade": ["polling", "websocket"]}
DEADLINE_S = 120.0


def serve(start_modeld, repository, tmp_path, *extra, **options):
    return start_modeld("--model-repository", str(repository), "--state-dir", str(tmp_path / "state"), *extra, **options)


class Watcher:
    """An AsyncClient recording every event it receives, in order."""

    def __init__(self, **options):
        self.client = socketio.AsyncClient(**options)
        self.events: list[tuple[str, tuple]] = []
        self.changed = asyncio.Event()

        @self.client.on("*")
        async def record(event, *args):
            self.events.append((event, args))
            self.changed.set()

    async def connect(self, server, transports, **options):
        await self.client.connect(f"http://{server.host}:{server.port}", transports=transports, wait_timeout=30,
                                  **options)

    async def wait_for(self, predicate, what: str, timeout_s: float = DEADLINE_S):
        deadline = time.monotonic() + timeout_s
        while not predicate(self.events):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"never saw {what}; got {[e for e, _ in self.events]}"
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), min(remaining, 1.0))
            except asyncio.TimeoutError:
                pass

    def named(self, *names):
        return [args[0] for event, args in self.events if event in names]


async def wait_until(condition, what: str, timeout_s: float = DEADLINE_S):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def load(server):
    response = requests.post(server.url("/v1/models/minilm/load"), headers=server.admin_headers, timeout=30)
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("mode", ["polling", "websocket", "upgrade"])
def test_transports_connect_join_and_leave(start_modeld, repository, tmp_path, mode):
    server = serve(start_modeld, repository, tmp_path)

    async def run():
        watcher = Watcher(reconnection=False)
        await watcher.connect(server, TRANSPORTS[mode])
        expected = "polling" if mode == "polling" else "websocket"
        await wait_until(lambda: watcher.client.transport() == expected, f"transport {expected}", 30)
        snapshot = await watcher.client.call("join", "model:minilm", timeout=30)
        assert snapshot["id"] == "minilm" and snapshot["total"] == 9
        assert await watcher.client.call("leave", "model:minilm", timeout=30) is True
        refused = await watcher.client.call("join", "model:nope", timeout=30)
        assert refused == {"error": {"code": "unknown_room", "message": "There is no room named 'model:nope'."}}
        refused = await watcher.client.call("dance", timeout=30)
        assert refused["error"]["code"] == "unknown_event"
        assert watcher.client.transport() == expected
        await watcher.client.disconnect()

    asyncio.run(run())


@pytest.mark.parametrize("mode", ["polling", "websocket", "upgrade"])
def test_full_load_observed_from_a_client(start_modeld, repository, tmp_path, mode):
    server = serve(start_modeld, repository, tmp_path, "--load-at-startup", "none",
                   "--max-read-bytes-per-second", "30000000")

    async def run():
        watcher = Watcher(reconnection=False)
        await watcher.connect(server, TRANSPORTS[mode])
        load(server)
        await watcher.wait_for(lambda events: any(e == "model_load_completed" for e, _ in events), "model_load_completed")
        names = [e for e, _ in watcher.events if e in LOAD_EVENTS]
        assert names[0] == "model_load_started" and names[-1] == "model_load_completed", names
        progress = watcher.named("model_load_progress")
        assert progress, names
        for data in progress + watcher.named("model_load_started", "model_load_completed"):
            assert data["id"] == "minilm"
            assert list(data)[:6] == ["id", "step", "total", "phase", "message", "eta_seconds"], list(data)
        steps = [data["step"] for data in progress]
        assert steps == sorted(steps), f"step went backwards: {steps}"
        assert steps[-1] == 9 and 5 in steps
        await watcher.client.disconnect()

    asyncio.run(run())


@pytest.mark.parametrize("mode", ["polling", "websocket", "upgrade"])
def test_late_join_gets_the_snapshot_and_never_goes_backwards(start_modeld, repository, tmp_path, mode):
    server = serve(start_modeld, repository, tmp_path, "--load-at-startup", "none",
                   "--max-read-bytes-per-second", "20000000")

    async def run():
        load(server)
        deadline = time.monotonic() + DEADLINE_S
        while (requests.get(server.url("/v1/models/minilm"), timeout=30).json().get("step") or 0) < 5:
            assert time.monotonic() < deadline, "the load never reached step 5"
            await asyncio.sleep(0.05)
        watcher = Watcher(reconnection=False)
        await watcher.connect(server, TRANSPORTS[mode])  # with the upgrade racing the events
        snapshot = await watcher.client.call("join", "model:minilm", timeout=30)
        joined_at = len(watcher.events)
        assert snapshot["state"] == "loading" and snapshot["step"] >= 5, snapshot
        await watcher.wait_for(lambda events: any(e == "model_load_completed" for e, _ in events), "model_load_completed")
        progress = watcher.named("model_load_progress")
        # Events before the join come from the default room (all models): from the join on,
        # the model's steps continue from the snapshot's and never go backwards.
        steps = [data["step"] for data in progress]
        assert steps == sorted(steps), f"step went backwards: {steps}"
        after_join = [data["step"] for event, (data, *_) in watcher.events[joined_at:] if event == "model_load_progress"]
        assert all(step >= snapshot["step"] for step in after_join), (snapshot["step"], after_join)
        assert watcher.named("model_load_completed")[0]["step"] == 9
        await watcher.client.disconnect()

    asyncio.run(run())


@pytest.mark.parametrize("mode", ["polling", "upgrade"])
def test_reconnects_after_a_daemon_restart(start_modeld, repository, tmp_path, mode):
    # A long grace period: shutdown must not wait for it because of a held long poll.
    first = serve(start_modeld, repository, tmp_path, "--load-at-startup", "none", "--shutdown-timeout", "30")
    port = first.port

    async def run():
        watcher = Watcher(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        connects = []
        watcher.client.on("connect", lambda: connects.append(time.monotonic()))
        await watcher.connect(first, TRANSPORTS[mode])
        await wait_until(lambda: len(connects) == 1, "first connect", 30)
        # A round trip: its answer came on a long poll, and the client holds the next one.
        assert (await watcher.client.call("join", "model:minilm", timeout=30))["id"] == "minilm"
        started = time.monotonic()
        assert await asyncio.to_thread(first.stop) == 0
        assert time.monotonic() - started < 10, "shutdown waited out its grace period for a Socket.IO session"
        return watcher, connects

    async def after_restart(watcher, connects, second):
        await wait_until(lambda: len(connects) >= 2, "reconnect after the restart", 60)
        snapshot = await watcher.client.call("join", "model:minilm", timeout=30)
        assert snapshot["id"] == "minilm"
        load(second)
        await watcher.wait_for(lambda events: any(e == "model_load_completed" for e, _ in events), "model_load_completed")
        await watcher.client.disconnect()

    async def whole():
        watcher, connects = await run()
        second = await asyncio.to_thread(
            lambda: start_modeld("--listen", f"127.0.0.1:{port}", "--model-repository", str(repository),
                                 "--state-dir", str(tmp_path / "state"), "--load-at-startup", "none", listen=False))
        await after_restart(watcher, connects, second)

    asyncio.run(whole())


def test_bad_input_gets_a_clear_error_and_others_keep_working(start_modeld, repository, tmp_path):
    server = serve(start_modeld, repository, tmp_path, "--socketio-max-payload", "1000")
    base = server.url("/socket.io/")

    def handshake():
        response = requests.get(base, params={"EIO": "4", "transport": "polling"}, timeout=30)
        assert response.status_code == 200 and response.text[0] == "0", response.text
        return json.loads(response.text[1:])

    async def run():
        bystander = Watcher(reconnection=False)
        await bystander.connect(server, ["websocket"])

        bad = requests.get(base, params={"EIO": "4", "transport": "polling", "sid": "nope"}, timeout=30)
        assert bad.status_code == 400 and bad.json() == {"code": 1, "message": "Session ID unknown."}
        bad = requests.get(base, params={"EIO": "3", "transport": "polling"}, timeout=30)
        assert bad.status_code == 400 and bad.json()["code"] == 5
        bad = requests.get(base, params={"EIO": "4", "transport": "carrier-pigeon"}, timeout=30)
        assert bad.status_code == 400 and bad.json()["code"] == 0

        opened = handshake()
        assert opened["upgrades"] == ["websocket"] and opened["maxPayload"] == 1000
        assert opened["pingInterval"] == 25000 and opened["pingTimeout"] == 20000
        params = {"EIO": "4", "transport": "polling", "sid": opened["sid"]}
        big = requests.post(base, params=params, data="4" + "x" * 1000, timeout=30)
        assert big.status_code == 413 and "payload_too_large" in big.json()["message"], big.text
        gone = requests.get(base, params=params, timeout=30)
        assert gone.status_code == 400, "the session that sent too much is closed"

        opened = handshake()
        params = {"EIO": "4", "transport": "polling", "sid": opened["sid"]}
        bad = requests.post(base, params=params, data="9", timeout=30)
        assert bad.status_code == 400 and "unknown_packet_type" in bad.json()["message"], bad.text

        # Socket.IO-level mistakes keep the session: the reply says what was wrong.
        opened = handshake()
        params = {"EIO": "4", "transport": "polling", "sid": opened["sid"]}
        assert requests.post(base, params=params, data="40", timeout=30).text == "ok"
        assert requests.get(base, params=params, timeout=30).text.startswith("40{\"sid\":")
        assert requests.post(base, params=params, data="42{\"not\":\"an array\"}\x1e451-[\"x\"]", timeout=30).text == "ok"
        replies = requests.get(base, params=params, timeout=30).text.split("\x1e")
        assert [json.loads(r[2:])[1]["code"] for r in replies] == ["event_not_array", "binary_not_supported"], replies

        snapshot = await bystander.client.call("join", "model:minilm", timeout=30)
        assert snapshot["id"] == "minilm", "the other session kept working"
        await bystander.client.disconnect()

    asyncio.run(run())


def test_handshakes_past_max_sessions_get_503_and_open_sessions_go_on(start_modeld, repository, tmp_path):
    """The most numerous input: sessions. Each lasts until closed or a missed pong, so past
    `socketio.max-sessions` a handshake (polling or websocket) is refused, and a closed
    session makes room again."""
    server = serve(start_modeld, repository, tmp_path, "--socketio-max-sessions", "3")
    base = server.url("/socket.io/")

    def handshake():
        return requests.get(base, params={"EIO": "4", "transport": "polling"}, timeout=30)

    def assert_refused(response):
        assert response.status_code == 503, (response.status_code, response.text)
        assert response.headers.get("Retry-After") == "5"
        assert response.json()["code"] == 3 and response.json()["message"].startswith("too_many_sessions:")

    async def run():
        watcher = Watcher(reconnection=False)
        await watcher.connect(server, ["websocket"])
        sids = [json.loads(handshake().text[1:])["sid"] for _ in range(2)]
        assert_refused(handshake())
        with pytest.raises(Exception) as refused:
            async with connect(f"ws://{server.host}:{server.port}/socket.io/?EIO=4&transport=websocket"):
                pass
        assert "503" in str(refused.value), refused.value
        # the three open sessions go on
        snapshot = await watcher.client.call("join", "model:minilm", timeout=30)
        assert snapshot["id"] == "minilm"
        params = {"EIO": "4", "transport": "polling", "sid": sids[0]}
        assert requests.post(base, params=params, data="40", timeout=30).text == "ok"
        assert requests.get(base, params=params, timeout=30).text.startswith("40{\"sid\":")
        # a closed session makes room for a new one
        assert requests.post(base, params={**params, "sid": sids[1]}, data="1", timeout=30).text == "ok"
        await wait_until(lambda: handshake().status_code == 200, "a place after a session closed", 30)
        assert_refused(handshake())
        await watcher.client.disconnect()

    asyncio.run(run())


def test_smallest_and_largest_inputs_of_each_transport(start_modeld, repository, tmp_path):
    """An empty POST is no packet (answered ok, the session goes on); empty packets between
    separators are refused; a WebSocket message past max-payload closes that socket with 1009
    while other sessions go on."""
    server = serve(start_modeld, repository, tmp_path, "--socketio-max-payload", "1000")
    base = server.url("/socket.io/")
    opened = requests.get(base, params={"EIO": "4", "transport": "polling"}, timeout=30)
    params = {"EIO": "4", "transport": "polling", "sid": json.loads(opened.text[1:])["sid"]}
    assert requests.post(base, params=params, data=b"", timeout=30).text == "ok"
    assert requests.post(base, params=params, data="40", timeout=30).text == "ok"
    assert requests.get(base, params=params, timeout=30).text.startswith("40{\"sid\":")
    empty = requests.post(base, params=params, data=b"\x1e\x1e", timeout=30)
    assert empty.status_code == 400 and empty.json()["message"].startswith("empty_packet:"), empty.text

    async def run():
        bystander = Watcher(reconnection=False)
        await bystander.connect(server, ["websocket"])
        async with connect(f"ws://{server.host}:{server.port}/socket.io/?EIO=4&transport=websocket") as socket:
            assert (await socket.recv()).startswith("0{")
            await socket.send("4" + "x" * 999)  # 1,000 bytes: the largest message allowed
            await socket.send("4" + "x" * 1000)
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(socket.recv(), 30)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009, closed.value
        snapshot = await bystander.client.call("join", "model:minilm", timeout=30)
        assert snapshot["id"] == "minilm", "the other session kept working"
        await bystander.client.disconnect()

    asyncio.run(run())


def test_wrong_admin_token_is_refused_at_connect(start_modeld, repository, tmp_path):
    server = serve(start_modeld, repository, tmp_path)

    async def run():
        refused = Watcher(reconnection=False)
        errors = []
        refused.client.on("connect_error", lambda data: errors.append(data))
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.connect(server, ["websocket"], auth={"token": "wrong"})
        assert len(errors) == 1 and errors[0]["message"].startswith("Not authorized"), errors
        assert errors[0]["data"] == {"code": "invalid_token"}
        admin = Watcher(reconnection=False)
        await admin.connect(server, ["websocket"], auth={"token": ADMIN_TOKEN})
        assert admin.client.connected
        await admin.client.disconnect()

    asyncio.run(run())


def test_polling_cors_follows_the_websocket_origin_policy(start_modeld, repository, tmp_path):
    server = serve(start_modeld, repository, tmp_path, "--websocket-allowed-origins", "https://app.example")
    base = server.url("/socket.io/")
    params = {"EIO": "4", "transport": "polling"}
    allowed = requests.get(base, params=params, headers={"Origin": "https://app.example"}, timeout=30)
    assert allowed.status_code == 200
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    refused = requests.get(base, params=params, headers={"Origin": "https://evil.example"}, timeout=30)
    assert refused.status_code == 403 and refused.json()["code"] == 4
    preflight = requests.options(base, params=params, headers={"Origin": "https://app.example",
                                                                "Access-Control-Request-Headers": "content-type"}, timeout=30)
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_polling_session_without_pongs_expires(start_modeld, repository, tmp_path):
    server = serve(start_modeld, repository, tmp_path, "--socketio-ping-interval", "1", "--socketio-ping-timeout", "3")
    base = server.url("/socket.io/")
    opened = requests.get(base, params={"EIO": "4", "transport": "polling"}, timeout=30)
    sid = json.loads(opened.text[1:])["sid"]
    params = {"EIO": "4", "transport": "polling", "sid": sid}
    # The held poll is answered by the first ping; this client never answers it. (A 3 s
    # timeout leaves a busy machine 4 s to send this first poll before the session expires.)
    first = requests.get(base, params=params, timeout=30)
    assert first.status_code == 200 and first.text == "2", first.text
    seen = []
    deadline = time.monotonic() + DEADLINE_S
    while True:
        response = requests.get(base, params=params, timeout=30)
        seen.append((response.status_code, response.text))
        if response.status_code == 400:
            assert response.json()["code"] == 1, response.text
            break
        assert time.monotonic() < deadline, f"the session never expired: {seen}"
    assert all(status == 200 for status, _ in seen[:-1]), seen


def test_websocket_heartbeat_pings_and_closes_a_silent_client(start_modeld, repository, tmp_path):
    server = serve(start_modeld, repository, tmp_path, "--socketio-ping-interval", "1", "--socketio-ping-timeout", "3")

    async def run():
        url = f"ws://{server.host}:{server.port}/socket.io/?EIO=4&transport=websocket"
        async with connect(url, open_timeout=30, ping_interval=None) as ws:
            opened = await asyncio.wait_for(ws.recv(), 30)
            assert opened[0] == "0" and json.loads(opened[1:])["pingInterval"] == 1000
            assert json.loads(opened[1:])["pingTimeout"] == 3000
            for _ in range(2):  # answered pings keep the session
                assert await asyncio.wait_for(ws.recv(), 30) == "2"
                await ws.send("3")
            assert await asyncio.wait_for(ws.recv(), 30) == "2"
            started = time.monotonic()
            with pytest.raises(ConnectionClosed):  # not answered: closed after pingTimeout
                await asyncio.wait_for(ws.recv(), 30)
            assert time.monotonic() - started >= 0.9

    asyncio.run(run())


def test_path_setting_and_turning_it_off(start_modeld, repository, tmp_path):
    moved = serve(start_modeld, repository, tmp_path, "--socketio-path", "/rt/")

    async def run():
        watcher = Watcher(reconnection=False)
        await watcher.client.connect(f"http://{moved.host}:{moved.port}", socketio_path="rt", transports=["polling"],
                                     wait_timeout=30)
        assert (await watcher.client.call("join", "model:minilm", timeout=30))["id"] == "minilm"
        await watcher.client.disconnect()

    asyncio.run(run())
    assert requests.get(moved.url("/socket.io/"), params={"EIO": "4", "transport": "polling"}, timeout=30).status_code == 404
    off = serve(start_modeld, repository, tmp_path, "--socketio-enabled", "false")
    assert requests.get(off.url("/socket.io/"), params={"EIO": "4", "transport": "polling"}, timeout=30).status_code == 404


@pytest.mark.parametrize("mode", ["websocket", "polling"])
def test_a_thousand_clients_all_get_the_terminal_event(start_modeld, repository, tmp_path, mode):
    clients = 1000
    server = serve(start_modeld, repository, tmp_path, "--load-at-startup", "none",
                   "--max-read-bytes-per-second", "60000000")

    async def run():
        watchers = [Watcher(reconnection=False) for _ in range(clients)]
        gate = asyncio.Semaphore(50)

        async def connect(watcher):
            async with gate:
                await watcher.connect(server, TRANSPORTS[mode])

        started = time.monotonic()
        await asyncio.gather(*(connect(w) for w in watchers))
        connected_s = time.monotonic() - started
        load(server)
        for watcher in watchers:
            await watcher.wait_for(lambda events: any(e == "model_load_completed" for e, _ in events),
                                   "model_load_completed", timeout_s=300)
        for watcher in watchers:
            steps = [data["step"] for data in watcher.named("model_load_progress")]
            assert steps == sorted(steps), f"step went backwards: {steps}"
        await asyncio.gather(*(w.client.disconnect() for w in watchers))
        print(f"{clients} {mode} clients connected in {connected_s:.1f} s; all got model_load_completed")

    asyncio.run(run())


def test_a_session_that_stops_polling_is_closed_past_the_hard_limit(start_modeld, repository, tmp_path):
    server = serve(start_modeld, repository, tmp_path, "--websocket-outbound-soft-bytes", "2048",
                   "--websocket-outbound-hard-bytes", "8192")
    base = server.url("/socket.io/")

    async def run():
        bystander = Watcher(reconnection=False)
        await bystander.connect(server, ["websocket"])
        opened = requests.get(base, params={"EIO": "4", "transport": "polling"}, timeout=30)
        params = {"EIO": "4", "transport": "polling", "sid": json.loads(opened.text[1:])["sid"]}
        assert requests.post(base, params=params, data="40", timeout=30).text == "ok"
        # This client never polls again: every message queues for it until the hard limit.
        body = json.dumps({"n": 0, "pad": "x" * 400})
        for _ in range(40):
            published = requests.post(server.url("/v1/rooms/models/messages"), data=body,
                                      headers=server.admin_headers, timeout=30)
            assert published.status_code == 200, published.text
        await bystander.wait_for(lambda events: len([e for e, _ in events if e == "message"]) == 40, "40 messages")
        gone = requests.get(base, params=params, timeout=30)
        assert gone.status_code == 400 and gone.json()["code"] == 1, gone.text
        assert (await bystander.client.call("join", "model:minilm", timeout=30))["id"] == "minilm"
        await bystander.client.disconnect()

    asyncio.run(run())


def test_a_websocket_closed_mid_upgrade_ends_its_session(start_modeld, repository, tmp_path):
    server = serve(start_modeld, repository, tmp_path)
    base = server.url("/socket.io/")

    async def run():
        opened = requests.get(base, params={"EIO": "4", "transport": "polling"}, timeout=30)
        sid = json.loads(opened.text[1:])["sid"]
        async with connect(f"ws://{server.host}:{server.port}/socket.io/?EIO=4&transport=websocket&sid={sid}",
                           open_timeout=30, ping_interval=None) as ws:
            await ws.send("2probe")
            assert await asyncio.wait_for(ws.recv(), 30) == "3probe"
            await ws.send("5")
        # The session moved to a socket that is gone: it is over, not half-registered
        # (code 1, "Session ID unknown", rather than 3, "no longer polls").
        deadline = time.monotonic() + DEADLINE_S
        while True:
            answer = requests.get(base, params={"EIO": "4", "transport": "polling", "sid": sid}, timeout=60)
            # A poll that arrives before the session moved is answered by the move (`6`).
            if answer.status_code == 400 and answer.json()["code"] == 1:
                break
            assert time.monotonic() < deadline, f"session never ended: {answer.text}"
            await asyncio.sleep(0.05)

    asyncio.run(run())
