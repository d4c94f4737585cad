/**
 * Picks the TensorFlow.js engine once per process: @tensorflow/tfjs-node (libtensorflow,
 * native, multi-threaded) when it is installed and its native binding loads, otherwise
 * @tensorflow/tfjs on the wasm backend. tfjs-node is an optionalDependency whose install
 * downloads libtensorflow from outside the npm registry, so its absence is a normal case
 * and `note` says which engine runs and why, for a log line or the CLI.
 */
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { FeatureJobError } from '../errors.js';

export type Tfjs = typeof import('@tensorflow/tfjs');
export type TfjsBackend = 'tensorflow' | 'wasm';

export interface TfjsEngine {
  readonly tf: Tfjs;
  readonly backend: TfjsBackend;
  /** One sentence for humans: which engine, and why not the other one. */
  readonly note: string;
}

export interface LoadTfjsEngineOptions {
  /**
   * Intra-op threads for libtensorflow (TF_NUM_INTRAOP_THREADS, read once when it loads).
   * Only the first call in a process can set it; an explicit environment variable wins.
   */
  readonly threads?: number;
}

// A variable, not a literal, so TypeScript does not require the optional package's types.
const TFJS_NODE = '@tensorflow/tfjs-node';

let engine: Promise<TfjsEngine> | undefined;

/** The process's TensorFlow.js engine, loaded on first use. */
export function loadTfjsEngine(options: LoadTfjsEngineOptions = {}): Promise<TfjsEngine> {
  engine ??= loadEngine(options).catch((error: unknown) => {
    // Let a later call try again rather than caching the failure forever.
    engine = undefined;
    throw error;
  });
  return engine;
}

async function loadEngine(options: LoadTfjsEngineOptions): Promise<TfjsEngine> {
  const native = await loadTfjsNode(options);
  if ('tf' in native) {
    return { tf: native.tf, backend: 'tensorflow', note: 'tfjs engine: @tensorflow/tfjs-node (libtensorflow, native)' };
  }
  const tf = moduleExports(await import('@tensorflow/tfjs'));
  const wasm = moduleExports(await import('@tensorflow/tfjs-backend-wasm'));
  // Name the directory of the .wasm binaries rather than rely on the script location that
  // Emscripten infers (wrong once the JS is bundled). In Node they are read with fs, so a path.
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  wasm.setWasmPaths(`${wasmDir}${sep}`);
  let ready = false;
  let cause: unknown;
  try {
    ready = await tf.setBackend('wasm');
  } catch (error) {
    cause = error;
  }
  if (!ready || tf.getBackend() !== 'wasm') {
    throw new FeatureJobError(
      'FJ_ENGINE_UNAVAILABLE',
      `tfjs engine: @tensorflow/tfjs-node is unavailable (${native.why}) and the wasm backend did not start` +
        (cause === undefined ? '' : `: ${messageOf(cause)}`),
      { cause },
    );
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  // tfjs-backend-wasm disables its threaded build under Node (tensorflow/tfjs#3830: its
  // pthread workers are blob: URLs, which worker_threads refuses), so this is one thread.
  return {
    tf,
    backend: 'wasm',
    note:
      `tfjs engine: @tensorflow/tfjs with the wasm backend (${simd ? 'SIMD' : 'no SIMD'}, single-threaded), ` +
      `because @tensorflow/tfjs-node ${native.why}; install it for native speed`,
  };
}

async function loadTfjsNode(options: LoadTfjsEngineOptions): Promise<{ tf: Tfjs } | { why: string }> {
  const { threads } = options;
  const unset = process.env.TF_NUM_INTRAOP_THREADS === undefined;
  if (unset && threads !== undefined && Number.isInteger(threads) && threads > 0) {
    process.env.TF_NUM_INTRAOP_THREADS = String(threads);
  }
  let tf: Tfjs;
  try {
    tf = moduleExports((await import(TFJS_NODE)) as Tfjs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const absent = code === 'ERR_MODULE_NOT_FOUND' && messageOf(error).includes(TFJS_NODE);
    return { why: absent ? 'is not installed' : `failed to load (${messageOf(error)})` };
  }
  try {
    await tf.ready();
  } catch (error) {
    return { why: `failed to start (${messageOf(error)})` };
  }
  if (tf.getBackend() !== 'tensorflow') return { why: `started the '${tf.getBackend()}' backend, not 'tensorflow'` };
  return { tf };
}

/** These packages are CommonJS: import() gives module.exports as `default`. */
function moduleExports<T extends object>(module: T): T {
  const fallback = (module as { default?: T }).default;
  return fallback !== undefined && typeof fallback === 'object' ? fallback : module;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
