/**
 * The conv family's kernel choices: shaders/conv.wgsl in each of its three modes, with override
 * values as the candidates (a ConvCandidate): threads per workgroup (WG), work items per thread
 * (PER) and, for the forward, filters per work item (FB, 8 or 4). `builtinConv` is the rule used
 * without tuning; `convCandidates` lists what the autotuner (tune/) may time for a shape on a device;
 * `convDispatches` lowers any candidate that fits the device to its dispatch.
 */
import { windowGeometry } from '../../../graph/conv-geometry';
import type { ConvCandidate, ConvShape, GpuInput, KernelDispatch, KernelEnv } from '../kernel-types';
import { SHADERS } from '../shaders';
import type { WorkgroupLimits } from './matmul-candidates';

/** Workgroups the few-long-outputs mode aims for, so every core of a CPU emulation gets some. */
const MIN_WORKGROUPS = 8;

const MODES = { conv2d: 0, conv2dBackpropInput: 1, conv2dBackpropFilter: 2 } as const;

/** The output of the mode: y for the forward, dx for backpropInput, dw for backpropFilter. */
function outputSize({ op, x, w, strides, padding }: ConvShape, filters: number): number {
  const [batch, inH, inW, inC] = x;
  const [kH, kW, , outC] = w;
  if (op === 'conv2dBackpropInput') return batch * inH * inW * inC;
  if (op === 'conv2dBackpropFilter') return kH * kW * inC * outC;
  const { outH, outW } = windowGeometry(inH, inW, kH, kW, strides, padding);
  return batch * outH * outW * Math.ceil(outC / filters);
}

/** Elements of the forward's input, filter and output: what each mode reads and writes. */
export function convSizes({ x, w, strides, padding }: ConvShape): { x: number; w: number; y: number } {
  const [batch, inH, inW, inC] = x;
  const [kH, kW, , outC] = w;
  const { outH, outW } = windowGeometry(inH, inW, kH, kW, strides, padding);
  return { x: batch * inH * inW * inC, w: kH * kW * inC * outC, y: batch * outH * outW * outC };
}

/** Work items of the candidate's dispatch: forward items hold `filters` outputs each. */
export function convItems(shape: ConvShape, c: Pick<ConvCandidate, 'filters'>): number {
  return outputSize(shape, shape.op === 'conv2d' ? c.filters : 1);
}

/**
 * Today's rule: the map-like kernels' workgroup and items per thread (env), 8 filters per forward
 * item; the filter gradient (few long outputs) one per thread, in workgroups small enough that at
 * least MIN_WORKGROUPS of them share the outputs.
 */
export function builtinConv(
  env: Pick<KernelEnv, 'workgroupSize' | 'elementsPerThread'>,
  shape: ConvShape,
): ConvCandidate {
  if (shape.op !== 'conv2dBackpropFilter') {
    return { kind: 'conv', wg: env.workgroupSize, per: env.elementsPerThread, filters: 8 };
  }
  const n = outputSize(shape, 1);
  const spread = 2 ** Math.floor(Math.log2(Math.max(1, n / MIN_WORKGROUPS)));
  return { kind: 'conv', wg: Math.min(env.workgroupSize, Math.max(4, spread)), per: 1, filters: 8 };
}

/** The candidate a convolution runs: the tuned (or forced) choice where one is given, else the rule. */
export function chooseConv(env: KernelEnv, shape: ConvShape): ConvCandidate {
  return env.choices?.conv?.(shape) ?? builtinConv(env, shape);
}

/** A short name for a candidate, as the tuning cache and getBackendInfo() show it. */
export function convCandidateId(c: ConvCandidate): string {
  return `conv wg${c.wg} per${c.per}${c.filters === 4 ? ' f4' : ''}`;
}

/** The candidate a name of `convCandidateId` stands for, or undefined for a name it never gives. */
export function parseConvCandidate(id: string): ConvCandidate | undefined {
  const match = /^conv wg(\d+) per(\d+)( f4)?$/.exec(id);
  if (!match) return undefined;
  const [wg, per] = [Number(match[1]), Number(match[2])];
  if (!(wg >= 1 && per >= 1)) return undefined;
  return { kind: 'conv', wg, per, filters: match[3] ? 4 : 8 };
}

/** Whether the candidate's workgroup fits the device's limits. */
export function convDeviceFits(c: ConvCandidate, limits: WorkgroupLimits): boolean {
  return c.wg <= limits.maxComputeInvocationsPerWorkgroup && c.wg <= limits.maxComputeWorkgroupSizeX;
}

