"""A small Chrome DevTools Protocol driver for real headless Chromium (Debian's `chromium`).

`Browser.launch()` starts `chromium --headless=new --no-sandbox --remote-debugging-port=0
--user-data-dir=TMP about:blank`, reads the DevTools address from its stderr (`DevTools
listening on ws://...`), opens the page target over the `websockets` client and offers
`navigate(url)`, `reload()`, `evaluate(js) -> value` and `close()`. It also keeps what the
page reported as errors (uncaught exceptions, console errors, log entries such as CSP
violations), so a test can assert there were none of a kind.
"""

from __future__ import annotations

import collections
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request

from websockets.sync.client import connect

DEVTOOLS_RE = re.compile(r"DevTools listening on (ws://[^\s]+)")
START_TIMEOUT_S = 30.0  # a cold start on a busy 2-core machine; normally about a second
COMMAND_TIMEOUT_S = 30.0

# Flags beyond the required ones: no GPU or /dev/shm in containers, nothing that phones
# home, and no throttling of timers (the page's polling and back-off must run on time).
EXTRA_FLAGS = [
    "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
    "--disable-extensions", "--disable-background-networking", "--disable-sync",
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows", "--window-size=1024,768",
]


class CDPError(AssertionError):
    """A DevTools command failed, timed out, or the evaluated script threw."""


def chromium_binary() -> str | None:
    """The Chromium executable on PATH, or None when it is not installed."""
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    return None


class Browser:
    """One headless Chromium process and a DevTools session on its single page."""

    def __init__(self, binary: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="modeld-cdp-")
        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--remote-debugging-port=0",
             f"--user-data-dir={self.profile}", *EXTRA_FLAGS, "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._stderr: list[str] = []
        self._found = threading.Event()
        self._browser_url: str | None = None
        # Drains stderr for the whole run: a full pipe would block Chromium.
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self._ws = None
        self._next_id = 0
        self._events: collections.deque[dict] = collections.deque(maxlen=500)
        self.errors: list[str] = []
        try:
            self._attach()
        except BaseException:
            self.close()
            raise

    @classmethod
    def launch(cls) -> "Browser":
        binary = chromium_binary()
        if binary is None:
            raise FileNotFoundError("chromium is not installed")
        return cls(binary)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self._stderr.append(line)
            if not self._found.is_set() and (match := DEVTOOLS_RE.search(line)):
                self._browser_url = match[1]
                self._found.set()
        self._found.set()

    def _attach(self) -> None:
        if not self._found.wait(START_TIMEOUT_S) or self._browser_url is None:
            raise CDPError("chromium did not print its DevTools address; stderr:\n" + "\n".join(self._stderr[-30:]))
        host_port = self._browser_url.split("/")[2]
        with urllib.request.urlopen(f"http://{host_port}/json/list", timeout=COMMAND_TIMEOUT_S) as response:
            targets = json.loads(response.read())
        page = next((t for t in targets if t.get("type") == "page"), None)
        if page is None:
            raise CDPError(f"no page target among {targets}")
        self._ws = connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=COMMAND_TIMEOUT_S)
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def send(self, method: str, params: dict | None = None, timeout_s: float = COMMAND_TIMEOUT_S) -> dict:
        """Runs one DevTools command and returns its result; events met meanwhile are kept."""
        self._next_id += 1
        command_id = self._next_id
        self._ws.send(json.dumps({"id": command_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout_s
        while True:
            message = self._receive(deadline, method)
            if message.get("id") == command_id:
                if "error" in message:
                    raise CDPError(f"{method}: {message['error']}")
                return message.get("result", {})

    def _receive(self, deadline: float, waiting_for: str) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CDPError(f"timed out waiting for {waiting_for}")
        try:
            message = json.loads(self._ws.recv(timeout=remaining))
        except TimeoutError:
            raise CDPError(f"timed out waiting for {waiting_for}") from None
        if "method" in message:
            self._note(message)
        return message

    def _note(self, event: dict) -> None:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.errors.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.errors.append("log: " + params["entry"].get("text", ""))
        self._events.append(event)

    def wait_event(self, method: str, timeout_s: float = COMMAND_TIMEOUT_S) -> dict:
        """The first kept or incoming event named `method` (consumed)."""
        deadline = time.monotonic() + timeout_s
        while True:
            for event in self._events:
                if event["method"] == method:
                    self._events.remove(event)
                    return event
            self._receive(deadline, method)

    def add_script_on_new_document(self, source: str) -> None:
        """Runs `source` in every document this page opens from now on, before its own scripts."""
        self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})

    def navigate(self, url: str, timeout_s: float = COMMAND_TIMEOUT_S) -> None:
        """Opens `url` in the page and waits for its `load` event."""
        self._events.clear()
        result = self.send("Page.navigate", {"url": url}, timeout_s)
        if result.get("errorText"):
            raise CDPError(f"navigating to {url}: {result['errorText']}")
        self.wait_event("Page.loadEventFired", timeout_s)

    def reload(self, timeout_s: float = COMMAND_TIMEOUT_S) -> None:
        """Reloads the page (bypassing nothing: the server's own caching rules apply)."""
        self._events.clear()
        self.send("Page.reload", {}, timeout_s)
        self.wait_event("Page.loadEventFired", timeout_s)

    def evaluate(self, expression: str, timeout_s: float = COMMAND_TIMEOUT_S):
        """The JSON value of `expression` in the page (promises are awaited)."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, timeout_s)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise CDPError(f"script threw: {details.get('exception', {}).get('description', details.get('text'))}")
        return result.get("result", {}).get("value")

    def close(self) -> None:
        """Closes the session, stops Chromium and removes its profile."""
        if self._ws is not None:
            try:
                self._ws.close()
            except Exception:  # already gone with the browser: nothing to release
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
