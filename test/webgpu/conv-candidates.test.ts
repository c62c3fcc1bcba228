/**
 * Every conv kernel tuning may pick (kernels/conv-candidates.ts `convCandidates`, both pools,
 * 'thorough', plus each rule's own), forced in turn through the backend's `choices`, against the
 * CPU on fresh random inputs, outputs poisoned with NaN, in the mode it was offered for: the
 * forward with the fused bias + tanh epilogue, the input gradient and the filter gradient. Shapes
 * are odd (ragged filter blocks, strides that skip, 'same' padding on both sides, a batch and a
 * filter count that fill no workgroup), and each case first checks the forced candidate is the
 * one that runs. Also: the pools stay within the device's workgroup limits, and a cached choice
 * beyond them is never used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvCandidate, ConvOp, ConvShape } from '../../src/backend/webgpu/kernel-types';
import {
  builtinConv,
  chooseConv,
  convCandidateId,
  convCandidates,
  parseConvCandidate,
} from '../../src/backend/webgpu/kernels/conv-candidates';
import { parseTuned } from '../../src/backend/webgpu/tune/families';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { runOp } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import { ACCUMULATING, createGpu, expectClose, onBoth, randn } from './harness';

let gpu: WebGPUBackend;
let forced: ConvCandidate | undefined;
beforeAll(async () => {
  gpu = await createGpu({ choices: { matmul: () => undefined, conv: () => forced } });
});
afterAll(() => gpu?.destroy());

/** [2, 7, 6, 3] input, 3x2 filters of 11 (a full block of 8 and a ragged one, or 2 blocks of 4 and a ragged one), stride 2x1, 'same'. */
const GEOMETRY = {
  x: [2, 7, 6, 3],
  w: [3, 2, 3, 11],
  strides: [2, 1] as [number, number],
  padding: 'same' as const,
};
const shapeFor = (op: ConvOp): ConvShape => ({ op, ...GEOMETRY });
const OPS: ConvOp[] = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'];

const ENVS = [
  { matmulVariant: 'register', workgroupSize: 64, elementsPerThread: 32 },
  { matmulVariant: 'tiled', workgroupSize: 64, elementsPerThread: 8 },
] as const;

/** Every candidate either pool offers for the mode, deduplicated, with both rules' choices. */
function everyCandidate(op: ConvOp): ConvCandidate[] {
  const shape = shapeFor(op);
  const all = ENVS.flatMap((env) => [
    builtinConv(env, shape),
    ...convCandidates(shape, env, gpu.device.limits, true),
  ]);
  return [...new Map(all.map((c) => [convCandidateId(c), c])).values()];
}

/** The mode's output on both backends, the candidate forced. */
async function runMode(op: ConvOp) {
  const { x, w, strides, padding } = GEOMETRY;
  const opts = { strides, padding };
  const outShape = [x[0], Math.ceil(x[1] / strides[0]), Math.ceil(x[2] / strides[1]), w[3]];
  if (op === 'conv2d') {
    return onBoth(gpu, [randn(x), randn(w), randn([w[3]])], (a, b, bias) =>
      ops.fusedConv2d(a, b, bias, { ...opts, activation: 'tanh' }),
    );
  }
  if (op === 'conv2dBackpropInput') {
    return onBoth(gpu, [randn(outShape), randn(w)], (dy, b) =>
      runOp('conv2dBackpropInput', [dy, b], { ...opts, inputShape: x }),
    );
  }
  return onBoth(gpu, [randn(x), randn(outShape)], (a, dy) =>
    runOp('conv2dBackpropFilter', [a, dy], { ...opts, filterShape: w }),
  );
}

describe('every conv candidate tuning may pick, against the CPU', () => {
  for (const op of OPS) {
    it(`${op}: each candidate on odd shapes`, async () => {
      const candidates = everyCandidate(op);
      expect(candidates.length).toBeGreaterThan(op === 'conv2dBackpropFilter' ? 3 : 8);
      for (const c of candidates) {
        forced = c;
        const label = `${op} ${convCandidateId(c)}`;
        expect(convCandidateId(chooseConv(gpu.env, shapeFor(op))), label).toBe(convCandidateId(c));
        const r = await runMode(op);
        expectClose(label, r.gpu, r.cpu, ACCUMULATING, 1);
      }
    }, 300_000);
  }

  it('the forward offers 4 filters per item, the filter gradient one item per thread', () => {
    const forward = everyCandidate('conv2d');
    expect(forward.some((c) => c.filters === 4)).toBe(true);
    expect(everyCandidate('conv2dBackpropInput').every((c) => c.filters === 8)).toBe(true);
    expect(everyCandidate('conv2dBackpropFilter').every((c) => c.per === 1)).toBe(true);
  });
});

describe('conv candidates and the device', () => {
  const small = {
    maxComputeInvocationsPerWorkgroup: 64,
    maxComputeWorkgroupSizeX: 64,
    maxComputeWorkgroupSizeY: 64,
    maxComputeWorkgroupStorageSize: 16384,
  };

  it('offers no workgroup beyond the limits, and never the rule again', () => {
    for (const op of OPS) {
      for (const env of ENVS) {
        const shape = shapeFor(op);
        const pool = convCandidates(shape, env, small, true);
        expect(pool.length, `${op} ${env.matmulVariant}`).toBeGreaterThan(0);
        expect(pool.every((c) => c.wg <= 64)).toBe(true);
        const ids = pool.map(convCandidateId);
        expect(ids).not.toContain(convCandidateId(builtinConv(env, shape)));
        expect(new Set(ids).size).toBe(ids.length);
      }
    }
  });

  it('names round-trip, and a cached choice the device cannot run is dropped', () => {
    for (const c of everyCandidate('conv2d')) expect(parseConvCandidate(convCandidateId(c))).toEqual(c);
    expect(parseConvCandidate('conv wg0 per1')).toBeUndefined();
    expect(parseConvCandidate('tiled 16')).toBeUndefined();
    const shape = shapeFor('conv2d');
    expect(parseTuned('conv wg256 per1', shape, small)).toBeUndefined();
    expect(parseTuned('conv wg64 per2 f4', shape, small)).toEqual({
      kind: 'conv',
      wg: 64,
      per: 2,
      filters: 4,
    });
    // A matmul's name for a convolution's class (a hand-edited cache) is not a conv kernel.
    expect(parseTuned('vec4 8x4', shape, small)).toBeUndefined();
  });
});
