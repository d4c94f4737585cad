/**
 * A small JSON Schema (draft-07) checker for tests: the keywords generated schemas such as
 * eksctl's ClusterConfig schema use (type, enum, const, required, properties,
 * additionalProperties, items, minimum/maximum, minLength/maxLength, pattern, allOf, anyOf,
 * oneOf, local $ref). Unknown keywords (description, default, …) are ignored. No dependency:
 * ajv is only a transitive one here.
 */
export type JsonSchema = boolean | { readonly [keyword: string]: any };

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function resolveRef(root: JsonSchema, ref: string): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`only local $refs are supported, not ${ref}`);
  let node: any = root;
  for (const part of ref.slice(2).split('/')) {
    node = node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (node === undefined) throw new Error(`$ref ${ref} points nowhere`);
  }
  return node as JsonSchema;
}

/** Every violation of `schema` by `value`, as `path: message` lines (empty when valid). */
export function checkJsonSchema(value: unknown, schema: JsonSchema, root: JsonSchema = schema, path = ''): string[] {
  const at = path === '' ? '(root)' : path;
  if (schema === true) return [];
  if (schema === false) return [`${at}: not allowed here`];
  if (schema.$ref !== undefined) return checkJsonSchema(value, resolveRef(root, schema.$ref as string), root, path);
  const errors: string[] = [];
  if (schema.type !== undefined) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => matchesType(value, type)))
      return [`${at}: got ${typeOf(value)}, want ${types.join(' or ')}`];
  }
  if (
    schema.enum !== undefined &&
    !(schema.enum as unknown[]).some((option) => JSON.stringify(option) === JSON.stringify(value))
  ) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value))
    errors.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      errors.push(`${at}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      errors.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern as string, 'u').test(value))
      errors.push(`${at}: does not match ${schema.pattern}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: above ${schema.maximum}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    value.forEach((item, index) =>
      errors.push(...checkJsonSchema(item, schema.items as JsonSchema, root, `${path}[${index}]`)),
    );
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of (schema.required as string[] | undefined) ?? [])
      if (!(key in object)) errors.push(`${at}: missing required ${key}`);
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    for (const [key, child] of Object.entries(object)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (key in properties) errors.push(...checkJsonSchema(child, properties[key]!, root, childPath));
      else if (schema.additionalProperties === false) errors.push(`${at}: unknown field ${key}`);
      else if (typeof schema.additionalProperties === 'object')
        errors.push(...checkJsonSchema(child, schema.additionalProperties as JsonSchema, root, childPath));
    }
  }
  for (const part of (schema.allOf as JsonSchema[] | undefined) ?? [])
    errors.push(...checkJsonSchema(value, part, root, path));
  if (
    schema.anyOf !== undefined &&
    !(schema.anyOf as JsonSchema[]).some((part) => checkJsonSchema(value, part, root, path).length === 0)
  ) {
    errors.push(`${at}: matches none of anyOf`);
  }
  if (
    schema.oneOf !== undefined &&
    (schema.oneOf as JsonSchema[]).filter((part) => checkJsonSchema(value, part, root, path).length === 0).length !== 1
  ) {
    errors.push(`${at}: does not match exactly one of oneOf`);
  }
  return errors;
}
