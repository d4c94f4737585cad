/**
 * The dashboard's one HTML page, with its CSS and script inline, and the Content-Security-Policy
 * it is served with: only this very script and style (by their sha256) may run, the page may
 * fetch from its own origin only, and nothing may load from anywhere else.
 */
import { createHash } from 'node:crypto';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';

function sha256Source(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>featurejob dashboard</title>
<style>${DASHBOARD_STYLE}</style>
</head>
<body>
<header>
<h1>featurejob dashboard</h1>
<p class="meta"><span id="scope">Showing all namespaces</span> · <span id="watching">Operator watches…</span> ·
<span id="updated">Loading…</span> · read-only</p>
</header>
<div id="message" class="message" role="alert" hidden></div>
<main id="jobs"></main>
<noscript><p class="message">This page needs JavaScript; the same data is at <a href="api/featurejobs">api/featurejobs</a>.</p></noscript>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;

export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256Source(DASHBOARD_SCRIPT)}`,
  `style-src ${sha256Source(DASHBOARD_STYLE)}`,
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
