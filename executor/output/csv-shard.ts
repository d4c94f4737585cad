import { assertFeatureRowsShape, type FeatureRows } from './feature-rows.js';

/**
 * The reference CSV layout: `dim_0,…,dim_{d-1},path`, one line per image, '\n' line ends (as
 * pandas' to_csv writes it). Every value is the shortest decimal that reads back as the same
 * float32, in JavaScript's number notation (`0.1`, `1e-45`, `3.4028235e+38`, `-0`). The bytes
 * are written straight into one buffer: 5,000 × 4,096 values must not become 20 M strings.
 */
export function encodeCsvShard(rows: FeatureRows, options: { header: boolean }): Uint8Array {
  assertFeatureRowsShape(rows);
  const { dimensions, features, paths } = rows;
  const bits = new Uint32Array(features.buffer, features.byteOffset, features.length);
  // ReLU features average about 10 bytes a value with the comma; dense ones hardly fewer, so
  // the buffer rarely grows and is handed back without a copy.
  const writer = new ByteWriter(paths.length * (dimensions * 11 + 64) + 16 * dimensions);
  if (options.header) {
    const names: string[] = [];
    for (let dimension = 0; dimension < dimensions; dimension++) names.push(`dim_${dimension}`);
    names.push('path');
    writer.writeString(`${names.join(',')}\n`);
  }
  for (let row = 0; row < paths.length; row++) {
    const path = quoteCsvField(paths[row]!);
    writer.reserve(dimensions * MAX_VALUE_BYTES + path.length * 3 + 1);
    const start = row * dimensions;
    for (let index = start; index < start + dimensions; index++) {
      writeFloat32(writer, features[index]!, bits[index]!);
      writer.bytes[writer.length++] = COMMA;
    }
    writer.writeString(path);
    writer.bytes[writer.length++] = NEWLINE;
  }
  return writer.finish();
}

/** The shortest decimal text that parses (as a double, then rounded to float32) back to `value`. */
export function formatFloat32(value: number): string {
  const f32 = new Float32Array([value]);
  const writer = new ByteWriter(MAX_VALUE_BYTES);
  writeFloat32(writer, f32[0]!, new Uint32Array(f32.buffer)[0]!);
  return new TextDecoder().decode(writer.finish());
}

/** RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled. */
export function quoteCsvField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
// Longest output: '-' + 9 digits + '.' + 'e-' + 2 digits ("-1.17549435e-38").
const MAX_VALUE_BYTES = 16;
const FLOAT32_MANTISSA_MASK = 0x7fffff;
// Powers of ten that doubles hold exactly: products and quotients with them round once.
const EXACT_POWERS_OF_TEN = Array.from({ length: 23 }, (_, exponent) => 10 ** exponent);
const LOG10_OF_2 = Math.log10(2);
// Decades whose candidates of 1 to 9 digits need only exact powers of ten (1e-14 to 1e22).
const MIN_FAST_DECADE = -14;
const MAX_FAST_DECADE = 22;
// 10^k for k in [MIN_FAST_DECADE, MAX_FAST_DECADE + 1], each the double nearest to it.
const POWERS_OF_TEN = Float64Array.from({ length: MAX_FAST_DECADE - MIN_FAST_DECADE + 2 }, (_, index) =>
  Number(`1e${index + MIN_FAST_DECADE}`),
);

/** A growable byte buffer the formatter writes into without intermediate strings. */
class ByteWriter {
  bytes: Uint8Array;
  length = 0;
  private readonly encoder = new TextEncoder();

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 64));
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  writeString(text: string): void {
    this.reserve(text.length * 3);
    this.length += this.encoder.encodeInto(text, this.bytes.subarray(this.length)).written;
  }

  /** The written bytes; copied when most of the buffer would otherwise be kept alive unused. */
  finish(): Uint8Array {
    const written = this.bytes.subarray(0, this.length);
    return this.length * 4 < this.bytes.length * 3 ? written.slice() : written;
  }
}

// The shortest candidate found by findShortest: value = digits × 10^exponent. Module
// variables instead of a returned object keep the per-value path free of allocations.
let foundDigits = 0;
let foundExponent = 0;
// Digits of one value, least significant first.
const scratchDigits = new Uint8Array(24);

function writeFloat32(writer: ByteWriter, value: number, bits: number): void {
  if (value === 0) {
    if (bits !== 0) writer.bytes[writer.length++] = MINUS; // -0 keeps its sign
    writer.bytes[writer.length++] = ZERO;
    return;
  }
  if (!Number.isFinite(value)) {
    writeAscii(writer, String(value));
    return;
  }
  if (value < 0) writer.bytes[writer.length++] = MINUS;
  const magnitude = Math.abs(value);
  const isPowerOfTwo = (bits & FLOAT32_MANTISSA_MASK) === 0;
  if (findShortest(magnitude, bits & 0x7fffffff, isPowerOfTwo)) writeDecimal(writer, foundDigits, foundExponent);
  else writeAscii(writer, String(shortestBySearch(magnitude, isPowerOfTwo)));
}

/**
 * Fast path for magnitudes whose candidates need only exact powers of ten (about 1e-14 to
 * 1e22, which covers CNN activations). Tries 7 significant digits first: most float32 values
 * need 7 or 8, a few 9, and shorter ones are found by walking down from 7.
 */
