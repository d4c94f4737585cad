import {
  DataType,
  Field,
  Float32,
  List,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  makeData,
  tableFromIPC,
  tableToIPC,
  type Data,
  type Vector,
} from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  readParquet,
  type WriterProperties,
  writeParquet,
} from 'parquet-wasm';
import { FeatureJobError } from '../errors.js';
import { assertFeatureRowsShape, type FeatureRows } from './feature-rows.js';
import { buildPrecisionMetadata } from './parquet-precision-metadata.js';
import type { ShardPrecision } from './shard-precision.js';

/**
 * Rows per row group. A row group is what a reader decodes at once; at 4,096 float32 per row,
 * 1,024 rows are about 16 MiB uncompressed, so streaming readers (PCA over many shards,
 * `inspect`, parquet-wasm inside its WebAssembly heap) stay within bounded memory, while
 * the group is still large enough that zstd frames and per-chunk metadata cost next to nothing.
 */
export const PARQUET_ROW_GROUP_ROWS = 1024;

/** Schema metadata key holding the feature width, so a shard with 0 rows still states it. */
export const DIMENSIONS_METADATA_KEY = 'featurejob.dimensions';

/** The child field name pyarrow uses for lists, so other tools see `list<item: float>`. */
const LIST_ITEM_NAME = 'item';

// Arrow list offsets are int32: one shard holds at most 2^31 - 1 feature values.
const MAX_LIST_VALUES = 2 ** 31 - 1;

/**
 * The Arrow schema of a feature shard with `dimensions` values per row; with `precision`, its
 * metadata also states what the features were made with (parquet-precision-metadata.ts).
 */
export function buildShardSchema(dimensions: number, precision?: ShardPrecision): Schema {
  return new Schema(
    [
      new Field('path', new Utf8(), false),
      new Field('label', new Utf8(), false),
      new Field('features', new List(new Field(LIST_ITEM_NAME, new Float32(), false)), false),
    ],
    new Map([
      [DIMENSIONS_METADATA_KEY, String(dimensions)],
      ...(precision === undefined ? [] : buildPrecisionMetadata(precision)),
    ]),
  );
}

/** Encodes one partition's rows as a Parquet file (zstd) in memory. */
export function encodeParquetShard(rows: FeatureRows, options: { precision?: ShardPrecision } = {}): Uint8Array {
  assertFeatureRowsShape(rows);
  if (rows.features.length > MAX_LIST_VALUES) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `a shard holds at most ${MAX_LIST_VALUES} feature values, got ${rows.features.length}: use smaller partitions`,
    );
  }
  const ipc = tableToIPC(buildArrowTable(rows, options.precision), 'stream');
  // WebAssembly memory is not reclaimed by the JS garbage collector in time, so every
  // parquet-wasm object is either consumed (writeParquet takes the table and the properties,
  // on success and failure alike) or freed here.
  const properties = buildWriterProperties();
  let table: WasmTable;
  try {
    table = WasmTable.fromIPCStream(ipc);
  } catch (error) {
    properties.free();
    throw error;
  }
  return writeParquet(table, properties);
}

function buildWriterProperties(): WriterProperties {
  // Each builder call consumes its receiver and returns the next builder.
  return (
    new WriterPropertiesBuilder()
      .setCompression(Compression.ZSTD)
      .setMaxRowGroupSize(PARQUET_ROW_GROUP_ROWS)
      // Paths are unique and float activations rarely repeat, so a dictionary only costs time
      // (and bytes) before the writer falls back; labels repeat per class and shrink to little.
      .setDictionaryEnabled(false)
      .setColumnDictionaryEnabled('label', true)
      .build()
  );
}

/**
 * Decodes a feature shard back into FeatureRows. Throws FJ_OUTPUT_INVALID when the bytes are
 * not Parquet or do not follow the shard layout (columns, types, nulls, list lengths).
 */
