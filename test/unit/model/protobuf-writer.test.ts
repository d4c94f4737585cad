import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufWriter } from '../../../executor/model/protobuf-writer.js';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('ProtobufWriter', () => {
  it('encodes varints 0, 1, 300 and 2^32 in the fewest bytes', () => {
    assert.equal(hex(new ProtobufWriter().varint(1, 0).finish()), '0800');
    assert.equal(hex(new ProtobufWriter().varint(1, 1).finish()), '0801');
    assert.equal(hex(new ProtobufWriter().varint(1, 300).finish()), '08ac02');
    assert.equal(hex(new ProtobufWriter().varint(1, 2 ** 32).finish()), '088080808010');
    assert.equal(hex(new ProtobufWriter().varint(1, 2n ** 63n).finish()), '0880808080808080808001');
  });

  it('encodes a negative int64 as its ten-byte two’s complement', () => {
    assert.equal(hex(new ProtobufWriter().varint(1, -1).finish()), '08ffffffffffffffffff01');
    assert.equal(hex(new ProtobufWriter().varint(1, -2n).finish()), '08feffffffffffffffff01');
  });

  it('encodes sint64 with ZigZag so small negative numbers stay short', () => {
    assert.equal(hex(new ProtobufWriter().signedVarint(1, -1).finish()), '0801');
    assert.equal(hex(new ProtobufWriter().signedVarint(1, 1).finish()), '0802');
    assert.equal(hex(new ProtobufWriter().signedVarint(1, -3).finish()), '0805');
  });

  it('encodes fixed-width fields little-endian', () => {
    assert.equal(hex(new ProtobufWriter().float(1, 1).finish()), '0d0000803f');
    assert.equal(hex(new ProtobufWriter().double(1, 1).finish()), '09000000000000f03f');
    assert.equal(hex(new ProtobufWriter().fixed32(2, 0xdeadbeef).finish()), '15efbeadde');
    assert.equal(hex(new ProtobufWriter().fixed64(2, 1).finish()), '110100000000000000');
  });

  it('encodes a string and a nested message like the protobuf documentation examples', () => {
    assert.equal(hex(new ProtobufWriter().string(2, 'testing').finish()), '120774657374696e67');
    const inner = new ProtobufWriter().varint(1, 150);
    assert.equal(hex(new ProtobufWriter().message(3, inner).finish()), '1a03089601');
    assert.equal(hex(new ProtobufWriter().nested(3, (m) => m.varint(1, 150)).finish()), '1a03089601');
  });

  it('encodes packed repeated varints and floats', () => {
    assert.equal(hex(new ProtobufWriter().packedVarints(4, [3, 270, 86942]).finish()), '2206038e029ea705');
    assert.equal(hex(new ProtobufWriter().packedFloats(7, [1, -2]).finish()), '3a080000803f000000c0');
  });

  it('uses two-byte tags for field numbers above 15', () => {
    assert.equal(hex(new ProtobufWriter().varint(20, 7).finish()), 'a00107');
  });

  it('keeps a large payload by reference until finish and then lays out every byte in order', () => {
    const payload = new Uint8Array(100_000).map((_, i) => i % 251);
    const child = new ProtobufWriter().varint(1, 5).bytes(9, payload).string(8, 'w');
    const parent = new ProtobufWriter().string(2, 'graph').message(5, child).varint(1, 8);
    assert.ok(parent.toChunks().includes(payload), 'payload is one of the chunks, not a copy');

    const expected = Buffer.concat([
      Buffer.from('120567726170682a' + 'a98d06', 'hex'), // 'graph', field 5 with length 100_009
      Buffer.from('0805' + '4a' + 'a08d06', 'hex'), // field 1 = 5, field 9 with length 100_000
      payload,
      Buffer.from('420177' + '0808', 'hex'), // field 8 'w', then the parent's field 1 = 8
    ]);
    assert.equal(child.length, 100_009);
    assert.equal(parent.length, expected.length);
    assert.ok(Buffer.from(parent.finish()).equals(expected));
  });

  it('rejects a field number outside the protobuf range', () => {
    assert.throws(() => new ProtobufWriter().varint(0, 1), RangeError);
    assert.throws(() => new ProtobufWriter().varint(2 ** 29, 1), RangeError);
  });
});
