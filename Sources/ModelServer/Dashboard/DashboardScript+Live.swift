/// The live connection: the WebSocket to `/ws?room=models` (same origin, `wss:` under
/// HTTPS), its reconnection, the polling fallback and the load / cancel / unload commands.
///
/// Policy:
/// - The socket counts as live once its `snapshot` arrives (DESIGN §1.4); a server that
///   accepts and then closes does not reset the back-off.
/// - Reconnection waits 0.5 s, doubling to at most 10 s, each wait with equal jitter (half
///   fixed, half random) so pages that lost the same server do not return in step.
/// - While the socket is down, `GET /v1/models` is polled every 1.5 s, one request at a
///   time; polling stops when a snapshot arrives, and an answer to a poll sent before that
///   is dropped (it may be older than the events since).
/// - `GET /v1/admin` says whether the server has an admin token at all; when it has none
///   (checked at start and on every reconnect, since `SIGHUP` may change it) the buttons are
///   hidden and a note says how to turn the commands on. A command refused with
///   `admin_disabled` does the same instead of asking for a token.
/// - A command answering 401 or 403 opens the token dialog and is retried once with the
///   token, which is kept in `sessionStorage` when the server accepts it. Command answers are
///   not drawn: the socket (or the next poll, asked for at once) reports the outcome, so a
///   slow answer can never overwrite a newer event.
extension DashboardScript {
    static let live = #"""
    const connectionLine = document.getElementById("connection");
    let socket = null;
    let isLive = false;
    let lastSeq = -1;
    let reconnectDelayMs = RECONNECT_FIRST_MS;
    let reconnectTimer = 0;
    let isPolling = false;
    let pollTimer = 0;
    let pollInFlight = false;
    let pollAgain = false;
    let pollEpoch = 0;
    const pollingText = `Live updates unavailable: polling every ${POLL_INTERVAL_MS / 1000} s while reconnecting.`;

    function showConnection(mode, text) {
      connectionLine.dataset.mode = mode;
      setText(connectionLine, text);
    }

    function connect() {
      reconnectTimer = 0;
      const scheme = location.protocol === "https:" ? "wss:" : "ws:";
      let ws;
      try {
        ws = new WebSocket(`${scheme}//${location.host}/ws?room=models`);
      } catch {
        socketLost();
        return;
      }
      socket = ws;
      ws.addEventListener("message", (event) => { if (socket === ws) receive(event.data); });
      ws.addEventListener("close", () => {
        if (socket !== ws) return;
        socket = null;
        socketLost();
      });
    }

    function socketLost() {
      isLive = false;
      startPolling();
      scheduleReconnect();
    }

    function scheduleReconnect() {
      if (reconnectTimer) return;
      const delayMs = reconnectDelayMs / 2 + Math.random() * (reconnectDelayMs / 2);
      reconnectDelayMs = Math.min(reconnectDelayMs * 2, RECONNECT_MAX_MS);
      reconnectTimer = setTimeout(connect, delayMs);
    }

    function receive(text) {
      let message;
      try { message = JSON.parse(text); } catch { return; }
      if (!message || typeof message !== "object") return;
      if (message.event === "snapshot") {
        if (!isLive) checkAdmin();
        receiveSnapshot(message);
        return;
      }
      // Admin messages published to the room have no seq and no model status: not ours.
      if (!isLive || typeof message.seq !== "number") return;
      // An event at or below the snapshot's seq is already part of it.
      if (message.seq <= lastSeq) return;
      lastSeq = message.seq;
      const status = message.data;
      if (status && typeof status.id === "string" && typeof status.state === "string") {
        update(status, message.event === "model_load_started");
      }
    }

    function receiveSnapshot(message) {
      const seq = number(message.seq);
      // seq only grows while one server process runs: a smaller one means it restarted, and
      // nothing the page held about running loads still applies.
      if (seq < lastSeq) for (const model of models.values()) model.inLoad = false;
      lastSeq = seq;
      isLive = true;
      reconnectDelayMs = RECONNECT_FIRST_MS;
      stopPolling();
      showConnection("live", "Live");
      reconcile(message.data && message.data.models);
    }

