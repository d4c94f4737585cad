/**
 * Reads a CSV feature shard (`dim_0,…,dim_{d-1},path`, as csv-shard.ts writes it) back into
 * FeatureRows, so PCA and `inspect` work on CSV outputs too. Only that layout is accepted:
 * anything else is FJ_OUTPUT_INVALID naming the line.
 */
import { FeatureJobError } from '../errors.js';
import { buildFeatureRows, type FeatureRows } from './feature-rows.js';

export function decodeCsvShard(bytes: Uint8Array, source = 'CSV shard'): FeatureRows {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const invalid = (line: number, why: string): FeatureJobError =>
    new FeatureJobError('FJ_OUTPUT_INVALID', `${source}, line ${line}: ${why}`);
  const headerEnd = text.indexOf('\n');
  if (headerEnd === -1) throw invalid(1, 'no header line');
  const header = text.slice(0, headerEnd).replace(/\r$/, '').split(',');
  const dimensions = header.length - 1;
  if (
    dimensions < 1 ||
    header[dimensions] !== 'path' ||
    header.slice(0, dimensions).some((name, i) => name !== `dim_${i}`)
  ) {
    throw invalid(1, 'the header is not dim_0,…,dim_{d-1},path');
  }
  const paths: string[] = [];
  const values: number[] = [];
  let position = headerEnd + 1;
  let line = 2;
  while (position < text.length) {
    for (let dimension = 0; dimension < dimensions; dimension++) {
      const comma = text.indexOf(',', position);
      const newline = text.indexOf('\n', position);
      if (comma === -1 || (newline !== -1 && newline < comma))
        throw invalid(line, `${dimension} values where ${dimensions} are expected`);
      const field = text.slice(position, comma);
      const value = Number(field);
      if (field === '' || Number.isNaN(value))
        throw invalid(line, `dim_${dimension} is not a number: ${JSON.stringify(field.slice(0, 40))}`);
      values.push(value);
      position = comma + 1;
    }
    let path: string;
    if (text[position] === '"') {
      let end = position + 1;
      let field = '';
      for (;;) {
        const quote = text.indexOf('"', end);
        if (quote === -1) throw invalid(line, 'unterminated quoted path');
        field += text.slice(end, quote);
        if (text[quote + 1] === '"') {
          field += '"';
          end = quote + 2;
        } else {
          end = quote + 1;
          break;
        }
      }
      path = field;
      line += (field.match(/\n/g) ?? []).length;
      position = end;
      if (text[position] === '\r') position++;
      if (position < text.length && text[position] !== '\n') throw invalid(line, 'text after the quoted path');
      position++;
    } else {
      const newline = text.indexOf('\n', position);
      const end = newline === -1 ? text.length : newline;
      path = text.slice(position, end).replace(/\r$/, '');
      if (path.includes(',')) throw invalid(line, `more than ${dimensions} values`);
      position = end + 1;
    }
    paths.push(path);
    line++;
  }
  return buildFeatureRows({ paths, features: Float32Array.from(values), dimensions });
}
