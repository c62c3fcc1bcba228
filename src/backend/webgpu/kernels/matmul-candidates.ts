/**
 * The matmul family's candidates (kernel-types.ts MatmulCandidate): the built-in rule, the names
 * the tuning cache stores, what fits a shape and a device, and what tuning may time for a shape
 * (`matmulCandidates`). kernels/matmul.ts lowers a candidate to its dispatches.
 */
import type { KernelEnv, MatmulCandidate, MatmulShape, SliceableMatmul } from '../kernel-types';

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

/**
 * Split-K across dispatches keeps [slices, M, N] partial sums in a temporary of at most this many
 * bytes. Every WebGPU device binds at least 128 MiB (the default maxStorageBufferBindingSize, which
 * no adapter may go below), so a candidate within it fits any device.
 */
export const MAX_SLICED_SCRATCH_BYTES = 64 * 1024 * 1024;
/** Parts of k a slicedK candidate may have, and the shortest part the pools give one. */
const MAX_SLICES = 64;
const MIN_SLICE_K = 128;

/** The limits a candidate must fit (GPUSupportedLimits' names). */
export interface WorkgroupLimits {
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupSizeY: number;
  readonly maxComputeWorkgroupStorageSize: number;
}

/** What a device offers beside its limits: subgroup operations (KernelEnv's flag). */
export type DeviceFeatures = Pick<KernelEnv, 'subgroups'>;

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
      return `splitK ${c.split}${c.subgroups ? ' subgroups' : ''}`;
    case 'slicedK':
      return `slicedK ${c.slices} ${candidateId(c.body)}`;
  }
}

const isSliceable = (c: MatmulCandidate): c is SliceableMatmul =>
  c.kind === 'register' || c.kind === 'vec4' || c.kind === 'tiled';

/** The candidate a name of `candidateId` stands for, or undefined for a name it never gives. */
export function parseCandidate(id: string): MatmulCandidate | undefined {
  const sliced = /^slicedK (\d+) (.+)$/.exec(id);
  if (sliced) {
    const body = parseCandidate(sliced[2]);
    return body && isSliceable(body) ? { kind: 'slicedK', slices: Number(sliced[1]), body } : undefined;
  }
  const match = /^(register wg|vec4 |tiled |splitK )(\d+)(?:x(\d+))?( subgroups)?$/.exec(id);
  if (!match) return undefined;
  const [a, b] = [Number(match[2]), Number(match[3])];
  if (match[4])
    return match[1] === 'splitK ' && !match[3] ? { kind: 'splitK', split: a, subgroups: true } : undefined;
  if (match[1] === 'vec4 ') return match[3] ? { kind: 'vec4', tx: a, ty: b } : undefined;
  if (match[3]) return undefined;
  if (match[1] === 'register wg') return { kind: 'register', wg: a };
  return match[1] === 'tiled ' ? { kind: 'tiled', ts: a } : { kind: 'splitK', split: a };
}

const isPowerOfTwo = (x: number) => x > 0 && (x & (x - 1)) === 0;

/** Bytes of the partial sums a slicedK candidate keeps for this shape. */
export const slicedScratchBytes = (slices: number, { m, n }: MatmulShape) => slices * m * n * 4;

/**
 * Whether the candidate computes this shape: the vec4 kernel's alignment (a slicedK's body's
 * too), and a slicedK's partial sums within MAX_SLICED_SCRATCH_BYTES.
 */
export function shapeFits(c: MatmulCandidate, shape: MatmulShape): boolean {
  if (c.kind === 'slicedK')
    return shapeFits(c.body, shape) && slicedScratchBytes(c.slices, shape) <= MAX_SLICED_SCRATCH_BYTES;
  return c.kind !== 'vec4' || vec4Fits(shape);
}

/** Whether the candidate's workgroup fits the device's limits, and its subgroup use the device. */
export function deviceFits(c: MatmulCandidate, limits: WorkgroupLimits, features: DeviceFeatures): boolean {
  if (c.kind === 'slicedK') {
    const slices = Number.isInteger(c.slices) && c.slices >= 2 && c.slices <= MAX_SLICES;
    return slices && deviceFits(c.body, limits, features);
  }
  const [x, y, storage] =
    c.kind === 'register'
      ? [c.wg, 1, 0]
      : c.kind === 'vec4'
        ? [c.tx, c.ty, 0]
        : c.kind === 'tiled'
          ? [c.ts, c.ts, 2 * c.ts * c.ts * 16]
          : [c.split, 1, 4 * c.split * 16];
  // Threads 0..3 write the block's rows, so a workgroup has 4 at least.
  if (c.kind === 'splitK' && (!isPowerOfTwo(c.split) || c.split < 4)) return false;
  if (c.kind === 'splitK' && c.subgroups && !features.subgroups) return false;
  return (
    x * y <= limits.maxComputeInvocationsPerWorkgroup &&
    x <= limits.maxComputeWorkgroupSizeX &&
    y <= limits.maxComputeWorkgroupSizeY &&
    storage <= limits.maxComputeWorkgroupStorageSize
  );
}

