/**
 * Reads Keras' VGG16 ImageNet weights (`vgg16_weights_tf_dim_ordering_tf_kernels.h5`, the
 * legacy Keras HDF5 weights layout) into Vgg16Weights. The layout: root attribute
 * `layer_names`; one group per layer with attribute `weight_names`, each a dataset path
 * relative to that group. Like Keras' `load_weights_from_hdf5_group`, a layer's weights are
 * taken by their order in `weight_names` (kernel, then bias), never by their names, which
 * differ between the 2016 official file (`block1_conv1_W_1:0`) and Keras 2 files
 * (`block1_conv1/kernel:0`). Every shape is checked before any data is read.
 */
import type { Dataset, Group } from 'h5wasm';
import { FeatureJobError } from '../errors.js';
import { computeVgg16Layers, VGG16_WIDTHS } from './vgg16-graph.js';
import type { LayerWeights, Vgg16Layer, Vgg16Weights, Vgg16Widths } from './vgg16-graph.js';

export interface ReadKerasVgg16WeightsOptions {
  /** Names the file in error messages (a path or URL); default 'weights file'. */
  readonly source?: string;
  /**
   * The widths every shape must match (default: full VGG16), or 'infer' to take them from
   * the biases of block{n}_conv1 and fc1 (narrow test models).
   */
  readonly widths?: Vgg16Widths | 'infer';
}

type H5wasmApi = typeof import('h5wasm').default;
type H5Module = Awaited<H5wasmApi['ready']>;

// HDF5 looks for its signature at 0, 512, 1024, 2048, ... (a user block may precede it).
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] as const;
// Big datasets (fc1 is 411 MB) are read in slices so the wasm heap, which never shrinks,
// stays small; a slice is copied out of it at once.
const SLICE_BYTES = 16 * 1024 * 1024;
const H5T_FLOAT = 1;

let loaded: Promise<{ api: H5wasmApi; module: H5Module }> | undefined;
let fileCounter = 0;

/** h5wasm's in-memory (MEMFS) build, loaded on first use: importing this file stays cheap. */
function loadH5wasm(): Promise<{ api: H5wasmApi; module: H5Module }> {
  loaded ??= import('h5wasm').then(async ({ default: api }) => ({ api, module: await api.ready }));
  return loaded;
}

interface LayerDatasets {
  readonly layer: string;
  readonly kernel: Dataset;
  readonly bias: Dataset;
}

export async function readKerasVgg16Weights(
  bytes: Uint8Array,
  options: ReadKerasVgg16WeightsOptions = {},
): Promise<Vgg16Weights> {
  const source = options.source ?? 'weights file';
  if (!hasHdf5Signature(bytes)) {
    throw invalid(source, 'not an HDF5 file (no HDF5 signature)');
  }
  const { api, module } = await loadH5wasm();
  // From here on everything is synchronous, so nothing else uses this h5wasm instance
  // while its HDF5 error handler throws instead of printing.
  fileCounter += 1;
  const memPath = `/featurejob-keras-${process.pid}-${fileCounter}.h5`;
  // canOwn: MEMFS keeps a view of `bytes` instead of copying the 553 MB.
  const writeOptions = { canOwn: true } as { flags?: string };
  module.FS.writeFile(memPath, bytes, writeOptions);
  module.activate_throwing_error_handler();
  try {
    let file: InstanceType<H5wasmApi['File']>;
    try {
      file = new api.File(memPath, 'r');
    } catch (error) {
      throw invalid(source, `not a readable HDF5 file: truncated or corrupt (${summarizeHdf5Error(error)})`, error);
    }
    try {
      return readWeights(api, file, source, options.widths ?? VGG16_WIDTHS);
    } finally {
      file.close();
    }
  } finally {
    module.deactivate_throwing_error_handler();
    module.FS.unlink(memPath);
  }
}

