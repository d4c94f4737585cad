/** `featurejob run`: its flag table, and its command line turned into a frozen RunConfig. */
import { DEFAULT_DECODE_BUDGET_BYTES, DEFAULT_MAX_OBJECT_BYTES, DEFAULT_MAX_PIXELS } from '../../config/limits.js';
import {
  DEFAULT_CALIBRATION_IMAGES,
  DEFAULT_IMAGES_PER_PARTITION,
  DEFAULT_INT8_MIN_COSINE,
  DEFAULT_INT8_MIN_KNN,
  parseRunConfig,
  type RunConfig,
  type RunConfigInput,
} from '../../config/run-config.js';
import { defineCommand } from './flag-table.js';
import { parseCommandLine, parseCommandSettings } from './parse-command-line.js';
import {
  MAX_ATTEMPTS_FLAG,
  PROGRESS_FLAG,
  REGION_FLAG,
  S3_ENDPOINT_FLAG,
  WHITEN_FLAG,
  WORKERS_FLAG,
} from './shared-flags.js';

export const RUN_COMMAND = defineCommand({
  command: 'run',
  usage: ['featurejob run <input> --out <output> [options]'],
  about: `Extracts VGG16 fc2 features (4,096 float32 values per image) from every image under
<input> and writes feature shards, errors.jsonl and manifest.json under <output>.
<input> and <output> are each a local directory or s3://bucket/prefix. Rerunning the same
command resumes: committed partitions are never redone and no row is ever duplicated.`,
  positional: {
    name: 'input',
    key: 'input',
    help: 'a directory or s3://bucket/prefix',
    readme: 'a directory or `s3://bucket/prefix`; every image under it, recursively',
  },
  flags: {
    out: {
      type: 'string',
      short: 'o',
      key: 'output',
      value: '<dir|s3://bucket/prefix>',
      required: true,
      help: 'where outputs go',
      readme: 'a directory or `s3://bucket/prefix` for the outputs',
    },
    partitions: {
      type: 'string',
      short: 'p',
      value: '<n>',
      default: 'images / `--images-per-partition`',
      help: 'number of partitions',
      readme: 'units of work and of commit; a rerun resumes by partition',
    },
    'images-per-partition': {
      type: 'string',
      value: '<n>',
      default: String(DEFAULT_IMAGES_PER_PARTITION),
      help: 'partition size when --partitions is not given',
      readme: 'partition size when `--partitions` is not given',
    },
    workers: { ...WORKERS_FLAG, readme: 'worker processes; each loads the model once' },
    threads: {
      type: 'string',
      short: 't',
      value: '<n>',
      default: 'cores / workers',
      help: 'inference threads per worker',
    },
    'batch-size': {
      type: 'string',
      short: 'b',
      value: '<n>',
      default: '8',
      help: 'images per inference call',
      readme: 'images per inference call (8 ran as fast as 16 here with 430 MiB less memory)',
    },
    'fetch-concurrency': {
      type: 'string',
      value: '<n>',
      default: '16',
      help: 'concurrent reads per worker',
      readme: 'concurrent reads per worker through its one S3 client',
    },
    weights: {
      type: 'string',
      value: '<w>',
      default: '`auto`',
      help: [
        'model weights',
        '  auto       ImageNet when cached or downloadable, else random',
        '             with a warning (offline quick start)',
        "  imagenet   Keras' VGG16 ImageNet weights: cached, or",
        '             downloaded (md5-checked) and converted; never',
        '             falls back',
        '  random     He-normal from --seed: NOT ImageNet features',
        '  file.h5    Keras VGG16 weights (.h5), converted once, cached',
        '  file.onnx  a VGG16-fc2 ONNX model, used as it is',
        '  model.json a TensorFlow.js model (or its directory)',
        '  s3://bucket/key.h5|.onnx  either, read from S3',
        "Offline: 'featurejob models pull vgg16 --from <file.h5>'.",
        'Mirrors: FEATUREJOB_VGG16_URL, FEATUREJOB_VGG16_MD5.',
      ],
      readme:
        '`auto` (ImageNet when cached or downloadable, else random with a warning), `imagenet` (never falls back), ' +
        '`random` (He-normal from `--seed`), a Keras VGG16 `.h5`, a VGG16-fc2 `.onnx`, ' +
        'a TensorFlow.js `model.json` or its directory, or `s3://bucket/key.h5`/`.onnx` — see [Model weights](#model-weights)',
    },
    seed: {
      type: 'string',
      value: '<n>',
      default: '0',
      help: 'seed for --weights random',
      readme: 'seed for `--weights random`',
    },
    format: {
      type: 'string',
      short: 'f',
      value: '<parquet|csv>',
      default: '`parquet`',
      help: 'parquet (zstd): path, label, features; csv: dim_0..dim_4095,path (the reference layout)',
      readme: '`parquet` (zstd) or `csv` (the reference layout `dim_0,…,dim_4095,path`)',
    },
    's3-endpoint': S3_ENDPOINT_FLAG,
    region: REGION_FLAG,
    'max-pixels': {
      type: 'string',
      value: '<n>',
      default: String(DEFAULT_MAX_PIXELS),
      help: "images declaring more pixels are rejected from their header; the default is PIL's decompression-bomb limit",
      readme:
        "images whose header declares more pixels are rejected before decoding; the default is PIL's decompression-bomb limit",
    },
    'max-object-bytes': {
      type: 'string',
      key: 'maxObjectBytes',
      value: '<bytes>',
      default: String(DEFAULT_MAX_OBJECT_BYTES),
      help: 'objects larger than this (by listed size: 256Mi, 1Gi, ...) are error lines FJ_OBJECT_TOO_LARGE, never fetched',
      readme:
        'objects larger than this by their listed size (`256Mi`, `1Gi`, …) become error lines `FJ_OBJECT_TOO_LARGE` ' +
        'and are never fetched: a fetch holds the whole object in memory',
    },
    'decode-budget': {
      type: 'string',
      key: 'decodeBudgetBytes',
      value: '<bytes>',
      default: String(DEFAULT_DECODE_BUDGET_BYTES),
      help:
        'bytes of full-resolution decodes a worker holds at once (2Gi, 512Mi, ...): a decode waits until ' +
        'its image fits, one larger than the budget decodes alone; the default (2.5 GiB) is one ' +
        '--max-pixels image at 15 bytes a pixel',
      readme:
        'bytes of full-resolution decodes a worker holds at once (`2Gi`, `512Mi`, …): a decode waits until ' +
        'its image fits, one larger than the budget decodes alone; the default (2.5 GiB) is the largest ' +
        'image the default `--max-pixels` admits, at 15 bytes a pixel (docs/reliability.md)',
    },
    'worker-memory': {
      type: 'string',
      key: 'workerMemoryBytes',
      value: '<bytes>',
      default: 'memory / workers',
      help: 'memory one worker may use (16Gi, ...); settings that need more are refused before the run starts',
      readme:
        'memory one worker may use (`16Gi`, …): batch size, partition size and decode budget that need ' +
        'more are refused before the run (the estimate: docs/reliability.md)',
    },
    'max-attempts': {
      ...MAX_ATTEMPTS_FLAG,
      readme: 'attempts per partition (a crashed or failing worker) before the job fails',
    },
    progress: PROGRESS_FLAG,
    pca: {
      type: 'string',
      value: '<K>',
      help:
        'then fit PCA with K components on all features and write pca/part-*.parquet (K values per image) ' +
        "and pca/model.json; each partition's statistics are computed during extraction",
      readme:
        'then fit PCA with K components and write `pca/part-*.parquet` and `pca/model.json` — ' +
        'see [Dimension reduction](#dimension-reduction-pca)',
    },
    precision: {
      type: 'string',
      value: '<fp32|int8|auto>',
      default: '`fp32`',
      help: [
        'inference precision',
        '  fp32  as always',
        '  int8  static int8 (QDQ), calibrated on this',
        "        job's images, then gated on others (fp32",
        '        vs int8 cosine and kNN@10); below the',
        '        thresholds FJ_PRECISION_FIDELITY',
        '  auto  int8 when the gate passes, else fp32',
        'int8 needs our VGG16-fc2 (random, imagenet, .h5).',
      ],
      readme:
        "`fp32`; `int8`: static int8, calibrated on this job's images and shipped only if the fidelity gate passes on others " +
        '(else `FJ_PRECISION_FIDELITY`); `auto`: int8 when the gate passes, else fp32 — see [docs/performance.md](docs/performance.md)',
    },
    'calibration-images': {
      type: 'string',
      value: '<n>',
      default: String(DEFAULT_CALIBRATION_IMAGES),
      help: 'int8: images to calibrate on (as many again for the gate)',
      readme: 'with int8/auto: images to calibrate on (MinMax), and as many other images for the fidelity gate',
    },
    'int8-min-cosine': {
      type: 'string',
      value: '<x>',
      default: String(DEFAULT_INT8_MIN_COSINE),
      help: 'int8 gate: least median cosine fp32 vs int8, (0, 1]',
      readme: 'the gate: least median cosine of fp32 vs int8 features, in (0, 1]',
    },
    'int8-min-knn': {
      type: 'string',
      value: '<x>',
      default: String(DEFAULT_INT8_MIN_KNN),
      help: 'int8 gate: least kNN@10 agreement, [0, 1]',
      readme: "the gate: least share of each image's 10 nearest neighbours (by cosine) that int8 keeps, in [0, 1]",
    },
    full: {
      type: 'boolean',
      help: 'on a complete output: a new version that processes every image again and replaces every earlier file',
      readme:
        'on a complete output: the next version processes every image again and replaces every earlier file — ' +
        'see [docs/versions.md](docs/versions.md)',
    },
    whiten: {
      ...WHITEN_FLAG,
      help: 'with --pca: scale each component to unit variance',
      readme: 'with `--pca`: scale each component to unit variance',
    },
  },
  footer: 'Exit codes: 0 done, 1 failed, 2 invalid arguments.',
});

export type ParsedRunCommandLine = { help: true } | { help: false; config: RunConfig };

/** Parses `featurejob run` arguments; invalid ones throw FJ_INVALID_ARGUMENT (exit code 2). */
export function parseRunCommandLine(argv: readonly string[]): ParsedRunCommandLine {
  const { help, fields } = parseCommandLine(RUN_COMMAND, argv);
  if (help) return { help: true };
  return {
    help: false,
    config: parseCommandSettings(RUN_COMMAND, fields, (input) => parseRunConfig(input as RunConfigInput)),
  };
}
