import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_TERMINATION_LOG_LINES,
  MAX_TERMINATION_MESSAGE_BYTES,
  encodeTerminationMessage,
  parseTerminationMessage,
} from '../../../executor/cluster/termination-message.js';

const logUri = 's3://features/runs/_featurejob/logs/part-00003-am0abc12345678.log';
const logLine = (i: number): string =>
  JSON.stringify({ level: 30, time: 1_700_000_000_000 + i, msg: 'fetched', key: `Apple/${i}.jpg` });

describe('the termination message', () => {
  it("carries the log's URI and the last log lines, within the kubelet's 4 KiB, and reads back", () => {
    const logTail = Array.from({ length: 200 }, (_, i) => logLine(i)).join('\n');
    const line = encodeTerminationMessage({
      code: 'FJ_OBJECT_WRITE_FAILED',
      reason: 'R',
      message: 'boom',
      logUri,
      logTail,
    });
    assert.ok(Buffer.byteLength(line) <= MAX_TERMINATION_MESSAGE_BYTES, `${Buffer.byteLength(line)} bytes`);
    const parsed = parseTerminationMessage(`some output\n${line}`);
    assert.equal(parsed?.logUri, logUri);
    assert.equal(parsed?.code, 'FJ_OBJECT_WRITE_FAILED');
    const kept = parsed?.logTail?.split('\n') ?? [];
    assert.ok(kept.length > 0 && kept.length <= MAX_TERMINATION_LOG_LINES, `${kept.length} lines`);
    assert.equal(kept.at(-1), logLine(199), 'the newest line is kept');
  });

  it('keeps the code and the URI when the message is long and multi-byte, and leaves out lines that do not fit', () => {
    const line = encodeTerminationMessage({
      code: 'FJ_EXECUTOR_CRASHED',
      reason: 'ExecutorCrashed',
      message: '€"\n'.repeat(3000),
      logUri,
      logTail: 'x'.repeat(4000),
    });
    assert.ok(Buffer.byteLength(line) <= MAX_TERMINATION_MESSAGE_BYTES, `${Buffer.byteLength(line)} bytes`);
    const parsed = parseTerminationMessage(line);
    assert.equal(parsed?.code, 'FJ_EXECUTOR_CRASHED');
    assert.equal(parsed?.logUri, logUri);
    assert.equal(parsed?.logTail, undefined);
  });

  it('reads a message written before logs were kept (no logUri)', () => {
    const parsed = parseTerminationMessage('{"code":"FJ_NO_INPUT_IMAGES","reason":"NoInputImages","message":"none"}');
    assert.deepEqual(parsed, { code: 'FJ_NO_INPUT_IMAGES', reason: 'NoInputImages', message: 'none' });
  });
});
