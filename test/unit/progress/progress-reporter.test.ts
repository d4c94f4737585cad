import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration } from '../../../executor/progress/format-duration.js';
import { ProgressReporter } from '../../../executor/progress/progress-reporter.js';

function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { isTTY, write: (chunk: string) => written.push(chunk) } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('ProgressReporter', () => {
  test('draws a bar with images/s and ETA on a terminal', () => {
    let now = 0;
    const { stream, written } = fakeStream(true);
    const progress = new ProgressReporter({ mode: 'auto', total: 100, stream, now: () => now });
    now = 9_000;
    progress.update(0, 20, 1);
    now = 10_000;
    progress.update(1, 30, 0);
    const last = written.at(-1) ?? '';
    assert.match(last, /^\r\[#{14}\.{14}\] 50\/100 images {2}5\.00 img\/s {2}ETA 10s {2}failed 1/);
  });

  test('writes a plain line every few seconds when not on a terminal', () => {
    let now = 0;
    const { stream, written } = fakeStream(false);
    const progress = new ProgressReporter({ mode: 'auto', total: 10, stream, now: () => now, logIntervalMs: 5_000 });
    now = 6_000;
    progress.update(0, 1, 0);
    now = 7_000;
    progress.update(0, 2, 0);
    now = 12_000;
    progress.update(0, 5, 0);
    assert.equal(written.length, 2);
    assert.match(written[1] ?? '', /^progress: 5\/10 images .* elapsed 12s\n$/);
  });

  test('remembers when the first image with features arrived', () => {
    let now = 100;
    const progress = new ProgressReporter({ mode: 'none', total: 4, stream: fakeStream(false).stream, now: () => now });
    now = 200;
    progress.update(0, 1, 1);
    assert.equal(progress.firstImageAt, undefined, 'a failed image is not a first image');
    now = 300;
    progress.update(0, 2, 1);
    assert.equal(progress.firstImageAt, 300);
  });
});

describe('formatDuration', () => {
  test('reads like a person would write it', () => {
    assert.equal(formatDuration(4.25), '4.3s');
    assert.equal(formatDuration(75), '1m15s');
    assert.equal(formatDuration(3_700), '1h01m');
    assert.equal(formatDuration(Number.NaN), '?');
  });
});
