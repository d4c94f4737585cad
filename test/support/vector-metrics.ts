/**
 * How close two feature vectors are, as the parity tests define it. `reference` is the
 * trusted side (Keras, or the ONNX engine).
 */

/** max_i |actual_i - reference_i| / max_i |reference_i|: the error relative to the vector's scale. */
export function maxRelativeError(actual: Float32Array, reference: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i += 1) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (reference[i] as number)));
    scale = Math.max(scale, Math.abs(reference[i] as number));
  }
  return scale === 0 ? diff : diff / scale;
}

/** maxRelativeError per row of `dimensions` values. */
export function maxRelativeErrorsPerRow(actual: Float32Array, reference: Float32Array, dimensions: number): number[] {
  const errors: number[] = [];
  for (let start = 0; start < reference.length; start += dimensions) {
    errors.push(
      maxRelativeError(actual.subarray(start, start + dimensions), reference.subarray(start, start + dimensions)),
    );
  }
  return errors;
}

export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}
