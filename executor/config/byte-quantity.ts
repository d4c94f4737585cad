/**
 * Byte sizes as people and Kubernetes write them: `16Gi`, `512Mi`, `2.5G`, `1e9`, or plain
 * bytes. The suffixes are Kubernetes' (binary Ki..Ei, decimal k..E); a fraction is rounded
 * up to a whole byte.
 */
import { z } from 'zod';

const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?(?:[eE][0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** The bytes `text` stands for, or undefined when it is not a byte quantity. */
export function parseByteQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text.trim());
  if (match === null) return undefined;
  const bytes = Math.ceil(Number(match[1]) * (MULTIPLIERS[match[2] ?? ''] as number));
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Bytes in binary units for messages: `2.5 GiB`, `602 KiB`, `17 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits).replace(/\.0$/, '')} ${units[unit]}`;
}

/** A positive byte size given as a number of bytes or a quantity string (flags, settings). */
export const ByteQuantitySchema = z.union([z.int().positive(), z.string()]).transform((value, context) => {
  if (typeof value === 'number') return value;
  const bytes = parseByteQuantity(value);
  if (bytes === undefined || bytes < 1) {
    context.addIssue({
      code: 'custom',
      message: `expected a byte size such as 2Gi, 512Mi or 1500000000, got '${value}'`,
    });
    return z.NEVER;
  }
  return bytes;
});
