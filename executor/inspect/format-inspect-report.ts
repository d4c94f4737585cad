/** The text `featurejob inspect` prints: counts, then PCA's explained variance when fitted. */
import {
  computeCumulativeVariance,
  computeVarianceThresholds,
  formatPercent,
  formatVarianceThreshold,
} from './compute-variance-thresholds.js';
import type { InspectedOutput } from './inspect-output.js';

const LEADING_COMPONENTS = 10;
const LABELS_SHOWN = 20;

export function formatInspectReport(inspected: InspectedOutput, options: { written: readonly string[] }): string {
  const { manifest, pca } = inspected;
  const failures = Object.entries(manifest.failuresByCode).sort(([a], [b]) => a.localeCompare(b));
  const lines = [
    `output: ${manifest.output.uri} (${manifest.output.format})`,
    `input: ${manifest.input.uri}: ${manifest.input.listed} files listed, ` +
      `${manifest.input.images} images, ${manifest.input.skipped} skipped`,
    `images: ${manifest.images.succeeded} with features, ${manifest.images.failed} failed, in ${manifest.partitions.length} partitions`,
    ...failures.map(([code, count]) => `  ${code}: ${count}`),
    `model: ${manifest.model.name}/${manifest.model.layer}, ${manifest.model.dimensions} dimensions, weights ${manifest.model.weights}`,
  ];
  if (pca === undefined) {
    lines.push(
      `PCA: not fitted; run 'featurejob reduce ${manifest.output.uri} --pca 50' for the explained variance and plots`,
    );
  } else {
    const { model } = pca;
    const spectrum = model.spectrumRatio;
    const cumulative = computeCumulativeVariance(spectrum);
    lines.push(
      `labels: ${pca.labelCounts.length}` +
        (pca.labelCounts.length === 0
          ? ''
          : ` (${pca.labelCounts
              .slice(0, LABELS_SHOWN)
              .map(([label, rows]) => `${label === '' ? '(none)' : label} ${rows}`)
              .join(', ')}${pca.labelCounts.length > LABELS_SHOWN ? ', …' : ''})`),
      `PCA: ${model.components} components fitted on ${model.rows} rows${model.whiten ? ', whitened' : ''}: ` +
        `${formatPercent(cumulative[model.components - 1] ?? 0)} of the variance`,
      '  components to reach (of all ' + `${model.dimensions}):`,
      ...computeVarianceThresholds({ explainedVarianceRatio: spectrum }).map(
        (threshold) => `    ${formatVarianceThreshold(threshold, spectrum.length)}`,
      ),
      '  leading components (share, cumulative):',
      ...spectrum
        .slice(0, Math.min(LEADING_COMPONENTS, model.components))
        .map(
          (ratio, i) =>
            `    PC ${String(i + 1).padStart(2)}: ${formatPercent(ratio).padStart(8)}  ${formatPercent(cumulative[i]!).padStart(8)}`,
        ),
    );
  }
  for (const uri of options.written) lines.push(`wrote ${uri}`);
  return `${lines.join('\n')}\n`;
}
