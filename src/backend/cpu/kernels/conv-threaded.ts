/**
 * conv2d and its two gradients on the CPU backend's worker threads, with the pool and the shared
 * memory of matmul-threaded.ts. The operands are copied into the shared memory, the work is cut
 * into parts that share nothing they write, and each thread runs conv-parts.wat on its part:
 *   - conv2d: the patch rows (output positions), in multiples of the 4-row register block;
 *   - the input gradient: whole images (neighbouring positions add into the same input pixels);
 *   - the filter gradient: the one-thread path's DEPTH-position blocks, each block's float32
 *     partial written apart, then added here in float64 in block order, as one thread adds them.
 * Every element is computed in the one-thread path's order (conv-simd.ts, with the same blocking
 * from conv-plan.ts and the same matmul build), so the result is its result bit for bit.
 */
import { type ConvPlan, DEPTH, NR, packWhole, ROWS, roundUp } from './conv-plan';
import { alignUp } from './matmul-staging';
import { MIN_MACS_PER_THREAD, THREAD_FN, type ThreadedMatmul } from './matmul-threaded';

export type ConvFaceName = 'forward' | 'filter' | 'input';

/** The filter gradient's partials per round: rounds keep the memory bounded whatever the batch. */
const PARTIAL_BYTES = 16 << 20;

/** One thread's workspace: the kernel's edge tile, packed A, then the face's own buffer (conv-parts.wat). */
function workBytes(face: ConvFaceName, k: number, n: number): number {
  const own = face === 'filter' ? DEPTH * roundUp(n, NR) : face === 'input' ? ROWS * k : 0;
  return alignUp(128 + ROWS * DEPTH * 4 + own * 4);
}

/** Regions of the shared memory above the matmul's, one after another, each on its own cache line. */
class Layout {
  end: number;
  constructor(base: number) {
    this.end = base;
  }
  take(bytes: number): number {
    const at = this.end;
    this.end = alignUp(at + Math.max(bytes, 4));
    return at;
  }
}

/** `parts` runs of [0, total) in multiples of `unit` (the last may be shorter), none empty. */
function cut(total: number, unit: number, parts: number): [number, number][] {
  const units = Math.ceil(total / unit);
  const count = Math.max(1, Math.min(parts, units));
  const out: [number, number][] = [];
  for (let p = 0; p < count; p++) {
    const from = Math.floor((p * units) / count) * unit;
    out.push([from, Math.min(total, Math.floor(((p + 1) * units) / count) * unit)]);
  }
  return out;
}

/**
 * Runs one part per thread: parts[0] on this thread (`own`), the others on the workers of `slots`
 * (function `fn` of the pool's table), and waits for all of them.
 */
function runParts(
  t: ThreadedMatmul,
  fn: number,
  own: (...args: number[]) => void,
  parts: number[][],
  slots: number[],
) {
  for (let p = 1; p < parts.length; p++) t.pool.start(slots[p - 1], fn, parts[p]);
  try {
    own(...parts[0]);
  } finally {
    // Even when this thread's part threw: the workers still write into the memory.
    for (let p = 1; p < parts.length; p++) t.pool.join(slots[p - 1]);
  }
}

/**
 * One face of the conv (operands a, b and output `out` as conv-simd.ts's faces take them) on the
 * caller and the ready workers; false (nothing written) where fewer than two threads would run it
 * or the shared memory cannot hold it, so the caller runs the one-thread path.
 */
export function convOnThreads(
  t: ThreadedMatmul,
  face: ConvFaceName,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  p: ConvPlan,
): boolean {
  const slots = t.pool.readySlots();
  const { taps: k, outC: n, batch } = p;
  const positions = p.outH * p.outW;
  const rows = batch * positions;
  const byWork = Math.floor((rows * k * n) / MIN_MACS_PER_THREAD);
  const threads = Math.min(1 + slots.length, byWork, face === 'input' ? batch : rows);
  if (threads < 2) return false;
  const layout = new Layout(t.operandsAt);
  const geom = layout.take(12 * 4);
  const taps = layout.take(k * 4);
  const run = { forward, filter, input }[face];
  const done = run(t, layout, { a, b, out, p, k, n, rows, positions, threads, slots, geom, taps });
  if (done) t.splitProducts++;
  return done;
}

interface Job {
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
  p: ConvPlan;
  k: number;
  n: number;
  rows: number;
  positions: number;
  threads: number;
  slots: number[];
  /** Byte offsets of the geometry record and the tap table. */
  geom: number;
  taps: number;
}

const inputFloats = (p: ConvPlan) => p.batch * p.inH * p.inW * p.inC;

