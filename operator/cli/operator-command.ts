/**
 * `featurejob operator`: the container entry point of the operator Deployment. Serves
 * /healthz, /readyz and /metrics at once; reconciles only while holding the leader Lease.
 * Losing the Lease ends the process (exit 1) so that the kubelet restarts it as a clean
 * follower, never as a second writer with stale memory.
 */
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { FeatureJobError } from '../../executor/errors.js';
import { createLogger } from '../../executor/log/logger.js';
import { parseOperatorConfig, type OperatorConfigInput } from '../config/operator-config.js';
import { startOperator } from './start-operator.js';

export const OPERATOR_HELP = `Usage: featurejob operator [options]

Reconciles FeatureJob resources (featurejob.dev/v1alpha1) into executor Jobs. Uses the
in-cluster service account, or KUBECONFIG outside a cluster.

Options:
  --executor-image IMAGE        executor container image (required; env FEATUREJOB_EXECUTOR_IMAGE)
  --executor-command CMD        the image's command before 'executor plan|extract' (default: featurejob)
  --image-pull-policy POLICY    Always | IfNotPresent | Never (default: IfNotPresent)
  --namespace NS                watch only this namespace (default: all; env WATCH_NAMESPACE)
  --executor-defaults JSON      executor pod defaults: nodeSelector, tolerations, requests,
                                limits, serviceAccountName, scratchSizeLimit
  --no-leader-elect             reconcile without taking the Lease (a single replica only)
  --lease-namespace NS          where the leader Lease lives (default: POD_NAMESPACE or default)
  --lease-name NAME             default: featurejob-operator
  --http-port PORT              health, readiness and metrics (default: 8080)
  --stall-timeout SECONDS       fail a job whose executors cannot be scheduled or pulled for
                                this long (default: 900)
  --resync SECONDS              how often running jobs are re-read (default: 10)
  --workers N                   concurrent reconciles (default: 4)
  -h, --help
`;

function parseOperatorArgs(args: string[], env: NodeJS.ProcessEnv): OperatorConfigInput | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      options: {
        'executor-image': { type: 'string' },
        'executor-command': { type: 'string' },
        'image-pull-policy': { type: 'string' },
        namespace: { type: 'string' },
        'executor-defaults': { type: 'string' },
        'no-leader-elect': { type: 'boolean' },
        'lease-namespace': { type: 'string' },
        'lease-name': { type: 'string' },
        'http-port': { type: 'string' },
        'stall-timeout': { type: 'string' },
        resync: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', (error as Error).message);
  }
  if (parsed.help === true) return 'help';
  const image = parsed['executor-image'] ?? env.FEATUREJOB_EXECUTOR_IMAGE;
  if (image === undefined) throw new FeatureJobError('FJ_INVALID_ARGUMENT', '--executor-image is required');
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new FeatureJobError('FJ_INVALID_ARGUMENT', `--${flag} must be a number, got '${value}'`);
    return n;
  };
  let executorDefaults: unknown;
  if (parsed['executor-defaults'] !== undefined) {
    try {
      executorDefaults = JSON.parse(parsed['executor-defaults']);
    } catch (error) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `--executor-defaults is not JSON: ${(error as Error).message}`);
    }
  }
  const namespace = parsed.namespace ?? (env.WATCH_NAMESPACE === '' ? undefined : env.WATCH_NAMESPACE);
  const leaseNamespace = parsed['lease-namespace'] ?? env.POD_NAMESPACE;
  const input: Record<string, unknown> = {
    executorImage: image,
    ...(parsed['executor-command'] === undefined ? {} : { executorCommand: parsed['executor-command'].split(' ').filter((part) => part !== '') }),
    ...(parsed['image-pull-policy'] === undefined ? {} : { imagePullPolicy: parsed['image-pull-policy'] }),
    ...(namespace === undefined ? {} : { namespace }),
    leaderElection: parsed['no-leader-elect'] !== true,
    ...(leaseNamespace === undefined ? {} : { leaseNamespace }),
    ...(parsed['lease-name'] === undefined ? {} : { leaseName: parsed['lease-name'] }),
    ...(env.POD_NAME === undefined ? {} : { identity: env.POD_NAME }),
    httpPort: number('http-port', parsed['http-port']),
    stallTimeoutSeconds: number('stall-timeout', parsed['stall-timeout']),
    resyncSeconds: number('resync', parsed.resync),
    workers: number('workers', parsed.workers),
    ...(env.AWS_REGION === undefined ? {} : { defaultRegion: env.AWS_REGION }),
    ...(executorDefaults === undefined ? {} : { executorDefaults }),
  };
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  return input as OperatorConfigInput;
}

export async function operatorCommand(args: string[]): Promise<number> {
  const input = parseOperatorArgs(args, process.env);
  if (input === 'help') {
    process.stdout.write(OPERATOR_HELP);
    return 0;
  }
  let config;
  try {
    config = parseOperatorConfig(input);
  } catch (error) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `invalid operator settings: ${(error as Error).message}`);
  }
  const logger = createLogger({ level: process.env.FEATUREJOB_LOG_LEVEL ?? 'info', name: 'featurejob-operator' });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const operator = await startOperator({ config, kubeConfig, logger });
  logger.info({ url: operator.url, namespace: config.namespace ?? '(all)', leaderElection: config.leaderElection }, 'operator started');
  const ended = await new Promise<'signal' | 'lost-lease'>((resolve) => {
    process.once('SIGTERM', () => resolve('signal'));
    process.once('SIGINT', () => resolve('signal'));
    operator.onLostLease(() => resolve('lost-lease'));
  });
  await operator.stop();
  logger.info({ reason: ended }, 'operator stopped');
  return ended === 'signal' ? 0 : 1;
}
