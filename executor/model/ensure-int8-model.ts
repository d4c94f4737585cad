/**
 * `--precision int8|auto`: the model the workers load, decided in the parent process before
 * any worker starts, where the fp32 model was resolved. Workers just load another .onnx.
 *   fp32   the resolved model, unchanged (no precision block)
 *   int8   our VGG16-fc2 only (else FJ_PRECISION_UNSUPPORTED, before any image is read);
 *          calibrate on the job's own images, quantize, then the fidelity gate on other
 *          images of the job; below the thresholds FJ_PRECISION_FIDELITY names the figures
 *   auto   as int8, but anything that stops int8 runs fp32 instead, and says why; on an
 *          output whose committed partitions were made with fp32 it keeps fp32 without
 *          measuring (a table never mixes precisions)
 * The int8 model is cached next to the fp32 models under a name made of the fp32 sha256, the
 * calibration sample's digest and the method, so a rerun neither recalibrates nor
 * requantizes; the gate's figures are cached beside it by the gate sample's digest.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import type { Precision } from '../config/run-config.js';
import { FeatureJobError, isFeatureJobError } from '../errors.js';
import type { ManifestPrecision } from '../output/manifest-schema.js';
import { FP32_PRECISION, type CommittedPrecision, type ShardPrecision } from '../output/shard-precision.js';
import { readInt8CpuFlags } from './cpu-features.js';
import {
  computeFidelityFigures,
  computeGateFailures,
  formatFidelityFigures,
  type FidelityFigures,
  type FidelityThresholds,
} from './feature-fidelity.js';
import { locateModel } from './locate-model.js';
import { computeModelsDir, writeFileAtomic } from './model-cache.js';
import type { ModelInfo } from './model-runner.js';
import { OnnxModelRunner } from './onnx-model-runner.js';
import {
  encodeInt8Vgg16,
  openFp32Probe,
  readFp32Vgg16,
  runFp32Probe,
  type CalibrationMethod,
  type Fp32Vgg16,
  type ImageSample,
} from './quantize-vgg16-model.js';
import { VGG16_INPUT_SIZE } from './vgg16-graph.js';

/** Bump when the quantized graph or its encoding changes, so stale int8 files are never reused. */
export const INT8_MODEL_FORMAT = 1;
const METHOD: CalibrationMethod = 'minmax';
const PER_IMAGE = VGG16_INPUT_SIZE * VGG16_INPUT_SIZE * 3;

/** The job's own images, preprocessed: one sample to calibrate on, another to gate on. */
export interface PrecisionSamples {
  readonly calibration: ImageSample;
  readonly gate: ImageSample;
}

export interface EnsurePrecisionModelOptions {
  readonly precision: Precision;
  /** The resolved fp32 model. */
  readonly model: { readonly path: string; readonly info: ModelInfo };
  readonly cacheDir: string;
  /** Reads the samples; called only once the model is known to be quantizable. */
  readonly loadSamples: () => Promise<PrecisionSamples>;
  readonly thresholds: FidelityThresholds;
  readonly threads: number;
  /** What the output's committed partitions were made with, when some are (the caller refuses a mismatch). */
  readonly committed?: CommittedPrecision;
  readonly onStatus?: (message: string) => void;
}

export interface PrecisionModel {
  readonly path: string;
  readonly info: ModelInfo;
  /** What the workers compute in: every shard they commit records it. */
  readonly precision: ShardPrecision;
  /** For the manifest and the summary; absent for fp32 runs. */
  readonly record?: ManifestPrecision;
  /** Set when `auto` fell back to fp32: say it to the user. */
  readonly warning?: string;
}

const GateFileSchema = z.strictObject({
  images: z.number(),
  k: z.number(),
  cosineMin: z.number(),
  cosineMedian: z.number(),
  knnAgreement: z.number(),
});

/** Where the int8 model for this fp32 model, calibration sample and method is cached. */
export function computeInt8ModelPath(options: {
  cacheDir: string;
  fp32Sha256: string;
  calibrationDigest: string;
  method: CalibrationMethod;
}): string {
  const { fp32Sha256, calibrationDigest, method } = options;
  return join(
    computeModelsDir(options.cacheDir),
    `vgg16-fc2-int8-v${INT8_MODEL_FORMAT}-${fp32Sha256.slice(0, 16)}-${method}-${calibrationDigest.slice(0, 16)}.onnx`,
  );
}

/** sha256 of a sample's preprocessed float32 values: what calibration saw, exactly. */
export function computeSampleDigest(sample: ImageSample): string {
  const values = sample.images.subarray(0, sample.count * PER_IMAGE);
  return createHash('sha256')
    .update(`${sample.count}:`)
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex');
}

export async function ensurePrecisionModel(options: EnsurePrecisionModelOptions): Promise<PrecisionModel> {
  const { precision, model } = options;
  if (precision === 'fp32') return { path: model.path, info: model.info, precision: FP32_PRECISION };
  const base = {
    requested: precision,
    cpuFlags: readInt8CpuFlags(),
    onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
  };
  const committed = options.committed;
  if (precision === 'auto' && committed?.precision.precision === 'fp32') {
    const were =
      committed.partitions === 1
        ? '1 partition of this output was'
        : `${committed.partitions} partitions of this output were`;
    const fallback = `--precision auto runs fp32: ${were} already made with fp32, and a table never mixes precisions`;
    return {
      path: model.path,
      info: model.info,
      precision: FP32_PRECISION,
      warning: fallback,
      record: { ...base, used: 'fp32', fallback },
    };
  }
  try {
    return await ensureInt8(options, base);
  } catch (error) {
    if (
      precision !== 'auto' ||
      !isFeatureJobError(error) ||
      !['FJ_PRECISION_UNSUPPORTED', 'FJ_PRECISION_FIDELITY'].includes(error.code)
    )
      throw error;
    const figures = (error as FeatureJobError & { precisionRecord?: ManifestPrecision }).precisionRecord;
    const fallback = `--precision auto runs fp32: ${error.message}`;
    return {
      path: model.path,
      info: model.info,
      precision: FP32_PRECISION,
      warning: fallback,
      record: { ...base, ...figures, used: 'fp32', fallback },
    };
  }
}

