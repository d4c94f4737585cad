import { relative, sep } from 'node:path';
import type { Location } from '../storage/location.js';

/**
 * When the output lies inside the input (`run ./photos --out ./photos/features`), the key
 * prefix under the input that must not be listed as input; undefined otherwise.
 */
export function computeExcludedPrefix(input: Location, output: Location): string | undefined {
  if (input.kind === 'file' && output.kind === 'file') {
    const inner = relative(input.dir, output.dir);
    if (inner === '') return '';
    if (inner.startsWith('..') || inner.startsWith(sep)) return undefined;
    return `${inner.split(sep).join('/')}/`;
  }
  if (input.kind === 's3' && output.kind === 's3' && input.bucket === output.bucket) {
    if (input.prefix === output.prefix) return '';
    if (input.prefix === '') return `${output.prefix}/`;
    if (output.prefix.startsWith(`${input.prefix}/`)) return `${output.prefix.slice(input.prefix.length + 1)}/`;
  }
  return undefined;
}
