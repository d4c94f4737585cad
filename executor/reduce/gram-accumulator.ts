/**
 * Accumulates the statistics of feature rows (see feature-statistics.ts) as they arrive.
 * XᵀX is the expensive part, d² multiply-adds per row (16.8 M for 4,096 dimensions), so rows
 * are gathered into blocks and each block's Gram matrix is one float64 MatMul in
 * onnxruntime (multi-threaded, vectorised: about 25 GFLOP/s per core here, against ~1 in
 * plain JavaScript). float32 features are widened to float64 first, so every product is exact
 * and only the float64 sums round.
 */
import * as ort from 'onnxruntime-node';
import { FeatureJobError, toFeatureJobError } from '../errors.js';
import { buildOnnxModel, OnnxDataType } from '../model/onnx-model-builder.js';
import { createEmptyStatistics, packedIndex, type FeatureStatistics } from './feature-statistics.js';

/** Rows per MatMul: large enough to run at full speed, small enough to stay a few MiB. */
export const DEFAULT_BLOCK_ROWS = 512;

export interface GramAccumulatorOptions {
  readonly dimensions: number;
  /** onnxruntime intra-op threads. */
  readonly threads?: number;
  readonly blockRows?: number;
}

export class GramAccumulator {
  readonly dimensions: number;
  private readonly statistics: FeatureStatistics;
  private readonly block: Float32Array;
  private readonly blockRows: number;
  private pending = 0;
  private session: ort.InferenceSession | undefined;
  private readonly threads: number;

  constructor(options: GramAccumulatorOptions) {
    this.dimensions = options.dimensions;
    this.statistics = createEmptyStatistics(options.dimensions);
    this.blockRows = Math.max(1, options.blockRows ?? DEFAULT_BLOCK_ROWS);
    this.block = new Float32Array(this.blockRows * options.dimensions);
    this.threads = Math.max(1, options.threads ?? 1);
  }

  /** Adds `rows` rows of `dimensions` values each, row-major. */
  async add(features: Float32Array, rows = features.length / this.dimensions): Promise<void> {
    const d = this.dimensions;
    if (!Number.isInteger(rows) || features.length < rows * d) {
      throw new FeatureJobError(
        'FJ_PCA_MIXED_DIMENSIONS',
        `expected rows of ${d} values, got ${features.length} values for ${rows} rows`,
      );
    }
    const { sums } = this.statistics;
    for (let row = 0; row < rows; row++) {
      const start = row * d;
      for (let i = 0; i < d; i++) {
        const value = features[start + i]!;
        if (!Number.isFinite(value)) {
          throw new FeatureJobError(
            'FJ_OUTPUT_INVALID',
            `feature row ${this.statistics.rows + row} holds a non-finite value (${value}) at dimension ${i}`,
          );
        }
        sums[i]! += value;
      }
    }
    let offset = 0;
    while (offset < rows) {
      const take = Math.min(rows - offset, this.blockRows - this.pending);
      this.block.set(features.subarray(offset * d, (offset + take) * d), this.pending * d);
      this.pending += take;
      offset += take;
      if (this.pending === this.blockRows) await this.flush();
    }
    this.statistics.rows += rows;
  }

  /** The statistics of every row added; the accumulator is closed afterwards. */
  async finish(): Promise<FeatureStatistics> {
    await this.flush();
    await this.close();
    return this.statistics;
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release();
  }

  private async flush(): Promise<void> {
    if (this.pending === 0) return;
    const d = this.dimensions;
    const rows = this.pending;
    this.pending = 0;
    this.session ??= await createGramSession(d, this.threads);
    let gram: Float64Array;
    try {
      const input = new ort.Tensor('float32', this.block.subarray(0, rows * d), [rows, d]);
      const output = await this.session.run({ rows: input });
      gram = output.gram!.data as Float64Array;
    } catch (error) {
      throw toFeatureJobError(error, 'FJ_INFERENCE_FAILED');
    }
    const packed = this.statistics.gram;
    for (let i = 0; i < d; i++) {
      const from = i * d;
      const to = packedIndex(i, i, d) - i;
      for (let j = i; j < d; j++) packed[to + j]! += gram[from + j]!;
    }
  }
}

/** rows [N, d] float32 -> gram [d, d] float64 = Xᵀ X. */
async function createGramSession(dimensions: number, threads: number): Promise<ort.InferenceSession> {
  const model = buildOnnxModel({
    graph: {
      name: 'featurejob_gram',
      nodes: [
        {
          name: 'widen',
          opType: 'Cast',
          inputs: ['rows'],
          outputs: ['wide'],
          attributes: [{ name: 'to', kind: 'int', value: OnnxDataType.double }],
        },
        { name: 'transpose', opType: 'Transpose', inputs: ['wide'], outputs: ['wideT'] },
        { name: 'gram', opType: 'MatMul', inputs: ['wideT', 'wide'], outputs: ['gram'] },
      ],
      initializers: [],
      inputs: [{ name: 'rows', elemType: OnnxDataType.float, shape: ['N', dimensions] }],
      outputs: [{ name: 'gram', elemType: OnnxDataType.double, shape: [dimensions, dimensions] }],
    },
  });
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}
