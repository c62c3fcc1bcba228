/**
 * conv2d and its two gradients in float32 through WebAssembly SIMD: the patch gathers of conv.wat
 * feeding the matmul module's 4 x 8 register-blocked kernel (matmul.wat's `blocks`), both on the
 * CPU backend's kernel memory (../wasm/). conv.ts is the TypeScript twin and the fallback.
 *
 * Why im2col onto the matmul rather than a direct loop over channels: the kernel keeps a 4 x 8 block
 * of outputs in registers for any channel counts, where a direct loop has outC accumulators, which
 * fit in registers only for small outC (W4's conv has 8) and spill past 16. The gather costs one
 * write per patch element (kh * kw * inC per position), a small part of the kh * kw * inC * outC
 * multiply-adds once outC reaches 8.
 *
 * Memory stays bounded whatever the batch: operands that live in the kernel memory are used in
 * place, others go through tiles of at most TILE_BYTES (at least one image; kernel-scratch.ts),
 * patch rows in blocks of ROWS (the packed block is ROWS x DEPTH floats), and every size is checked
 * before the memory grows; where it cannot, the caller runs the twin.
 * The filter gradient sums each DEPTH-position block in float32 registers and the blocks in float64.
 * Where threads are allowed, an op large enough to cut runs on the worker threads instead
 * (conv-threaded.ts), with the same blocking (conv-plan.ts) and so the same bits.
 */
import type { Conv2dParams } from '../../../graph/op-params';
import type { Shape } from '../../../graph/shape';
import { type KernelModule, kernelModule } from '../wasm/modules';
import type { Region, WasmRuntime } from '../wasm/runtime';
import bytes from './conv.wat';
import { blockOffset, type ConvPlan, DEPTH, MR, NC, NR, packWhole, plan, ROWS, roundUp } from './conv-plan';
import { type ConvFaceName, convOnThreads } from './conv-threaded';
import { Operand, reserveScratch, withScratch } from './kernel-scratch';
import { packA, packB } from './matmul';
import { type MatmulExports, matmulModule } from './matmul-simd';
import { MIN_MACS_PER_THREAD, threadedMatmul } from './matmul-threaded';

/** The kept panel region: the matmul kernel's 128-byte scratch tile, then packed A. */
const PANEL_BYTES = 128 + ROWS * DEPTH * 4;

interface Gathers {
  geometry(...dims: number[]): void;
  im2col(dst: number, x: number, i0: number, mc: number, k0: number, kc: number, ...strides: number[]): void;
  col2im(src: number, dx: number, i0: number, mc: number): void;
}

interface Modules {
  runtime: WasmRuntime;
  blocks: MatmulExports['blocks'];
  gathers: Gathers;
  /** The matmul's edge tile, then packed A. */
  scratch: number;
  packedA: number;
}

let enabled = true;
let panels: Region | null = null;

function load(): Modules | null {
  const matmul = enabled ? matmulModule() : null;
  const gathers: KernelModule<Gathers> | null = matmul ? kernelModule<Gathers>('conv', bytes) : null;
  if (!matmul || !gathers) return null;
  const runtime = matmul.runtime;
  panels ??= runtime.alloc(PANEL_BYTES);
  if (!panels || !reserveScratch(runtime)) return null;
  const { blocks } = matmul.exports;
  return { runtime, blocks, gathers: gathers.exports, scratch: panels.offset, packedA: panels.offset + 128 };
}

/** Whether the WebAssembly conv kernels can run here (and have not been switched off). */
export function wasmConvAvailable(): boolean {
  return load() !== null;
}

/** Switches the WebAssembly conv kernels off or on (tests compare them with the twin; benchmarks A/B). */
export function useWasmConv(on: boolean): void {
  enabled = on;
}

/**
 * The plan and the kernels for one op, with its matrix sizes: taps k (the patch width), output
 * channels n and positions per image; `empty` where there is nothing to compute; null where the
 * kernels cannot run (the twin runs).
 */
function begin(xShape: Shape, wShape: Shape, params: Conv2dParams) {
  const m = load();
  if (!m) return null;
  const p = plan(xShape, wShape, params);
  const [k, n] = [p.taps, p.outC];
  return { m, p, k, n, positions: p.outH * p.outW, empty: k === 0 || n === 0 || p.batch === 0 };
}

