/**
 * Debian's headless Chromium for tests that look at a page as a person would: the binary comes
 * from .ci/install-chromium.sh (installed once with apt-get, reused after), so a machine
 * without it installs it, and one that cannot fails the test with the script's reason: never
 * a skip. The browser runs with a fresh profile and every background connection off (the
 * machine has no network but loopback).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo-root.js';

const run = promisify(execFile);

let chromium: Promise<string> | undefined;

/** The path of a Chromium that runs, installing Debian's package when there is none. */
export function ensureChromium(): Promise<string> {
  chromium ??= run(join(REPO_ROOT, '.ci', 'install-chromium.sh'), [], { maxBuffer: 1 << 20 }).then(
    ({ stdout }) => stdout.trim(),
    (error: { stderr?: string; message: string }) => {
      chromium = undefined;
      throw new Error(`.ci/install-chromium.sh failed: ${error.stderr?.trim() || error.message}`);
    },
  );
  return chromium;
}

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
];

/**
 * Loads `url`, lets its scripts run for `virtualTimeMs` of virtual time (timers fire at once;
 * the clock waits while a request is in flight), and returns the DOM as it is then.
 */
export async function dumpDom(url: string, options: { virtualTimeMs?: number } = {}): Promise<string> {
  const binary = await ensureChromium();
  const profile = await mkdtemp(join(tmpdir(), 'featurejob-chromium-'));
  try {
    const { stdout } = await run(
      binary,
      [
        ...FLAGS,
        `--user-data-dir=${profile}`,
        `--virtual-time-budget=${options.virtualTimeMs ?? 5000}`,
        '--dump-dom',
        url,
      ],
      { maxBuffer: 16 << 20, timeout: 120_000 },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The text a person reads in an HTML fragment: tags dropped, entities decoded, spaces collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style|noscript)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