/** Workgroups a sliceable kernel runs over the whole of k. */
function workgroupsOf(c: SliceableMatmul, { m, n }: MatmulShape): number {
  const blocks = (h: number, w: number) => Math.ceil(m / h) * Math.ceil(n / w);
  if (c.kind === 'tiled') return blocks(4 * c.ts, 4 * c.ts);
  if (c.kind === 'vec4') return blocks(8 * c.ty, 8 * c.tx);
  return Math.ceil(blocks(4, 4) / c.wg);
}

/**
 * Split-K across dispatches with `body`, where the body alone runs fewer workgroups than `target`
 * (else none): parts enough (a power of two, 2..64) for its workgroups times the parts to reach
 * `target`, none shorter than MIN_SLICE_K; `scale` doubles or halves that count ('thorough' times
 * the neighbours).
 */
function sliced(body: SliceableMatmul, shape: MatmulShape, target: number, scale = 1): MatmulCandidate[] {
  const units = workgroupsOf(body, shape);
  if (units >= target) return [];
  let slices = 2;
  while (slices < MAX_SLICES && units * slices < target && shape.k / (2 * slices) >= MIN_SLICE_K) slices *= 2;
  return [{ kind: 'slicedK', slices: Math.min(MAX_SLICES, Math.max(2, slices * scale)), body }];
}

/** Workgroups split-K across dispatches aims for: a few per compute unit of a big GPU, one per core of a CPU emulation. */
const GPU_TARGET_WORKGROUPS = 256;
const EMULATION_TARGET_WORKGROUPS = 16;

/**
 * What tuning may time for a shape, most promising first (the budget may stop before the end),
 * the built-in choice excluded. CPU emulations get register-blocked workgroup shapes; GPUs get
 * shared-memory tile sizes. Where the product has few outputs for its K, both get split-K across
 * dispatches first where their kernel alone would leave the device's cores idle, and GPUs split-K
 * within a workgroup (by subgroups where the device has them).
 * 'thorough' adds the rest of each family.
 */
export function matmulCandidates(
  shape: MatmulShape,
  env: Pick<KernelEnv, 'matmulVariant'> & Partial<DeviceFeatures>,
  limits: WorkgroupLimits,
  thorough: boolean,
): MatmulCandidate[] {
  const features = { subgroups: env.subgroups ?? false };
  const longK = shape.k >= 4 * Math.sqrt(shape.m * shape.n);
  const sliceable = longK && shape.k >= 2 * MIN_SLICE_K;
  const emulated: SliceableMatmul = vec4Fits(shape)
    ? { kind: 'vec4', tx: 8, ty: 4 }
    : { kind: 'register', wg: 64 };
  const register: MatmulCandidate[] = [
    ...(sliceable ? sliced(emulated, shape, EMULATION_TARGET_WORKGROUPS) : []),
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
  const tiled8 = { kind: 'tiled', ts: 8 } as const;
  const gpu: MatmulCandidate[] = [
    ...(sliceable ? sliced(tiled8, shape, GPU_TARGET_WORKGROUPS) : []),
    ...(longK && features.subgroups ? [{ kind: 'splitK', split: 64, subgroups: true } as const] : []),
    ...(longK ? ([{ kind: 'splitK', split: 64 }] as const) : []),
    tiled8,
    { kind: 'vec4', tx: 8, ty: 4 },
    { kind: 'register', wg: 64 },
    ...(thorough
      ? ([
          { kind: 'tiled', ts: 16 },
          { kind: 'tiled', ts: 4 },
          { kind: 'splitK', split: 32 },
          { kind: 'splitK', split: 128 },
          { kind: 'splitK', split: 256 },
          { kind: 'splitK', split: 32, subgroups: true },
          { kind: 'splitK', split: 256, subgroups: true },
          { kind: 'vec4', tx: 16, ty: 4 },
          { kind: 'register', wg: 128 },
        ] as const)
      : []),
    ...(thorough && sliceable
      ? [
          ...sliced(tiled8, shape, GPU_TARGET_WORKGROUPS, 2),
          ...sliced(tiled8, shape, GPU_TARGET_WORKGROUPS, 0.5),
          ...sliced({ kind: 'tiled', ts: 16 }, shape, GPU_TARGET_WORKGROUPS),
          ...sliced({ kind: 'register', wg: 64 }, shape, GPU_TARGET_WORKGROUPS),
          ...sliced({ kind: 'vec4', tx: 8, ty: 4 }, shape, GPU_TARGET_WORKGROUPS),
        ]
      : []),
  ];
  const pool = env.matmulVariant === 'register' ? [...register, ...(thorough ? gpu : [])] : gpu;
  const builtin = candidateId(builtinMatmul(env, shape));
  const seen = new Set([builtin]);
  return pool.filter((c) => {
    const id = candidateId(c);
    if (seen.has(id) || !shapeFits(c, shape) || !deviceFits(c, limits, features)) return false;
    seen.add(id);
    return true;
  });
}
