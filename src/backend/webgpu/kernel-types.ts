/** What a WebGPU kernel is: a function from an op call to the dispatches that compute its output. */
import type { OpName, OpParams } from '../../graph/op-params';
import type { Shape } from '../../graph/shape';
import type { ParamBlock } from './params';
import type { OverrideConstants, ShaderSource } from './pipelines';

export interface GpuInput {
  readonly buffer: GPUBuffer;
  readonly shape: Shape;
}

/**
 * A kernel's temporary between its own dispatches (a split-K product's partial sums, a two-pass
 * reduction's partials): the call's temporary number `scratch` (0, 1, ...), of at least `bytes`.
 * A dispatch reads it by naming it among its `inputs` and writes it by naming it in `targets`.
 * The kernel only names it: whoever runs the dispatches sizes every temporary before allocating
 * (the largest `bytes` named for each number), binds one buffer per number and owns it: a
 * compiled plan for its lifetime (plan-record.ts), an eager op until its submit (webgpu-backend.ts).
 * Its contents are undefined until a dispatch of the same call writes them.
 */
export interface Scratch {
  readonly scratch: number;
  readonly bytes: number;
}

/** A storage binding of a dispatch: a buffer the kernel was given, or one of its temporaries. */
export type DispatchBuffer = GPUBuffer | Scratch;

/**
 * One compute dispatch (made by a declared kernel's `dispatch`, declare-kernel.ts): bindings are
 * `inputs` (read-only storage, in order), then the op's output buffer (or `outputs` buffers, or the
 * `targets`), then `params` as the uniform. `workgroups` is a count; the backend lays it out in
 * 2-D when it exceeds the 65535-per-dimension limit.
 */
export interface KernelDispatch {
  readonly shader: ShaderSource;
  readonly constants: OverrideConstants;
  readonly inputs: readonly DispatchBuffer[];
  /** The uniform's bytes, laid out as the kernel's generated `struct Params` (params.ts). */
  readonly params: ParamBlock;
  readonly workgroups: number;
  /**
   * Storage bindings written, after the inputs (default 1, the op's output): more for the kernels
   * of multi-output ops (an optimizer update writing each slot and the weight in one pass).
   */
  readonly outputs?: number;
  /**
   * The temporaries this dispatch writes instead of the op's outputs (a first pass whose result
   * only a later dispatch of the same kernel reads); absent, it writes the op's outputs.
   */
  readonly targets?: readonly Scratch[];
}

export type MatmulVariant = 'register' | 'tiled';

/** One matrix product C[m, n] = op(A) op(B), as a kernel choice sees it. */
export interface MatmulShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/**
 * The matmul kernels that can also compute slices of k (shaders/matmul-slices.wgsl): the
 * 4x4-per-thread register kernel with `wg` threads per workgroup, the 8x8 vec4 kernel with tx x ty
 * threads, the shared-memory tiled kernel with ts x ts threads (4ts x 4ts blocks of C).
 */
export type SliceableMatmul =
  | { readonly kind: 'register'; readonly wg: number }
  | { readonly kind: 'vec4'; readonly tx: number; readonly ty: number }
  | { readonly kind: 'tiled'; readonly ts: number };

/**
 * A matmul kernel and its override values (kernels/matmul-candidates.ts): a sliceable kernel
 * over the whole of k; split-K within a workgroup, `split` threads sharing the k loop of one 4x4
 * block (their partials added through workgroup memory, or with `subgroups` by subgroupAdd
 * first); or split-K across dispatches, `slices` parts of k each computed by `body` into a
 * temporary, then added up in slice order with the epilogue.
 */
export type MatmulCandidate =
  | SliceableMatmul
  | { readonly kind: 'splitK'; readonly split: number; readonly subgroups?: boolean }
  | { readonly kind: 'slicedK'; readonly slices: number; readonly body: SliceableMatmul };

/** The conv kernel's three modes (shaders/conv.wgsl): the forward and its two adjoints. */
export type ConvOp = 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter';

