import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readLogTail, spawnContainerProcess, type ContainerExit, type ContainerProcess } from './container-process.js';
import type { KubeApi } from './kube-api.js';
import { deletePodNow, writePodStatus } from './pod-api.js';
import { PodSpecError } from './pod-spec-error.js';
import { prepareContainer, type PreparedContainer } from './prepare-container.js';
import { buildPodStatus, computeFinalPhase, computeTerminatedReason, type ContainerReport } from './pod-status.js';
import {
  isTerminalPhase,
  podKey,
  type Container,
  type ContainerStateTerminated,
  type Pod,
  type PodPhase,
} from './pod-types.js';
import { signalTree } from './process-tree.js';

/** What every pod runner shares: the API, the agent's settings, and whether the agent is stopping. */
export interface PodRunnerContext {
  readonly api: KubeApi;
  readonly workDir: string;
  readonly apiserverPort: string;
  readonly extraEnv: Readonly<Record<string, string>>;
  readonly commandMap: (command: readonly string[]) => string[];
  allocatable(nodeName: string): { readonly cpu: string; readonly memory: string };
  readonly log: (line: string) => void;
  isStopping(): boolean;
}

/** The longest the agent waits between SIGTERM and SIGKILL, whatever the pod's grace period. */
const MAX_GRACE_SECONDS = 10;
/** Before restarting a container (OnFailure, Always): the kubelet backs off from 10 s; tests need less. */
const RESTART_DELAY_MS = 1000;
const MAX_MESSAGE_BYTES = 4096;

type RunnerState = 'new' | 'running' | 'finished';

/**
 * One pod on the node, from first sight to deletion: starts its container as a local
 * process, reports its status like a kubelet, restarts it under OnFailure/Always, ends it
 * gracefully on deletion and finishes the deletion. Everything it does to a pod runs in
 * order on one queue; waiting for the process does not block the queue.
 */
export class PodRunner {
  private state: RunnerState = 'new';
  private queue: Promise<void> = Promise.resolve();
  private prepared: PreparedContainer | undefined;
  private process: ContainerProcess | undefined;
  /** Whether `process` still runs: cleared as soon as it exits, before the exit is handled on the queue. */
  private processRunning = false;
  private restartCount = 0;
  private podStartedAt = '';
  private lastTerminated: ContainerStateTerminated | undefined;
  private oomKilled = false;
  private terminating = false;
  private deleteSent = false;
  private gone = false;
  private graceTimer: NodeJS.Timeout | undefined;
  readonly podDir: string;
  readonly logPath: string;

  constructor(
    private pod: Pod,
    private readonly context: PodRunnerContext,
  ) {
    const { namespace, name, uid } = pod.metadata;
    this.podDir = join(context.workDir, `${namespace}_${name}_${uid}`);
    this.logPath = join(this.podDir, `${pod.spec.containers[0]?.name ?? 'container'}.log`);
  }

  get namespace(): string {
    return this.pod.metadata.namespace;
  }

  get name(): string {
    return this.pod.metadata.name;
  }

  /** The running process's pid, if any. */
  get pid(): number | undefined {
    return this.processRunning ? this.process?.pid : undefined;
  }

  /** The memory limit of the running container, in bytes. */
  get memoryLimitBytes(): number | undefined {
    return this.prepared?.limitBytes;
  }

  /** The latest version of the pod from the watch: acts on it in order. */
  update(pod: Pod): void {
    this.pod = pod;
    this.enqueue(() => this.reconcile());
  }

  /** The pod was removed from the API server: kill what still runs, clean up its volumes. */
  podGone(): void {
    this.gone = true;
    if (this.processRunning) signalTree(this.process!.pid, 'SIGKILL');
    this.enqueue(() => this.removeVolumesIfGone());
  }

  /** Once a deleted pod's process is gone, its volumes go too (emptyDir scratch can be large); the log stays. */
  private async removeVolumesIfGone(): Promise<void> {
    if (this.gone && this.state !== 'running') await rm(join(this.podDir, 'volumes'), { recursive: true, force: true });
  }

