/**
 * The kernel families the autotuner times, behind one interface: each gives a shape's class (the
 * key a choice is kept under), the rule's kernel, the candidates for a device, and the names the
 * cache stores. Matmul candidates live in kernels/matmul.ts, conv ones in kernels/conv-candidates.ts.
 */
import { fmtShape } from '../../../errors';
import type { ConvShape, KernelEnv, TunedCandidate, TunedShape } from '../kernel-types';
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

/** What the families' rules and pools depend on. */
export type TunerEnv = Pick<KernelEnv, 'matmulVariant' | 'workgroupSize' | 'elementsPerThread' | 'subgroups'>;

export const isConvShape = (shape: TunedShape): shape is ConvShape => 'op' in shape;

/** Sizes in one power-of-two bucket (exact up to 16) share a choice. */
const bucket = (x: number) => (x <= 16 ? x : 2 ** Math.ceil(Math.log2(x)));

/**
 * The class a shape's choice is kept under. Products of sizes in one bucket share one, and so do
 * their transposes and vec4 fit; convolutions share one per mode, geometry and batch bucket.
 */
export function shapeClass(shape: TunedShape): string {
  if (isConvShape(shape)) {
    const [batch, ...image] = shape.x;
    const [sH, sW] = shape.strides;
    return `${shape.op} x${fmtShape([bucket(batch), ...image])} w${fmtShape(shape.w)} s${sH}x${sW} ${shape.padding}`;
  }
  const t = `${shape.transposeA ? 'T' : 'N'}${shape.transposeB ? 'T' : 'N'}`;
  return `matmul ${t} ${bucket(shape.m)}x${bucket(shape.k)}x${bucket(shape.n)}${vec4Fits(shape) ? '' : ' unaligned'}`;
}

/** Multiply-adds of the kernel, so the budget goes to the largest first. */
export function shapeCost(shape: TunedShape): number {
  if (!isConvShape(shape)) return shape.m * shape.n * shape.k;
  const [batch, inH, inW] = shape.x;
  const [kH, kW, inC, outC] = shape.w;
  return (batch * inH * inW * kH * kW * inC * outC) / (shape.strides[0] * shape.strides[1]);
}

/** The built-in rule's kernel for a shape. */
export function builtinFor(env: TunerEnv, shape: TunedShape): TunedCandidate {
  return isConvShape(shape) ? builtinConv(env, shape) : builtinMatmul(env, shape);
}

/** What tuning may time for a shape on a device, most promising first, the rule's excluded. */
export function candidatesFor(
  shape: TunedShape,
  env: TunerEnv,
  limits: WorkgroupLimits,
  thorough: boolean,
): TunedCandidate[] {
  return isConvShape(shape)
    ? convCandidates(shape, env, limits, thorough)
    : matmulCandidates(shape, env, limits, thorough);
}

/** A candidate's name, as the cache and getBackendInfo() show it. */
export function tunedId(c: TunedCandidate): string {
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
  if (isConvShape(shape)) {
    const c = parseConvCandidate(id);
    return c && convDeviceFits(c, limits) ? c : undefined;
  }
  const c = parseCandidate(id);
  return c && shapeFits(c, shape) && deviceFits(c, limits, features) ? c : undefined;
}
