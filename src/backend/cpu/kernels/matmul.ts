/**
 * C[m,n] = op(A) op(B) on the CPU, packed and register-blocked (the GotoBLAS/BLIS scheme, scalar).
 *
 * A plain i-k-j loop loads and stores C once per multiply-add and runs at about 1 GFLOP/s in V8.
 * Here both operands are first copied into float64 panels laid out in the order the inner loop
 * reads them: op(A) in panels of MR rows (MR values per k step), op(B) in panels of NR columns.
 * The inner loop then keeps an MR x NR block of C in 16 local doubles (registers) and reads both
 * panels sequentially, 8 loads per 16 multiply-adds, at 3 to 5 GFLOP/s. Packing also absorbs the
 * transposes, so all four layouts share one kernel, and it is O(mk + kn) against the O(mnk) work.
 * k is cut into blocks of KC, m into blocks of MC and n into blocks of NC, so that a B panel
 * (NR x KC) stays in L1 while the packed A block (MC x KC) stays in L2, and the packing buffers
 * stay bounded (1 and 2 MiB) whatever the product's size; partial sums over k blocks add into C.
 *
 * Every product of the real operands is computed (padding adds only zero rows and columns that are
 * never stored), so 0 * Infinity still gives NaN as on the GPU. Sums run in float64 and are rounded
 * when stored, once per KC block of k: a float32 C is closer to the exact product than a float32
 * running sum, and differs from the unblocked loop only by summation order and those roundings.
 */
import type { FloatArray } from '../types';

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 512;
const NC = 1024;

/** The packing buffers (at most MC x KC and KC x NC), kept: a training step calls matmul many times. */
let packedA = new Float64Array(0);
let packedB = new Float64Array(0);
/** One MR x NR block of C, for the blocks that overhang the edge of C. */
const edge = new Float64Array(MR * NR);

export interface MatmulDims {
  /** Rows of op(A) and of C. */
  readonly m: number;
  /** Columns of op(B) and of C. */
  readonly n: number;
  /** Columns of op(A), rows of op(B). */
  readonly k: number;
  /** A is stored [k, m] rather than [m, k]. */
  readonly transposeA: boolean;
  /** B is stored [n, k] rather than [k, n]. */
  readonly transposeB: boolean;
}

/**
 * Writes C = op(A) op(B) into `c` (row-major [m, n]; its previous contents are overwritten; it
 * must not share memory with `a` or `b`). Allocates nothing once the packing buffers have grown.
 */
export function matmulInto(a: FloatArray, b: FloatArray, c: FloatArray, dims: MatmulDims): void {
  const { m, n, k } = dims;
  if (k === 0) {
    c.fill(0, 0, m * n);
    return;
  }
  const kcMax = Math.min(KC, k);
  const aSize = Math.ceil(Math.min(MC, m) / MR) * MR * kcMax;
  const bSize = Math.ceil(Math.min(NC, n) / NR) * NR * kcMax;
  if (packedA.length < aSize) packedA = new Float64Array(aSize);
  if (packedB.length < bSize) packedB = new Float64Array(bSize);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const nc = Math.min(NC, n - j0);
      packB(b, dims, j0, nc, k0, kc, packedB);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packA(a, dims, i0, mc, k0, kc, packedA);
        for (let jp = 0; jp * NR < nc; jp++) {
          for (let ip = 0; ip * MR < mc; ip++) {
            const ci = i0 + ip * MR;
            block(packedA, ip * MR * kc, packedB, jp * NR * kc, kc, c, ci, j0 + jp * NR, m, n, k0 > 0);
          }
        }
      }
    }
  }
}

/**
 * packed[(panel * kc + p) * MR + r] = op(A)[i0 + panel * MR + r, k0 + p] for mc rows, zero past
 * them. The source is walked along its stored rows whichever way it is transposed, so reads stay
 * contiguous.
 */
export function packA(
  a: FloatArray,
  { m, k, transposeA }: MatmulDims,
  i0: number,
  mc: number,
  k0: number,
  kc: number,
  packed: FloatArray,
  width = MR,
) {
  // A stored [k, m]: row k0 + p holds op(A)[., k0 + p].
  if (transposeA) packRows(a, mc, k0 * m + i0, m, kc, packed, width);
  else packColumns(a, i0, mc, k0, k, kc, packed, width);
}

/** packed[(panel * kc + p) * NR + c] = op(B)[k0 + p, j0 + panel * NR + c] for nc columns, zero past them. */
export function packB(
  b: FloatArray,
  { n, k, transposeB }: MatmulDims,
  j0: number,
  nc: number,
  k0: number,
  kc: number,
  packed: FloatArray,
  width = NR,
) {
  // B stored [k, n]: row k0 + p holds op(B)[k0 + p, .].
  if (transposeB) packColumns(b, j0, nc, k0, k, kc, packed, width);
  else packRows(b, nc, k0 * n + j0, n, kc, packed, width);
}

