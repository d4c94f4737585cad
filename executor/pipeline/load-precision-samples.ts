/**
 * The images `--precision int8|auto` calibrates and gates on: a seeded shuffle of the
 * plan's keys, read and preprocessed exactly as extraction does (prepare-image.ts). The
 * first `count` images that decode are the calibration sample, the next `count` the gate
 * sample, so the gate never sees an image calibration saw. An input with fewer than
 * 2 * count images is split in half (calibration gets the odd one). Images that do not
 * decode are skipped here; extraction reports them as usual.
 */
import { isFeatureJobError } from '../errors.js';
import type { PrecisionSamples } from '../model/ensure-int8-model.js';
import { readPlanShard } from '../plan/ensure-plan.js';
import type { PlanIndex } from '../plan/plan-schema.js';
import type { ObjectStore } from '../storage/object-store.js';
import { SeededRandom } from '../util/seeded-random.js';
import { fetchObject } from './fetch-object.js';
import { prepareImage } from './prepare-image.js';
import { KERAS_INPUT_SIZE } from './preprocess-keras.js';

/** The sample's seed: fixed, so every run of a job calibrates on the same images. */
export const PRECISION_SAMPLE_SEED = 0;
const PER_IMAGE = KERAS_INPUT_SIZE * KERAS_INPUT_SIZE * 3;

export interface LoadPrecisionSamplesOptions {
  readonly input: ObjectStore;
  /** Where the plan's shards are. */
  readonly output: ObjectStore;
  readonly plan: PlanIndex;
  /** Images per sample (calibration, and as many for the gate). */
  readonly count: number;
  readonly maxPixels: number;
  readonly seed?: number;
}

/** Fisher-Yates with our seeded generator: the same keys and seed give the same order. */
export function computeSeededShuffle<T>(items: readonly T[], seed: number): T[] {
  const random = new SeededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random.nextFloat() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export async function loadPrecisionSamples(options: LoadPrecisionSamplesOptions): Promise<PrecisionSamples> {
  const keys: string[] = [];
  for (const partition of options.plan.partitions)
    keys.push(...(await readPlanShard(options.output, options.plan, partition.index)));
  const wanted = 2 * options.count;
  const images = new Float32Array(Math.min(wanted, keys.length) * PER_IMAGE);
  let decoded = 0;
  for (const key of computeSeededShuffle(keys, options.seed ?? PRECISION_SAMPLE_SEED)) {
    if (decoded === wanted) break;
    try {
      await prepareImage(await fetchObject(options.input, key), {
        maxPixels: options.maxPixels,
        out: images,
        offset: decoded * PER_IMAGE,
      });
      decoded += 1;
    } catch (error) {
      // A bad image is extraction's to report; it only leaves the sample.
      if (!isFeatureJobError(error) || error.isTransient) throw error;
    }
  }
  const calibrationCount = decoded >= wanted ? options.count : Math.ceil(decoded / 2);
  return {
    calibration: { images: images.subarray(0, calibrationCount * PER_IMAGE), count: calibrationCount },
    gate: {
      images: images.subarray(calibrationCount * PER_IMAGE, decoded * PER_IMAGE),
      count: decoded - calibrationCount,
    },
  };
}
