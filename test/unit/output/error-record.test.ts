import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFeatureJobError } from '../../../executor/errors.js';
import { encodeErrorLines, parseErrorLines, type ErrorRecord } from '../../../executor/output/error-record.js';

const RECORDS: ErrorRecord[] = [
  { path: 'Plum 5/broken.jpg', code: 'FJ_IMAGE_CORRUPT', message: 'VipsJpeg: premature end of JPEG file' },
  {
    path: 'notes/two\nlines "quoted", ü.jpg',
    code: 'FJ_IMAGE_UNRECOGNIZED',
    message: 'unsupported image format\u2028(really)',
  },
];

function assertOutputInvalid(text: string, mentions: string): void {
  assert.throws(
    () => parseErrorLines(text),
    (error) => isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID' && error.message.includes(mentions),
  );
}

describe('error records', () => {
  it('writes one JSON object per line, keys in the order path, code, message', () => {
    const text = encodeErrorLines(RECORDS);
    const lines = text.split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[2], '');
    assert.equal(
      lines[0],
      '{"path":"Plum 5/broken.jpg","code":"FJ_IMAGE_CORRUPT","message":"VipsJpeg: premature end of JPEG file"}',
    );
  });

  it('reads back exactly the records it wrote, line breaks in paths included', () => {
    assert.deepEqual(parseErrorLines(encodeErrorLines(RECORDS)), RECORDS);
  });

  it('writes nothing for no records, and reads nothing back', () => {
    assert.equal(encodeErrorLines([]), '');
    assert.deepEqual(parseErrorLines(''), []);
  });

  it('reads the concatenation of two partitions’ lines as all their records', () => {
    const first = RECORDS.slice(0, 1);
    const second = RECORDS.slice(1);
    assert.deepEqual(parseErrorLines(encodeErrorLines(first) + encodeErrorLines(second)), RECORDS);
  });

  it('leaves out fields a record does not declare', () => {
    const withExtra = { ...RECORDS[0]!, stack: 'at decode (decode.ts:1)' } as ErrorRecord;
    assert.deepEqual(JSON.parse(encodeErrorLines([withExtra])), RECORDS[0]);
  });

  it('names the line that is not JSON', () => {
    assertOutputInvalid(`${encodeErrorLines(RECORDS)}{oops\n`, 'line 3');
  });

  it('rejects a line whose code is not a stable FJ_ code', () => {
    assertOutputInvalid('{"path":"a.jpg","code":"corrupt","message":"x"}\n', 'line 1');
  });

  it('rejects a line without a path', () => {
    assertOutputInvalid('{"code":"FJ_IMAGE_EMPTY","message":"empty"}\n', 'path');
  });
});
