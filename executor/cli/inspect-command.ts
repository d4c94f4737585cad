import { formatInspectReport } from '../inspect/format-inspect-report.js';
import { inspectOutput } from '../inspect/inspect-output.js';
import { renderScatterPlot } from '../inspect/render-scatter-plot.js';
import { renderScreePlot } from '../inspect/render-scree-plot.js';
import { openOneStore } from '../storage/open-stores.js';
import { INSPECT_COMMAND } from './flags/inspect-flags.js';
import { parseCommandLine } from './flags/parse-command-line.js';
import { renderCommandHelp } from './flags/render-help.js';

export const SCREE_PLOT_KEY = 'pca-scree.svg';
export const SCATTER_PLOT_KEY = 'pca-scatter.svg';

/** `featurejob inspect <output>`: counts, explained variance, and the two plots. */
export async function inspectCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { help, values, positionals } = parseCommandLine(INSPECT_COMMAND, argv);
  if (help) {
    out.write(renderCommandHelp(INSPECT_COMMAND));
    return 0;
  }
  const output = openOneStore(positionals[0]!, { s3Endpoint: values['s3-endpoint'], region: values.region });
  const inspected = await inspectOutput(output);
  const written: string[] = [];
  const { pca } = inspected;
  if (pca !== undefined && values['no-plots'] !== true) {
    const title = `${inspected.manifest.model.name}/${inspected.manifest.model.layer}, ${pca.model.rows} images`;
    await output.put(
      SCREE_PLOT_KEY,
      renderScreePlot({
        explainedVarianceRatio: pca.model.spectrumRatio,
        fitted: pca.model.components,
        title: `Explained variance: ${title}`,
      }),
    );
    written.push(output.uriOf(SCREE_PLOT_KEY));
    if (pca.model.components >= 2) {
      await output.put(
        SCATTER_PLOT_KEY,
        renderScatterPlot({
          x: pca.x,
          y: pca.y,
          labels: pca.labels,
          title: `First two principal components: ${title}`,
          xLabel: 'PC 1',
          yLabel: 'PC 2',
        }),
      );
      written.push(output.uriOf(SCATTER_PLOT_KEY));
    }
  }
  out.write(formatInspectReport(inspected, { written }));
  return 0;
}
