/// The cards: cloning the page's `<template>`, writing a model's status into it, the
/// formatting of bytes, speed and time left, state announcements, and the admin-token dialog.
///
/// Buttons follow the state: Load when the model is unloaded, failed or cancelled; Cancel
/// while queued or loading; Unload when ready; none while one of the card's commands runs.
extension DashboardScript {
    static let view = #"""
    const list = document.getElementById("models");
    const emptyNote = document.getElementById("empty");
    const template = document.getElementById("card-template");
    const announcer = document.getElementById("announcer");
    const tokenDialog = document.getElementById("token-dialog");
    const tokenForm = document.getElementById("token-form");
    const tokenInput = document.getElementById("token-input");
    const tokenReason = document.getElementById("token-reason");
    const tokenCancel = document.getElementById("token-cancel");

    const STATE_LABELS = {
      unloaded: "Unloaded", queued: "Queued", loading: "Loading", ready: "Ready",
      failed: "Failed", cancelled: "Cancelled", unloading: "Unloading",
    };
    const BUTTON_LABELS = { load: "Load", cancel: "Cancel", unload: "Unload" };
    const BYTE_UNITS = ["B", "kB", "MB", "GB", "TB"];
    let cardCount = 0;

    function stateLabel(state) {
      return STATE_LABELS[state] || String(state);
    }

    function setText(element, text) {
      if (element.textContent !== text) element.textContent = text;
    }

    function setAttribute(element, name, value) {
      if (element.getAttribute(name) !== value) element.setAttribute(name, value);
    }

    function makeCard(model) {
      const root = template.content.firstElementChild.cloneNode(true);
      const slot = (selector) => root.querySelector(selector);
      const card = {
        root, name: slot(".name"), state: slot(".state"), bar: slot(".bar"), fill: slot(".fill"),
        percent: slot(".percent"), phase: slot(".phase"), step: slot(".step"), message: slot(".message"),
        bytes: slot(".bytes"), speed: slot(".speed"), eta: slot(".eta"), error: slot(".error"), buttons: {},
      };
      cardCount += 1;
      card.name.id = `model-${cardCount}-name`;
      card.name.textContent = model.id;
      card.bar.setAttribute("aria-labelledby", card.name.id);
      root.dataset.model = model.id;
      for (const button of root.querySelectorAll("button[data-action]")) {
        const action = button.dataset.action;
        card.buttons[action] = button;
        button.setAttribute("aria-label", `${BUTTON_LABELS[action]} ${model.id}`);
        button.addEventListener("click", () => runCommand(model, action));
      }
      return card;
    }

    // Called once the new card shows its first status, so it never appears at 0 %.
    function insertCard(model) {
      const next = [...list.children].find((other) => other.dataset.model > model.id);
      list.insertBefore(model.card.root, next || null);
      emptyNote.hidden = true;
    }

    function removeModel(model) {
      if (model.card) model.card.root.remove();
      models.delete(model.id);
    }

    function render(model, now) {
      const isNew = model.card === null;
      const card = model.card || (model.card = makeCard(model));
      const status = model.status;
      const state = status.state;
      const percent = state === "ready" ? 100 : state === "unloaded" ? 0
        : Math.max(0, Math.min(100, Math.floor(number(status.progress) * 100)));
      const step = number(status.step);
      const attempt = number(status.attempt);
      const stepText = step > 0
        ? `Step ${step} of ${number(status.total) || TOTAL_STEPS_FALLBACK}${attempt > 1 ? `, attempt ${attempt}` : ""}`
        : "—";
      card.root.dataset.state = state;
      setText(card.state, stateLabel(state));
      setAttribute(card.bar, "aria-valuenow", String(percent));
      setAttribute(card.bar, "aria-valuetext",
                   `${percent}%, ${isPending(state) && step > 0 ? stepText : stateLabel(state)}`);
      card.fill.style.transform = `scaleX(${percent / 100})`;
      setText(card.percent, `${percent}%`);
      setText(card.phase, typeof status.phase === "string" ? status.phase.replaceAll("_", " ") : "—");
      setText(card.step, stepText);
      const inBytes = hasByteProgress(status);
      setText(card.bytes, inBytes
        ? `${formatBytes(status.bytes_loaded)} of ${formatBytes(status.bytes_total)}` : "—");
      setText(card.speed, inBytes && model.speed !== null ? `${formatBytes(model.speed)}/s` : "—");
      renderTimeLeft(model, now);
      setText(card.error, model.notice || failureText(status));
      card.buttons.load.disabled = model.busy || !["unloaded", "failed", "cancelled"].includes(state);
      card.buttons.cancel.disabled = model.busy || !isPending(state);
      card.buttons.unload.disabled = model.busy || state !== "ready";
      if (isNew) insertCard(model);
    }