  /** Sends `signal` to the container's main process (as a crash or an outside kill would); false when none runs. */
  kill(signal: NodeJS.Signals): boolean {
    if (!this.processRunning) return false;
    try {
      process.kill(this.process!.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** The memory watcher found the tree above its limit: kill it as the kernel's OOM killer would. */
  memoryExceeded(usedBytes: number): void {
    if (!this.processRunning || this.oomKilled) return;
    this.oomKilled = true;
    this.context.log(
      `pod ${podKey(this.pod)}: ${usedBytes} bytes resident, above its limit of ${this.prepared?.limitBytes}: OOM-killing it`,
    );
    signalTree(this.process!.pid, 'SIGKILL');
  }

  /** Kills the process tree at once (the agent stops); resolves once the main process has exited. */
  async killNow(): Promise<void> {
    clearTimeout(this.graceTimer);
    const running = this.processRunning ? this.process : undefined;
    if (running === undefined) return;
    signalTree(running.pid, 'SIGKILL');
    await running.exited;
    signalTree(running.pid, 'SIGKILL');
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.context.log(`pod ${podKey(this.pod)}: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  private async reconcile(): Promise<void> {
    if (this.context.isStopping() || this.gone) return;
    const deleting = this.pod.metadata.deletionTimestamp !== undefined;
    if (this.state === 'new') {
      this.state = 'finished';
      if (isTerminalPhase(this.pod.status?.phase)) {
        // Finished before this agent saw it: left alone, except to finish a deletion.
        if (deleting) await this.deleteOnce();
      } else if (deleting) {
        await this.deleteOnce();
      } else if ((this.pod.status?.containerStatuses ?? []).length > 0) {
        await this.reportLost();
      } else {
        await this.start();
      }
    } else if (this.state === 'running' && deleting && !this.terminating) {
      this.beginTermination();
    } else if (this.state === 'finished' && deleting) {
      await this.deleteOnce();
    }
  }

  /** A pod some earlier agent started: its process is gone, as a kubelet reports a lost container. */
  private async reportLost(): Promise<void> {
    const container = this.pod.spec.containers[0]!;
    const now = new Date().toISOString();
    this.podStartedAt = this.pod.status?.startTime ?? now;
    const terminated: ContainerStateTerminated = {
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message: 'The container could not be located when the pod was terminated (the node agent restarted)',
      finishedAt: now,
    };
    await this.report(container, 'Failed', { terminated });
  }

  private async start(): Promise<void> {
    const now = new Date();
    this.podStartedAt = now.toISOString();
    const container = this.pod.spec.containers[0]!;
    try {
      this.prepared = await prepareContainer({
        api: this.context.api,
        pod: this.pod,
        podDir: this.podDir,
        apiserverPort: this.context.apiserverPort,
        extraEnv: this.context.extraEnv,
        allocatable: this.context.allocatable(this.pod.spec.nodeName ?? ''),
        commandMap: this.context.commandMap,
      });
    } catch (error) {
      // An API failure while resolving references fails the pod too: a test sees why at once.
      const message =
        error instanceof PodSpecError
          ? error.message
          : `preparing the container failed: ${error instanceof Error ? error.message : String(error)}`;
      await this.reportStartError(container, `node agent: ${message}`);
      return;
    }
    await this.run();
  }

  /** Starts the prepared process and reports Running; its exit is handled on the queue. */
  private async run(): Promise<void> {
    const prepared = this.prepared!;
    let started: ContainerProcess;
    try {
      started = await spawnContainerProcess({
        argv: prepared.argv,
        env: prepared.env,
        cwd: prepared.cwd,
        logPath: this.logPath,
      });
    } catch (error) {
      await this.reportStartError(prepared.container, error instanceof Error ? error.message : String(error));
      return;
    }
    this.process = started;
    this.processRunning = true;
    this.oomKilled = false;
    this.state = 'running';
    this.context.log(
      `pod ${podKey(this.pod)}: started pid ${started.pid}: ${JSON.stringify(prepared.argv).slice(0, 300)}`,
    );
    void started.exited.then((exit) => {
      this.processRunning = false;
      this.enqueue(() => this.exited(started, exit));
    });
    if (this.pod.metadata.deletionTimestamp !== undefined) this.beginTermination();
    await this.report(prepared.container, 'Running', { runningSince: started.startedAt.toISOString() });
  }

  private async exited(ended: ContainerProcess, exit: ContainerExit): Promise<void> {
    clearTimeout(this.graceTimer);
    // The container's other processes go with it, as with a real container's cgroup.
    signalTree(ended.pid, 'SIGKILL');
    this.state = 'finished';
    const prepared = this.prepared!;
    const terminated: ContainerStateTerminated = {
      exitCode: exit.exitCode,
      ...(exit.signal === null ? {} : { signal: exit.exitCode - 128 }),
      reason: computeTerminatedReason(exit.exitCode, this.oomKilled),
      startedAt: ended.startedAt.toISOString(),
      finishedAt: exit.finishedAt.toISOString(),
      containerID: this.containerID(ended),
      ...(await this.terminationMessage(prepared, exit.exitCode)),
    };
    this.context.log(
      `pod ${podKey(this.pod)}: pid ${ended.pid} ended: ${terminated.reason}, exit code ${exit.exitCode}`,
    );
    if (this.gone) await this.removeVolumesIfGone();
    if (this.context.isStopping() || this.gone) return;
    const deleting = this.terminating || this.pod.metadata.deletionTimestamp !== undefined;
    const phase: PodPhase | undefined = deleting
      ? exit.exitCode === 0
        ? 'Succeeded'
        : 'Failed'
      : computeFinalPhase(this.pod, exit.exitCode);
    if (phase !== undefined) {
      await this.report(prepared.container, phase, { terminated });
      if (deleting) await this.deleteOnce();
      return;
    }
    this.lastTerminated = terminated;
    this.restartCount += 1;
    await this.report(prepared.container, 'Running', { waitingReason: 'CrashLoopBackOff' });
    await delay(RESTART_DELAY_MS);
    if (!this.context.isStopping() && !this.gone && this.pod.metadata.deletionTimestamp === undefined) await this.run();
  }

  /** SIGTERM now, SIGKILL after the pod's grace period (at most 10 s). */
  private beginTermination(): void {
    if (this.process === undefined) return;
    this.terminating = true;
    const grace = Math.min(
      this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30,
      MAX_GRACE_SECONDS,
    );
    const pid = this.process.pid;
    this.context.log(`pod ${podKey(this.pod)}: deleted: SIGTERM to pid ${pid}, SIGKILL after ${grace} s`);
    if (grace <= 0) {
      signalTree(pid, 'SIGKILL');
      return;
    }
    signalTree(pid, 'SIGTERM');
    this.graceTimer = setTimeout(() => {
      if (this.processRunning && this.process?.pid === pid) signalTree(pid, 'SIGKILL');
    }, grace * 1000);
    this.graceTimer.unref();
  }

  private async deleteOnce(): Promise<void> {
    if (this.deleteSent) return;
    this.deleteSent = true;
    await deletePodNow(this.context.api, this.pod);
  }

  private containerID(process: ContainerProcess): string {
    return `node-agent://${this.pod.metadata.uid}/${process.pid}`;
  }

  /** The terminated state's message: the termination-log file, else (FallbackToLogsOnError, on failure) the log's end. */
  private async terminationMessage(prepared: PreparedContainer, exitCode: number): Promise<{ message?: string }> {
    const file = await readFile(join(this.podDir, 'termination-log')).catch(() => undefined);
    if (file !== undefined && file.length > 0) return { message: file.subarray(0, MAX_MESSAGE_BYTES).toString('utf8') };
    if (prepared.container.terminationMessagePolicy === 'FallbackToLogsOnError' && exitCode !== 0) {
      const tail = await readLogTail(this.logPath);
      if (tail !== '') return { message: tail };
    }
    return {};
  }

  private async reportStartError(container: Container, message: string): Promise<void> {
    this.context.log(`pod ${podKey(this.pod)}: cannot start: ${message}`);
    const now = new Date().toISOString();
    this.state = 'finished';
    await this.report(container, 'Failed', {
      terminated: { exitCode: 128, reason: 'StartError', message, startedAt: now, finishedAt: now },
    });
  }

  private async report(
    container: Container,
    phase: PodPhase,
    state: Pick<ContainerReport, 'runningSince' | 'terminated' | 'waitingReason'>,
  ): Promise<void> {
    const report: ContainerReport = {
      container,
      containerID: this.process === undefined ? '' : this.containerID(this.process),
      restartCount: this.restartCount,
      podStartedAt: this.podStartedAt,
      ...state,
      ...(this.lastTerminated === undefined ? {} : { lastTerminated: this.lastTerminated }),
    };
    await writePodStatus(this.context.api, this.pod, buildPodStatus(this.pod, report, phase, new Date()));
  }
}
