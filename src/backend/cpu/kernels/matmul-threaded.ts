/**
 * The float32 WebAssembly matmul on several threads: one shared memory holding the workers'
 * control slots, one workspace per thread and the operands; C is cut into disjoint parts, by
 * column panels (multiples of the 8-wide register block) or by rows (multiples of 4), and each
 * thread runs matmul.wat's whole loop nest on its part, packing its own panels into its own
 * workspace. The parts share nothing they write, so there are no races on C and the result is
 * the one-thread result bit for bit (each element's sum runs in the same order). The same pool
 * and memory run the convolutions' parts (conv-threaded.ts): every thread instantiates matmul.wat,
 * conv.wat and conv-parts.wat, the last importing the first two's exports.
 *
 * Memory layout (bytes): [64, control) the pool's slots, then the workspaces (caller first),
 * then the op's operands: A, B and C (matmul-staging.ts), or a conv's (conv-threaded.ts).
 */

import { onCpuThreadsChange, requestedCpuThreads, threadsUnavailableReason } from '../threads/config';
import { instantiateLinked, ThreadPool } from '../threads/pool';
import { createKernelMemory } from '../wasm/memory';
import { relaxedSimdInUse } from '../wasm/modules';
import convShared from './conv.wat?shared';
import partsShared from './conv-parts.wat?shared';
import type { MatmulDims } from './matmul';
import relaxedShared from './matmul.wat?relaxed&shared';
import plainShared from './matmul.wat?shared';
import {
  alignUp,
  layoutFlags,
  MAX_BYTES,
  type RangeKernel,
  stageOperands,
  unstage,
  WORK_BYTES,
} from './matmul-staging';

const PAGE_BYTES = 65_536;
const CONTROL_AT = 64;
/**
 * A share below this many multiply-adds (about 10 us at 25 GFLOP/s) costs more in the wake-up
 * and the duplicated packing than it saves, so small products use fewer threads or one.
 */
export const MIN_MACS_PER_THREAD = 1 << 18;

/** The pool's functions by index: matmul.wat's `range`, then conv-parts.wat's parts (conv-threaded.ts). */
export const THREAD_FN = { range: 0, forward: 1, filter: 2, input: 3 } as const;

/** conv.wat's geometry (the caller builds the tap table) and conv-parts.wat's parts, on the shared memory. */
export interface ConvPartsKernel {
  geometry(...dims: number[]): void;
  forward_part(...args: number[]): void;
  filter_part(...args: number[]): void;
  input_part(...args: number[]): void;
}

/** C[i0:i1, j0:j1]: one thread's part. */
export type Share = readonly [i0: number, i1: number, j0: number, j1: number];

/**
 * C cut into at most `parts` disjoint parts that cover it. Cutting columns makes each thread pack
 * all of op(A) (m x k) and cutting rows all of op(B) (k x n), so the cut goes across the larger
 * of m and n, unless that side has too few register blocks to go round.
 */
export function shares({ m, n }: Pick<MatmulDims, 'm' | 'n'>, parts: number): Share[] {
  const colBlocks = Math.ceil(n / 8);
  const rowBlocks = Math.ceil(m / 4);
  const byColumns = (m <= n && colBlocks >= parts) || rowBlocks < Math.min(parts, colBlocks);
  const blocks = byColumns ? colBlocks : rowBlocks;
  const count = Math.max(1, Math.min(parts, blocks));
  const out: Share[] = [];
  for (let p = 0; p < count; p++) {
    const from = Math.floor((p * blocks) / count);
    const to = Math.floor(((p + 1) * blocks) / count);
    out.push(byColumns ? [0, m, from * 8, Math.min(n, to * 8)] : [from * 4, Math.min(m, to * 4), 0, n]);
  }
  return out;
}

export class ThreadedMatmul {
  readonly memory: WebAssembly.Memory;
  readonly pool: ThreadPool;
  private readonly kernel: RangeKernel;
  /** The conv parts for this thread's share (conv-threaded.ts). */
  readonly conv: ConvPartsKernel;
  /** Workspace offsets: [0] the caller's, [1 + s] worker slot s's. */
  private readonly work: number[] = [];
  /** Where operands go: everything above is the current op's, laid out by its caller. */
  readonly operandsAt: number;
  /** Products (matmuls and convs) cut across more than one thread so far (tests and the bench read it). */
  splitProducts = 0;

  constructor(workers: number) {
    const workAt = alignUp(CONTROL_AT + ThreadPool.controlBytes(workers));
    for (let t = 0; t <= workers; t++) this.work.push(workAt + t * WORK_BYTES);
    this.operandsAt = workAt + (workers + 1) * WORK_BYTES;
    const initial = Math.ceil(this.operandsAt / PAGE_BYTES) + 16;
    // Its own shared memory for now; the runtime's (../wasm/runtime.ts) can become this one once
    // every kernel module has a shared build (then A, B and C need no copies either).
    this.memory = createKernelMemory({ initialPages: initial, shared: true });
    // The same build as the one-thread path (matmul-simd.ts), so the two agree bit for bit; conv.wat
    // has no multiply-adds, so it has one build.
    const bytes = relaxedSimdInUse() ? relaxedShared : plainShared;
    const modules = [bytes, convShared, partsShared].map((b) => new WebAssembly.Module(b as BufferSource));
    const names = ['matmul', 'conv', 'parts'];
    const [matmul, conv, parts] = instantiateLinked(this.memory, modules, names);
    this.kernel = matmul as unknown as RangeKernel;
    const part = parts as unknown as Omit<ConvPartsKernel, 'geometry'>;
    this.conv = {
      geometry: (conv as unknown as Pick<ConvPartsKernel, 'geometry'>).geometry,
      forward_part: part.forward_part,
      filter_part: part.filter_part,
      input_part: part.input_part,
    };
    this.pool = new ThreadPool({
      memory: this.memory,
      control: CONTROL_AT,
      workers,
      modules,
      names,
      table: [
        [0, 'range'],
        [2, 'forward_part'],
        [2, 'filter_part'],
        [2, 'input_part'],
      ],
    });
  }

