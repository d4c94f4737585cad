import type { VerifyReport } from './verify-output.js';

/**
 * What `featurejob verify` prints: one verdict line, then each problem on its own line. For a
 * table, the verdict names the version and what the table holds before its run's figures.
 */
export function formatVerifyReport(report: VerifyReport): string {
  const run = `${report.images} images (${report.rows} rows, ${report.errorLines} error lines) in ${report.partitions} partitions`;
  const { table } = report;
  const summary =
    table === undefined
      ? run
      : `table version ${table.version}: ${table.rows} rows, ${table.failed} failed, ${table.files} files; its run: ${run}`;
  if (report.ok) return `verified ${report.uri}: ${summary}: OK\n`;
  const problems = report.problems.length + report.omitted;
  const lines = [`verify ${report.uri}: ${problems} ${problems === 1 ? 'problem' : 'problems'} (${summary})`];
  for (const problem of report.problems) lines.push(`  ${problem.check}: ${problem.message}`);
  if (report.omitted > 0) lines.push(`  … and ${report.omitted} more`);
  return `${lines.join('\n')}\n`;
}