/**
 * The face on the worker threads (conv-threaded.ts) where threads are allowed and it is large
 * enough to cut; false where it runs on this thread. The first such op starts the workers.
 */
function onThreads(face: ConvFaceName, a: Float32Array, b: Float32Array, out: Float32Array, p: ConvPlan) {
  const macs = p.batch * p.outH * p.outW * p.taps * p.outC;
  if (macs < 2 * MIN_MACS_PER_THREAD) return false;
  const threaded = threadedMatmul();
  return threaded !== null && convOnThreads(threaded, face, a, b, out, p);
}

/**
 * One face of the conv on float32 arrays: (x, w, y), (x, dy, dw) or (dy, w, dx), with the input's
 * and the filter's shapes; false (the output untouched) when the WebAssembly path cannot run it.
 * The output arrives zero-filled.
 */
export type ConvFace = (
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  xShape: Shape,
  wShape: Shape,
  params: Conv2dParams,
) => boolean;

/** Hands conv.wat the geometry and a tap table at `taps`. */
const setGeometry = (m: Modules, p: ConvPlan, taps: number) => m.gathers.geometry(...p.geometry, taps);

/** y = conv2d(x, w). */
export const conv2dWasm: ConvFace = (x, w, y, xShape, wShape, params) => {
  const run = begin(xShape, wShape, params);
  if (!run || run.empty) return run !== null;
  const { m, p, k, n } = run;
  if (onThreads('forward', x, w, y, p)) return true;
  const X = new Operand(m.runtime, x, p.inH * p.inW * p.inC);
  const Y = new Operand(m.runtime, y, p.outH * p.outW * n);
  const W = new Operand(m.runtime, w, w.length);
  const sizes = [k * roundUp(n, NR) * 4, X.tileBytes(p.tile), Y.tileBytes(p.tile), k * 4];
  const done = withScratch(m.runtime, [X, Y, W], sizes, ([packedB, xTile, yTile, taps]) => {
    X.bind(xTile);
    Y.bind(yTile);
    setGeometry(m, p, taps);
    packWhole(
      W.array(),
      { m: 0, n, k, transposeA: false, transposeB: false },
      m.runtime.f32(packedB, k * roundUp(n, NR)),
    );
    for (let b0 = 0; b0 < p.batch; b0 += p.tile) {
      const images = Math.min(p.tile, p.batch - b0);
      X.load(b0, images);
      const rows = images * p.outH * p.outW;
      for (let i0 = 0; i0 < rows; i0 += ROWS) {
        const mc = Math.min(ROWS, rows - i0);
        for (let k0 = 0; k0 < k; k0 += DEPTH) {
          const kc = Math.min(DEPTH, k - k0);
          m.gathers.im2col(m.packedA, X.address(b0), i0, mc, k0, kc, 16 * kc, 4, 64, 16);
          for (let j0 = 0; j0 < n; j0 += NC) {
            const b = packedB + blockOffset(n, k0, kc, j0);
            const c = Y.address(b0) + (i0 * n + j0) * 4;
            m.blocks(m.packedA, b, kc, mc, Math.min(NC, n - j0), c, n, k0 > 0 ? 1 : 0, m.scratch);
          }
        }
      }
      Y.store(b0, images);
    }
    return true;
  });
  return done ?? false;
};