export function decodeParquetShard(bytes: Uint8Array): FeatureRows {
  let table: Table;
  try {
    table = tableFromIPC(readParquet(bytes).intoIPCStream());
  } catch (error) {
    // intoIPCStream consumes the wasm table, so nothing is left to free here.
    throw new FeatureJobError('FJ_OUTPUT_INVALID', `not a readable Parquet file: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const paths = readStrings(table, 'path');
  const labels = readStrings(table, 'label');
  const { features, dimensions } = readFeatures(table);
  return { paths, labels, features, dimensions };
}

function buildArrowTable(rows: FeatureRows, precision: ShardPrecision | undefined): Table {
  const schema = buildShardSchema(rows.dimensions, precision);
  const count = rows.paths.length;
  const [pathField, labelField, featuresField] = schema.fields as [Field<Utf8>, Field<Utf8>, Field<List<Float32>>];
  const valueOffsets = new Int32Array(count + 1);
  for (let row = 0; row <= count; row++) valueOffsets[row] = row * rows.dimensions;
  const values = makeData({ type: new Float32(), length: rows.features.length, nullCount: 0, data: rows.features });
  const features = makeData({ type: featuresField.type, length: count, nullCount: 0, valueOffsets, child: values });
  const children = [buildUtf8Data(rows.paths, pathField.type), buildUtf8Data(rows.labels, labelField.type), features];
  const struct = makeData({ type: new Struct(schema.fields), length: count, nullCount: 0, children });
  return new Table(schema, [new RecordBatch(schema, struct)]);
}

/** One Utf8 column from strings: a single UTF-8 buffer plus offsets, no per-value objects. */
function buildUtf8Data(strings: readonly string[], type: Utf8): Data<Utf8> {
  const encoder = new TextEncoder();
  let capacity = 0;
  for (const value of strings) capacity += value.length * 3; // UTF-16 unit -> at most 3 bytes
  const bytes = new Uint8Array(capacity);
  const valueOffsets = new Int32Array(strings.length + 1);
  let written = 0;
  strings.forEach((value, index) => {
    written += encoder.encodeInto(value, bytes.subarray(written)).written;
    valueOffsets[index + 1] = written;
  });
  return makeData({ type, length: strings.length, nullCount: 0, valueOffsets, data: bytes.subarray(0, written) });
}

function readStrings(table: Table, name: string): string[] {
  const column = requireColumn(table, name);
  if (!DataType.isUtf8(column.type) && !DataType.isLargeUtf8(column.type)) {
    throw invalid(`column ${name} must be a string column, found ${String(column.type)}`);
  }
  if (column.nullCount > 0) throw invalid(`column ${name} holds ${column.nullCount} nulls`);
  return column.toArray() as string[];
}

function readFeatures(table: Table): { features: Float32Array; dimensions: number } {
  const column = requireColumn(table, 'features');
  const itemType: DataType | undefined = DataType.isList(column.type) ? column.type.valueType : undefined;
  if (!itemType || !DataType.isFloat(itemType) || itemType.precision !== Precision.SINGLE) {
    throw invalid(`column features must be list<float32>, found ${String(column.type)}`);
  }
  if (column.nullCount > 0) throw invalid(`column features holds ${column.nullCount} null lists`);
  const dimensions = dimensionsOf(table, column as Vector<List<Float32>>);
  const features = new Float32Array(table.numRows * dimensions);
  let row = 0;
  for (const chunk of (column as Vector<List<Float32>>).data) {
    if (chunk.length === 0) continue; // an empty batch may come without its child data
    const offsets = chunk.valueOffsets;
    const child = chunk.children[0] as Data<Float32> | undefined;
    if (!child) throw invalid('column features has no values');
    if (child.nullCount > 0) throw invalid('column features holds null values');
    for (let index = 0; index < chunk.length; index++, row++) {
      const start = offsets[chunk.offset + index]!;
      const end = offsets[chunk.offset + index + 1]!;
      if (end - start !== dimensions) {
        throw invalid(`row ${row} has ${end - start} feature values, expected ${dimensions}`);
      }
      const from = child.offset + start;
      features.set(child.values.subarray(from, from + dimensions), row * dimensions);
    }
  }
  return { features, dimensions };
}

/** The width stated in the schema metadata, else (a file written by another tool) the first row's. */
function dimensionsOf(table: Table, column: Vector<List<Float32>>): number {
  const stated = table.schema.metadata.get(DIMENSIONS_METADATA_KEY);
  if (stated !== undefined) {
    const dimensions = Number(stated);
    if (!Number.isSafeInteger(dimensions) || dimensions <= 0) {
      throw invalid(`schema metadata ${DIMENSIONS_METADATA_KEY} must be a positive integer, found ${stated}`);
    }
    return dimensions;
  }
  const first = column.data.find((chunk) => chunk.length > 0);
  if (!first) throw invalid(`an empty shard must state ${DIMENSIONS_METADATA_KEY} in its schema metadata`);
  return first.valueOffsets[first.offset + 1]! - first.valueOffsets[first.offset]!;
}

function requireColumn(table: Table, name: string): Vector {
  const column = table.getChild(name);
  if (!column) throw invalid(`column ${name} is missing`);
  return column;
}

function invalid(message: string): FeatureJobError {
  return new FeatureJobError('FJ_OUTPUT_INVALID', `feature shard: ${message}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