function readWeights(api: H5wasmApi, file: Group, source: string, wanted: Vgg16Widths | 'infer'): Vgg16Weights {
  const root = findWeightsRoot(api, file);
  const listed = readStringList(root, 'layer_names');
  if (listed === undefined) throw invalid(source, "no 'layer_names' attribute: not a Keras HDF5 weights file");
  const layerNames = new Set(listed);

  const found = new Map<string, LayerDatasets>();
  for (const { name } of computeVgg16Layers(VGG16_WIDTHS)) {
    found.set(name, findLayerDatasets(api, root, layerNames, name, source));
  }
  const widths = wanted === 'infer' ? inferWidths(found, source) : wanted;
  const layers = computeVgg16Layers(widths);
  for (const layer of layers) checkLayer(layer, found.get(layer.name) as LayerDatasets, source);

  const weights: Record<string, LayerWeights> = {};
  for (const layer of layers) {
    const datasets = found.get(layer.name) as LayerDatasets;
    weights[layer.name] = {
      kernel: readFloat32(datasets.kernel, `${layer.name} kernel`, source),
      bias: readFloat32(datasets.bias, `${layer.name} bias`, source),
    };
  }
  return { widths, layers: weights };
}

/** A whole-model file (`model.save('x.h5')`) keeps the weights layout under /model_weights. */
function findWeightsRoot(api: H5wasmApi, file: Group): Group {
  if (hasAttribute(file, 'layer_names') || hasAttribute(file, 'layer_names0')) return file;
  const nested = getEntity(file, 'model_weights');
  return nested instanceof api.Group ? nested : file;
}

function findLayerDatasets(
  api: H5wasmApi,
  root: Group,
  layerNames: ReadonlySet<string>,
  layer: string,
  source: string,
): LayerDatasets {
  if (!layerNames.has(layer)) throw invalid(source, `layer ${layer} missing (not in layer_names)`);
  const group = getEntity(root, layer);
  if (!(group instanceof api.Group)) throw invalid(source, `layer ${layer} is in layer_names but has no group`);
  const weightNames = readStringList(group, 'weight_names') ?? [];
  if (weightNames.length !== 2) {
    throw invalid(
      source,
      `layer ${layer} has ${weightNames.length} weights [${weightNames.join(', ')}], expected 2 (kernel, bias)`,
    );
  }
  const [kernel, bias] = weightNames.map((weightName) => {
    const dataset = getEntity(group, weightName);
    if (!(dataset instanceof api.Dataset)) throw invalid(source, `layer ${layer} weight ${weightName} missing`);
    return dataset;
  }) as [Dataset, Dataset];
  return { layer, kernel, bias };
}

/** Widths from the biases, so a misshaped kernel is blamed on its own layer. */
function inferWidths(found: ReadonlyMap<string, LayerDatasets>, source: string): Vgg16Widths {
  const unitsOf = (layer: string): number => {
    const shape = found.get(layer)?.bias.shape ?? [];
    const units = shape[0];
    if (shape.length !== 1 || units === undefined || units < 1) {
      throw invalid(source, `${layer} bias has shape [${shape.join(',')}], expected one dimension`);
    }
    return units;
  };
  const conv = [1, 2, 3, 4, 5].map((block) => unitsOf(`block${block}_conv1`));
  return { conv: conv as unknown as Vgg16Widths['conv'], dense: unitsOf('fc1') };
}

function checkLayer(layer: Vgg16Layer, datasets: LayerDatasets, source: string): void {
  const units = layer.kind === 'conv' ? layer.outChannels : layer.outUnits;
  const expected: Array<[string, Dataset, readonly number[]]> = [
    ['kernel', datasets.kernel, layer.kernelShape],
    ['bias', datasets.bias, [units]],
  ];
  for (const [role, dataset, shape] of expected) {
    const actual = dataset.shape ?? [];
    if (actual.length !== shape.length || actual.some((size, i) => size !== shape[i])) {
      throw invalid(source, `${layer.name} ${role} has shape [${actual.join(',')}], expected [${shape.join(',')}]`);
    }
    const { type, size } = dataset.metadata;
    if (type !== H5T_FLOAT || (size !== 4 && size !== 8)) {
      const what = type === H5T_FLOAT ? `float${size * 8}` : String(dataset.dtype);
      throw invalid(source, `${layer.name} ${role} has dtype ${what}, expected float32 (or float64)`);
    }
  }
}

