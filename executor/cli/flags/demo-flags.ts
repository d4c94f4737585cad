/** `featurejob demo`: its flag table. */
import { defineCommand } from './flag-table.js';

export const DEMO_COMMAND = defineCommand({
  command: 'demo',
  usage: ['featurejob demo [--images <dir>] [--out <dir>] [--weights <w>]'],
  about: `Generates a small labelled sample folder and runs the full pipeline on it (two
partitions); the output folder is replaced on each demo.`,
  flags: {
    images: { type: 'string', value: '<dir>', default: '`./demo-images`', help: 'where the sample images are written' },
    out: { type: 'string', value: '<dir>', default: '`./demo-out`', help: 'where the outputs go (replaced)' },
    weights: {
      type: 'string',
      value: '<w>',
      default: '`auto`',
      help: "model weights, as for 'featurejob run' (auto: ImageNet when cached or downloadable, otherwise random with a warning)",
      readme: 'model weights, as for `featurejob run`',
    },
  },
});