function findShortest(magnitude: number, bits: number, isPowerOfTwo: boolean): boolean {
  // The decimal exponent from the binary one: log10(2) × e is exact enough to be off by at
  // most one, which one comparison with a correctly rounded power of ten fixes.
  const binaryExponent = (bits >>> 23) - 127;
  let decade = Math.floor(binaryExponent * LOG10_OF_2);
  if (decade < MIN_FAST_DECADE || decade >= MAX_FAST_DECADE) return false;
  if (magnitude >= POWERS_OF_TEN[decade + 1 - MIN_FAST_DECADE]!) decade++;
  if (tryDigits(magnitude, decade, 7, isPowerOfTwo)) {
    let digits = foundDigits;
    let exponent = foundExponent;
    for (let precision = 6; precision >= 1 && tryDigits(magnitude, decade, precision, isPowerOfTwo); precision--) {
      digits = foundDigits;
      exponent = foundExponent;
    }
    foundDigits = digits;
    foundExponent = exponent;
    return true;
  }
  return tryDigits(magnitude, decade, 8, isPowerOfTwo) || tryDigits(magnitude, decade, 9, isPowerOfTwo);
}

/** Whether the `precision`-digit decimal nearest to `magnitude` reads back as it. */
function tryDigits(magnitude: number, decade: number, precision: number, isPowerOfTwo: boolean): boolean {
  const scale = precision - 1 - decade;
  const power = EXACT_POWERS_OF_TEN[Math.abs(scale)]!;
  const scaled = scale >= 0 ? magnitude * power : magnitude / power;
  let digits = Math.round(scaled);
  // An exact tie (a float32 like 180861.625 at 8 digits) goes to the even digit, as numpy and
  // Number.prototype.toString choose; ties are exact here because such products fit a double.
  if (digits - scaled === 0.5 && digits % 2 === 1) digits -= 1;
  if (readsBack(digits, scale, power, magnitude)) return found(digits, -scale);
  // Just above a power of two the gap below is half the gap above, so the nearest decimal
  // can fall outside while the next one up is inside.
  if (isPowerOfTwo && readsBack(digits + 1, scale, power, magnitude)) return found(digits + 1, -scale);
  return false;
}

function readsBack(digits: number, scale: number, power: number, magnitude: number): boolean {
  // One correctly rounded operation, so this equals Number('<digits>e<-scale>').
  return Math.fround(scale >= 0 ? digits / power : digits * power) === magnitude;
}

function found(digits: number, exponent: number): true {
  let trimmed = digits;
  let shifted = exponent;
  while (trimmed % 10 === 0) {
    trimmed /= 10;
    shifted++;
  }
  foundDigits = trimmed;
  foundExponent = shifted;
  return true;
}

/** Slow path for the extremes (subnormals, near float32's maximum): the same search on strings. */
function shortestBySearch(magnitude: number, isPowerOfTwo: boolean): number {
  for (let precision = 1; precision <= 9; precision++) {
    const [mantissa = '', exponent = ''] = magnitude.toExponential(precision - 1).split('e');
    const digits = Number(mantissa.replace('.', ''));
    const scale = Number(exponent) - (precision - 1);
    const nearest = Number(`${digits}e${scale}`);
    if (Math.fround(nearest) === magnitude) return nearest;
    const above = Number(`${digits + 1}e${scale}`);
    if (isPowerOfTwo && Math.fround(above) === magnitude) return above;
  }
  return magnitude; // a double's own shortest form always reads back
}

/** Writes digits × 10^exponent the way Number.prototype.toString formats numbers. */
function writeDecimal(writer: ByteWriter, digits: number, exponent: number): void {
  const bytes = writer.bytes;
  let count = 0;
  // digits < 10^10 fits int32 arithmetic, which is much cheaper than float division.
  for (let rest = digits | 0; rest > 0; ) {
    const tenth = (rest / 10) | 0;
    scratchDigits[count++] = ZERO + rest - tenth * 10;
    rest = tenth;
  }
  const point = count + exponent; // value = 0.d1d2… × 10^point
  let at = writer.length;
  if (0 < point && point <= 21) {
    for (let index = 0; index < count || index < point; index++) {
      if (index === point) bytes[at++] = DOT;
      bytes[at++] = index < count ? scratchDigits[count - 1 - index]! : ZERO;
    }
  } else if (-6 < point && point <= 0) {
    bytes[at++] = ZERO;
    bytes[at++] = DOT;
    for (let zero = 0; zero < -point; zero++) bytes[at++] = ZERO;
    for (let index = count - 1; index >= 0; index--) bytes[at++] = scratchDigits[index]!;
  } else {
    bytes[at++] = scratchDigits[count - 1]!;
    if (count > 1) bytes[at++] = DOT;
    for (let index = count - 2; index >= 0; index--) bytes[at++] = scratchDigits[index]!;
    bytes[at++] = 0x65; // 'e'
    bytes[at++] = point - 1 < 0 ? MINUS : 0x2b; // '+'
    const power = Math.abs(point - 1);
    if (power >= 10) bytes[at++] = ZERO + Math.floor(power / 10);
    bytes[at++] = ZERO + (power % 10);
  }
  writer.length = at;
}

function writeAscii(writer: ByteWriter, text: string): void {
  for (let index = 0; index < text.length; index++) writer.bytes[writer.length++] = text.charCodeAt(index);
}
