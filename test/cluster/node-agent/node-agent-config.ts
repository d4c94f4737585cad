import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const taint = z.object({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

const node = z.object({
  name: z.string().min(1),
  labels: z.record(z.string(), z.string()).optional(),
  taints: z.array(taint).optional(),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  pods: z.number().int().positive().optional(),
});

/**
 * The node agent's configuration file (node-agent-main.ts): where the apiserver is and how to
 * authenticate (certificate paths, or a kubeconfig), the nodes, the commandMap as a table of
 * first-word replacements, extra env for every container, and the work directory.
 */
export const NodeAgentConfigSchema = z
  .object({
    server: z.url().optional(),
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
    kubeconfig: z.string().optional(),
    nodes: z.array(node).min(1),
    commandMap: z.record(z.string(), z.array(z.string()).min(1)).default({}),
    extraEnv: z.record(z.string(), z.string()).default({}),
    workDir: z.string().min(1),
  })
  .refine(
    (config) =>
      config.kubeconfig !== undefined ||
      (config.server !== undefined && config.ca !== undefined && config.cert !== undefined && config.key !== undefined),
    {
      message: 'give either kubeconfig, or server, ca, cert and key',
    },
  );

export type NodeAgentConfig = z.infer<typeof NodeAgentConfigSchema>;

/** Reads and validates the file once; the result is frozen. */
export async function readNodeAgentConfig(path: string): Promise<Readonly<NodeAgentConfig>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read node agent config ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = NodeAgentConfigSchema.safeParse(json);
  if (!parsed.success) throw new Error(`invalid node agent config ${path}: ${z.prettifyError(parsed.error)}`);
  return Object.freeze(parsed.data);
}
