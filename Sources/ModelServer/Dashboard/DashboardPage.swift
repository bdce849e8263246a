/// The dashboard's HTML: the page shell, the note shown when the admin endpoints are off, the
/// token dialog and the `<template>` each model's card is cloned from (the script fills it
/// in; see `DashboardScript`).
///
/// Every text slot of a card exists from the start and shows "—" when empty, so a card keeps
/// its height as a load moves through its steps. Status text that changes by itself (the
/// connection line, a model's state) is announced through polite live regions; the progress
/// bar is a `role="progressbar"` with `aria-valuenow` in whole percent.
enum DashboardPage {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>modeld</title>
    <link rel="stylesheet" href="/dashboard.css">
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
    <script type="module" src="/dashboard.js"></script>
    </head>
    <body>
    <header class="top">
      <h1>modeld</h1>
      <p id="connection" class="connection" role="status" aria-live="polite" data-mode="connecting">Connecting…</p>
    </header>
    <main>
      <p id="admin-notice" class="admin-notice" role="note" hidden>Load, cancel and unload are off: this server
        has no admin token. Start modeld with <code>--admin-token-file FILE</code> (or set
        <code>admin-token-file</code> in its configuration file and send it <code>SIGHUP</code>) to use them here.</p>
      <p id="empty" class="empty" hidden>The model repository has no models.</p>
      <ul id="models" class="models" aria-label="Models"></ul>
    </main>
    <div id="announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>
    <dialog id="token-dialog" aria-labelledby="token-title" aria-describedby="token-reason">
      <form id="token-form">
        <h2 id="token-title">Admin token</h2>
        <p id="token-reason">This server needs its admin token for load, cancel and unload.</p>
        <label for="token-input">Token</label>
        <input id="token-input" name="token" type="password" autocomplete="off" spellcheck="false" required>
        <div class="dialog-buttons">
          <button type="button" id="token-cancel">Cancel</button>
          <button type="submit">Use token</button>
        </div>
      </form>
    </dialog>
    <template id="card-template">
      <li class="card" data-state="unloaded">
        <div class="card-head">
          <h2 class="name"></h2>
          <span class="state"></span>
        </div>
        <div class="bar-row">
          <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0">
            <div class="fill"></div>
          </div>
          <span class="percent" aria-hidden="true">0%</span>
        </div>
        <dl class="facts">
          <div><dt>Phase</dt><dd class="phase">—</dd></div>
          <div><dt>Step</dt><dd class="step">—</dd></div>
          <div class="wide"><dt>Message</dt><dd class="message">—</dd></div>
          <div class="wide"><dt>Weights read</dt><dd class="bytes">—</dd></div>
          <div><dt>Speed</dt><dd class="speed">—</dd></div>
          <div><dt>Time left</dt><dd class="eta">—</dd></div>
          <div class="wide"><dt>Error</dt><dd class="error" role="alert">—</dd></div>
        </dl>
        <div class="buttons">
          <button type="button" data-action="load">Load</button>
          <button type="button" data-action="cancel">Cancel</button>
          <button type="button" data-action="unload">Unload</button>
        </div>
      </li>
    </template>
    </body>
    </html>

    """#
}
