/**
 * The matmul family: C = act(op(A) op(B) + bias) by one of its kernels, each a declared kernel of
 * shaders.ts plus override values (a MatmulCandidate, kernels/matmul-candidates.ts: the rule, the
 * names, what fits, what tuning may time). `matmulDispatches` lowers any candidate that fits the
 * shape and device to its dispatches; `matmul` is the op's kernel.
 */
import type { Shape } from '../../../graph/shape';
import type {
  GpuInput,
  KernelDispatch,
  KernelEnv,
  MatmulCandidate,
  MatmulShape,
  Scratch,
  SliceableMatmul,
} from '../kernel-types';
import type { ShaderSource } from '../pipelines';
import { SHADERS } from '../shaders';
import { builtinMatmul, deviceFits, shapeFits, slicedScratchBytes } from './matmul-candidates';

/**
 * The candidate a matmul of this shape runs: the tuned (or forced) choice where it fits the shape
 * and the device's features, else the rule. (Its workgroup limits were checked when it was chosen.)
 */
export function chooseMatmul(env: KernelEnv, shape: MatmulShape): MatmulCandidate {
  const chosen = env.choices?.matmul(shape);
  return chosen && shapeFits(chosen, shape) && featuresFit(chosen, env) ? chosen : builtinMatmul(env, shape);
}

const NO_LIMITS = {
  maxComputeInvocationsPerWorkgroup: Number.POSITIVE_INFINITY,
  maxComputeWorkgroupSizeX: Number.POSITIVE_INFINITY,
  maxComputeWorkgroupSizeY: Number.POSITIVE_INFINITY,
  maxComputeWorkgroupStorageSize: Number.POSITIVE_INFINITY,
};
const featuresFit = (c: MatmulCandidate, env: KernelEnv) => deviceFits(c, NO_LIMITS, env);

/** The epilogue's overrides, and the transposes, which every matmul kernel takes. */
interface Epilogue {
  readonly TRANS_A: boolean;
  readonly TRANS_B: boolean;
  readonly BIAS: boolean;
  readonly ACT: number;
}

/**
 * One dispatch of a sliceable kernel: over the whole of k into C through the epilogue, or with
 * `slices` > 1 over that many parts of k, bare, into the partial sums `target`.
 */
function sliceableDispatch(
  c: SliceableMatmul,
  inputs: readonly GPUBuffer[],
  { m, n, k }: MatmulShape,
  epilogue: Epilogue,
  slices = 1,
  target?: Scratch,
): KernelDispatch {
  const grid = (width: number, height: number) => {
    const blocksPerRow = Math.ceil(n / width);
    return { m, n, k, blocksPerRow, blocks: Math.ceil(m / height) * blocksPerRow };
  };
  const common = { inputs, ...(target ? { targets: [target] } : {}) };
  const SLICES = slices;
  switch (c.kind) {
    case 'vec4': {
      const params = grid(8 * c.tx, 8 * c.ty);
      const constants = { TX: c.tx, TY: c.ty, SLICES, ...epilogue };
      return SHADERS.matmulVec4.dispatch({
        ...common,
        params,
        constants,
        workgroups: params.blocks * slices,
      });
    }
    case 'register': {
      const params = grid(4, 4);
      const workgroups = Math.ceil((params.blocks * slices) / c.wg);
      const constants = { WG: c.wg, SLICES, ...epilogue };
      return SHADERS.matmulRegister.dispatch({ ...common, params, constants, workgroups });
    }
    case 'tiled': {
      const params = grid(4 * c.ts, 4 * c.ts);
      const constants = { TS: c.ts, SLICES, ...epilogue };
      return SHADERS.matmulTiled.dispatch({
        ...common,
        params,
        constants,
        workgroups: params.blocks * slices,
      });
    }
  }
}

/**
 * Split-K across dispatches: the body computes the `slices` partial products into a temporary
 * [slices, M, N], then one dispatch adds them up in slice order and applies the epilogue.
 */
function slicedDispatches(
  c: Extract<MatmulCandidate, { kind: 'slicedK' }>,
  inputs: readonly GPUBuffer[],
  shape: MatmulShape,
  epilogue: Epilogue,
): KernelDispatch[] {
  const part: Scratch = { scratch: 0, bytes: slicedScratchBytes(c.slices, shape) };
  const bare = { ...epilogue, BIAS: false, ACT: 0 };
  const items = shape.m * shape.n;
  const WG = 64;
  const sum = SHADERS.matmulSlicesSum.dispatch({
    inputs: [part, inputs[2]],
    params: { n: items, cols: shape.n, slices: c.slices },
    constants: { BIAS: epilogue.BIAS, ACT: epilogue.ACT, WG, PER: 1 },
    workgroups: Math.ceil(items / WG),
  });
  return [sliceableDispatch(c.body, inputs, shape, bare, c.slices, part), sum];
}

/** The dispatches of candidate `c` for this product; `inputs` are a, b and the bias (b again when there is none). */
export function matmulDispatches(
  c: MatmulCandidate,
  inputs: readonly GPUBuffer[],
  shape: MatmulShape,
  bias: boolean,
  act: number,
): KernelDispatch[] {
  const epilogue = { TRANS_A: shape.transposeA, TRANS_B: shape.transposeB, BIAS: bias, ACT: act };
  switch (c.kind) {
    case 'slicedK':
      return slicedDispatches(c, inputs, shape, epilogue);
    case 'splitK': {
      const blocksPerRow = Math.ceil(shape.n / 4);
      const blocks = Math.ceil(shape.m / 4) * blocksPerRow;
      const params = { m: shape.m, n: shape.n, k: shape.k, blocksPerRow, blocks };
      const kernel = c.subgroups ? SHADERS.matmulSplitKSubgroups : SHADERS.matmulSplitK;
      const constants = { SPLIT: c.split, ...epilogue };
      return [kernel.dispatch({ inputs, params, constants, workgroups: blocks })];
    }
    default:
      return [sliceableDispatch(c, inputs, shape, epilogue)];
  }
}

/** The shader of each candidate kind (for tests that check which kernel a shape reaches); split-K across dispatches ends with its sum. */
export function candidateShader(c: MatmulCandidate): ShaderSource {
  if (c.kind === 'splitK' && c.subgroups) return SHADERS.matmulSplitKSubgroups;
  return {
    register: SHADERS.matmulRegister,
    vec4: SHADERS.matmulVec4,
    tiled: SHADERS.matmulTiled,
    splitK: SHADERS.matmulSplitK,
    slicedK: SHADERS.matmulSlicesSum,
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
