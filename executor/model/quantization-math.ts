/**
 * The arithmetic of static int8 quantization, as ONNX QuantizeLinear defines it:
 * q = saturate(round_half_even(x / scale) + zero_point), x' = (q - zero_point) * scale.
 *   activations  uint8, affine: the calibrated range [min, max] is widened to hold 0 (so
 *                zero and ReLU's floor are exact), scale = (max - min) / 255
 *   weights      int8, symmetric per output channel: scale_c = max|w_c| / 127, zero point 0,
 *                values in [-127, 127] (the symmetric range, as onnxruntime's quantizer uses)
 *   biases       int32 with scale = input scale * weight scale_c, zero point 0, as
 *                QLinearConv and QGemm add them to the int32 accumulator
 * Scales are float32 (Math.fround) because that is what the model stores and the kernels use.
 */

export const INT8_WEIGHT_LIMIT = 127;
const UINT8_MAX = 255;
const INT32_LIMIT = 2 ** 31 - 1;

/** A uint8 activation's scale and zero point. */
export interface ActivationQuantization {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** Per-channel int8 weights: `values` in the tensor's own layout, one scale per channel. */
export interface QuantizedWeights {
  readonly values: Int8Array;
  readonly scales: Float32Array;
}

/** Round half to even, the rounding QuantizeLinear specifies. */
export function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** MinMax: the uint8 scale and zero point that map [min, max] (widened to hold 0) onto 0..255. */
export function computeActivationQuantization(range: {
  readonly min: number;
  readonly max: number;
}): ActivationQuantization {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max) {
    throw new RangeError(`activation range [${range.min}, ${range.max}] is not a finite interval`);
  }
  const min = Math.min(range.min, 0);
  const max = Math.max(range.max, 0);
  const scale = Math.fround((max - min) / UINT8_MAX);
  // An all-zero tensor: any scale represents it; 1 keeps the arithmetic finite.
  if (scale === 0) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = Math.min(UINT8_MAX, Math.max(0, roundHalfToEven(-min / scale)));
  return { scale, zeroPoint };
}

/**
 * Symmetric per-channel int8 weights. `channelAxis` says where the channel index lies in the
 * flat tensor: 'outer' for Conv's [out, in, kh, kw] (channel-major blocks), 'inner' for
 * Gemm's B [in, out] (the channel is the fastest index).
 */
export function quantizeWeightsPerChannel(options: {
  readonly data: Float32Array;
  readonly channels: number;
  readonly channelAxis: 'outer' | 'inner';
}): QuantizedWeights {
  const { data, channels, channelAxis } = options;
  if (!Number.isInteger(channels) || channels < 1 || data.length % channels !== 0) {
    throw new RangeError(`${data.length} weights do not split into ${channels} channels`);
  }
  const per = data.length / channels;
  const channelOf = channelAxis === 'outer' ? (i: number) => Math.floor(i / per) : (i: number) => i % channels;
  const maxAbs = new Float64Array(channels);
  for (let i = 0; i < data.length; i += 1) {
    const c = channelOf(i);
    const a = Math.abs(data[i] as number);
    if (a > (maxAbs[c] as number)) maxAbs[c] = a;
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c += 1) {
    const m = maxAbs[c] as number;
    scales[c] = m === 0 ? 1 : m / INT8_WEIGHT_LIMIT;
  }
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i += 1) {
    const q = roundHalfToEven((data[i] as number) / (scales[channelOf(i)] as number));
    values[i] = Math.max(-INT8_WEIGHT_LIMIT, Math.min(INT8_WEIGHT_LIMIT, q));
  }
  return { values, scales };
}

/** int32 biases on the accumulator's scale (input scale * each channel's weight scale). */
export function quantizeBias(options: {
  readonly bias: Float32Array;
  readonly inputScale: number;
  readonly weightScales: Float32Array;
}): { values: Int32Array; scales: Float32Array } {
  const { bias, inputScale, weightScales } = options;
  if (bias.length !== weightScales.length)
    throw new RangeError(`${bias.length} biases for ${weightScales.length} weight scales`);
  const values = new Int32Array(bias.length);
  const scales = new Float32Array(bias.length);
  for (let c = 0; c < bias.length; c += 1) {
    const scale = Math.fround(inputScale * (weightScales[c] as number));
    scales[c] = scale;
    const q = roundHalfToEven((bias[c] as number) / scale);
    values[c] = Math.max(-INT32_LIMIT, Math.min(INT32_LIMIT, q));
  }
  return { values, scales };
}

/** What QuantizeLinear then DequantizeLinear make of `x`: the value the int8 graph sees. */
export function computeFakeQuantized(x: number, q: ActivationQuantization): number {
  const level = Math.min(UINT8_MAX, Math.max(0, roundHalfToEven(x / q.scale) + q.zeroPoint));
  return (level - q.zeroPoint) * q.scale;
}
