/**
 * The commands of the data plane's `featurejob` (executor/cli/featurejob.ts): all but
 * `operator`. Each is imported when it runs, so `featurejob --help` loads no native module
 * (onnxruntime, sharp) and no S3 client.
 */
import type { CliCommands } from './cli-main.js';

export const DATA_PLANE_COMMANDS: CliCommands = Object.freeze({
  run: {
    synopsis: 'run <input> --out <output>',
    summary: 'extract features from a directory or an S3 prefix',
    run: async (args) => (await import('./run-command.js')).runCommand(args),
  },
  plan: {
    synopsis: 'plan <input> --out <output>',
    summary: 'what run would do (new, changed, removed images; partitions; an estimate), writing nothing',
    run: async (args) => (await import('./plan-command.js')).planCommand(args),
  },
  reduce: {
    synopsis: 'reduce <output> --pca <K>',
    summary: "fit PCA on an output's features and project them",
    run: async (args) => (await import('./reduce-command.js')).reduceCommand(args),
  },
  inspect: {
    synopsis: 'inspect <output>',
    summary: 'counts, explained variance, scree and scatter plots',
    run: async (args) => (await import('./inspect-command.js')).inspectCommand(args),
  },
  verify: {
    synopsis: 'verify <output>',
    summary: 'audit an output: files, checksums, every image exactly once, no strays',
    run: async (args) => (await import('./verify-command.js')).verifyCommand(args),
  },
  models: {
    synopsis: 'models pull vgg16 | list',
    summary: 'download, convert and cache the ImageNet weights; list the cache',
    run: async (args) => (await import('./models-command.js')).modelsCommand(args),
  },
  demo: {
    synopsis: 'demo [--out <dir>]',
    summary: 'generate a small sample folder and run on it',
    run: async (args) => (await import('./demo-command.js')).demoCommand(args),
  },
  executor: {
    synopsis: 'executor <task>',
    summary:
      'one executor task of a FeatureJob: plan, extract, pca-statistics, pca-fit or pca-project (container entry point)',
    run: async (args) => (await import('./executor-command.js')).executorCommand(args),
  },
});