/** dw = conv2dBackpropFilter(x, dy). */
export const conv2dFilterWasm: ConvFace = (x, dy, dw, xShape, wShape, params) => {
  const run = begin(xShape, wShape, params);
  if (!run || run.empty) return run !== null;
  const { m, p, k, n, positions } = run;
  if (onThreads('filter', x, dy, dw, p)) return true;
  const X = new Operand(m.runtime, x, p.inH * p.inW * p.inC);
  const DY = new Operand(m.runtime, dy, positions * n);
  const blockFloats = Math.min(k, ROWS) * n;
  const sizes = [DEPTH * roundUp(n, NR) * 4, X.tileBytes(p.tile), blockFloats * 4, k * 4];
  const DW = new Operand(m.runtime, dw, dw.length);
  const sums = new Float64Array(k * n);
  const done = withScratch(m.runtime, [X, DY, DW], sizes, ([packedB, xTile, c, taps]) => {
    X.bind(xTile);
    setGeometry(m, p, taps);
    const packed = m.runtime.f32(packedB, DEPTH * roundUp(n, NR));
    const block = m.runtime.f32(c, blockFloats);
    const dyAll = DY.array();
    for (let b0 = 0; b0 < p.batch; b0 += p.tile) {
      const images = Math.min(p.tile, p.batch - b0);
      X.load(b0, images);
      const rows = images * positions;
      const dyTile = dyAll.subarray(b0 * positions * n, (b0 + images) * positions * n);
      const dims = { m: k, n, k: rows, transposeA: false, transposeB: false };
      // dw = patches^T dy: the reduction runs over positions, DEPTH at a time, each block summed in float64.
      for (let d0 = 0; d0 < rows; d0 += DEPTH) {
        const kd = Math.min(DEPTH, rows - d0);
        for (let j0 = 0; j0 < n; j0 += NC)
          packB(dyTile, dims, j0, Math.min(NC, n - j0), d0, kd, packed.subarray(kd * j0), NR);
        for (let t0 = 0; t0 < k; t0 += ROWS) {
          const mk = Math.min(ROWS, k - t0);
          m.gathers.im2col(m.packedA, X.address(b0), d0, kd, t0, mk, 64, 16, 16 * kd, 4);
          for (let j0 = 0; j0 < n; j0 += NC) {
            m.blocks(
              m.packedA,
              packedB + kd * j0 * 4,
              kd,
              mk,
              Math.min(NC, n - j0),
              c + j0 * 4,
              n,
              0,
              m.scratch,
            );
          }
          for (let e = 0, into = t0 * n; e < mk * n; e++) sums[into + e] += block[e];
        }
      }
    }
    return true;
  });
  if (!done) return false;
  DW.array().set(sums);
  return true;
};

/** dx = conv2dBackpropInput(dy, w). */
export const conv2dInputWasm: ConvFace = (dy, w, dx, xShape, wShape, params) => {
  const run = begin(xShape, wShape, params);
  if (!run || run.empty) return run !== null;
  const { m, p, k, n, positions } = run;
  if (onThreads('input', dy, w, dx, p)) return true;
  const DX = new Operand(m.runtime, dx, p.inH * p.inW * p.inC);
  const DY = new Operand(m.runtime, dy, positions * n);
  const W = new Operand(m.runtime, w, w.length);
  const sizes = [n * roundUp(k, NR) * 4, DX.tileBytes(p.tile), ROWS * k * 4, k * 4];
  const done = withScratch(m.runtime, [DX, DY, W], sizes, ([packedB, dxTile, c, taps]) => {
    DX.bind(dxTile);
    setGeometry(m, p, taps);
    // dpatches = dy w^T: op(B) = w^T [outC, taps], w stored [taps, outC].
    const dimsB = { m: 0, n: k, k: n, transposeA: false, transposeB: true };
    packWhole(W.array(), dimsB, m.runtime.f32(packedB, n * roundUp(k, NR)));
    const packedA = m.runtime.f32(m.packedA, ROWS * DEPTH);
    const dyAll = DY.array();
    for (let b0 = 0; b0 < p.batch; b0 += p.tile) {
      const images = Math.min(p.tile, p.batch - b0);
      DX.zero(b0, images);
      const rows = images * positions;
      const dyTile = dyAll.subarray(b0 * positions * n, (b0 + images) * positions * n);
      const dims = { m: rows, n: k, k: n, transposeA: false, transposeB: false };
      for (let i0 = 0; i0 < rows; i0 += ROWS) {
        const mc = Math.min(ROWS, rows - i0);
        for (let k0 = 0; k0 < n; k0 += DEPTH) {
          const kc = Math.min(DEPTH, n - k0);
          packA(dyTile, dims, i0, mc, k0, kc, packedA, MR);
          for (let j0 = 0; j0 < k; j0 += NC) {
            const b = packedB + blockOffset(k, k0, kc, j0);
            m.blocks(m.packedA, b, kc, mc, Math.min(NC, k - j0), c + j0 * 4, k, k0 > 0 ? 1 : 0, m.scratch);
          }
        }
        m.gathers.col2im(c, DX.address(b0), i0, mc);
      }
      DX.store(b0, images);
    }
    return true;
  });
  return done ?? false;
};