/** One convolution as a kernel choice sees it: the forward's input and filter, whichever mode runs. */
export interface ConvShape {
  readonly op: ConvOp;
  /** The forward's input, NHWC: [batch, inH, inW, inC]. */
  readonly x: readonly number[];
  /** The filter, HWIO: [kH, kW, inC, outC]. */
  readonly w: readonly number[];
  readonly strides: readonly [number, number];
  readonly padding: 'same' | 'valid';
}

/**
 * The conv kernel's override values (kernels/conv-candidates.ts): `wg` threads per workgroup,
 * `per` work items per thread and, for the forward, `filters` outputs per work item (4 or 8).
 */
export interface ConvCandidate {
  readonly kind: 'conv';
  readonly wg: number;
  readonly per: number;
  readonly filters: 4 | 8;
}

/** The reductions with a kernel choice (kernels/reduce-candidates.ts). */
export type ReduceOp = 'sum' | 'max' | 'channelMoments' | 'channelSums' | 'softmax' | 'logSoftmax';

/**
 * One reduction as a kernel choice sees it: x viewed as kept axes by reduced axes (each merged as
 * far as the layout allows, kernels/layout.ts `mergeAxes`), their sizes and their strides in x.
 * Each output folds the `length` = product of reducedShape terms at keptOffset(o) + reducedOffset(r).
 * Channel reductions keep the channel axis; softmax keeps every axis but its own.
 */
export interface ReduceShape {
  readonly reduce: ReduceOp;
  readonly keptShape: readonly number[];
  readonly keptStrides: readonly number[];
  readonly reducedShape: readonly number[];
  readonly reducedStrides: readonly number[];
}

/**
 * A reduction kernel and its override values (kernels/reduce-candidates.ts): `serial`, one thread
 * per output and `wg` outputs per workgroup; `tree`, one workgroup of `wg` threads per output
 * combined in workgroup memory; `subgroup`, the same with subgroup operations first (only where
 * the device has `subgroups`). A tree with `parts` > 1 (sum and max) is the first of two passes:
 * `parts` workgroups per output each fold a run of its terms into a temporary, which a serial
 * pass then folds.
 */
export interface ReduceCandidate {
  readonly kind: 'reduce';
  readonly mode: 'serial' | 'tree' | 'subgroup';
  readonly wg: number;
  /** Workgroups per output of a two-pass reduction; absent for one pass. */
  readonly parts?: number;
}

/** What the autotuner times: a matmul, a convolution or a reduction. */
export type TunedShape = MatmulShape | ConvShape | ReduceShape;
export type TunedCandidate = MatmulCandidate | ConvCandidate | ReduceCandidate;

/** Kernel choices made elsewhere (the autotuner, tune/tuner.ts); undefined keeps the built-in rule. */
export interface KernelChoices {
  matmul(shape: MatmulShape): MatmulCandidate | undefined;
  conv?(shape: ConvShape): ConvCandidate | undefined;
  reduce?(shape: ReduceShape): ReduceCandidate | undefined;
}

/** What kernels may know about the device when they choose a variant. */
export interface KernelEnv {
  readonly matmulVariant: MatmulVariant;
  /** Threads per workgroup for the one-element-per-thread kernels. */
  readonly workgroupSize: number;
  /** Elements per thread of the map-like kernels that loop over several (kernels/elementwise.ts `chunked`). */
  readonly elementsPerThread: number;
  /**
   * Whether the device has the `subgroups` feature (requested wherever the adapter offers it,
   * device.ts): only then may a kernel variant `enable subgroups;` and use subgroupAdd and the rest.
   * Their size is the adapter's business (4 on SwiftShader, 32 on NVIDIA, 32 or 64 on AMD), so a
   * variant must be correct for any size the builtin reports.
   */
  readonly subgroups: boolean;
  /** Tuned (or, in tests, forced) kernel choices; without them each kernel follows its rule. */
  readonly choices?: KernelChoices;
}

/** Returns every dispatch, in order; an empty list means the output has no elements. */
export type WebGPUKernel<K extends OpName> = (
  inputs: readonly GpuInput[],
  outShape: Shape,
  params: OpParams[K],
  env: KernelEnv,
) => KernelDispatch[];

export type WebGPUKernels<K extends OpName> = { readonly [P in K]: WebGPUKernel<P> };
