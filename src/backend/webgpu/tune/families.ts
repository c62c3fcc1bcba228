/**
 * The kernel families the autotuner times, behind one interface: each gives a shape's class (the
 * key a choice is kept under), the rule's kernel, the candidates for a device, and the names the
 * cache stores. Matmul candidates live in kernels/matmul.ts, conv ones in kernels/conv-candidates.ts,
 * reduction ones in kernels/reduce-candidates.ts.
 */
import { fmtShape } from '../../../errors';
import type { ConvShape, KernelEnv, ReduceShape, TunedCandidate, TunedShape } from '../kernel-types';
import {
  builtinConv,
  convCandidateId,
  convCandidates,
  convDeviceFits,
  parseConvCandidate,
} from '../kernels/conv-candidates';
import {
  builtinMatmul,
  candidateId,
  type DeviceFeatures,
  deviceFits,
  matmulCandidates,
  parseCandidate,
  shapeFits,
  vec4Fits,
  type WorkgroupLimits,
} from '../kernels/matmul-candidates';
import {
  builtinReduce,
  parseReduceCandidate,
  reduceCandidateId,
  reduceCandidates,
  reduceCost,
  reduceDeviceFits,
  reduceShapeFits,
} from '../kernels/reduce-candidates';
import { reduceExtent } from '../kernels/reduce-shapes';

/** What the families' rules and pools depend on. */
export type TunerEnv = Pick<KernelEnv, 'matmulVariant' | 'workgroupSize' | 'elementsPerThread' | 'subgroups'>;

export const isConvShape = (shape: TunedShape): shape is ConvShape => 'op' in shape;
export const isReduceShape = (shape: TunedShape): shape is ReduceShape => 'reduce' in shape;

/** Sizes in one power-of-two bucket (exact up to 16) share a choice. */
const bucket = (x: number) => (x <= 16 ? x : 2 ** Math.ceil(Math.log2(x)));

/**
 * The class a shape's choice is kept under. Products of sizes in one bucket share one, and so do
 * their transposes and vec4 fit; convolutions share one per mode, geometry and batch bucket;
 * reductions one per op, layout and bucket of outputs and of terms per output.
 */
export function shapeClass(shape: TunedShape): string {
  if (isReduceShape(shape)) {
    const { outputs, length, layout } = reduceExtent(shape);
    return `${shape.reduce} ${layout} ${bucket(outputs)}x${bucket(length)}`;
  }
  if (isConvShape(shape)) {
    const [batch, ...image] = shape.x;
    const [sH, sW] = shape.strides;
    return `${shape.op} x${fmtShape([bucket(batch), ...image])} w${fmtShape(shape.w)} s${sH}x${sW} ${shape.padding}`;
  }
  const t = `${shape.transposeA ? 'T' : 'N'}${shape.transposeB ? 'T' : 'N'}`;
  return `matmul ${t} ${bucket(shape.m)}x${bucket(shape.k)}x${bucket(shape.n)}${vec4Fits(shape) ? '' : ' unaligned'}`;
}

/** Multiply-adds of the kernel (a reduction's in kind, reduceCost), so the budget goes to the largest first. */
export function shapeCost(shape: TunedShape): number {
  if (isReduceShape(shape)) return reduceCost(shape);
  if (!isConvShape(shape)) return shape.m * shape.n * shape.k;
  const [batch, inH, inW] = shape.x;
  const [kH, kW, inC, outC] = shape.w;
  return (batch * inH * inW * kH * kW * inC * outC) / (shape.strides[0] * shape.strides[1]);
}

/** The built-in rule's kernel for a shape. */
export function builtinFor(env: TunerEnv, shape: TunedShape): TunedCandidate {
  if (isReduceShape(shape)) return builtinReduce(shape);
  return isConvShape(shape) ? builtinConv(env, shape) : builtinMatmul(env, shape);
}

/** What tuning may time for a shape on a device, most promising first, the rule's excluded. */
export function candidatesFor(
  shape: TunedShape,
  env: TunerEnv,
  limits: WorkgroupLimits,
  thorough: boolean,
): TunedCandidate[] {
  if (isReduceShape(shape)) return reduceCandidates(shape, env, limits, thorough);
  return isConvShape(shape)
    ? convCandidates(shape, env, limits, thorough)
    : matmulCandidates(shape, env, limits, thorough);
}

/** A candidate's name, as the cache and getBackendInfo() show it. */
export function tunedId(c: TunedCandidate): string {
  if (c.kind === 'reduce') return reduceCandidateId(c);
  return c.kind === 'conv' ? convCandidateId(c) : candidateId(c);
}

/**
 * The candidate a name stands for, if it is one this shape's family gives and it fits the device
 * (its limits, and its features: a stored subgroup kernel is refused where subgroups are not on).
 */
export function parseTuned(
  id: string,
  shape: TunedShape,
  limits: WorkgroupLimits,
  features: DeviceFeatures = { subgroups: false },
): TunedCandidate | undefined {
  if (isReduceShape(shape)) {
    const c = parseReduceCandidate(id);
    return c && reduceShapeFits(c, shape) && reduceDeviceFits(c, limits, features.subgroups) ? c : undefined;
  }
  if (isConvShape(shape)) {
    const c = parseConvCandidate(id);
    return c && convDeviceFits(c, limits) ? c : undefined;
  }
  const c = parseCandidate(id);
  return c && shapeFits(c, shape) && deviceFits(c, limits, features) ? c : undefined;
}
