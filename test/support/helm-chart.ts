/**
 * The Helm chart (charts/featurejob) from tests: the pinned helm binary (built from its Go
 * module like the control plane's, test/cluster/build-go-binaries.ts), rendering, and the
 * rendered objects parsed.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ensureBinary } from '../cluster/build-go-binaries.js';
import { checked, runCommand, type CommandResult } from '../cluster/run-command.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'charts', 'featurejob');
/** Reviewed renders of the chart; UPDATE_GOLDEN=1 rewrites them (see charts/README.md). */
export const GOLDEN_DIR = join(REPO_ROOT, 'test', 'integration', 'chart', 'golden');

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [field: string]: any;
}

export async function helmBinary(): Promise<string> {
  return ensureBinary('helm');
}

/** Runs helm with `env` added; resolves whatever the exit status. */
export async function runHelm(args: readonly string[], env: Record<string, string> = {}): Promise<CommandResult> {
  return runCommand(await helmBinary(), args, env);
}

export interface RenderOptions {
  readonly release?: string;
  readonly namespace?: string;
  readonly valuesFiles?: readonly string[];
  /** `--set-json key=<json>` pairs. */
  readonly setJson?: Readonly<Record<string, unknown>>;
}

export function buildValueArgs(options: Pick<RenderOptions, 'valuesFiles' | 'setJson'>): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((file) => ['--values', file]),
    ...Object.entries(options.setJson ?? {}).flatMap(([key, value]) => [
      '--set-json',
      `${key}=${JSON.stringify(value)}`,
    ]),
  ];
}

/** `helm template` of the chart: the manifest text, exactly as helm prints it. */
export async function renderChart(options: RenderOptions = {}): Promise<string> {
  const args = [
    'template',
    options.release ?? 'featurejob',
    CHART_DIR,
    '--namespace',
    options.namespace ?? 'featurejob',
    ...buildValueArgs(options),
  ];
  return checked(runHelm(args), `helm ${args.join(' ')}`);
}

/** The objects of a multi-document manifest (empty documents dropped). */
export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null && typeof object === 'object');
}

export function findObject(objects: readonly KubeObject[], kind: string, name?: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found === undefined) throw new Error(`no ${kind}${name === undefined ? '' : ` ${name}`} in the render`);
  return found;
}
