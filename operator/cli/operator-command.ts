/**
 * `featurejob operator`: the container entry point of the operator Deployment. Serves
 * /healthz, /readyz and /metrics at once; reconciles only while holding the leader Lease.
 * Losing the Lease ends the process (exit 1) so that the kubelet restarts it as a clean
 * follower, never as a second writer with stale memory.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { parseCommandSettings } from '../../executor/cli/flags/parse-command-line.js';
import { renderCommandHelp } from '../../executor/cli/flags/render-help.js';
import { createLogger } from '../../executor/log/logger.js';
import { parseOperatorConfig, type OperatorConfigInput } from '../config/operator-config.js';
import { OPERATOR_COMMAND, parseOperatorCommandLine } from './operator-flags.js';
import { startOperator } from './start-operator.js';

export async function operatorCommand(args: string[]): Promise<number> {
  const parsed = parseOperatorCommandLine(args, process.env);
  if (parsed.help) {
    process.stdout.write(renderCommandHelp(OPERATOR_COMMAND));
    return 0;
  }
  const config = parseCommandSettings(OPERATOR_COMMAND, parsed.input, (input) =>
    parseOperatorConfig(input as OperatorConfigInput),
  );
  const logger = createLogger({ level: process.env.FEATUREJOB_LOG_LEVEL ?? 'info', name: 'featurejob-operator' });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const operator = await startOperator({ config, kubeConfig, logger });
  logger.info(
    { url: operator.url, namespace: config.namespace ?? '(all)', leaderElection: config.leaderElection },
    'operator started',
  );
  const ended = await new Promise<'signal' | 'lost-lease'>((resolve) => {
    process.once('SIGTERM', () => resolve('signal'));
    process.once('SIGINT', () => resolve('signal'));
    operator.onLostLease(() => resolve('lost-lease'));
  });
  await operator.stop();
  logger.info({ reason: ended }, 'operator stopped');
  return ended === 'signal' ? 0 : 1;
}