const conv = (wg: number, per: number, filters: 4 | 8 = 8): ConvCandidate => ({
  kind: 'conv',
  wg,
  per,
  filters,
});

/**
 * What tuning may time for a convolution, most promising first, the rule's own excluded. CPU
 * emulations (a fixed cost per invocation and workgroup) get more items per thread; GPUs (which
 * want threads in flight) fewer, and wider workgroups. The forward also gets 4 filters per item
 * (twice the items), the filter gradient only workgroup sizes (its outputs are few and long).
 * 'thorough' adds the rest of each.
 */
export function convCandidates(
  shape: ConvShape,
  env: Pick<KernelEnv, 'matmulVariant' | 'workgroupSize' | 'elementsPerThread'>,
  limits: WorkgroupLimits,
  thorough: boolean,
): ConvCandidate[] {
  const emulated = env.matmulVariant === 'register';
  let pool: ConvCandidate[];
  if (shape.op === 'conv2dBackpropFilter') {
    pool = [
      conv(16, 1),
      conv(32, 1),
      conv(64, 1),
      ...(thorough ? [conv(4, 1), conv(8, 1), conv(128, 1)] : []),
    ];
  } else {
    const quick = emulated
      ? [conv(64, 8), conv(32, 32), conv(64, 64), conv(128, 16)]
      : [conv(64, 1), conv(128, 2), conv(256, 1), conv(64, 4)];
    const more = emulated
      ? [conv(16, 64), conv(256, 8), conv(64, 32), conv(64, 1)]
      : [conv(32, 1), conv(128, 1), conv(256, 4), conv(64, 8)];
    pool = [...quick, ...(thorough ? more : [])];
    if (shape.op === 'conv2d') {
      const base = builtinConv(env, shape);
      pool.splice(1, 0, conv(base.wg, base.per, 4));
      if (thorough) pool.push(...quick.map((c) => conv(c.wg, c.per, 4)));
    }
  }
  const seen = new Set([convCandidateId(builtinConv(env, shape))]);
  return pool.filter((c) => {
    const id = convCandidateId(c);
    if (seen.has(id) || !convDeviceFits(c, limits)) return false;
    seen.add(id);
    return true;
  });
}

/**
 * The dispatch of candidate `c` for this convolution's mode. `inputs` are the mode's two (x and w
 * for the forward, dy and w for backpropInput, x and dy for backpropFilter); `bias` (forward only)
 * adds bias[f] and `act` applies the epilogue's activation.
 */
export function convDispatches(
  c: ConvCandidate,
  shape: ConvShape,
  inputs: readonly [GPUBuffer, GPUBuffer],
  bias: GPUBuffer | null,
  act: number,
): KernelDispatch[] {
  const n = convItems(shape, c);
  if (n === 0) return [];
  const [batch, inH, inW, inC] = shape.x;
  const [kH, kW, , outC] = shape.w;
  const [sH, sW] = shape.strides;
  const { outH, outW, padTop, padLeft } = windowGeometry(inH, inW, kH, kW, shape.strides, shape.padding);
  const params = { n, batch, inH, inW, inC, outH, outW, outC, kH, kW, sH, sW, padTop, padLeft };
  const forward = shape.op === 'conv2d';
  const constants = {
    MODE: MODES[shape.op],
    WG: c.wg,
    PER: c.per,
    ...(forward ? { FB: c.filters, BIAS: bias !== null, ACT: act } : {}),
  };
  return [
    SHADERS.conv.dispatch({
      inputs: [inputs[0], inputs[1], bias ?? inputs[1]],
      params,
      constants,
      workgroups: Math.ceil(n / (c.wg * c.per)),
    }),
  ];
}

/** A conv op's params: the adjoints also name the forward's input or filter shape. */
export interface ConvCallParams {
  readonly strides: readonly [number, number];
  readonly padding: 'same' | 'valid';
  readonly inputShape?: readonly number[];
  readonly filterShape?: readonly number[];
}

/** The convolution a conv op's call computes, as kernel choices key it. */
export function convShapeOf(
  op: ConvShape['op'],
  [first, second]: readonly Pick<GpuInput, 'shape'>[],
  params: ConvCallParams,
): ConvShape {
  const { strides, padding } = params;
  if (op === 'conv2dBackpropInput') return { op, x: params.inputShape!, w: second.shape, strides, padding };
  if (op === 'conv2dBackpropFilter') return { op, x: first.shape, w: params.filterShape!, strides, padding };
  return { op, x: first.shape, w: second.shape, strides, padding };
}
