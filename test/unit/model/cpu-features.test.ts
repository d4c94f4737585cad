import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeInt8CpuFlags, readInt8CpuFlags } from '../../../executor/model/cpu-features.js';

describe('computeInt8CpuFlags', () => {
  it('keeps the int8-relevant flags of an x86 cpuinfo, in a fixed order, once', () => {
    const cpuinfo =
      'processor\t: 0\nflags\t\t: fpu sse avx512_vnni avx2 amx_int8 avx512f\n\n' +
      'processor\t: 1\nflags\t\t: fpu sse avx512_vnni avx2 amx_int8 avx512f\n';
    assert.deepEqual(computeInt8CpuFlags(cpuinfo), ['avx2', 'avx512f', 'avx512_vnni', 'amx_int8']);
  });

  it("reads an Arm cpuinfo's Features line", () => {
    assert.deepEqual(computeInt8CpuFlags('Features\t: fp asimd asimddp i8mm\n'), ['asimddp', 'i8mm']);
  });

  it('says nothing where /proc/cpuinfo cannot be read', () => {
    assert.deepEqual(readInt8CpuFlags('/nonexistent/cpuinfo'), []);
  });
});
