/**
 * What the pipeline needs from a model, whatever engine runs it. Input is a batch of
 * preprocessed images, channels-last (NHWC, BGR, mean-subtracted, like Keras' VGG16 input);
 * output is `dimensions` float32 values per image.
 */
export interface ModelInfo {
  readonly name: string; // 'vgg16'
  readonly layer: string; // 'fc2'
  readonly dimensions: number; // 4096
  /** Where the weights came from: 'random(seed=N)' or a path / URI. */
  readonly weights: string;
  /** sha256 (hex) of the exact model file the runner loaded. */
  readonly sha256: string;
}

export interface ModelRunner {
  readonly info: ModelInfo;
  /** Input side length in pixels (224 for VGG16). */
  readonly inputSize: number;
  /**
   * Runs `count` images laid out back to back in `batch` (count * size * size * 3 floats)
   * and returns count * dimensions floats.
   */
  run(batch: Float32Array, count: number): Promise<Float32Array>;
  close(): Promise<void>;
}
