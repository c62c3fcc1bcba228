/** matmul (register-blocked, scalar or vec4, or shared-memory tiled), softmax and log-softmax. */

import type { Shape } from '../../../graph/shape';
import { sizeOf } from '../../../graph/shape';
import type { GpuInput, KernelDispatch, KernelEnv, WebGPUKernels } from '../kernel-types';
import type { ShaderSource } from '../pipelines';
import { SHADERS } from '../shaders';

/** Threads per workgroup of the register-blocked matmul (each computes a 4x4 block). */
const MATMUL_REGISTER_WG = 64;
/**
 * Threads of the vec4 register matmul (each an 8x8 block): 8 x 4. On llvmpipe (8-wide SIMD) 32
 * threads beat 16 by 1.3x; on SwiftShader the two are within noise (test/webgpu/measure/matmul.measure.ts).
 */
const MATMUL_VEC4_TX = 8;
const MATMUL_VEC4_TY = 4;
/**
 * Threads per side of the shared-memory tiled matmul's workgroup (TS x TS = 256, the core limit),
 * each computing a 4x4 block: 64 x 64 blocks of C.
 */
const MATMUL_TILE_THREADS = 16;
/** Threads per softmax line: a power of two (tree reduction); also lines per serial workgroup. */
const SOFTMAX_WG = 64;
/** Lines this short, or this many lines, run one thread per line (no barriers). */
const SOFTMAX_SERIAL_MAX_LENGTH = 1024;
const SOFTMAX_SERIAL_MIN_LINES = 64;

export const nnKernels: WebGPUKernels<'matmul' | 'softmax' | 'logSoftmax'> = {
  matmul: ([a, b], outShape, params, env) => matmul(a, b, null, outShape, params, 0, env),
  softmax: ([x], outShape, { axis }) => softmaxLines(x.buffer, outShape, axis, 0),
  logSoftmax: ([x], outShape, { axis }) => softmaxLines(x.buffer, outShape, axis, 1),
};

/** Codes of the matmul epilogue's activations (shaders/activation.wgsl `activate`). */
export const ACTIVATION_CODES = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 } as const;

/**
 * C = act(op(A) op(B) + bias): the plain matmul (no bias, act 0) and fusedMatmul's epilogue. A
 * missing bias binds b again, unread.
 */
export function matmul(
  a: GpuInput,
  b: GpuInput,
  bias: GpuInput | null,
  [m, n]: Shape,
  { transposeA, transposeB }: { transposeA: boolean; transposeB: boolean },
  act: number,
  env: KernelEnv,
): KernelDispatch[] {
  if (m * n === 0) return [];
  const k = transposeA ? a.shape[0] : a.shape[1];
  const epilogue = { TRANS_A: transposeA, TRANS_B: transposeB, BIAS: bias !== null, ACT: act };
  const inputs = [a.buffer, b.buffer, (bias ?? b).buffer];
  if (matmulShader(env, m, n, k, transposeA, transposeB) === SHADERS.matmulVec4) {
    const blocksPerRow = Math.ceil(n / (8 * MATMUL_VEC4_TX));
    const blocks = Math.ceil(m / (8 * MATMUL_VEC4_TY)) * blocksPerRow;
    return [
      SHADERS.matmulVec4.dispatch({
        inputs,
        params: { m, n, k, blocksPerRow, blocks },
        constants: { TX: MATMUL_VEC4_TX, TY: MATMUL_VEC4_TY, ...epilogue },
        workgroups: blocks,
      }),
    ];
  }
  const block = env.matmulVariant === 'register' ? 4 : 4 * MATMUL_TILE_THREADS;
  const blocksPerRow = Math.ceil(n / block);
  const blocks = Math.ceil(m / block) * blocksPerRow;
  const params = { m, n, k, blocksPerRow, blocks };
  return env.matmulVariant === 'register'
    ? [
        SHADERS.matmulRegister.dispatch({
          inputs,
          params,
          constants: { WG: MATMUL_REGISTER_WG, ...epilogue },
          workgroups: Math.ceil(blocks / MATMUL_REGISTER_WG),
        }),
      ]
    : [
        SHADERS.matmulTiled.dispatch({
          inputs,
          params,
          constants: { TS: MATMUL_TILE_THREADS, ...epilogue },
          workgroups: blocks,
        }),
      ];
}

/**
 * The shader a matmul of this shape runs: the 'register' variant (CPU emulations) takes the 8x8
 * vec4 kernel where its vec4 views of A and B are whole rows (K % 4 == 0; M % 4 == 0 when A is
 * transposed, N % 4 == 0 unless B is), else the scalar 4x4 kernel. Exported for the tests, which
 * check that their shapes reach every shader.
 */
export function matmulShader(
  env: KernelEnv,
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
): ShaderSource {
  if (env.matmulVariant === 'tiled') return SHADERS.matmulTiled;
  const vec4 = k % 4 === 0 && (!transposeA || m % 4 === 0) && (transposeB || n % 4 === 0);
  return vec4 ? SHADERS.matmulVec4 : SHADERS.matmulRegister;
}

function softmaxLines(x: GPUBuffer, shape: readonly number[], axis: number, log: number) {
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const lines = sizeOf(shape) / Math.max(n, 1);
  if (sizeOf(shape) === 0) return [];
  const serial = n <= SOFTMAX_SERIAL_MAX_LENGTH || lines >= SOFTMAX_SERIAL_MIN_LINES;
  return [
    SHADERS.softmax.dispatch({
      inputs: [x],
      params: { lines, lineLength: n, inner },
      constants: { LOG: log, WG: SOFTMAX_WG, SERIAL: serial ? 1 : 0 },
      workgroups: serial ? Math.ceil(lines / SOFTMAX_WG) : lines,
    }),
  ];
}
