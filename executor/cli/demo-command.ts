import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FeatureJobError } from '../errors.js';
import { parseRunConfig } from '../config/run-config.js';
import { writeDemoImages } from './demo-images.js';
import { runCommand } from './run-command.js';

export const DEMO_HELP = `Usage: featurejob demo [--images <dir>] [--out <dir>]

Generates a small labelled sample folder (default ./demo-images) and runs the full pipeline
on it into ./demo-out (replaced on each demo). Weights as for 'featurejob run' (default auto:
ImageNet when cached or downloadable, otherwise random with a warning).
`;

export async function demoCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { images: { type: 'string' }, out: { type: 'string' }, weights: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', (error as Error).message);
  }
  if (values.help) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const images = resolve(values.images ?? 'demo-images');
  const out = resolve(values.out ?? 'demo-out');
  await rm(out, { recursive: true, force: true });
  const written = await writeDemoImages(images);
  process.stderr.write(`featurejob demo: wrote ${written} sample images to ${images}\n`);
  await runCommand(parseRunConfig({ input: images, output: out, partitions: 2, weights: values.weights ?? 'auto' }));
  process.stdout.write(`outputs: ${out}/manifest.json, ${out}/features/*.parquet, ${out}/errors.jsonl\n`);
  return 0;
}
