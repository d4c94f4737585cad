import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCommandSettings } from '../../../executor/cli/flags/parse-command-line.js';
import { FeatureJobError } from '../../../executor/errors.js';
import { OPERATOR_COMMAND, parseOperatorCommandLine } from '../../../operator/cli/operator-flags.js';
import {
  parseOperatorConfig,
  type OperatorConfig,
  type OperatorConfigInput,
} from '../../../operator/config/operator-config.js';

function configOf(argv: string[], env: NodeJS.ProcessEnv = {}): OperatorConfig {
  const parsed = parseOperatorCommandLine(argv, env);
  assert.ok(!parsed.help);
  return parseCommandSettings(OPERATOR_COMMAND, parsed.input, (input) =>
    parseOperatorConfig(input as OperatorConfigInput),
  );
}

const invalid = (message: RegExp) => (error: unknown) =>
  error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT' && message.test(error.message);

describe('parseOperatorCommandLine', () => {
  test('turns flags into operator settings, with the defaults of the config schema', () => {
    const config = configOf([
      '--executor-image=featurejob:1',
      '--executor-command=node /app/featurejob.js',
      '--no-leader-elect',
      '--http-port=9090',
      '--stall-timeout=60',
      '--resync=2.5',
      '--executor-defaults={"serviceAccountName":"runner"}',
    ]);
    assert.equal(config.executorImage, 'featurejob:1');
    assert.deepEqual(config.executorCommand, ['node', '/app/featurejob.js']);
    assert.equal(config.leaderElection, false);
    assert.equal(config.httpPort, 9090);
    assert.equal(config.stallTimeoutSeconds, 60);
    assert.equal(config.resyncSeconds, 2.5);
    assert.equal(config.executorDefaults.serviceAccountName, 'runner');
    assert.equal(config.workers, 4);
    assert.equal(config.imagePullPolicy, 'IfNotPresent');
  });

  test('reads the image, namespaces, identity and region from the environment the chart sets', () => {
    const config = configOf([], {
      FEATUREJOB_EXECUTOR_IMAGE: 'img:2',
      WATCH_NAMESPACE: '',
      POD_NAMESPACE: 'featurejob',
      POD_NAME: 'operator-0',
      AWS_REGION: 'eu-west-1',
    });
    assert.equal(config.executorImage, 'img:2');
    assert.equal(config.namespace, undefined, 'an empty WATCH_NAMESPACE watches all namespaces');
    assert.equal(config.leaseNamespace, 'featurejob');
    assert.equal(config.identity, 'operator-0');
    assert.equal(config.defaultRegion, 'eu-west-1');
    assert.equal(config.leaderElection, true);
  });

  test('names the flag in every invalid argument', () => {
    assert.throws(() => configOf([]), invalid(/^missing --executor-image <image> \(or FEATUREJOB_EXECUTOR_IMAGE\)$/));
    assert.throws(() => configOf(['--executor-image=x', '--workers=many']), invalid(/^--workers: /));
    assert.throws(() => configOf(['--executor-image=x', '--workers=100']), invalid(/^--workers: /));
    assert.throws(
      () => configOf(['--executor-image=x', '--image-pull-policy=Sometimes']),
      invalid(/^--image-pull-policy: /),
    );
    assert.throws(
      () => configOf(['--executor-image=x', '--executor-defaults={']),
      invalid(/^--executor-defaults: not JSON/),
    );
    assert.throws(
      () => configOf(['--executor-image=x', '--executor-defaults={"requests":{"cpu":"lots","memory":"1Gi"}}']),
      invalid(/^--executor-defaults: requests\.cpu: /),
    );
    assert.throws(() => configOf(['--executor-image=x', 'extra']), invalid(/unexpected argument 'extra'/));
  });
});
