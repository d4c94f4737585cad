import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sniffImageFormat } from '../../../executor/pipeline/sniff-image-format.js';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));

describe('sniffImageFormat', () => {
  it('names the five decodable formats by their signatures', () => {
    assert.equal(sniffImageFormat(bytes([0xff, 0xd8, 0xff, 0xe0])), 'jpeg');
    assert.equal(sniffImageFormat(bytes([0x89], 'PNG\r\n\x1a\n')), 'png');
    assert.equal(sniffImageFormat(bytes('GIF89a')), 'gif');
    assert.equal(sniffImageFormat(bytes('GIF87a')), 'gif');
    assert.equal(sniffImageFormat(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 ')), 'webp');
    assert.equal(sniffImageFormat(bytes('II*', [0])), 'tiff');
    assert.equal(sniffImageFormat(bytes('MM', [0], '*')), 'tiff');
  });

  it('names nothing for what no Pillow-identical decoder reads, however the file is called', () => {
    for (const sample of [
      bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'),
      bytes('<?xml version="1.0"?><svg/>'),
      bytes('%PDF-1.7'),
      bytes([0, 0, 0, 0x1c], 'ftypheic'),
      bytes([0, 0, 0, 0x1c], 'ftypavif'),
      bytes('BM'),
      bytes('RIFF', [0, 0, 0, 0], 'WAVE'),
      bytes([0xff, 0xd8]),
      new Uint8Array(0),
    ]) {
      assert.equal(sniffImageFormat(sample), undefined, Buffer.from(sample).toString('latin1'));
    }
  });
});
