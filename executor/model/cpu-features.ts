/**
 * The CPU features that decide how fast onnxruntime's int8 kernels run, from /proc/cpuinfo:
 * AVX2 (u8s8 via vpmaddubsw), AVX-512 VNNI and AVX-VNNI (vpdpbusd: the int8 dot product in
 * one instruction), AMX (tile matrix multiply); on Arm, the dot-product and i8mm extensions.
 * Recorded with every int8 measurement, because a gate passed on one CPU says nothing about
 * the speed on another.
 */
import { readFileSync } from 'node:fs';

export const INT8_CPU_FLAGS = [
  'avx2',
  'avx512f',
  'avx512bw',
  'avx512_vnni',
  'avx_vnni',
  'amx_tile',
  'amx_int8',
  'asimddp',
  'i8mm',
] as const;

/** The INT8_CPU_FLAGS present in a /proc/cpuinfo text, in that list's order. */
export function computeInt8CpuFlags(cpuinfo: string): string[] {
  const present = new Set<string>();
  for (const line of cpuinfo.split('\n')) {
    const match = /^(flags|Features)\s*:\s*(.*)$/.exec(line);
    if (match !== null) for (const flag of (match[2] as string).split(/\s+/)) present.add(flag);
  }
  return INT8_CPU_FLAGS.filter((flag) => present.has(flag));
}

/** This machine's int8 CPU flags; empty where /proc/cpuinfo cannot be read (macOS). */
export function readInt8CpuFlags(path = '/proc/cpuinfo'): string[] {
  try {
    return computeInt8CpuFlags(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}