  /** Grows the memory to hold `end` bytes; false where it cannot (32-bit addresses, or the engine refuses). */
  reserve(end: number): boolean {
    if (end > MAX_BYTES) return false;
    const have = this.memory.buffer.byteLength;
    if (end <= have) return true;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE_BYTES));
      return true;
    } catch {
      return false;
    }
  }

  /** Threads a product would use now: the caller and the ready workers. */
  threadsNow(): number {
    return 1 + this.pool.readyWorkers();
  }

  /** C = op(A) op(B) on the caller and the ready workers; false (C untouched) when it does not fit. */
  run(a: Float32Array, b: Float32Array, c: Float32Array, dims: MatmulDims): boolean {
    const { m, n, k } = dims;
    const at = stageOperands(this.memory, this.operandsAt, a, b, dims);
    if (!at) return false;
    const slots = this.pool.readySlots();
    const byWork = Math.floor((m * n * k) / MIN_MACS_PER_THREAD);
    const parts = shares(dims, Math.max(1, Math.min(1 + slots.length, byWork)));
    const call = (share: Share, work: number) => [
      at.a,
      at.b,
      at.c,
      m,
      n,
      k,
      layoutFlags(dims),
      ...share,
      work,
    ];
    for (let p = 1; p < parts.length; p++)
      this.pool.start(slots[p - 1], THREAD_FN.range, call(parts[p], this.work[1 + slots[p - 1]]));
    try {
      const [i0, i1, j0, j1] = parts[0];
      this.kernel.range(at.a, at.b, at.c, m, n, k, layoutFlags(dims), i0, i1, j0, j1, this.work[0]);
    } finally {
      // Even when the caller's share threw: the workers still write into the memory.
      for (let p = 1; p < parts.length; p++) this.pool.join(slots[p - 1]);
    }
    if (parts.length > 1) this.splitProducts++;
    unstage(this.memory, at.c, c, dims);
    return true;
  }

  close(): void {
    this.pool.close();
  }
}

/** undefined: not made yet; null: one thread here (the reason is `threadsUnavailableReason`). */
let threaded: ThreadedMatmul | null | undefined;
let failure: string | null = null;

onCpuThreadsChange(() => {
  threaded?.close();
  threaded = undefined;
});

/**
 * The threaded matmul, made (and its workers started) on first use where more than one thread is
 * asked for and allowed; null where products run on one thread.
 */
export function threadedMatmul(): ThreadedMatmul | null {
  if (threaded !== undefined) return threaded;
  const workers = requestedCpuThreads() - 1;
  threaded = null;
  if (workers < 1 || threadsUnavailableReason() !== null) return null;
  try {
    threaded = new ThreadedMatmul(workers);
  } catch (e) {
    failure = (e as Error).message; // e.g. the 4 GiB reservation of a shared memory refused
  }
  return threaded;
}

export interface CpuThreadsInfo {
  /** Threads products use now (1 until the workers have started, or where threads are unavailable). */
  readonly threads: number;
  /** Threads asked for (setCpuThreads, or the logical cores up to 8). */
  readonly requested: number;
  /** Products (matmuls and convs) cut across more than one thread so far in this thread. */
  readonly splitProducts: number;
  /** Why only one thread runs where more were asked for (absent while the workers are yet to start). */
  readonly reason?: string;
}

export function cpuThreadsInfo(): CpuThreadsInfo {
  const requested = requestedCpuThreads();
  const threads = threaded ? threaded.threadsNow() : 1;
  const splitProducts = threaded?.splitProducts ?? 0;
  const starting = threaded === undefined || (threaded !== null && threaded.pool.failures.length === 0);
  const reason =
    requested > 1 && threads === 1 && !starting
      ? (threadsUnavailableReason() ?? failure ?? threaded?.pool.failures[0] ?? 'the workers did not start')
      : undefined;
  return { threads, requested, splitProducts, ...(reason ? { reason } : {}) };
}

/** The float32 kernels in words, for the CPU backend's description: "WebAssembly SIMD on 2 threads". */
export function threadsLine(): string {
  const { threads, requested, reason } = cpuThreadsInfo();
  if (threads > 1) return `on ${threads} threads`;
  if (requested === 1) return 'on 1 thread';
  return reason ? `on 1 thread (${reason})` : `up to ${requested} threads`;
}

/**
 * Starts the workers now (rather than at the first large product) and resolves once they have
 * started or failed, or after `timeoutMs`: a worker that never answers leaves its share to the others.
 */
export async function cpuThreadsReady(timeoutMs = 10_000): Promise<CpuThreadsInfo> {
  const settled = threadedMatmul()?.pool.settled;
  if (settled) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([settled, late]);
    clearTimeout(timer);
  }
  return cpuThreadsInfo();
}
