/**
 * A pool of kernel workers sharing one WebAssembly memory with the caller. The caller is thread 0
 * and computes its own share; `start` hands a worker a call (a kernel export and its i32
 * arguments) through the worker's control slot in the shared memory, and `join` waits for it.
 * Nothing is posted per call, so a call costs a store, a notify and a wake-up.
 *
 * Workers start asynchronously, and a browser thread cannot start a worker while it blocks, so a
 * worker is used only once its slot says ready (`readyWorkers`): until then kernels run on fewer
 * threads, never waiting for one to start.
 *
 * `join` blocks with Atomics.wait where the thread may (Node, and every Worker: the app trains in
 * one); a browser's main thread may not wait, so there it spins on the slot instead. It spins only
 * for what is left of the workers' shares after computing its own, which is less than the whole
 * product it would otherwise compute alone, and the page was blocked by the synchronous kernel
 * either way.
 */
import { BackendError } from '../../../errors';
import {
  type KernelWorker,
  MAX_ARGS,
  QUIT,
  SLOT,
  SLOT_BYTES,
  SLOT_INTS,
  STATE,
  startKernelWorker,
} from './worker-source';

export interface PoolOptions {
  /** A shared memory (`shared: true`): the modules' memory import must be declared shared. */
  readonly memory: WebAssembly.Memory;
  /** Byte offset of the control block, `ThreadPool.controlBytes(workers)` long, 4-byte aligned. */
  readonly control: number;
  readonly workers: number;
  /**
   * Kernel modules, each importing `env.memory`, compiled once and sent to every worker, which
   * instantiates them in order (`instantiateLinked`).
   */
  readonly modules: readonly WebAssembly.Module[];
  /** Each module's name: a module may import the exports of one before it under that name. */
  readonly names: readonly string[];
  /** Function index -> [module index, export name]: what `start` calls by index. */
  readonly table: readonly (readonly [number, string])[];
}

/**
 * Whether this thread may block in Atomics.wait: not a browser's main thread (nor any other whose
 * engine refuses, which a zero-timeout wait finds out by throwing).
 */
export function threadMayWait(): boolean {
  if (typeof (globalThis as { window?: unknown }).window !== 'undefined') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Instances of `modules` in order on `memory`, each module's imports given `env.memory` and the
 * exports of the modules before it under their names: what every worker does, and what the
 * caller does for its own share, so that all threads run the same code.
 */
export function instantiateLinked(
  memory: WebAssembly.Memory,
  modules: readonly WebAssembly.Module[],
  names: readonly string[],
): WebAssembly.Exports[] {
  const linked: WebAssembly.Imports = {};
  return modules.map((module, i) => {
    const exports = new WebAssembly.Instance(module, { ...linked, env: { memory } }).exports;
    linked[names[i]] = exports;
    return exports;
  });
}

export class ThreadPool {
  /** Bytes of control block for `workers` workers. */
  static controlBytes(workers: number): number {
    return workers * SLOT_BYTES;
  }

  private readonly workers: (KernelWorker | null)[] = [];
  private readonly slots: Int32Array[] = [];
  private readonly sequence: number[] = [];
  private readonly mayWait = threadMayWait();
  /** Why workers failed to start, for the backend's description. */
  readonly failures: string[] = [];
  /** Resolves with the number of workers ready once every worker is ready or has failed. */
  readonly settled: Promise<number>;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    const { memory, control, workers, modules, names, table } = options;
    if (table.some(([module]) => modules[module] === undefined))
      throw new BackendError('ThreadPool: a function table entry names a module the pool was not given');
    const statuses: Promise<void>[] = [];
    for (let slot = 0; slot < workers; slot++) {
      const view = new Int32Array(memory.buffer, control + slot * SLOT_BYTES, SLOT_INTS);
      view.fill(0);
      this.slots.push(view);
      this.sequence.push(0);
      const worker = startKernelWorker();
      this.workers.push(worker);
      if (!worker) {
        Atomics.store(view, SLOT.state, STATE.failed);
        this.failures.push('workers cannot be started here');
        continue;
      }
      statuses.push(
        new Promise((resolve) =>
          worker.onStatus((status, message) => {
            if (status === 'failed') {
              Atomics.store(view, SLOT.state, STATE.failed);
              this.failures.push(message ?? 'a kernel worker failed to start');
            }
            resolve();
          }),
        ),
      );
      worker.post({ memory, modules, names, table, control, slot });
    }
    this.settled = Promise.all(statuses).then(() => this.readyWorkers());
  }

  get size(): number {
    return this.options.workers;
  }

  /** Slots of the workers ready now, in order (read without waiting). */
  readySlots(): number[] {
    if (this.closed) return [];
    const ready: number[] = [];
    for (let slot = 0; slot < this.slots.length; slot++) {
      if (Atomics.load(this.slots[slot], SLOT.state) === STATE.ready) ready.push(slot);
    }
    return ready;
  }

  readyWorkers(): number {
    return this.readySlots().length;
  }

  /** Has worker `slot` (ready, idle) call function `fn` of the table with i32 `args`. */
  start(slot: number, fn: number, args: readonly number[]): void {
    const view = this.slots[slot];
    if (args.length > MAX_ARGS)
      throw new BackendError(`ThreadPool: ${args.length} arguments, at most ${MAX_ARGS}`);
    view[SLOT.fn] = fn;
    view[SLOT.argc] = args.length;
    for (let i = 0; i < args.length; i++) view[SLOT.args + i] = args[i];
    this.sequence[slot] = (this.sequence[slot] + 1) | 0;
    // The store is sequentially consistent: the worker that sees the new SEQ sees FN and ARGS.
    Atomics.store(view, SLOT.seq, this.sequence[slot]);
    Atomics.notify(view, SLOT.seq);
  }

  /** Waits until worker `slot` has finished its call; throws if the kernel threw there. */
  join(slot: number): void {
    const view = this.slots[slot];
    const want = this.sequence[slot];
    for (;;) {
      const done = Atomics.load(view, SLOT.done);
      if (done === want) break;
      if (this.mayWait) Atomics.wait(view, SLOT.done, done);
    }
    if (view[SLOT.error] !== 0)
      throw new BackendError(`kernel worker ${slot + 1}: the WebAssembly kernel trapped`);
  }

  /** Stops every worker (each leaves its loop; then it is terminated). The pool cannot be used again. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (let slot = 0; slot < this.workers.length; slot++) {
      if (Atomics.load(this.slots[slot], SLOT.state) === STATE.ready) this.start(slot, QUIT, []);
      this.workers[slot]?.terminate();
    }
  }
}
