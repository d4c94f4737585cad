import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_TERMINATION_LOG_LINES,
  MAX_TERMINATION_MESSAGE_BYTES,
  encodeTerminationMessage,
  parseTerminationLogTail,
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

  it("takes the log lines before the message when the kubelet fell back to the log's end, dropping a cut first line", () => {
    const message = JSON.stringify({ code: 'FJ_MODEL_NOT_FOUND', reason: 'ModelNotFound', message: 'm', logUri });
    const short = `${logLine(1)}\n${logLine(2)}\n${message}\n`;
    assert.equal(parseTerminationLogTail(short), `${logLine(1)}\n${logLine(2)}`);
    // Past 2 KiB the fallback starts mid-line: that first piece is not a log line.
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ msg: 'fetched', i, pad: 'p'.repeat(240) }));
    assert.equal(parseTerminationLogTail(`l":"cut here"}\n${lines.join('\n')}\n${message}\n`), lines.join('\n'));
    assert.equal(
      parseTerminationLogTail(`${lines.join('\n')}\n${message}\n`),
      lines.join('\n'),
      'a whole first line stays',
    );
    assert.equal(parseTerminationLogTail(JSON.stringify({ ...JSON.parse(message), logTail: 'own' })), 'own');
    assert.equal(parseTerminationLogTail(message), undefined);
    assert.equal(parseTerminationLogTail('no message at all'), undefined);
  });
});
