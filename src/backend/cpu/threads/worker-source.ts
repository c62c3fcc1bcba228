/**
 * The kernel worker: a few lines of plain JavaScript that instantiate the kernel modules against
 * the shared memory and then run what the caller writes into their control slot, forever. It is
 * kept as source text and started from a Blob URL (browsers) or `eval` (Node's worker_threads)
 * rather than as a file the bundler emits: the kernels arrive compiled (WebAssembly.Module is
 * cloneable), so the worker needs no imports, and the same text runs in the app, the package, the
 * tests and the Node bench without a Worker entry in any build.
 *
 * A control slot is SLOT_INTS int32s at `control + slot * SLOT_BYTES` in the shared memory; the
 * caller writes FN and ARGS, bumps SEQ and notifies; the worker runs `table[FN](...ARGS)` and
 * stores SEQ into DONE (ERROR 1 if the kernel threw).
 */

/** Int32 indices in a control slot. */
export const SLOT = { seq: 0, done: 1, state: 2, fn: 3, error: 4, argc: 5, args: 8 } as const;
export const SLOT_INTS = 32;
/** Two cache lines: no slot shares one with another worker's. */
export const SLOT_BYTES = SLOT_INTS * 4;
export const MAX_ARGS = SLOT_INTS - SLOT.args;
/** SLOT.state values. */
export const STATE = { starting: 0, ready: 1, failed: 2 } as const;
/** An FN that tells the worker to leave its loop. */
export const QUIT = -1;

/** What the worker receives once, before it starts waiting. */
export interface WorkerInit {
  readonly memory: WebAssembly.Memory;
  readonly modules: readonly WebAssembly.Module[];
  /** Each module's name: a later module may import an earlier one's exports under it. */
  readonly names: readonly string[];
  /** Function index -> [module index, export name]. */
  readonly table: readonly (readonly [number, string])[];
  /** Byte offset of the control block. */
  readonly control: number;
  readonly slot: number;
}

export const WORKER_SOURCE = `"use strict";
const S = ${JSON.stringify(SLOT)}, ST = ${JSON.stringify(STATE)}, QUIT = ${QUIT};
const node = typeof self === "undefined";
const port = node ? require("node:worker_threads").parentPort : self;
const listen = (f) => (node ? port.once("message", f) : (self.onmessage = (e) => { self.onmessage = null; f(e.data); }));
listen(({ memory, modules, names, table, control, slot }) => {
  const ctl = new Int32Array(memory.buffer, control + slot * ${SLOT_BYTES}, ${SLOT_INTS});
  let fns;
  try {
    const linked = {};
    const instances = modules.map((m, i) => {
      const exports = new WebAssembly.Instance(m, Object.assign({}, linked, { env: { memory } })).exports;
      linked[names[i]] = exports;
      return exports;
    });
    fns = table.map(([i, name]) => instances[i][name]);
  } catch (e) {
    Atomics.store(ctl, S.state, ST.failed);
    port.postMessage({ type: "failed", message: String((e && e.message) || e) });
    return;
  }
  Atomics.store(ctl, S.state, ST.ready);
  port.postMessage({ type: "ready" });
  // 0, not a load of SEQ: a call may already be in the slot when it says ready.
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, S.seq, seen);
    const seq = Atomics.load(ctl, S.seq);
    if (seq === seen) continue;
    seen = seq;
    const fn = ctl[S.fn];
    if (fn === QUIT) break;
    const args = [];
    for (let i = 0; i < ctl[S.argc]; i++) args.push(ctl[S.args + i]);
    try {
      fns[fn](...args);
      ctl[S.error] = 0;
    } catch (e) {
      ctl[S.error] = 1;
    }
    Atomics.store(ctl, S.done, seq);
    Atomics.notify(ctl, S.done);
  }
  Atomics.store(ctl, S.done, seen);
  Atomics.notify(ctl, S.done);
  if (!node) self.close();
});
`;

/** A started worker, whichever kind. */
export interface KernelWorker {
  post(init: WorkerInit): void;
  /** Called with the worker's 'ready' or 'failed' message, or with 'failed' when it could not start. */
  onStatus(listener: (status: 'ready' | 'failed', message?: string) => void): void;
  terminate(): void;
}

interface NodeWorker {
  postMessage(value: unknown): void;
  on(event: 'message', f: (m: { type: 'ready' | 'failed'; message?: string }) => void): void;
  on(event: 'error', f: (e: Error) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Node's process object, where this runs under Node (undefined in browsers and their workers). */
export function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : undefined;
}

function nodeWorker(): KernelWorker | null {
  const threads = nodeProcess()?.getBuiltinModule?.('node:worker_threads') as
    | { Worker: new (code: string, options: { eval: true }) => NodeWorker }
    | undefined;
  if (!threads) return null;
  const worker = new threads.Worker(WORKER_SOURCE, { eval: true });
  // A worker waiting for work must not keep the process alive.
  worker.unref();
  return {
    post: (init) => worker.postMessage(init),
    onStatus: (listener) => {
      worker.on('message', (m) => listener(m.type, m.message));
      worker.on('error', (e) => listener('failed', e.message));
    },
    terminate: () => void worker.terminate(),
  };
}

function browserWorker(): KernelWorker | null {
  if (typeof Worker !== 'function' || typeof Blob !== 'function') return null;
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url, { name: 'cpu-kernels' });
  return {
    post: (init) => worker.postMessage(init),
    onStatus: (listener) => {
      // The URL is needed until the worker has loaded its script, which its first word proves.
      const status = (s: 'ready' | 'failed', message?: string) => {
        URL.revokeObjectURL(url);
        listener(s, message);
      };
      worker.onmessage = (e: MessageEvent<{ type: 'ready' | 'failed'; message?: string }>) =>
        status(e.data.type, e.data.message);
      // A page whose Content-Security-Policy refuses blob: workers lands here: one thread.
      worker.onerror = (e) => status('failed', e.message || 'the kernel worker could not start');
    },
    terminate: () => worker.terminate(),
  };
}

/** A kernel worker in this environment, or null where workers cannot be made. */
export function startKernelWorker(): KernelWorker | null {
  try {
    return nodeProcess() ? nodeWorker() : browserWorker();
  } catch {
    return null;
  }
}
