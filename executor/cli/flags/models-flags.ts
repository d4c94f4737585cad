/** `featurejob models pull|list`: the flag table of `pull` (`list` takes none) and their help. */
import { z } from 'zod';
import { IMAGENET_VGG16_MD5, IMAGENET_VGG16_URL } from '../../model/resolve-model.js';
import { defineCommand } from './flag-table.js';
import { PROGRESS_FLAG, REGION_FLAG, S3_ENDPOINT_FLAG } from './shared-flags.js';

export const MODELS_COMMAND = defineCommand({
  command: 'models',
  usage: [
    'featurejob models pull vgg16 [--from <file.h5|s3://…>] [--url <url>] [--md5 <hex>]',
    'featurejob models list',
  ],
  about: `Manages the model cache ($FEATUREJOB_CACHE, default ~/.cache/featurejob):
models/<name>-<sha256>.onnx, each with a JSON sidecar saying where its weights came from.

pull vgg16   downloads Keras' VGG16 ImageNet weights, verifies their md5, converts them to
             the VGG16-fc2 ONNX model and caches it; does nothing when it is already cached.
list         shows the cached models: name, weights, sha256, size and path.`,
  positional: { name: 'model', help: 'the model to pull: vgg16', readme: 'the model to pull: `vgg16`' },
  optionsTitle: 'Options of pull:',
  flags: {
    from: {
      type: 'string',
      value: '<file.h5|s3://…>',
      help: 'use a copy of the weights file instead of downloading (air-gapped machines); its md5 is still verified',
    },
    url: {
      type: 'string',
      value: '<url>',
      default: "`FEATUREJOB_VGG16_URL`, else Keras' URL",
      schema: z
        .string()
        .regex(/^https?:\/\/\S+$/, { error: (issue) => `expected an http(s):// URL, got '${String(issue.input)}'` }),
      help: 'download from a mirror',
    },
    md5: {
      type: 'string',
      value: '<hex>',
      default: "`FEATUREJOB_VGG16_MD5`, else Keras' published md5",
      schema: z
        .string()
        .regex(/^[0-9a-fA-F]{32}$/, { error: (issue) => `expected 32 hex digits, got '${String(issue.input)}'` }),
      help: 'the expected md5 of the weights file',
    },
    progress: { ...PROGRESS_FLAG, help: 'download progress: a bar on a terminal, log lines otherwise, or none' },
    's3-endpoint': {
      ...S3_ENDPOINT_FLAG,
      help: 'S3-compatible endpoint for --from s3://… (AWS variables work too)',
      readme: 'S3-compatible endpoint for `--from s3://…`',
    },
    region: { ...REGION_FLAG, help: 'S3 region for --from s3://…', readme: 'S3 region for `--from s3://…`' },
  },
  footer: `'featurejob run --weights imagenet' (and the default, --weights auto) uses the cached model.

Keras' VGG16 ImageNet weights (keras.applications.vgg16, include_top):
  ${IMAGENET_VGG16_URL}
  md5 ${IMAGENET_VGG16_MD5}`,
});

/** `models list` takes no flags and no arguments; its help is the models help. */
export const MODELS_LIST_COMMAND = defineCommand({
  ...MODELS_COMMAND,
  command: 'models list',
  positional: undefined,
  flags: {},
});
