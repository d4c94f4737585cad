/**
 * The feature table's Delta schema (the protocol's "Schema Serialization Format"): the same
 * columns the Parquet shards hold (output/parquet-shard.ts): `path` and `label` strings and
 * `features`, an array of float32.
 */
const field = (name: string, type: unknown) => ({ name, type, nullable: false, metadata: {} });

export function featureTableSchemaString(): string {
  return JSON.stringify({
    type: 'struct',
    fields: [
      field('path', 'string'),
      field('label', 'string'),
      field('features', { type: 'array', elementType: 'float', containsNull: false }),
    ],
  });
}
