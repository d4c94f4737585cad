/**
 * Writes VGG16-to-fc2 weights as a TensorFlow.js layers model (model.json + weight shards),
 * built with the tfjs layers API to mirror Keras' VGG16 (include_top=True) layer by layer:
 * same names, 'same' 3x3 convolutions with ReLU, 2x2 max pooling, a channels-last Flatten
 * and the fc1/fc2 Dense layers. Keras kernels (conv HWIO, dense [in,out]) are tfjs' own
 * layouts, so the weights go in unchanged. Used to hand our weights to TF.js users and to
 * check the two engines against each other.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { io, SymbolicTensor } from '@tensorflow/tfjs';
import { loadTfjsEngine, type Tfjs } from './tfjs-engine.js';
import { computeVgg16Layers, VGG16_INPUT_SIZE } from './vgg16-graph.js';
import type { Vgg16Weights } from './vgg16-graph.js';

export const TFJS_MODEL_JSON = 'model.json';
// The converter's default shard size (tensorflowjs_converter --weight_shard_size_bytes).
const SHARD_BYTES = 4 * 1024 * 1024;

export async function exportVgg16TfjsLayersModel(
  weights: Vgg16Weights,
  dir: string,
): Promise<{ modelJsonPath: string }> {
  const { tf } = await loadTfjsEngine();
  const layers = computeVgg16Layers(weights.widths);
  // Zero initialisers: every weight is overwritten below, so random ones would only cost time.
  const common = { activation: 'relu', kernelInitializer: 'zeros', biasInitializer: 'zeros' } as const;
  const input = tf.input({ shape: [VGG16_INPUT_SIZE, VGG16_INPUT_SIZE, 3], dtype: 'float32', name: 'input_1' });
  let x: SymbolicTensor = input;
  layers.forEach((layer, i) => {
    if (layer.kind === 'conv') {
      const { name, outChannels: filters } = layer;
      x = tf.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', ...common }).apply(x) as SymbolicTensor;
      const next = layers[i + 1];
      if (next === undefined || next.kind !== 'conv' || next.block !== layer.block) {
        const pool = tf.layers.maxPooling2d({ name: `block${layer.block}_pool`, poolSize: 2, strides: 2 });
        x = pool.apply(x) as SymbolicTensor;
      }
      return;
    }
    // Flatten is channels-last, (h, w, c) order, as in Keras, which fc1's kernel rows follow.
    if (layer.name === 'fc1') x = tf.layers.flatten({ name: 'flatten' }).apply(x) as SymbolicTensor;
    x = tf.layers.dense({ name: layer.name, units: layer.outUnits, ...common }).apply(x) as SymbolicTensor;
  });
  const model = tf.model({ inputs: input, outputs: x, name: 'vgg16' });
  try {
    for (const layer of layers) {
      const found = weights.layers[layer.name];
      if (found === undefined) throw new RangeError(`missing weights for layer ${layer.name}`);
      const units = layer.kind === 'conv' ? layer.outChannels : layer.outUnits;
      // One layer at a time, so at most one layer's new values sit beside the model's.
      const kernel = tf.tensor(found.kernel, [...layer.kernelShape], 'float32');
      const bias = tf.tensor1d(found.bias, 'float32');
      try {
        if (bias.size !== units) {
          throw new RangeError(`layer ${layer.name}: expected ${units} biases, got ${bias.size}`);
        }
        model.getLayer(layer.name).setWeights([kernel, bias]);
      } finally {
        kernel.dispose();
        bias.dispose();
      }
    }
    await mkdir(dir, { recursive: true });
    const modelJsonPath = join(dir, TFJS_MODEL_JSON);
    await model.save(buildFileSaveHandler({ tf, dir, modelJsonPath }));
    return { modelJsonPath };
  } finally {
    model.dispose();
  }
}

/**
 * A save handler writing the converter's layout: group1-shardKofN.bin files, then model.json
 * last (through a temp file and a rename), so a model.json on disk always has its shards.
 */
function buildFileSaveHandler(options: { tf: Tfjs; dir: string; modelJsonPath: string }): io.IOHandler {
  const { tf, dir, modelJsonPath } = options;
  return {
    save: async (artifacts) => {
      const data = artifacts.weightData === undefined ? [] : [artifacts.weightData].flat();
      const total = data.reduce((sum, buffer) => sum + buffer.byteLength, 0);
      const count = Math.max(1, Math.ceil(total / SHARD_BYTES));
      const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
      await writeShards({ dir, paths, data });
      const manifest: io.WeightsManifestConfig = [{ paths, weights: artifacts.weightSpecs ?? [] }];
      const json: io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: manifest,
      };
      const temp = `${modelJsonPath}.${process.pid}.${randomUUID()}.tmp`;
      try {
        await writeFile(temp, JSON.stringify(json));
        await rename(temp, modelJsonPath);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/** Cuts the weight bytes (one buffer or several) into SHARD_BYTES files, in order. */
async function writeShards(options: { dir: string; paths: string[]; data: ArrayBuffer[] }): Promise<void> {
  const { dir, paths, data } = options;
  let source = 0;
  let offset = 0;
  for (const path of paths) {
    const file = await open(join(dir, path), 'w');
    try {
      let room = SHARD_BYTES;
      while (room > 0 && source < data.length) {
        const buffer = data[source] as ArrayBuffer;
        const take = Math.min(room, buffer.byteLength - offset);
        const bytes = new Uint8Array(buffer, offset, take);
        for (let written = 0; written < take; ) {
          written += (await file.write(bytes, written, take - written)).bytesWritten;
        }
        room -= take;
        offset += take;
        if (offset === buffer.byteLength) {
          source += 1;
          offset = 0;
        }
      }
    } finally {
      await file.close();
    }
  }
}
