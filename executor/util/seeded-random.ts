/**
 * Deterministic pseudo-random numbers: xoshiro128** (Blackman & Vigna) seeded through
 * splitmix64, normals by Box-Muller. Everything is integer arithmetic plus Math.log, Math.sqrt,
 * Math.cos and Math.sin, which V8 computes in software (its fdlibm port), so one seed gives
 * bit-identical streams on every machine, independent of CPU and OS. The one generator of
 * the project: random weights, the eigensolver's start vectors, test and benchmark data.
 */

const MASK_64 = (1n << 64n) - 1n;
const TWO_POW_MINUS_32 = 2 ** -32;
const TWO_PI = 2 * Math.PI;

/** splitmix64 (Steele, Lea & Flood): expands one 64-bit seed into well-mixed 64-bit words. */
export function* splitmix64(seed: number | bigint): Generator<bigint, never> {
  let state = BigInt.asUintN(64, BigInt(seed));
  for (;;) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK_64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
    yield z ^ (z >> 31n);
  }
}

export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is any integer; negative values are taken as their 64-bit two's complement. */
  constructor(seed: number | bigint) {
    if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
      throw new RangeError(`seed must be a safe integer, got ${seed}`);
    }
    const words = splitmix64(seed);
    const a = words.next().value;
    const b = words.next().value;
    this.s0 = Number(a & 0xffffffffn);
    this.s1 = Number(a >> 32n);
    this.s2 = Number(b & 0xffffffffn);
    this.s3 = Number(b >> 32n);
    // The all-zero state is the one xoshiro cannot leave; splitmix64 output never gives it
    // for two consecutive words, but guard anyway.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() * TWO_POW_MINUS_32;
  }

  /** One normal value of mean 0 and standard deviation 1 (Box-Muller, the cosine half). */
  nextNormal(): number {
    const u1 = (this.nextUint32() + 1) * TWO_POW_MINUS_32;
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * this.nextUint32() * TWO_POW_MINUS_32);
  }

  /** Fills `out` with independent normal values of mean 0 and the given standard deviation. */
  fillNormal(out: Float32Array, std = 1): Float32Array {
    const n = out.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      // u1 in (0, 1] so the logarithm is finite.
      const u1 = (this.nextUint32() + 1) * TWO_POW_MINUS_32;
      const angle = TWO_PI * this.nextUint32() * TWO_POW_MINUS_32;
      const radius = std * Math.sqrt(-2 * Math.log(u1));
      out[i] = radius * Math.cos(angle);
      out[i + 1] = radius * Math.sin(angle);
    }
    if (i < n) {
      const u1 = (this.nextUint32() + 1) * TWO_POW_MINUS_32;
      const angle = TWO_PI * this.nextUint32() * TWO_POW_MINUS_32;
      out[i] = std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(angle);
    }
    return out;
  }
}
