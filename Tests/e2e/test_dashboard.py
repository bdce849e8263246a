"""The dashboard at `GET /` in real headless Chromium, driven over the DevTools Protocol
(DESIGN §1.5; cdp_support.py).

A read-rate cap stretches step 5 of the real all-MiniLM-L6-v2 load (about 4 s at 20 MB/s)
so a test can watch the bar: the page's own card is sampled every 50 ms (its progressbar's
`aria-valuenow`, step text and state) and, in-page, every value the bar ever took is logged
by a MutationObserver, so a backward step between two samples is caught too. Skipped when
Chromium (Debian's `chromium` package) or the model is missing.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import threading
import time
import urllib.request

import pytest
from websockets.sync.client import connect

from cdp_support import Browser, chromium_binary
from conftest import ADMIN_TOKEN
from hub_support import REPO_ID, local_hub  # noqa: F401 (a fixture)

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL_DIR = pathlib.Path(os.environ.get("MODELD_TEST_MODEL_DIR", REPO_ROOT / "models" / "all-minilm-l6-v2"))
SAMPLE_INTERVAL_S = 0.05
STEP_RE = re.compile(r"Step (\d+) of 9")

pytestmark = [
    pytest.mark.skipif(chromium_binary() is None, reason="chromium not installed (apt-get install chromium)"),
    pytest.mark.skipif(not (MODEL_DIR / "model.safetensors").exists(),
                       reason=f"model not found at {MODEL_DIR} (run scripts/fetch-model)"),
]

# The card of model `minilm` as the page shows it, or null before the card exists.
CARD_JS = """(() => {
  const card = document.querySelector('[data-model="minilm"]');
  if (!card) return null;
  const text = (name) => card.querySelector('.' + name).textContent;
  return {value: Number(card.querySelector('[role="progressbar"]').getAttribute('aria-valuenow')),
          state: card.dataset.state, badge: text('state'), step: text('step'), bytes: text('bytes'),
          speed: text('speed'), eta: text('eta'), error: text('error'), message: text('message'),
          connection: document.getElementById('connection').dataset.mode,
          buttons: Object.fromEntries([...card.querySelectorAll('button[data-action]')]
                                        .map((b) => [b.dataset.action, !b.disabled]))};
})()"""

# Runs in every new document before the page's script: logs each aria-valuenow the bar
# takes, once per task that changed the DOM, from the card's first appearance on.
RECORD_JS = """window.__values = [];
new MutationObserver(() => {
  const bar = document.querySelector('[data-model="minilm"] [role="progressbar"]');
  if (bar) window.__values.push(Number(bar.getAttribute('aria-valuenow')));
}).observe(document, {subtree: true, childList: true, attributes: true});"""

# With `#stale-replay` in the URL: after every second progress event the page's socket
# listener gets the load's first progress event again, stamped with a seq above the one just
# delivered (and below the next), so only the page's never-backwards rule can reject it.
STALE_REPLAY_JS = """if (location.hash === '#stale-replay') {
  window.__replayed = 0;
  const RealWebSocket = window.WebSocket;
  window.WebSocket = class extends RealWebSocket {
    addEventListener(type, listener, options) {
      if (type !== 'message') return super.addEventListener(type, listener, options);
      let first = null, count = 0;
      return super.addEventListener(type, (event) => {
        listener(event);
        const message = JSON.parse(event.data);
        if (message.event !== 'model_load_progress') return;
        first = first || message;
        count += 1;
        if (count % 2 === 0) {
          listener(new MessageEvent('message', {data: JSON.stringify({...first, seq: message.seq + 0.5})}));
          window.__replayed += 1;
        }
      }, options);
    }
  };
}"""


# With `#refused-socket` in the URL: the page's WebSocket asks for a room name longer than
# the server accepts (256 bytes), so the server refuses the upgrade with 400 `invalid_room`.
# (A page of the server's own origin is no longer refusable by `Origin`: same-origin always
# passes.)
REFUSED_SOCKET_JS = """if (location.hash === '#refused-socket') {
  const RealWebSocket = window.WebSocket;
  window.WebSocket = class extends RealWebSocket {
    constructor(url, protocols) { super(url.replace('room=models', 'room=' + 'x'.repeat(257)), protocols); }
  };
}"""


@pytest.fixture(scope="module")
def browser():
    page = Browser.launch()
    page.add_script_on_new_document(RECORD_JS)
    page.add_script_on_new_document(STALE_REPLAY_JS)
    page.add_script_on_new_document(REFUSED_SOCKET_JS)
    yield page
    page.close()


def serve(start_modeld, repository: pathlib.Path, *extra: str, rate: int = 20_000_000, admin_token: bool = True):
    return start_modeld("--model-repository", str(repository), "--state-dir", str(repository.parent / "state"),
                        "--max-read-bytes-per-second", str(rate), *extra, admin_token=admin_token)


def sample_until(browser: Browser, done, timeout_s: float = 60.0) -> list[dict]:
    """The card every 50 ms (absent cards skipped) until `done(card)`, bounded by `timeout_s`."""
    samples: list[dict] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        card = browser.evaluate(CARD_JS)
        if card is not None:
            samples.append(card)
            if done(card):
                return samples
        time.sleep(SAMPLE_INTERVAL_S)
    raise AssertionError(f"the card never reached the condition; last: {samples[-1] if samples else None}")


def step_of(card: dict) -> int | None:
    match = STEP_RE.search(card["step"])
    return int(match[1]) if match else None


def assert_never_falls(values: list[int], what: str) -> None:
    falls = [(a, b) for a, b in zip(values, values[1:]) if b < a]
    assert not falls, f"{what} went backwards: {falls[:5]} in {values}"


def csp_errors(browser: Browser) -> list[str]:
    return [e for e in browser.errors if "Content Security Policy" in e]


class EventLog:
    """Every event of the `models` room, received by a thread (what the page should follow)."""

    def __init__(self, server) -> None:
        self.events: list[dict] = []
        self._ws = connect(f"ws://{server.host}:{server.port}/ws?room=models")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for text in self._ws:
                self.events.append(json.loads(text))
        except Exception:  # closed by close() or by the server's shutdown: the log is complete
            pass

    def steps(self) -> set[int]:
        """Steps the room reported: in its snapshot (the page may have joined mid-load) or events."""
        statuses = [m for e in self.events if e["event"] == "snapshot" for m in e["data"]["models"]]
        statuses += [e["data"] for e in self.events if e["event"] == "model_load_progress"]
        return {status["step"] for status in statuses if status["step"] is not None}

    def close(self) -> None:
        self._ws.close()
        self._thread.join(timeout=5)


def test_bar_rises_to_ready_and_step_text_follows_events(start_modeld, repository, browser):
    server = serve(start_modeld, repository)
    events = EventLog(server)
    try:
        browser.navigate(server.url("/"))
        samples = sample_until(browser, lambda card: card["state"] == "ready")
    finally:
        events.close()
    loading = [s for s in samples if s["state"] == "loading"]
    assert loading, "never saw the card loading"
    values = [s["value"] for s in samples]
    assert_never_falls(values, "sampled aria-valuenow")
    assert_never_falls(browser.evaluate("window.__values"), "aria-valuenow (every change)")
    assert len(set(values)) >= 5, f"the bar barely moved: {values}"
    assert values[-1] == 100 and samples[-1]["badge"] == "Ready"
    steps = [step for s in loading if (step := step_of(s)) is not None]
    assert_never_falls(steps, "step number")
    assert 5 in steps, f"never showed step 5: {steps}"
    assert set(steps) <= events.steps(), f"showed steps {set(steps)} the events never had ({events.steps()})"
    in_weights = [s for s in loading if step_of(s) == 5]
    assert any(s["bytes"].endswith("of 90.9 MB") for s in in_weights), in_weights[-1]
    assert any(s["speed"].endswith("MB/s") for s in in_weights), "never showed a read speed"
    assert any(s["eta"].endswith(" s") for s in loading), "never showed the time left"
    assert samples[-1]["buttons"] == {"load": False, "cancel": False, "unload": True}
    assert all(s["connection"] == "live" for s in samples)
    assert not csp_errors(browser), csp_errors(browser)


def test_a_hub_download_shows_file_bytes_rate_and_time_left(start_modeld, local_hub, tmp_path, browser):
    """Step 3 of a `source: hf://` model at the hub's 10 MB/s cap: the card says what it
    downloads, how much of how much, at what rate, and how long is left."""
    hub = local_hub(lfs_rate="10m")
    folder = tmp_path / "repo" / "minilm"
    folder.mkdir(parents=True)
    (folder / "model.yaml").write_text(f"runtime: bert-embedding\nsource: hf://{REPO_ID}\n")
    server = start_modeld("--model-repository", str(folder.parent), "--state-dir", str(tmp_path / "state"),
                          env={"HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(tmp_path / "cache")})
    browser.navigate(server.url("/"))
    samples = sample_until(browser, lambda card: card["state"] in ("ready", "failed"), timeout_s=120)
    assert samples[-1]["state"] == "ready", samples[-1]
    downloading = [s for s in samples if step_of(s) == 3 and s["message"].startswith("Downloading")]
    assert len(downloading) >= 3, [s["message"] for s in samples]
    line = re.compile(r"Downloading model\.safetensors: [\d.]+ [kMG]?B of 90\.9 MB at ([\d.]+) MB/s, (\d+) s left")
    matched = [m for s in downloading if (m := line.fullmatch(s["message"]))]
    assert matched, [s["message"] for s in downloading]
    assert all(2 < float(m[1]) < 20 for m in matched), [m[0] for m in matched]  # the 10 MB/s cap
    assert any(s["bytes"].endswith("of 90.9 MB") and s["speed"].endswith("MB/s") for s in downloading)
    assert not any(s["message"].startswith("Downloading") for s in samples if step_of(s) != 3)
    assert not csp_errors(browser), csp_errors(browser)


def test_older_readings_arriving_after_newer_ones_are_ignored(start_modeld, repository, browser):
    server = serve(start_modeld, repository)
    browser.navigate(server.url("/#stale-replay"))
    samples = sample_until(browser, lambda card: card["state"] == "ready")
    assert browser.evaluate("window.__replayed") >= 10, "the stale replay never ran"
    assert_never_falls(browser.evaluate("window.__values"), "aria-valuenow under stale replays (every change)")
    assert_never_falls([step for s in samples if (step := step_of(s)) is not None], "step number")
    assert samples[-1]["value"] == 100


def test_cancel_button_shows_cancelled_and_a_new_load_starts_over(start_modeld, repository, browser):
    server = serve(start_modeld, repository)
    browser.navigate(server.url("/"))
    # The token a user entered once in this tab (the dialog's own test is below).
    browser.evaluate(f"sessionStorage.setItem('modeld.adminToken', '{ADMIN_TOKEN}')")
    before = sample_until(browser, lambda card: card["state"] == "loading" and card["value"] >= 35)
    assert before[-1]["buttons"]["cancel"] and not before[-1]["buttons"]["load"]
    browser.evaluate("document.querySelector('[data-model=\"minilm\"] [data-action=\"cancel\"]').click()")
    # The buttons stay disabled until the cancel command's own answer arrives, which may come
    # after the room's `model_load_cancelled` event: wait for both.
    after = sample_until(browser, lambda card: card["state"] == "cancelled" and card["buttons"]["load"], timeout_s=15)
    assert_never_falls([s["value"] for s in before + after], "aria-valuenow before the cancel")
    cancelled = after[-1]
    assert cancelled["badge"] == "Cancelled" and cancelled["value"] >= 35
    assert cancelled["buttons"] == {"load": True, "cancel": False, "unload": False}
    with urllib.request.urlopen(server.url("/v1/models/minilm"), timeout=10) as response:
        assert json.loads(response.read())["state"] == "cancelled"
    # A new load is a new attempt: it legitimately starts again below the cancelled value.
    browser.evaluate("document.querySelector('[data-model=\"minilm\"] [data-action=\"load\"]').click()")
    again = sample_until(browser, lambda card: card["state"] == "loading" and card["value"] < cancelled["value"],
                         timeout_s=15)
    assert again[-1]["error"] == "—"


def test_reload_mid_load_starts_at_the_current_value(start_modeld, repository, browser):
    server = serve(start_modeld, repository)
    browser.navigate(server.url("/"))
    before = sample_until(browser, lambda card: card["state"] == "loading" and card["value"] >= 25)
    browser.reload()
    after = sample_until(browser, lambda card: True, timeout_s=15)
    assert after[0]["value"] >= before[-1]["value"], (before[-1], after[0])
    rest = sample_until(browser, lambda card: card["state"] == "ready")
    assert_never_falls([s["value"] for s in after + rest], "sampled aria-valuenow after the reload")
    # The very first value the new page's bar ever had, not just the first one sampled.
    values = browser.evaluate("window.__values")
    assert values[0] >= before[-1]["value"], f"the reloaded bar started at {values[0]}, below {before[-1]['value']}"
    assert_never_falls(values, "aria-valuenow after the reload (every change)")


def test_progress_is_polled_when_the_websocket_is_refused(start_modeld, repository, browser):
    # The page's upgrade is refused by the server (400 invalid_room: see REFUSED_SOCKET_JS).
    server = serve(start_modeld, repository, rate=10_000_000)
    browser.navigate(server.url("/#refused-socket"))
    samples = sample_until(browser, lambda card: card["state"] == "ready")
    loading_values = {s["value"] for s in samples if s["state"] == "loading"}
    assert len(loading_values) >= 3, f"polling showed too little progress: {sorted(loading_values)}"
    assert_never_falls([s["value"] for s in samples], "aria-valuenow while polling")
    assert all(s["connection"] == "polling" for s in samples), {s["connection"] for s in samples}
    assert_never_falls(browser.evaluate("window.__values"), "aria-valuenow while polling (every change)")
    assert samples[-1]["value"] == 100


def test_with_no_admin_token_the_page_explains_instead_of_offering_buttons(start_modeld, repository, browser):
    server = serve(start_modeld, repository, "--load-at-startup", "none", rate=0, admin_token=False)
    browser.navigate(server.url("/"))
    sample_until(browser, lambda card: card["state"] == "unloaded", timeout_s=15)
    deadline = time.monotonic() + 10
    while browser.evaluate("document.getElementById('admin-notice').hidden"):
        assert time.monotonic() < deadline, "the admin notice never appeared"
        time.sleep(SAMPLE_INTERVAL_S)
    notice = browser.evaluate("document.getElementById('admin-notice').textContent")
    assert "--admin-token-file" in notice, notice
    shown = browser.evaluate("""[...document.querySelectorAll('[data-model="minilm"] .buttons button')]
                                .filter(b => b.offsetParent !== null).length""")
    assert shown == 0, "buttons that can only fail are still shown"
    assert not csp_errors(browser), csp_errors(browser)


def test_commands_ask_for_the_admin_token_and_retry_with_it(start_modeld, repository, tmp_path, browser):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret\n")
    server = serve(start_modeld, repository, "--admin-token-file", str(token_file), "--load-at-startup", "none",
                   rate=0)
    browser.navigate(server.url("/"))
    sample_until(browser, lambda card: card["buttons"]["load"], timeout_s=15)
    browser.evaluate("document.querySelector('[data-model=\"minilm\"] [data-action=\"load\"]').click()")
    deadline = time.monotonic() + 10
    while not browser.evaluate("document.getElementById('token-dialog').open"):
        assert time.monotonic() < deadline, "the token dialog never opened after a 401"
        time.sleep(SAMPLE_INTERVAL_S)
    browser.evaluate("""(() => { document.getElementById('token-input').value = 's3cret';
                                 document.getElementById('token-form').requestSubmit(); })()""")
    sample_until(browser, lambda card: card["state"] == "ready")
    assert browser.evaluate("sessionStorage.getItem('modeld.adminToken')") == "s3cret"
