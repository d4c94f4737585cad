/**
 * Converts a zod schema into a Kubernetes structural OpenAPI v3 schema (the dialect of a
 * CRD's openAPIV3Schema): every node has a type, no $ref/anyOf/oneOf, no
 * additionalProperties beside properties. Anything zod emits that has no structural
 * equivalent throws, so a schema change that the API server would refuse fails at build time
 * rather than at `kubectl apply`.
 */
import { z } from 'zod';

/** A node of a Kubernetes JSONSchemaProps tree (only what structural schemas allow). */
export type StructuralSchema = { [key: string]: unknown };

/** A CEL rule on a schema node (x-kubernetes-validations). */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
}

/** Keys copied as they are: they mean the same in JSON Schema 2020-12 and in a CRD. */
const COPIED_KEYS = new Set([
  'type',
  'nullable',
  'description',
  'default',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'required',
  'uniqueItems',
  'multipleOf',
]);

/** Keys that carry no meaning for the API server and are dropped. */
const DROPPED_KEYS = new Set(['$schema', 'title', 'examples']);

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new Error(`cannot express ${path || '(root)'} in a structural schema: ${problem}`);
}

/** A CEL string literal (single-quoted; only backslash and quote need escaping). */
function celString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Map key constraints (zod's propertyNames) as a CEL rule: a structural schema can only
 * constrain values, and without it the API server would accept keys the operator's own
 * parse refuses.
 */
function computeKeyRule(propertyNames: unknown, path: string): CelRule | undefined {
  if (!isRecord(propertyNames)) fail(path, 'propertyNames is not a schema');
  const { type, minLength, maxLength, pattern, ...rest } = propertyNames;
  if (type !== 'string') fail(path, `map keys of type ${String(type)}`);
  const unsupported = Object.keys(rest).filter((key) => key !== 'description');
  if (unsupported.length > 0) fail(path, `map key constraints ${unsupported.join(', ')}`);
  const checks: string[] = [];
  const wants: string[] = [];
  const min = typeof minLength === 'number' && minLength > 0 ? minLength : undefined;
  const max = typeof maxLength === 'number' ? maxLength : undefined;
  if (min !== undefined) checks.push(`size(k) >= ${min}`);
  if (max !== undefined) checks.push(`size(k) <= ${max}`);
  if (min !== undefined && max !== undefined) wants.push(`be ${min} to ${max} characters long`);
  else if (max !== undefined) wants.push(`be at most ${max} characters long`);
  else if (min !== undefined) wants.push(`be at least ${min} characters long`);
  if (typeof pattern === 'string') {
    checks.push(`k.matches(${celString(pattern)})`);
    wants.push(`match ${pattern}`);
  }
  if (checks.length === 0) return undefined;
  return { rule: `self.all(k, ${checks.join(' && ')})`, message: `keys must ${wants.join(' and ')}` };
}

/** minimum/maximum without zod's automatic ±Number.MAX_SAFE_INTEGER, plus an int format. */
function convertNumberBounds(node: Record<string, unknown>, out: StructuralSchema, path: string): void {
  let minimum = node.minimum;
  let maximum = node.maximum;
  if (typeof node.exclusiveMinimum === 'number') {
    if (minimum !== undefined) fail(path, 'both minimum and exclusiveMinimum');
    minimum = node.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof node.exclusiveMaximum === 'number') {
    if (maximum !== undefined) fail(path, 'both maximum and exclusiveMaximum');
    maximum = node.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
  if (typeof minimum === 'number' && minimum !== -Number.MAX_SAFE_INTEGER) out.minimum = minimum;
  else delete out.exclusiveMinimum;
  if (typeof maximum === 'number' && maximum !== Number.MAX_SAFE_INTEGER) out.maximum = maximum;
  else delete out.exclusiveMaximum;
  if (out.type === 'integer' && out.format === undefined) {
    const fitsInt32 =
      typeof out.minimum === 'number' &&
      out.minimum >= INT32_MIN &&
      typeof out.maximum === 'number' &&
      out.maximum <= INT32_MAX;
    out.format = fitsInt32 ? 'int32' : 'int64';
  }
}

/** The `type` of a node; zod's ["T", "null"] becomes `nullable`. */
function convertType(node: Record<string, unknown>, out: StructuralSchema, path: string): void {
  if (typeof node.type === 'string') return;
  if (Array.isArray(node.type)) {
    const types = node.type.filter((t) => t !== 'null');
    if (types.length !== 1 || typeof types[0] !== 'string') fail(path, `a union of types ${JSON.stringify(node.type)}`);
    out.type = types[0];
    if (types.length < node.type.length) out.nullable = true;
    return;
  }
  if (!isXKubernetesUntyped(node)) fail(path, 'a node without a type');
}

function isXKubernetesUntyped(node: Record<string, unknown>): boolean {
  return node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
}

/** zod's `anyOf: [T, {type: null}]` (a constrained nullable) as T with `nullable`. */
function computeNullable(node: Record<string, unknown>): Record<string, unknown> | undefined {
  const { anyOf, ...rest } = node;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return undefined;
  const nonNull = anyOf.filter(
    (option) => !(isRecord(option) && option.type === 'null' && Object.keys(option).length === 1),
  );
  if (nonNull.length !== 1 || !isRecord(nonNull[0])) return undefined;
  return { ...nonNull[0], ...rest, nullable: true };
}

function convertNode(node: unknown, path: string): StructuralSchema {
  if (!isRecord(node)) fail(path, 'a schema that is not an object');
  const nullable = computeNullable(node);
  if (nullable !== undefined) return convertNode(nullable, path);
  const out: StructuralSchema = {};
  let keyRule: CelRule | undefined;
  for (const [key, value] of Object.entries(node)) {
    if (COPIED_KEYS.has(key)) out[key] = value;
    else if (key.startsWith('x-kubernetes-')) out[key] = value;
    else if (DROPPED_KEYS.has(key)) continue;
    else if (key === 'const') out.enum = [value];
    else if (key === 'properties') {
      if (!isRecord(value)) fail(path, 'properties is not an object');
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [name, convertNode(child, `${path}.${name}`)]),
      );
    } else if (key === 'items') out.items = convertNode(value, `${path}[]`);
    else if (key === 'additionalProperties') {
      // `false` (a strict object) is forbidden beside properties; unknown fields are pruned,
      // and refused by kubectl's strict field validation.
      if (value === false) continue;
      if (node.properties !== undefined) fail(path, 'additionalProperties beside properties');
      out.additionalProperties = convertNode(value, `${path}{}`);
    } else if (key === 'propertyNames') keyRule = computeKeyRule(value, path);
    else if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].includes(key)) continue;
    else fail(path, `${key} (${JSON.stringify(value)})`);
  }
  convertType(node, out, path);
  if (out.type === 'integer' || out.type === 'number') convertNumberBounds(node, out, path);
  if (keyRule !== undefined) {
    const existing = Array.isArray(out['x-kubernetes-validations']) ? out['x-kubernetes-validations'] : [];
    out['x-kubernetes-validations'] = [...existing, keyRule];
  }
  return out;
}

/**
 * The structural schema of `schema` as the API server should accept it: the *input* side of
 * zod (fields with defaults are optional, and carry the default for the API server to apply).
 */
export function buildStructuralSchema(schema: z.ZodType): StructuralSchema {
  const jsonSchema = z.toJSONSchema(schema, { io: 'input', reused: 'inline', unrepresentable: 'throw' });
  return convertNode(jsonSchema, '');
}
