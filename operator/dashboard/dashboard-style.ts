/** The dashboard page's CSS, inlined (the page loads nothing from anywhere). */
export const DASHBOARD_STYLE = `
:root { color-scheme: light dark; --ok: #2e7d32; --bad: #c62828; --run: #1565c0; --wait: #9e9e9e; --warn: #ef6c00; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; max-width: 72rem; }
h1 { font-size: 1.4rem; margin: 0 0 0.2rem; }
h2 { font-size: 1.15rem; margin: 0 0 0.5rem; display: flex; gap: 0.6rem; align-items: baseline; flex-wrap: wrap; }
h3 { font-size: 0.95rem; margin: 0.8rem 0 0.3rem; }
.meta, .namespace, .muted { color: #757575; }
.message { padding: 0.8rem 1rem; border-left: 4px solid var(--warn); background: rgba(239, 108, 0, 0.08); margin: 1rem 0; }
.job { border: 1px solid rgba(127, 127, 127, 0.35); border-radius: 6px; padding: 0.9rem 1.1rem; margin: 1rem 0; }
.phase { font-weight: 600; padding: 0 0.45rem; border-radius: 4px; color: #fff; background: var(--run); }
.phase-Complete { background: var(--ok); }
.phase-Failed, .phase-Unknown { background: var(--bad); }
.phase-Pending, .phase-Suspended { background: var(--wait); }
.bar { display: flex; height: 0.9rem; border-radius: 4px; overflow: hidden; background: rgba(127, 127, 127, 0.2); }
.bar > span { display: block; height: 100%; }
.fill { background: var(--run); }
.job[data-phase="Complete"] .fill { background: var(--ok); }
.succeeded { background: var(--ok); }
.failed { background: var(--bad); }
.active { background: var(--run); }
.pending { background: var(--wait); }
.legend span::before { content: ""; display: inline-block; width: 0.7rem; height: 0.7rem; margin-right: 0.25rem;
  border-radius: 2px; vertical-align: -0.05rem; background: currentColor; }
.legend { display: flex; gap: 0.9rem; flex-wrap: wrap; margin: 0.3rem 0; }
.legend .succeeded, .legend .failed, .legend .active, .legend .pending { background: none; }
.legend .succeeded::before { background: var(--ok); }
.legend .failed::before { background: var(--bad); }
.legend .active::before { background: var(--run); }
.legend .pending::before { background: var(--wait); }
.problems { margin: 0.3rem 0; padding-left: 1.2rem; }
.problems li { margin: 0.2rem 0; }
.reason { font-weight: 600; color: var(--bad); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 0.9rem; margin: 0.6rem 0 0; }
dt { color: #757575; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { max-height: 16rem; overflow: auto; padding: 0.6rem; background: rgba(127, 127, 127, 0.12); border-radius: 4px; }
svg { display: block; max-width: 100%; }
svg .line { fill: none; stroke: var(--run); stroke-width: 2; }
svg .axis { stroke: rgba(127, 127, 127, 0.6); stroke-width: 1; }
svg .scree { fill: var(--run); }
`;
