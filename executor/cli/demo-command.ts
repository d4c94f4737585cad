import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseRunConfig } from '../config/run-config.js';
import { writeDemoImages } from './demo-images.js';
import { DEMO_COMMAND } from './flags/demo-flags.js';
import { parseCommandLine, parseCommandSettings } from './flags/parse-command-line.js';
import { renderCommandHelp } from './flags/render-help.js';
import { runAndSummarize } from './run-command.js';

export async function demoCommand(argv: string[]): Promise<number> {
  const { help, values } = parseCommandLine(DEMO_COMMAND, argv);
  if (help) {
    process.stdout.write(renderCommandHelp(DEMO_COMMAND));
    return 0;
  }
  const images = resolve(values.images ?? 'demo-images');
  const out = resolve(values.out ?? 'demo-out');
  const config = parseCommandSettings(DEMO_COMMAND, { weights: values.weights ?? 'auto' }, (fields) =>
    parseRunConfig({ input: images, output: out, partitions: 2, ...fields }),
  );
  await rm(out, { recursive: true, force: true });
  const written = await writeDemoImages(images);
  process.stderr.write(`featurejob demo: wrote ${written} sample images to ${images}\n`);
  await runAndSummarize(config);
  process.stdout.write(`outputs: ${out}/manifest.json, ${out}/features/*.parquet, ${out}/errors.jsonl\n`);
  return 0;
}