/** Workspaces, then the memory grown to hold the layout; the views of the memory are made after. */
function prepare(t: ThreadedMatmul, layout: Layout, job: Job, face: ConvFaceName): number[] | null {
  const work = Array.from({ length: job.threads }, () => layout.take(workBytes(face, job.k, job.n)));
  if (!t.reserve(layout.end)) return null;
  // The caller's conv instance builds the tap table; the record lets each thread's instance use it.
  t.conv.geometry(...job.p.geometry, job.taps);
  new Int32Array(t.memory.buffer, job.geom, 12).set([...job.p.geometry, job.taps]);
  return work;
}

const f32 = (t: ThreadedMatmul, at: number, length: number) => new Float32Array(t.memory.buffer, at, length);

function forward(t: ThreadedMatmul, layout: Layout, job: Job): boolean {
  const { k, n, rows } = job;
  const [x, pb, y] = [inputFloats(job.p), k * roundUp(n, NR), rows * n].map((f) => layout.take(f * 4));
  const work = prepare(t, layout, job, 'forward');
  if (!work) return false;
  f32(t, x, inputFloats(job.p)).set(job.a.subarray(0, inputFloats(job.p)));
  packWhole(job.b, { m: 0, n, k, transposeA: false, transposeB: false }, f32(t, pb, k * roundUp(n, NR)));
  const parts = cut(rows, 4, job.threads).map(([r0, r1], i) => [job.geom, x, pb, y, r0, r1, k, n, work[i]]);
  runParts(t, THREAD_FN.forward, t.conv.forward_part, parts, job.slots);
  job.out.set(f32(t, y, rows * n));
  return true;
}

function input(t: ThreadedMatmul, layout: Layout, job: Job): boolean {
  const { k, n, rows, positions } = job;
  const xFloats = inputFloats(job.p);
  const [dy, pb, dx] = [rows * n, n * roundUp(k, NR), xFloats].map((f) => layout.take(f * 4));
  const work = prepare(t, layout, job, 'input');
  if (!work) return false;
  f32(t, dy, rows * n).set(job.a.subarray(0, rows * n));
  // dpatches = dy w^T: op(B) = w^T [outC, taps], w stored [taps, outC].
  packWhole(job.b, { m: 0, n: k, k: n, transposeA: false, transposeB: true }, f32(t, pb, n * roundUp(k, NR)));
  f32(t, dx, xFloats).fill(0);
  const parts = cut(job.p.batch, 1, job.threads).map(([b0, b1], i) => [
    job.geom,
    dy,
    pb,
    dx,
    b0 * positions,
    b1 * positions,
    k,
    n,
    work[i],
  ]);
  runParts(t, THREAD_FN.input, t.conv.input_part, parts, job.slots);
  job.out.set(f32(t, dx, xFloats));
  return true;
}

/** The one-thread path's filter-gradient blocks: [first patch row, rows], DEPTH at a time within each tile of images. */
function filterBlocks(p: ConvPlan, positions: number): number[] {
  const blocks: number[] = [];
  for (let b0 = 0; b0 < p.batch; b0 += p.tile) {
    const tileRows = Math.min(p.tile, p.batch - b0) * positions;
    for (let d0 = 0; d0 < tileRows; d0 += DEPTH)
      blocks.push(b0 * positions + d0, Math.min(DEPTH, tileRows - d0));
  }
  return blocks;
}

function filter(t: ThreadedMatmul, layout: Layout, job: Job): boolean {
  const { k, n, rows, positions } = job;
  const xFloats = inputFloats(job.p);
  const blocks = filterBlocks(job.p, positions);
  const count = blocks.length / 2;
  const perRound = Math.min(count, Math.max(job.threads, Math.floor(PARTIAL_BYTES / (k * n * 4))));
  const [x, dy, table, partials] = [xFloats, rows * n, blocks.length, perRound * k * n].map((f) =>
    layout.take(f * 4),
  );
  const work = prepare(t, layout, job, 'filter');
  if (!work) return false;
  f32(t, x, xFloats).set(job.a.subarray(0, xFloats));
  f32(t, dy, rows * n).set(job.b.subarray(0, rows * n));
  new Int32Array(t.memory.buffer, table, blocks.length).set(blocks);
  const sums = new Float64Array(k * n);
  for (let q0 = 0; q0 < count; q0 += perRound) {
    const q1 = Math.min(count, q0 + perRound);
    // Block q of this round is partial q - q0: the table is read from this round's first entry.
    const parts = cut(q1 - q0, 1, job.threads).map(([from, to], i) => [
      job.geom,
      x,
      dy,
      partials,
      table + q0 * 8,
      from,
      to,
      k,
      n,
      work[i],
    ]);
    runParts(t, THREAD_FN.filter, t.conv.filter_part, parts, job.slots);
    const partial = f32(t, partials, (q1 - q0) * k * n);
    for (let q = 0; q < q1 - q0; q++)
      for (let e = 0, at = q * k * n; e < k * n; e++) sums[e] += partial[at + e];
  }
  job.out.set(sums);
  return true;
}
