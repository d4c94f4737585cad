/**
 * `npm run crds`: writes crds/featurejob.dev_featurejobs.yaml from the zod schemas. Run it
 * after changing crds/feature-job-spec.ts or crds/feature-job-status.ts, and commit the result.
 */
import { writeFile } from 'node:fs/promises';
import { FEATURE_JOB_CRD_YAML_PATH, renderFeatureJobCrdYaml } from './render-feature-job-crd-yaml.js';

await writeFile(FEATURE_JOB_CRD_YAML_PATH, renderFeatureJobCrdYaml());
console.log(`wrote ${FEATURE_JOB_CRD_YAML_PATH}`);