    // eta_seconds is as of the event; counting down from its arrival keeps it true between
    // events (steps 6-9 may send none for seconds).
    // The message line follows, since a download's names the time left too.
    function renderTimeLeft(model, now) {
      const show = isPending(model.status.state) && model.etaAt !== null;
      const left = show ? formatDuration(Math.max(0, model.etaAt - now)) : null;
      setText(model.card.eta, left ?? "—");
      setText(model.card.message, messageText(model.status, model.speed, left));
    }

    // During a download (step 3): "Downloading model.safetensors: 12.0 MB of 90.9 MB at
    // 20.0 MB/s, 4 s left", each part once it is known; otherwise the step's own message.
    function messageText(status, speed, left) {
      if (!(hasByteProgress(status) && status.step === DOWNLOAD_STEP)) {
        return typeof status.message === "string" ? status.message : "—";
      }
      const file = typeof status.file === "string" && status.file !== "" ? ` ${status.file}:` : "";
      const rate = speed !== null ? ` at ${formatBytes(speed)}/s` : "";
      const time = left !== null ? `, ${left} left` : "";
      return `Downloading${file} ${formatBytes(status.bytes_loaded)} of ${formatBytes(status.bytes_total)}${rate}${time}`;
    }

    function failureText(status) {
      const error = status.error;
      if (!error || typeof error !== "object") return "—";
      const where = typeof error.step === "number" ? ` at step ${error.step}` : "";
      const text = `${error.message || "Unknown error"} (${error.code || "error"}${where})`;
      if (status.state === "failed") return text;
      return isPending(status.state) ? `Retrying after: ${text}` : "—";
    }

    function formatBytes(value) {
      let amount = number(value);
      let unit = 0;
      while (amount >= 1000 && unit < BYTE_UNITS.length - 1) {
        amount /= 1000;
        unit += 1;
      }
      return unit === 0 ? `${Math.round(amount)} B` : `${amount.toFixed(amount < 10 ? 2 : 1)} ${BYTE_UNITS[unit]}`;
    }

    function formatDuration(milliseconds) {
      const seconds = Math.ceil(milliseconds / 1000);
      if (seconds < 60) return `${seconds} s`;
      const minutes = Math.floor(seconds / 60);
      if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
      return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
    }

    function announce(text) {
      setText(announcer, text);
    }

    // One prompt at a time: commands that need the token together share its answer.
    let pendingToken = null;

    /** Asks for the admin token; resolves to it, or to null when the user cancels. */
    function askToken(reason) {
      if (pendingToken) return pendingToken;
      pendingToken = new Promise((resolve) => {
        const finish = (token) => {
          tokenForm.removeEventListener("submit", submitted);
          tokenCancel.removeEventListener("click", cancelled);
          tokenDialog.removeEventListener("close", cancelled);
          if (tokenDialog.open) tokenDialog.close();
          pendingToken = null;
          resolve(token);
        };
        const submitted = (event) => {
          event.preventDefault();
          const token = tokenInput.value.trim();
          if (token) finish(token);
        };
        const cancelled = () => finish(null);
        tokenForm.addEventListener("submit", submitted);
        tokenCancel.addEventListener("click", cancelled);
        tokenDialog.addEventListener("close", cancelled);
        tokenReason.textContent = reason;
        tokenInput.value = "";
        tokenDialog.showModal();
        tokenInput.focus();
      });
      return pendingToken;
    }

    // sessionStorage may be disabled; the token then lasts for one command.
    function storedToken() {
      try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
    }

    function storeToken(token) {
      try {
        if (token === null) sessionStorage.removeItem(TOKEN_KEY); else sessionStorage.setItem(TOKEN_KEY, token);
      } catch { /* storage disabled: nothing to keep */ }
    }

    """#
}
