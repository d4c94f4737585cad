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
  const writer = new ByteWriter(paths.length * dimensions * 9 + 1024);
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
  if (findShortest(magnitude, isPowerOfTwo)) writeDecimal(writer, foundDigits, foundExponent);
  else writeAscii(writer, String(shortestBySearch(magnitude, isPowerOfTwo)));
}

/**
 * Fast path for magnitudes whose candidates need only exact powers of ten (about 1e-14 to
 * 1e22, which covers CNN activations). Tries 7 significant digits first: most float32 values
 * need 7 or 8, a few 9, and shorter ones are found by walking down from 7.
 */
function findShortest(magnitude: number, isPowerOfTwo: boolean): boolean {
  const decade = Math.floor(Math.log10(magnitude));
  if (decade < -14 || decade > 22) return false;
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
  const digits = Math.round(scale >= 0 ? magnitude * power : magnitude / power);
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
  let count = 1;
  while (count < EXACT_POWERS_OF_TEN.length && digits >= EXACT_POWERS_OF_TEN[count]!) count++;
  const point = count + exponent; // value = 0.d1d2… × 10^point
  let at = writer.length;
  if (count <= point && point <= 21) {
    at = writeDigits(bytes, at, digits, count);
    for (let zero = 0; zero < point - count; zero++) bytes[at++] = ZERO;
  } else if (0 < point && point <= 21) {
    at = writeDigits(bytes, at, digits, count);
    bytes.copyWithin(at - count + point + 1, at - count + point, at);
    bytes[at - count + point] = DOT;
    at++;
  } else if (-6 < point && point <= 0) {
    bytes[at++] = ZERO;
    bytes[at++] = DOT;
    for (let zero = 0; zero < -point; zero++) bytes[at++] = ZERO;
    at = writeDigits(bytes, at, digits, count);
  } else {
    at = writeDigits(bytes, at, digits, count);
    if (count > 1) {
      bytes.copyWithin(at - count + 2, at - count + 1, at);
      bytes[at - count + 1] = DOT;
      at++;
    }
    bytes[at++] = 0x65; // 'e'
    bytes[at++] = point - 1 < 0 ? MINUS : 0x2b; // '+'
    at = writeDigits(bytes, at, Math.abs(point - 1), Math.abs(point - 1) < 10 ? 1 : 2);
  }
  writer.length = at;
}

function writeDigits(bytes: Uint8Array, at: number, value: number, count: number): number {
  let rest = value;
  for (let position = at + count - 1; position >= at; position--) {
    bytes[position] = ZERO + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + count;
}

function writeAscii(writer: ByteWriter, text: string): void {
  for (let index = 0; index < text.length; index++) writer.bytes[writer.length++] = text.charCodeAt(index);
}
