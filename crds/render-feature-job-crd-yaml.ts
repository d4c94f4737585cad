/**
 * The committed CRD manifest's text: crds/featurejob.dev_featurejobs.yaml is exactly this
 * string, written by write-feature-job-crd.ts and compared by the drift test.
 */
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { buildFeatureJobCrd } from './build-feature-job-crd.js';

/** Absolute path of the committed manifest (the same from crds/ and from dist/crds/). */
export const FEATURE_JOB_CRD_YAML_PATH = fileURLToPath(
  new URL('../../crds/featurejob.dev_featurejobs.yaml', import.meta.url),
);

const HEADER = [
  '# Generated from crds/feature-job-spec.ts and crds/feature-job-status.ts: do not edit.',
  '# Regenerate with `npm run crds` (a unit test fails while this file is out of date).',
].join('\n');

export function renderFeatureJobCrdYaml(): string {
  // lineWidth 0: CEL rules and patterns stay on one line, as readable as in the source.
  return `${HEADER}\n${stringify(buildFeatureJobCrd(), { lineWidth: 0 })}`;
}
