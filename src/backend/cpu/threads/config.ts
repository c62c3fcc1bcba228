/**
 * How many threads the CPU backend's kernels may use, and whether this environment allows more
 * than one: a shared WebAssembly memory needs SharedArrayBuffer, which a browser gives only to a
 * cross-origin isolated page (served with `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp` or `credentialless`); Node always has it.
 */
import { InvalidArgumentError } from '../../../errors';
import { nodeProcess } from './worker-source';

/**
 * The default cap: past a few threads a training step's products are too small to share well, and
 * each worker holds 1.3 MiB of packing space and a thread of its own.
 */
export const DEFAULT_MAX_THREADS = 8;
/** The most `setCpuThreads` accepts. */
export const MAX_THREADS = 64;

let requested: number | 'auto' = 'auto';
const listeners = new Set<() => void>();

/**
 * Sets how many threads the CPU backend's float32 kernels use: a count (1 = single-threaded), or
 * 'auto' (the default: the logical cores, `navigator.hardwareConcurrency`, up to 8). More than one
 * takes effect only where the page is cross-origin isolated (or in Node).
 */
export function setCpuThreads(threads: number | 'auto'): void {
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new InvalidArgumentError(
      `setCpuThreads(${String(threads)}): expected 'auto' or a whole number of threads from 1 to ${MAX_THREADS}`,
    );
  }
  requested = threads;
  for (const listener of listeners) listener();
}

/** Calls `listener` whenever setCpuThreads changes the count (the threaded kernels rebuild their pool). */
export function onCpuThreadsChange(listener: () => void): void {
  listeners.add(listener);
}

/** Logical cores: navigator.hardwareConcurrency, or Node's os.availableParallelism(). */
function logicalCores(): number {
  const fromNavigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
    ?.hardwareConcurrency;
  if (typeof fromNavigator === 'number' && fromNavigator >= 1) return fromNavigator;
  const os = nodeProcess()?.getBuiltinModule?.('node:os') as
    | { availableParallelism?: () => number }
    | undefined;
  return os?.availableParallelism?.() ?? 1;
}

/** The thread count asked for (setCpuThreads), whether or not this environment allows it. */
export function requestedCpuThreads(): number {
  return requested === 'auto' ? Math.max(1, Math.min(logicalCores(), DEFAULT_MAX_THREADS)) : requested;
}

/** Why kernels cannot run on several threads here, or null when they can. */
export function threadsUnavailableReason(): string | null {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return 'no SharedArrayBuffer: the page is not cross-origin isolated';
  }
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (!nodeProcess() && isolated !== true) return 'the page is not cross-origin isolated';
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  } catch {
    return 'this engine has no shared WebAssembly memory';
  }
  return null;
}