    /** Shows a complete list of models (snapshot or poll): new cards, updates, removals. */
    function reconcile(statuses) {
      if (!Array.isArray(statuses)) return;
      const seen = new Set();
      for (const status of statuses) {
        if (!status || typeof status.id !== "string" || typeof status.state !== "string") continue;
        seen.add(status.id);
        update(status, false);
      }
      for (const model of [...models.values()]) if (!seen.has(model.id)) removeModel(model);
      emptyNote.hidden = models.size > 0;
    }

    function update(status, startsLoad) {
      const now = performance.now();
      const model = modelFor(status.id);
      const before = model.status && model.status.state;
      if (!accept(model, status, startsLoad, now)) return;
      if (before !== status.state) model.notice = "";
      render(model, now);
      if (before && before !== status.state) announce(`${model.id}: ${stateLabel(status.state)}`);
    }

    function startPolling() {
      if (isPolling) return;
      isPolling = true;
      showConnection("polling", pollingText);
      poll();
    }

    function stopPolling() {
      isPolling = false;
      pollAgain = false;
      pollEpoch += 1;
      clearTimeout(pollTimer);
      pollTimer = 0;
    }

    async function poll() {
      if (pollInFlight) {
        pollAgain = true;
        return;
      }
      clearTimeout(pollTimer);
      pollTimer = 0;
      pollInFlight = true;
      const epoch = pollEpoch;
      try {
        const response = await fetch("/v1/models", { cache: "no-store", headers: { Accept: "application/json" } });
        const body = response.ok ? await response.json() : null;
        if (epoch === pollEpoch && !isLive && body) {
          reconcile(body.models);
          showConnection("polling", pollingText);
        }
      } catch {
        if (epoch === pollEpoch && !isLive) showConnection("offline", "The server does not answer; retrying.");
      } finally {
        pollInFlight = false;
      }
      if (!isPolling) return;
      if (pollAgain) {
        pollAgain = false;
        poll();
      } else {
        pollTimer = setTimeout(poll, POLL_INTERVAL_MS);
      }
    }

    async function runCommand(model, action) {
      if (model.busy) return;
      model.busy = true;
      model.notice = "";
      render(model, performance.now());
      try {
        let response = await send(model.id, action, storedToken());
        if (await isAdminDisabled(response)) {
          showAdmin(false);
        } else if (response.status === 401 || response.status === 403) {
          const token = await askToken(response.status === 403
            ? "The admin token was refused. Enter the current one."
            : "This server needs its admin token for load, cancel and unload.");
          if (token !== null) {
            response = await send(model.id, action, token);
            storeToken(response.status === 401 || response.status === 403 ? null : token);
          }
        }
        if (!response.ok) model.notice = await refusalText(response, action);
      } catch {
        model.notice = `Could not ${action}: the server did not answer.`;
      }
      model.busy = false;
      render(model, performance.now());
      if (!isLive) poll();
    }

    function showAdmin(enabled) {
      document.body.dataset.admin = enabled ? "on" : "off";
      document.getElementById("admin-notice").hidden = enabled;
    }

    async function checkAdmin() {
      try {
        const response = await fetch("/v1/admin", { cache: "no-store" });
        if (response.ok) showAdmin((await response.json()).enabled === true);
      } catch { /* unknown: keep the buttons; a refused command says why */ }
    }

    async function isAdminDisabled(response) {
      if (response.status !== 403) return false;
      try {
        const body = await response.clone().json();
        return body && body.error && body.error.code === "admin_disabled";
      } catch { return false; }
    }

    function send(id, action, token) {
      const headers = token ? { Authorization: `Bearer ${token}` } : {};
      return fetch(`/v1/models/${encodeURIComponent(id)}/${action}`, { method: "POST", headers, cache: "no-store" });
    }

    async function refusalText(response, action) {
      try {
        const body = await response.json();
        if (body && body.error && typeof body.error.message === "string") return body.error.message;
      } catch { /* not JSON: say the status instead */ }
      return `Could not ${action}: HTTP ${response.status}.`;
    }

    setInterval(() => {
      const now = performance.now();
      for (const model of models.values()) {
        if (model.card && isPending(model.status.state)) renderTimeLeft(model, now);
      }
    }, 1000);

    checkAdmin();
    connect();

    """#
}