async function ensureInt8(
  options: EnsurePrecisionModelOptions,
  base: Pick<ManifestPrecision, 'requested' | 'cpuFlags' | 'onnxruntime'>,
): Promise<PrecisionModel> {
  const { model, thresholds } = options;
  if (locateModel(model.path).format !== 'onnx') {
    throw new FeatureJobError(
      'FJ_PRECISION_UNSUPPORTED',
      `--precision int8 needs the VGG16-fc2 ONNX graph featurejob builds; ${model.path} is a TensorFlow.js model`,
    );
  }
  // Read and checked before any image: another graph fails here.
  const fp32 = readFp32Vgg16(await readFile(model.path), model.path);
  const samples = await options.loadSamples();
  if (samples.calibration.count < 1 || samples.gate.count < 2) {
    throw new FeatureJobError(
      'FJ_PRECISION_FIDELITY',
      'int8 needs at least 3 decodable images to calibrate and measure (1 + 2), ' +
        `this job has ${samples.calibration.count + samples.gate.count}`,
    );
  }
  const calibrationDigest = computeSampleDigest(samples.calibration);
  const gateDigest = computeSampleDigest(samples.gate);
  const path = computeInt8ModelPath({
    cacheDir: options.cacheDir,
    fp32Sha256: model.info.sha256,
    calibrationDigest,
    method: METHOD,
  });
  const gatePath = path.replace(/\.onnx$/, `.gate-${gateDigest.slice(0, 16)}.json`);
  await mkdir(computeModelsDir(options.cacheDir), { recursive: true });
  const cachedModel = (await stat(path).catch(() => undefined))?.isFile() === true;
  let figures = cachedModel ? await readGateFile(gatePath) : undefined;
  if (!cachedModel || figures === undefined) {
    const reference = await probeFp32(fp32, {
      samples,
      calibrate: !cachedModel,
      path,
      threads: options.threads,
      onStatus: options.onStatus,
    });
    options.onStatus?.(`int8: measuring fidelity on ${samples.gate.count} images`);
    figures = computeFidelityFigures(
      reference,
      await runInt8(path, model.info, samples.gate, options.threads),
      fp32.layout.widths.dense,
    );
    await writeFileAtomic(gatePath, Buffer.from(`${JSON.stringify(figures)}\n`));
  }
  const sha256 = createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
  const failures = computeGateFailures(figures, thresholds);
  const record: Omit<ManifestPrecision, 'used' | 'requested' | 'cpuFlags' | 'onnxruntime'> = {
    calibration: { images: samples.calibration.count, method: METHOD, digest: calibrationDigest },
    gate: {
      ...figures,
      minCosineMedian: thresholds.minCosineMedian,
      minKnnAgreement: thresholds.minKnnAgreement,
      passed: failures.length === 0,
    },
  };
  if (failures.length > 0) {
    const error = new FeatureJobError(
      'FJ_PRECISION_FIDELITY',
      `int8 features do not hold on this job's images: ${failures.join(', ')} ` +
        `(${formatFidelityFigures(figures)}, calibrated with ${METHOD} on ${samples.calibration.count})`,
    );
    throw Object.assign(error, { precisionRecord: record });
  }
  return {
    path,
    info: { ...model.info, sha256 },
    precision: { precision: 'int8', int8Sha256: sha256 },
    record: { ...base, ...record, used: 'int8', int8Sha256: sha256 },
  };
}

/** fp32 features of the gate sample; with `calibrate`, first MinMax-calibrates and writes the int8 model. */
async function probeFp32(
  fp32: Fp32Vgg16,
  options: {
    samples: PrecisionSamples;
    calibrate: boolean;
    path: string;
    threads: number;
    onStatus: ((message: string) => void) | undefined;
  },
): Promise<Float32Array> {
  const probe = await openFp32Probe(fp32, options.threads);
  try {
    if (options.calibrate) {
      options.onStatus?.(`int8: calibrating (${METHOD}) on ${options.samples.calibration.count} images`);
      const { ranges } = await runFp32Probe(probe, options.samples.calibration);
      const chunks = encodeInt8Vgg16(fp32, ranges).toChunks();
      await writeFileAtomic(options.path, chunks);
    }
    return concat((await runFp32Probe(probe, options.samples.gate)).features);
  } finally {
    await probe.close();
  }
}

async function runInt8(path: string, info: ModelInfo, sample: ImageSample, threads: number): Promise<Float32Array> {
  const { sha256: _fp32, ...rest } = info;
  const runner = await OnnxModelRunner.load({ modelPath: path, info: rest, threads });
  try {
    const parts: Float32Array[] = [];
    for (let start = 0; start < sample.count; start += 8) {
      const count = Math.min(8, sample.count - start);
      parts.push(
        (await runner.run(sample.images.subarray(start * PER_IMAGE, (start + count) * PER_IMAGE), count)).slice(),
      );
    }
    return concat(parts);
  } finally {
    await runner.close();
  }
}

async function readGateFile(path: string): Promise<FidelityFigures | undefined> {
  try {
    return GateFileSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return undefined;
  }
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
