/**
 * The matmul family: C = act(op(A) op(B) + bias) by one of four kernels, each a declared kernel of
 * shaders.ts plus override values (a MatmulCandidate). `builtinMatmul` is the rule used without
 * tuning; `matmulCandidates` lists what the autotuner (tune/) may time for a shape on a device;
 * `matmulDispatches` lowers any candidate that `fits` the shape and device to its dispatch.
 */
import type { Shape } from '../../../graph/shape';
import type { GpuInput, KernelDispatch, KernelEnv, MatmulCandidate, MatmulShape } from '../kernel-types';
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

/** The limits a candidate must fit (GPUSupportedLimits' names). */
export interface WorkgroupLimits {
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupSizeY: number;
  readonly maxComputeWorkgroupStorageSize: number;
}

/** Whether the vec4 kernel's views of A and B are whole rows for this shape (its precondition). */
export function vec4Fits({ m, n, k, transposeA, transposeB }: MatmulShape): boolean {
  return k % 4 === 0 && (!transposeA || m % 4 === 0) && (transposeB || n % 4 === 0);
}

/**
 * Today's rule, used where nothing was tuned: on CPU emulations ('register') the 8x8 vec4 kernel
 * where it fits, else the scalar 4x4 one; on GPUs ('tiled') the 16 x 16 shared-memory tiles.
 */
export function builtinMatmul(env: Pick<KernelEnv, 'matmulVariant'>, shape: MatmulShape): MatmulCandidate {
  if (env.matmulVariant === 'tiled') return { kind: 'tiled', ts: MATMUL_TILE_THREADS };
  return vec4Fits(shape)
    ? { kind: 'vec4', tx: MATMUL_VEC4_TX, ty: MATMUL_VEC4_TY }
    : { kind: 'register', wg: MATMUL_REGISTER_WG };
}

/** The candidate a matmul of this shape runs: the tuned (or forced) choice where one fits, else the rule. */
export function chooseMatmul(env: KernelEnv, shape: MatmulShape): MatmulCandidate {
  const chosen = env.choices?.matmul(shape);
  return chosen && shapeFits(chosen, shape) ? chosen : builtinMatmul(env, shape);
}

/** A short name for a candidate, as the tuning cache and getBackendInfo() show it. */
export function candidateId(c: MatmulCandidate): string {
  switch (c.kind) {
    case 'register':
      return `register wg${c.wg}`;
    case 'vec4':
      return `vec4 ${c.tx}x${c.ty}`;
    case 'tiled':
      return `tiled ${c.ts}`;
    case 'splitK':
      return `splitK ${c.split}`;
  }
}

/** The candidate a name of `candidateId` stands for, or undefined for a name it never gives. */
export function parseCandidate(id: string): MatmulCandidate | undefined {
  const match = /^(register wg|vec4 |tiled |splitK )(\d+)(?:x(\d+))?$/.exec(id);
  if (!match) return undefined;
  const [a, b] = [Number(match[2]), Number(match[3])];
  if (match[1] === 'vec4 ') return match[3] ? { kind: 'vec4', tx: a, ty: b } : undefined;
  if (match[3]) return undefined;
  if (match[1] === 'register wg') return { kind: 'register', wg: a };
  return match[1] === 'tiled ' ? { kind: 'tiled', ts: a } : { kind: 'splitK', split: a };
}

const isPowerOfTwo = (x: number) => x > 0 && (x & (x - 1)) === 0;

/** Whether the candidate computes this shape (the vec4 kernel's alignment). */
export function shapeFits(c: MatmulCandidate, shape: MatmulShape): boolean {
  return c.kind !== 'vec4' || vec4Fits(shape);
}

/** Whether the candidate's workgroup fits the device's limits. */
export function deviceFits(c: MatmulCandidate, limits: WorkgroupLimits): boolean {
  const [x, y, storage] =
    c.kind === 'register'
      ? [c.wg, 1, 0]
      : c.kind === 'vec4'
        ? [c.tx, c.ty, 0]
        : c.kind === 'tiled'
          ? [c.ts, c.ts, 2 * c.ts * c.ts * 16]
          : [c.split, 1, 4 * c.split * 16];
  if (c.kind === 'splitK' && !isPowerOfTwo(c.split)) return false;
  return (
    x * y <= limits.maxComputeInvocationsPerWorkgroup &&
    x <= limits.maxComputeWorkgroupSizeX &&
    y <= limits.maxComputeWorkgroupSizeY &&
    storage <= limits.maxComputeWorkgroupStorageSize
  );
}

/**
 * What tuning may time for a shape, most promising first (the budget may stop before the end),
 * the built-in choice excluded. CPU emulations get register-blocked workgroup shapes; GPUs get
 * shared-memory tile sizes, and split-K where the product has few outputs for its K. 'thorough'
 * adds the rest of each family.
 */
