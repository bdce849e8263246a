/// The dashboard's script, an ES module in three parts: the per-model records and the rule
/// that keeps a bar from moving backwards (here), the cards (`DashboardScript+View.swift`),
/// and the live connection, polling and commands (`DashboardScript+Live.swift`).
///
/// **What one load attempt is, and why a bar never goes backwards within it.** The wire
/// carries no load id, so the page derives one from what DESIGN §1.3 guarantees:
/// - a load begins with `model_load_started` and ends with exactly one of `completed`,
///   `failed`, `cancelled`; in between the state is `queued` or `loading`;
/// - a retry inside one load sends no new `started` but raises `attempt` and restarts at
///   step 1; within an attempt `step` and `progress` never decrease.
///
/// So a model's record holds, while its state is `queued`/`loading`, the reading
/// (`attempt`, `step`, `progress`) last shown, and any status of the same load whose reading
/// is lexicographically smaller is ignored as stale. The mark is cleared, and the next
/// reading starts a new load that may begin at 0 %, when `model_load_started` arrives or when
/// a status that is not `queued`/`loading` (ready, failed, cancelled, unloaded) is shown.
///
/// Stale readings can only come from three places, each handled where it arises: events
/// whose `seq` is at or below the snapshot's (already in it: skipped), a `/v1/models` poll
/// that was under way when the socket came back (its answer is dropped), and a server that
/// restarted (a snapshot `seq` below the last one seen clears every mark). Polled answers
/// carry no `seq`, so while only polling, a cancel followed by a new load within one poll
/// interval, or a server restart, looks like the same load: the bar then holds its value
/// until the new load passes it or ends (a `load_id` in the status would remove this).
enum DashboardScript {
    /// The whole script, joined once.
    static let source = [core, view, live].joined(separator: "\n")

    static let core = #"""
    // modeld dashboard: one card per model, live over /ws?room=models, polling /v1/models
    // while the WebSocket is down. Vanilla JS, no build step, no other origin.

    const TOTAL_STEPS_FALLBACK = 9;
    const DOWNLOAD_STEP = 3;           // a hub model's missing files are fetched here, with byte progress
    const WEIGHTS_STEP = 5;            // the weights are read here, with byte progress (DESIGN §1.2)
    const SPEED_WINDOW_MS = 2000;      // read speed is measured over about the last 2 s
    const SPEED_MIN_SPAN_MS = 250;     // shorter spans give a jumpy speed: show none yet
    const RECONNECT_FIRST_MS = 500;
    const RECONNECT_MAX_MS = 10000;
    const POLL_INTERVAL_MS = 1500;
    const TOKEN_KEY = "modeld.adminToken";

    /** Per model id: the status shown and what the never-backwards rule and speed need. */
    const models = new Map();

    function isPending(state) {
      return state === "queued" || state === "loading";
    }

    function number(value) {
      return typeof value === "number" && Number.isFinite(value) ? value : 0;
    }

    function readingOf(status) {
      return { attempt: number(status.attempt), step: number(status.step), progress: number(status.progress) };
    }

    // Attempt first: a retry (attempt + 1) legitimately restarts at step 1.
    function compareReadings(a, b) {
      return (a.attempt - b.attempt) || (a.step - b.step) || (a.progress - b.progress);
    }

    function modelFor(id) {
      let model = models.get(id);
      if (!model) {
        model = { id, status: null, inLoad: false, mark: null, samples: [], speed: null, etaAt: null,
                  busy: false, notice: "", card: null };
        models.set(id, model);
      }
      return model;
    }

    /**
     * Takes `status` (an event's data, a snapshot entry or a polled entry) as the one shown,
     * unless it is an older reading of the load on screen; false when it was ignored.
     * `startsLoad` is true for `model_load_started`, which always begins a new load.
     */
    function accept(model, status, startsLoad, now) {
      const pending = isPending(status.state);
      const reading = readingOf(status);
      const sameLoad = pending && model.inLoad && !startsLoad;
      if (sameLoad && compareReadings(reading, model.mark) < 0) return false;
      const sameAttempt = sameLoad && reading.attempt === model.mark.attempt;
      model.inLoad = pending;
      model.mark = pending ? reading : null;
      model.status = status;
      trackSpeed(model, status, sameAttempt, now);
      model.etaAt = typeof status.eta_seconds === "number" ? now + status.eta_seconds * 1000 : null;
      return true;
    }

    /** Whether the status is in a step with byte progress (a download at 3, the read at 5). */
    function hasByteProgress(status) {
      return status.state === "loading" && [DOWNLOAD_STEP, WEIGHTS_STEP].includes(status.step)
        && number(status.bytes_total) > 0;
    }

    // Step 5's events carry bytes but no rate: the rate is bytes over time across the
    // readings of the last SPEED_WINDOW_MS of one attempt's step, timed by their arrival.
    // A download's events carry the daemon's own measure (bytes_per_second), which wins.
    function trackSpeed(model, status, sameAttempt, now) {
      const inBytes = hasByteProgress(status);
      if (!inBytes || !sameAttempt || model.speedStep !== status.step) {
        model.samples = [];
        model.speed = null;
      }
      model.speedStep = status.step;
      if (!inBytes) return;
      if (status.step === DOWNLOAD_STEP && number(status.bytes_per_second) > 0) {
        model.speed = number(status.bytes_per_second);
        return;
      }
      const bytes = number(status.bytes_loaded);
      const samples = model.samples;
      samples.push({ at: now, bytes });
      while (samples.length > 2 && now - samples[1].at >= SPEED_WINDOW_MS) samples.shift();
      const span = now - samples[0].at;
      if (span >= SPEED_MIN_SPAN_MS) model.speed = Math.max(0, (bytes - samples[0].bytes) / (span / 1000));
    }

    """#
}