/** The dataset as float32 (float64 is rounded), read in slices along its first axis. */
function readFloat32(dataset: Dataset, what: string, source: string): Float32Array {
  try {
    const shape = dataset.shape ?? [];
    const { size } = dataset.metadata;
    const total = shape.reduce((a, b) => a * b, 1);
    if (total * size <= SLICE_BYTES || shape.length === 0) return toFloat32(dataset.value, what, source);

    const rows = shape[0] as number;
    const rowValues = total / rows;
    const rowsPerSlice = Math.max(1, Math.floor(SLICE_BYTES / (rowValues * size)));
    const out = new Float32Array(total);
    const rest = shape.slice(1).map((): [] => []);
    for (let start = 0; start < rows; start += rowsPerSlice) {
      const end = Math.min(rows, start + rowsPerSlice);
      const part = dataset.slice([[start, end], ...rest]);
      if (
        !(part instanceof Float32Array || part instanceof Float64Array) ||
        part.length !== (end - start) * rowValues
      ) {
        throw invalid(source, `${what} could not be read as floats`);
      }
      out.set(part, start * rowValues);
    }
    return out;
  } catch (error) {
    if (error instanceof FeatureJobError) throw error;
    throw invalid(source, `${what} could not be read (${summarizeHdf5Error(error)})`, error);
  }
}

function toFloat32(value: unknown, what: string, source: string): Float32Array {
  if (value instanceof Float32Array) return value;
  if (value instanceof Float64Array) return Float32Array.from(value);
  throw invalid(source, `${what} could not be read as floats`);
}

/**
 * A string-list attribute as Keras writes it: one attribute, or, when it would overflow the
 * 64 KiB object header, chunks `name0`, `name1`, ... (Keras' save_attributes_to_hdf5_group).
 */
function readStringList(group: Group, name: string): string[] | undefined {
  if (hasAttribute(group, name)) return toStrings(group.attrs[name]?.value);
  if (!hasAttribute(group, `${name}0`)) return undefined;
  const all: string[] = [];
  for (let chunk = 0; hasAttribute(group, `${name}${chunk}`); chunk += 1) {
    all.push(...toStrings(group.attrs[`${name}${chunk}`]?.value));
  }
  return all;
}

function toStrings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  // Fixed-length strings may be space-padded (HDF5 SPACEPAD) rather than null-padded.
  return list.filter((item): item is string => typeof item === 'string').map((item) => item.trimEnd());
}

function hasAttribute(group: Group, name: string): boolean {
  return Object.hasOwn(group.attrs, name);
}

function getEntity(group: Group, path: string): ReturnType<Group['get']> {
  try {
    return group.get(path);
  } catch {
    // HDF5 fails (rather than answering "no") when an intermediate group is missing.
    return null;
  }
}

function hasHdf5Signature(bytes: Uint8Array): boolean {
  for (let offset = 0; offset + HDF5_SIGNATURE.length <= bytes.length; offset = offset === 0 ? 512 : offset * 2) {
    if (HDF5_SIGNATURE.every((byte, i) => bytes[offset + i] === byte)) return true;
  }
  return false;
}

/** HDF5's error stack is a dozen lines; its deepest entry says what went wrong. */
function summarizeHdf5Error(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const entries = [...text.matchAll(/#\d+: .*? in [\w.]+\(\): (.+)$/gm)].map((match) => match[1]?.trim() ?? '');
  return entries.at(-1) ?? text.split('\n')[0] ?? text;
}

function invalid(source: string, problem: string, cause?: unknown): FeatureJobError {
  return new FeatureJobError(
    'FJ_WEIGHTS_INVALID',
    `${source}: ${problem}`,
    cause === undefined ? undefined : { cause },
  );
}
