/// The dashboard's stylesheet: system fonts only, light and dark schemes, one column of cards
/// on a 320 px screen and as many 20 rem columns as fit on wider ones.
///
/// Layout stability: numbers use tabular figures, every fact has a fixed single-line height
/// (long text is cut with an ellipsis; the full text stays in the DOM for screen readers) and
/// the bar moves by `transform`, which never reflows the card. The bar has no transition:
/// events come every 100 ms anyway, and a bar that lags its `aria-valuenow` would show a
/// value the page no longer holds.
enum DashboardStyle {
    static let css = #"""
    :root {
      color-scheme: light dark;
      --bg: #f6f7f9; --card: #ffffff; --text: #1b1f24; --muted: #57606a; --line: #d0d7de;
      --bar: #e4e8ec; --fill: #0969da; --ready: #1a7f37; --bad: #c0362c; --warn: #8a6100;
      --focus: #0969da;
    }
    @media (prefers-color-scheme: dark) {
      :root {
        --bg: #0d1117; --card: #161b22; --text: #e6edf3; --muted: #9aa5b1; --line: #30363d;
        --bar: #2a313a; --fill: #4493f8; --ready: #3fb950; --bad: #f0685e; --warn: #d29922;
        --focus: #4493f8;
      }
    }
    * { box-sizing: border-box; }
    html { -webkit-text-size-adjust: 100%; }
    body {
      margin: 0; background: var(--bg); color: var(--text);
      font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
    }
    .top {
      display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 1rem;
      padding: 0.75rem 1rem; border-bottom: 1px solid var(--line); background: var(--card);
    }
    h1 { margin: 0; font-size: 1.25rem; }
    .connection { margin: 0; color: var(--muted); min-height: 1.4em; }
    .connection[data-mode="live"]::before { content: "● "; color: var(--ready); }
    .connection[data-mode="polling"]::before { content: "● "; color: var(--warn); }
    .connection[data-mode="offline"]::before { content: "● "; color: var(--bad); }
    main { padding: 1rem; }
    .empty { color: var(--muted); }
    .admin-notice {
      margin: 0 0 1rem; padding: 0.625rem 0.875rem; border: 1px solid var(--line); border-radius: 8px;
      background: var(--card);
    }
    body[data-admin="off"] .buttons { display: none; }
    .models {
      list-style: none; margin: 0; padding: 0; display: grid; gap: 1rem;
      grid-template-columns: repeat(auto-fill, minmax(min(100%, 20rem), 1fr));
    }
    .card {
      background: var(--card); border: 1px solid var(--line); border-radius: 8px;
      padding: 0.875rem; min-width: 0;
    }
    .card-head { display: flex; align-items: baseline; justify-content: space-between; gap: 0.5rem; }
    .name { margin: 0; font-size: 1.05rem; overflow-wrap: anywhere; }
    .state {
      flex: none; font-size: 0.8rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em;
      color: var(--muted);
    }
    .card[data-state="ready"] .state { color: var(--ready); }
    .card[data-state="failed"] .state, .card[data-state="cancelled"] .state { color: var(--bad); }
    .card[data-state="loading"] .state, .card[data-state="queued"] .state { color: var(--fill); }
    .bar-row { display: flex; align-items: center; gap: 0.5rem; margin: 0.625rem 0; }
    .bar { flex: 1; height: 0.625rem; border-radius: 999px; background: var(--bar); overflow: hidden; }
    .fill {
      height: 100%; width: 100%; background: var(--fill); transform-origin: left center;
      transform: scaleX(0);
    }
    .card[data-state="ready"] .fill { background: var(--ready); }
    .card[data-state="failed"] .fill, .card[data-state="cancelled"] .fill { background: var(--bad); }
    .percent { width: 3.2em; text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
    .facts { display: grid; grid-template-columns: 1fr 1fr; gap: 0.375rem 0.75rem; margin: 0 0 0.75rem; }
    .facts > div { min-width: 0; }
    .facts .wide { grid-column: 1 / -1; }
    dt { font-size: 0.75rem; color: var(--muted); }
    dd {
      margin: 0; min-height: 1.4em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
      font-variant-numeric: tabular-nums;
    }
    .card[data-state="failed"] .error { color: var(--bad); white-space: normal; overflow-wrap: anywhere; }
    .buttons { display: flex; flex-wrap: wrap; gap: 0.5rem; }
    button {
      flex: 1 1 0; font: inherit; min-height: 2.5rem; min-width: 4.5rem; max-width: 8rem;
      padding: 0.375rem 0.5rem; border-radius: 6px;
      border: 1px solid var(--line); background: var(--bg); color: var(--text); cursor: pointer;
    }
    button:disabled { opacity: 0.45; cursor: not-allowed; }
    button:focus-visible, input:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
    dialog {
      border: 1px solid var(--line); border-radius: 8px; background: var(--card); color: var(--text);
      width: min(26rem, calc(100vw - 2rem)); padding: 1rem;
    }
    dialog::backdrop { background: rgb(0 0 0 / 0.4); }
    dialog h2 { margin: 0 0 0.5rem; font-size: 1.1rem; }
    dialog label { display: block; margin: 0.75rem 0 0.25rem; }
    dialog input {
      width: 100%; font: inherit; padding: 0.5rem; border-radius: 6px; border: 1px solid var(--line);
      background: var(--bg); color: var(--text);
    }
    .dialog-buttons { display: flex; justify-content: flex-end; gap: 0.5rem; margin-top: 1rem; }
    .visually-hidden {
      position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
      overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
    }

    """#
}
