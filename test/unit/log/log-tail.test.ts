import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOG_TAIL_MAX_BYTES, LOG_TAIL_MAX_LINES, LogTail, keepEnd } from '../../../executor/log/log-tail.js';

const lines = (count: number, from = 0): string[] => Array.from({ length: count }, (_, i) => `line ${from + i}`);

describe('LogTail', () => {
  it('keeps the last 200 lines by default, oldest first, each ending in a newline', () => {
    const tail = new LogTail();
    for (const line of lines(250)) tail.write(`${line}\n`);
    const kept = tail.text().split('\n');
    assert.equal(kept.pop(), '', 'the text ends in a newline');
    assert.equal(kept.length, LOG_TAIL_MAX_LINES);
    assert.deepEqual(kept, lines(200, 50));
  });

  it('stops at 64 KiB of lines before 200 lines when lines are long', () => {
    const tail = new LogTail();
    const long = 'x'.repeat(1023);
    for (let i = 0; i < 100; i += 1) tail.write(`${i} ${long}\n`);
    const text = tail.text();
    assert.ok(Buffer.byteLength(text) <= LOG_TAIL_MAX_BYTES, `${Buffer.byteLength(text)} bytes`);
    const kept = text.trimEnd().split('\n');
    assert.ok(kept.length < 100 && kept.length >= 60, `${kept.length} lines kept`);
    assert.ok(kept.at(-1)?.startsWith('99 '), 'the newest line is kept');
  });

  it('joins a line written in pieces, and shows a line still waiting for its newline', () => {
    const tail = new LogTail({ maxLines: 3 });
    tail.write('{"msg":"fir');
    tail.write('st"}\n{"msg":"second"}\n{"msg":"th');
    assert.deepEqual(tail.lastLines(5), ['{"msg":"first"}', '{"msg":"second"}', '{"msg":"th']);
    tail.write('ird"}\n');
    assert.equal(tail.text(), '{"msg":"first"}\n{"msg":"second"}\n{"msg":"third"}\n');
  });

  it('keeps the end of a single line longer than the byte bound, without splitting a character', () => {
    const tail = new LogTail({ maxBytes: 16 });
    tail.write(`${'é'.repeat(20)}END\n`);
    const text = tail.text();
    assert.ok(Buffer.byteLength(text) <= 16);
    assert.match(text, /^é+END\n$/);
    assert.equal(keepEnd('abcdef', 3), 'def');
    assert.equal(keepEnd('ab', 3), 'ab');
  });

  it('forgets everything on clear, and gives the last n lines', () => {
    const tail = new LogTail();
    for (const line of lines(10)) tail.write(`${line}\n`);
    assert.deepEqual(tail.lastLines(2), ['line 8', 'line 9']);
    assert.deepEqual(tail.lastLines(0), []);
    tail.clear();
    assert.equal(tail.text(), '');
  });
});