export function matmulCandidates(
  shape: MatmulShape,
  env: Pick<KernelEnv, 'matmulVariant'>,
  limits: WorkgroupLimits,
  thorough: boolean,
): MatmulCandidate[] {
  const register: MatmulCandidate[] = [
    { kind: 'vec4', tx: 4, ty: 4 },
    { kind: 'vec4', tx: 8, ty: 8 },
    { kind: 'vec4', tx: 16, ty: 4 },
    { kind: 'register', wg: 128 },
    { kind: 'register', wg: 32 },
    ...(thorough
      ? ([
          { kind: 'vec4', tx: 8, ty: 4 },
          { kind: 'vec4', tx: 4, ty: 2 },
          { kind: 'vec4', tx: 16, ty: 8 },
          { kind: 'register', wg: 64 },
          { kind: 'register', wg: 256 },
        ] as const)
      : []),
  ];
  const longK = shape.k >= 4 * Math.sqrt(shape.m * shape.n);
  const gpu: MatmulCandidate[] = [
    ...(longK ? ([{ kind: 'splitK', split: 64 }] as const) : []),
    { kind: 'tiled', ts: 8 },
    { kind: 'vec4', tx: 8, ty: 4 },
    { kind: 'register', wg: 64 },
    ...(thorough
      ? ([
          { kind: 'tiled', ts: 16 },
          { kind: 'tiled', ts: 4 },
          { kind: 'splitK', split: 32 },
          { kind: 'splitK', split: 128 },
          { kind: 'splitK', split: 256 },
          { kind: 'vec4', tx: 16, ty: 4 },
          { kind: 'register', wg: 128 },
        ] as const)
      : []),
  ];
  const pool = env.matmulVariant === 'register' ? [...register, ...(thorough ? gpu : [])] : gpu;
  const builtin = candidateId(builtinMatmul(env, shape));
  const seen = new Set([builtin]);
  return pool.filter((c) => {
    const id = candidateId(c);
    if (seen.has(id) || !shapeFits(c, shape) || !deviceFits(c, limits)) return false;
    seen.add(id);
    return true;
  });
}

/** The dispatch of candidate `c` for this product; `inputs` are a, b and the bias (b again when there is none). */
export function matmulDispatches(
  c: MatmulCandidate,
  inputs: readonly GPUBuffer[],
  { m, n, k, transposeA, transposeB }: MatmulShape,
  bias: boolean,
  act: number,
): KernelDispatch[] {
  const epilogue = { TRANS_A: transposeA, TRANS_B: transposeB, BIAS: bias, ACT: act };
  const grid = (width: number, height: number) => {
    const blocksPerRow = Math.ceil(n / width);
    return { m, n, k, blocksPerRow, blocks: Math.ceil(m / height) * blocksPerRow };
  };
  switch (c.kind) {
    case 'vec4': {
      const params = grid(8 * c.tx, 8 * c.ty);
      const constants = { TX: c.tx, TY: c.ty, ...epilogue };
      return [SHADERS.matmulVec4.dispatch({ inputs, params, constants, workgroups: params.blocks })];
    }
    case 'register': {
      const params = grid(4, 4);
      const workgroups = Math.ceil(params.blocks / c.wg);
      const constants = { WG: c.wg, ...epilogue };
      return [SHADERS.matmulRegister.dispatch({ inputs, params, constants, workgroups })];
    }
    case 'tiled': {
      const params = grid(4 * c.ts, 4 * c.ts);
      const constants = { TS: c.ts, ...epilogue };
      return [SHADERS.matmulTiled.dispatch({ inputs, params, constants, workgroups: params.blocks })];
    }
    case 'splitK': {
      const params = grid(4, 4);
      const constants = { SPLIT: c.split, ...epilogue };
      return [SHADERS.matmulSplitK.dispatch({ inputs, params, constants, workgroups: params.blocks })];
    }
  }
}

/** The shader of each candidate kind (for tests that check which kernel a shape reaches). */
export function candidateShader(c: MatmulCandidate): ShaderSource {
  return {
    register: SHADERS.matmulRegister,
    vec4: SHADERS.matmulVec4,
    tiled: SHADERS.matmulTiled,
    splitK: SHADERS.matmulSplitK,
  }[c.kind];
}

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
  const shape = { m, n, k: transposeA ? a.shape[0] : a.shape[1], transposeA, transposeB };
  const inputs = [a.buffer, b.buffer, (bias ?? b).buffer];
  return matmulDispatches(chooseMatmul(env, shape), inputs, shape, bias !== null, act);
}

/**
 * The shader a matmul of this shape runs (the choice, else the rule: 'register' takes the 8x8 vec4
 * kernel where its vec4 views of A and B are whole rows, else the scalar 4x4 kernel). Exported for
 * the tests, which check that their shapes reach every shader.
 */
export function matmulShader(
  env: KernelEnv,
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
): ShaderSource {
  return candidateShader(chooseMatmul(env, { m, n, k, transposeA, transposeB }));
}
