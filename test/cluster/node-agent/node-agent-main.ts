import { buildPrefixCommandMap } from './command-map.js';
import { readNodeAgentConfig } from './node-agent-config.js';
import { startNodeAgent } from './start-node-agent.js';

/**
 * The node agent as a process of its own (`npm run cluster -- up` starts it detached):
 * `node dist/test/cluster/node-agent/node-agent-main.js CONFIG.json` (see node-agent-config.ts).
 * Runs until SIGTERM or SIGINT, then kills its pods and deletes its Nodes.
 */

const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (configPath === undefined) {
    console.error('usage: node-agent-main.js CONFIG.json');
    process.exit(2);
  }
  const config = await readNodeAgentConfig(configPath);
  const agent = await startNodeAgent({
    ...(config.server === undefined ? {} : { server: config.server }),
    ...(config.kubeconfig === undefined
      ? { certificates: { ca: { cert: config.ca! }, clients: { admin: { cert: config.cert!, key: config.key! } } } }
      : { kubeconfig: config.kubeconfig }),
    nodes: config.nodes,
    commandMap: buildPrefixCommandMap(config.commandMap),
    extraEnv: config.extraEnv,
    workDir: config.workDir,
    log,
  });
  log(`node agent running nodes ${config.nodes.map((node) => node.name).join(', ')}`);
  const shutDown = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping`);
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
}

main().catch((error: unknown) => {
  console.error(`node agent: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
