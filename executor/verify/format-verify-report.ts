import type { VerifyReport } from './verify-output.js';

/** What `featurejob verify` prints: one verdict line, then each problem on its own line. */
export function formatVerifyReport(report: VerifyReport): string {
  const summary = `${report.images} images (${report.rows} rows, ${report.errorLines} error lines) in ${report.partitions} partitions`;
  if (report.ok) return `verified ${report.uri}: ${summary}: OK\n`;
  const problems = report.problems.length + report.omitted;
  const lines = [`verify ${report.uri}: ${problems} ${problems === 1 ? 'problem' : 'problems'} (${summary})`];
  for (const problem of report.problems) lines.push(`  ${problem.check}: ${problem.message}`);
  if (report.omitted > 0) lines.push(`  … and ${report.omitted} more`);
  return `${lines.join('\n')}\n`;
}
