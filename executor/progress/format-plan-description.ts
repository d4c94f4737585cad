import type { VersionChanges } from '../plan/plan-schema.js';
import { formatDuration } from './format-duration.js';

/** What `featurejob plan` found, as tasks/describe-plan.ts returns it (declared here: progress/ sits below tasks/). */
export interface PlanDescriptionView {
  readonly action: 'first-version' | 'resume' | 'new-version' | 'up-to-date';
  readonly version: number;
  readonly images: number;
  readonly partitions: number;
  readonly listed?: number;
  readonly changes?: VersionChanges;
  readonly imagesPerSecond?: number;
  readonly estimateSeconds?: number;
}

const number = (n: number): string => n.toLocaleString('en-US');

/** The lines `featurejob plan` prints. */
export function formatPlanDescription(plan: PlanDescriptionView, outputUri: string): string {
  const lines: string[] = [];
  if (plan.action === 'up-to-date') {
    lines.push(`${outputUri} is up to date at version ${plan.version}: run would process nothing`);
  } else {
    const what = {
      'first-version': `version 0 of a new table`,
      resume: `the rest of interrupted version ${plan.version}`,
      'new-version': `version ${plan.version}`,
    }[plan.action];
    lines.push(
      `run would make ${what} at ${outputUri}: ${number(plan.images)} images in ${number(plan.partitions)} partitions`,
    );
  }
  const { changes } = plan;
  if (changes !== undefined) {
    lines.push(
      `  against version ${plan.action === 'up-to-date' ? plan.version : plan.version - 1}: ` +
        `${number(changes.new)} new, ${number(changes.changed)} changed, ${number(changes.removed)} removed, ` +
        `${number(changes.unchanged)} unchanged, ${number(changes.retried)} retried` +
        (changes.full ? ' (--full: all processed again)' : ''),
    );
  }
  if (plan.estimateSeconds !== undefined && plan.imagesPerSecond !== undefined) {
    lines.push(
      `  estimate: ${formatDuration(plan.estimateSeconds)} at ${plan.imagesPerSecond.toFixed(2)} images/s ` +
        "(the latest version's run)",
    );
  }
  lines.push('nothing was written');
  return `${lines.join('\n')}\n`;
}