/**
 * Packs kc source rows (from `start`, `stride` apart) of `count` values each into panels of
 * `width` values per row: packed[(panel * kc + p) * width + r] = src[start + p * stride + panel * width + r].
 */
function packRows(
  src: FloatArray,
  count: number,
  start: number,
  stride: number,
  kc: number,
  packed: FloatArray,
  width: number,
): void {
  const full = count - (count % width);
  for (let p = 0; p < kc; p++) {
    const from = start + p * stride;
    let to = p * width;
    for (let i = 0; i < full; i += width, to += kc * width) {
      for (let r = 0; r < width; r++) packed[to + r] = src[from + i + r];
    }
    if (full < count) {
      for (let r = 0; r < width; r++) packed[to + r] = full + r < count ? src[from + full + r] : 0;
    }
  }
}

/**
 * Packs `count` source rows from row `first` (each `k` long, read from column k0 on for kc values)
 * as the columns of panels `width` wide:
 * packed[(panel * kc + p) * width + r] = src[(first + panel * width + r) * k + k0 + p].
 */
function packColumns(
  src: FloatArray,
  first: number,
  count: number,
  k0: number,
  k: number,
  kc: number,
  packed: FloatArray,
  width: number,
): void {
  const padded = Math.ceil(count / width) * width;
  for (let i = 0; i < padded; i++) {
    const to = (i - (i % width)) * kc + (i % width);
    if (i >= count) {
      for (let p = 0; p < kc; p++) packed[to + p * width] = 0;
      continue;
    }
    const from = (first + i) * k + k0;
    for (let p = 0; p < kc; p++) packed[to + p * width] = src[from + p];
  }
}

/**
 * The MR x NR block of C at (i0, j0) from an A panel and a B panel of depth kc; `accumulate` adds
 * to C (later k blocks) instead of overwriting it.
 */
// biome-ignore format: the 4 x 4 block of C, its loads and its stores read as grids.
function block(
  pa: Float64Array,
  aStart: number,
  pb: Float64Array,
  bStart: number,
  kc: number,
  c: FloatArray,
  i0: number,
  j0: number,
  m: number,
  n: number,
  accumulate: boolean,
): void {
  const full = i0 + MR <= m && j0 + NR <= n;
  const o = i0 * n + j0;
  const o1 = o + n, o2 = o1 + n, o3 = o2 + n;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  if (accumulate && full) {
    c00 = c[o]; c01 = c[o + 1]; c02 = c[o + 2]; c03 = c[o + 3];
    c10 = c[o1]; c11 = c[o1 + 1]; c12 = c[o1 + 2]; c13 = c[o1 + 3];
    c20 = c[o2]; c21 = c[o2 + 1]; c22 = c[o2 + 2]; c23 = c[o2 + 3];
    c30 = c[o3]; c31 = c[o3 + 1]; c32 = c[o3 + 2]; c33 = c[o3 + 3];
  }
  const end = aStart + kc * MR;
  for (let ia = aStart, ib = bStart; ia < end; ia += MR, ib += NR) {
    const a0 = pa[ia], a1 = pa[ia + 1], a2 = pa[ia + 2], a3 = pa[ia + 3];
    const b0 = pb[ib], b1 = pb[ib + 1], b2 = pb[ib + 2], b3 = pb[ib + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (full) {
    c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03;
    c[o1] = c10; c[o1 + 1] = c11; c[o1 + 2] = c12; c[o1 + 3] = c13;
    c[o2] = c20; c[o2 + 1] = c21; c[o2 + 2] = c22; c[o2 + 3] = c23;
    c[o3] = c30; c[o3 + 1] = c31; c[o3 + 2] = c32; c[o3 + 3] = c33;
    return;
  }
  edge[0] = c00; edge[1] = c01; edge[2] = c02; edge[3] = c03;
  edge[4] = c10; edge[5] = c11; edge[6] = c12; edge[7] = c13;
  edge[8] = c20; edge[9] = c21; edge[10] = c22; edge[11] = c23;
  edge[12] = c30; edge[13] = c31; edge[14] = c32; edge[15] = c33;
  const rows = Math.min(MR, m - i0);
  const cols = Math.min(NR, n - j0);
  for (let r = 0; r < rows; r++) {
    const row = o + r * n;
    for (let s = 0; s < cols; s++) c[row + s] = accumulate ? c[row + s] + edge[r * NR + s] : edge[r * NR + s];
  }
}
