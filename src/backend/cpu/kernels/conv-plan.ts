/**
 * The blocking and the sizes of the CPU backend's WebAssembly conv2d, shared by the one-thread
 * path (conv-simd.ts) and the threaded one (conv-threaded.ts, with conv-parts.wat), which must
 * block alike to agree bit for bit.
 */
import { windowGeometry } from '../../../graph/conv-geometry';
import type { Conv2dParams } from '../../../graph/op-params';
import type { Shape } from '../../../graph/shape';
import { type MatmulDims, packB } from './matmul';

/** The matmul kernel's register block. */
export const MR = 4;
export const NR = 8;
/** Patch rows (or, for the filter gradient, filter taps) per packed block, and its depth. */
export const ROWS = 256;
export const DEPTH = 256;
/** Output columns per call of the kernel: its B panels for one call stay in L2. */
export const NC = 1024;
/** Images per tile: as many as fit (input and output) in this, and at least one. */
const TILE_BYTES = 4 << 20;

/** The sizes of one conv op: NHWC images, HWIO filter, patch matrix [rows, taps]. */
export interface ConvPlan {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  /** Filter taps, the patch matrix's width: kh * kw * inC. */
  taps: number;
  /** Images per tile. */
  tile: number;
  /** conv.wat's `geometry` arguments but the last (where its tap table goes). */
  geometry: number[];
}

export function plan(xShape: Shape, wShape: Shape, params: Conv2dParams): ConvPlan {
  const [batch, inH, inW, inC] = xShape;
  const [kH, kW, , outC] = wShape;
  const g = windowGeometry(inH, inW, kH, kW, params.strides, params.padding);
  const geometry = [inH, inW, inC, kH, kW, ...params.strides, g.padTop, g.padLeft, g.outH, g.outW];
  const perImage = (inH * inW * inC + g.outH * g.outW * outC) * 4;
  const tile = Math.max(1, Math.min(batch, Math.floor(TILE_BYTES / perImage)));
  return { batch, inH, inW, inC, outH: g.outH, outW: g.outW, outC, taps: kH * kW * inC, tile, geometry };
}

export const roundUp = (n: number, to: number) => Math.ceil(n / to) * to;

/**
 * Packs op(B) [k, n] whole, block by block (DEPTH deep, NC wide) in the order `blockOffset` finds
 * them, as the matmul kernel reads its B panels.
 */
export function packWhole(b: Float32Array, dims: MatmulDims, into: Float32Array): void {
  const width = roundUp(dims.n, NR);
  for (let k0 = 0; k0 < dims.k; k0 += DEPTH) {
    const kc = Math.min(DEPTH, dims.k - k0);
    for (let j0 = 0; j0 < dims.n; j0 += NC) {
      const at = k0 * width + kc * j0;
      packB(b, dims, j0, Math.min(NC, dims.n - j0), k0, kc, into.subarray(at), NR);
    }
  }
}

/** Byte offset in packed B of block (k0, j0) of an op(B) `n` columns wide. */
export const blockOffset = (n: number, k0: number, kc: number, j0: number) =>
  (k0 * roundUp(n, NR) + kc * j0) * 4;
