/**
 * Writes Vgg16Weights as a Keras VGG16 weights file in the legacy HDF5 layout, the one of
 * `vgg16_weights_tf_dim_ordering_tf_kernels.h5`, so tests can stand in for the 553 MB
 * download. Attributes are fixed-length ASCII strings, as h5py writes numpy bytes arrays.
 * Uses h5wasm's Node build, which writes straight to the host file system.
 */
import { resolve } from 'node:path';
import type { Group } from 'h5wasm';
import { computeVgg16Layers } from '../../executor/model/vgg16-graph.js';
import type { Vgg16Weights } from '../../executor/model/vgg16-graph.js';

export interface WriteKerasVgg16H5Options {
  /**
   * 'keras2': weight names `block1_conv1/kernel:0` in a nested group (Keras 2 save_weights);
   * 'official2016': `block1_conv1_W_1:0` directly in the layer group (the official file).
   */
  readonly style: 'keras2' | 'official2016';
  /** Add the 1000-class `predictions` layer, as in the official file. */
  readonly includePredictions?: boolean;
  /** Leave this layer out of layer_names and the file. */
  readonly omitLayer?: string;
  /** Give this layer's kernel one output column too many. */
  readonly misshape?: string;
  /** List the layers without weights (input, pooling, flatten) too, as Keras does (default true). */
  readonly listWeightlessLayers?: boolean;
  /** Dataset type (default float32). */
  readonly dtype?: 'float32' | 'float64';
}

const PREDICTION_CLASSES = 1000;

interface LayerToWrite {
  readonly name: string;
  readonly kernel?: { readonly data: Float32Array; readonly shape: readonly number[] };
  readonly bias?: Float32Array;
}

export async function writeKerasVgg16H5(
  path: string,
  weights: Vgg16Weights,
  options: WriteKerasVgg16H5Options = { style: 'keras2' },
): Promise<void> {
  const { default: h5wasm } = await import('h5wasm/node');
  await h5wasm.ready;
  const layers = computeLayersToWrite(weights, options).filter((layer) => layer.name !== options.omitLayer);
  const listed = options.listWeightlessLayers === false ? layers.filter((layer) => layer.bias !== undefined) : layers;
  const dtype = options.dtype === 'float64' ? '<d' : '<f';

  const file = new h5wasm.File(resolve(path), 'w');
  try {
    if (options.style === 'keras2') {
      file.create_attribute('backend', 'tensorflow', null, asciiDtype(['tensorflow']));
      file.create_attribute('keras_version', '2.2.4', null, asciiDtype(['2.2.4']));
    }
    writeStrings(
      file,
      'layer_names',
      listed.map((layer) => layer.name),
    );
    for (const layer of listed) {
      const group = file.create_group(layer.name);
      if (layer.kernel === undefined || layer.bias === undefined) {
        // Keras writes an empty weight_names for a layer without weights.
        group.create_attribute('weight_names', new Float64Array(0), [0]);
        continue;
      }
      const names =
        options.style === 'keras2'
          ? [`${layer.name}/kernel:0`, `${layer.name}/bias:0`]
          : [`${layer.name}_W_1:0`, `${layer.name}_b_1:0`];
      writeStrings(group, 'weight_names', names);
      const parent = options.style === 'keras2' ? group.create_group(layer.name) : group;
      const [kernelName, biasName] = names.map((name) => name.split('/').at(-1) as string) as [string, string];
      parent.create_dataset({
        name: kernelName,
        data: layer.kernel.data,
        shape: [...layer.kernel.shape],
        dtype,
      });
      parent.create_dataset({ name: biasName, data: layer.bias, shape: [layer.bias.length], dtype });
    }
  } finally {
    file.close();
  }
}

/** Keras' layer list for VGG16 (include_top=True), weights in Keras layouts. */
function computeLayersToWrite(weights: Vgg16Weights, options: WriteKerasVgg16H5Options): LayerToWrite[] {
  const out: LayerToWrite[] = [{ name: 'input_1' }];
  for (const layer of computeVgg16Layers(weights.widths)) {
    const found = weights.layers[layer.name];
    if (found === undefined) throw new RangeError(`weights for ${layer.name} missing`);
    if (layer.name === 'fc1') out.push({ name: 'flatten' });
    let kernel = { data: found.kernel, shape: layer.kernelShape as readonly number[] };
    if (options.misshape === layer.name) kernel = addOutputColumn(kernel.data, kernel.shape);
    out.push({ name: layer.name, kernel, bias: found.bias });
    if (layer.kind === 'conv' && isLastConvOfBlock(layer.name)) out.push({ name: `block${layer.block}_pool` });
  }
  if (options.includePredictions === true) {
    const units = weights.widths.dense;
    const data = new Float32Array(units * PREDICTION_CLASSES).map((_, i) => ((i % 13) - 6) / 1000);
    out.push({
      name: 'predictions',
      kernel: { data, shape: [units, PREDICTION_CLASSES] },
      bias: new Float32Array(PREDICTION_CLASSES).fill(0.5),
    });
  }
  return out;
}

function isLastConvOfBlock(name: string): boolean {
  return ['block1_conv2', 'block2_conv2', 'block3_conv3', 'block4_conv3', 'block5_conv3'].includes(name);
}

function addOutputColumn(
  data: Float32Array,
  shape: readonly number[],
): { data: Float32Array; shape: readonly number[] } {
  const outputs = shape.at(-1) as number;
  const rows = data.length / outputs;
  const wider = new Float32Array(rows * (outputs + 1));
  for (let row = 0; row < rows; row += 1) {
    wider.set(data.subarray(row * outputs, (row + 1) * outputs), row * (outputs + 1));
  }
  return { data: wider, shape: [...shape.slice(0, -1), outputs + 1] };
}

function writeStrings(group: Group, name: string, values: string[]): void {
  group.create_attribute(name, values, [values.length], asciiDtype(values));
}

/**
 * h5wasm's 'A<n>' is a NUL-terminated ASCII string of n bytes; one byte more than the
 * longest value keeps every value whole for readers that honour the terminator.
 */
function asciiDtype(values: readonly string[]): string {
  return `A${Math.max(1, ...values.map((value) => value.length)) + 1}`;
}
