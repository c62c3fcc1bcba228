/**
 * The compiled CPU step's WebAssembly kernels (elementwise.wat, optimizer.wat, the matmul): for a
 * node whose operands all live in the kernel memory, a call on their byte offsets, or null where
 * no WebAssembly kernel covers the node (its op, params or layout) and the TypeScript kernel runs
 * on the views instead. The TypeScript kernels are the twins (test/cpu/wasm-kernels.test.ts).
 */
import type { OpName, OpParams } from '../../../graph/op-params';
import { splitAt } from '../../../graph/shape';
import type { CpuTensor } from '../types';
import { kernelModule } from '../wasm/modules';
import type { WasmRuntime } from '../wasm/runtime';
import channelBytes from './channel.wat';
import { wasmConvAvailable } from './conv-simd';
import { elementwiseKernels } from './elementwise';
import elementwiseBytes from './elementwise.wat';
import { reservedScratch } from './kernel-scratch';
import { wasmMatmulAvailable } from './matmul-simd';
import { nnKernels } from './nn';
import optimizerBytes from './optimizer.wat';
import { wasmPoolAvailable } from './pool-simd';
import { reductionSplit } from './reduce';
import { binaryCall } from './wasm-binary';

interface Elementwise {
  bias_act(c: number, bias: number, rows: number, n: number, act: number): void;
  activation_grad(dy: number, y: number, o: number, n: number, act: number): void;
  sum_split(a: number, o: number, outer: number, reduced: number, inner: number): void;
  /** (op, o, a, b, len, sa, sb, rows, ra, rb, outer, oa, ob): elementwise.wat's `binary` */
  binary(...args: number[]): void;
  relu(a: number, o: number, n: number): void;
}

/** channel.wat: x as [outer, channels, inner]; acc is 16 channels bytes of scratch. */
interface Channel {
  /** (x, center, scale, shift, o, outer, channels, inner) */
  channel_affine(...args: number[]): void;
  /** (x, o, outer, channels, inner, acc) */
  channel_moments(...args: number[]): void;
  /** (dy, x, center, o, outer, channels, inner, acc) */
  channel_sums(...args: number[]): void;
}

interface Optimizer {
  /** (w, g, m, v, m', v', w', n, b1, 1 - b1, b2, 1 - b2, epsilon, step size, decay) */
  adam(...args: number[]): void;
  sgd(w: number, g: number, vel: number, o: number, n: number, mu: number, lr: number, flags: number): void;
  /** (w, g, v, a, m, v', a', m', w', n, rho, 1 - rho, epsilon, momentum, lr); 0 for an output not wanted */
  rmsprop(...args: number[]): void;
}

/** Loads the modules and allocates their scratch (the matmul's panels) before a step makes views. */
export function prepareWasmKernels(): void {
  wasmMatmulAvailable();
  kernelModule('elementwise', elementwiseBytes);
  kernelModule('optimizer', optimizerBytes);
  kernelModule('channel', channelBytes);
  // The conv and pooling kernels' panels and the scratch their in-place calls use.
  wasmConvAvailable();
  wasmPoolAvailable();
}

export type WasmCall = (params: OpParams[OpName]) => void;

type Builder<K extends OpName> = (
  at: (t: CpuTensor) => number,
  inputs: readonly CpuTensor[],
  outs: readonly CpuTensor[],
  params: OpParams[K],
) => WasmCall | null;

const f32 = Math.fround;
const ACTIVATION_GRAD = { relu: 0, sigmoid: 1, tanh: 2 } as const;

const elementwise = () => kernelModule<Elementwise>('elementwise', elementwiseBytes)?.exports ?? null;
const optimizer = () => kernelModule<Optimizer>('optimizer', optimizerBytes)?.exports ?? null;
const channel = () => kernelModule<Channel>('channel', channelBytes)?.exports ?? null;

/** The ops of elementwise.wat's `binary`, each at its op code (the tests take every one). */
export const BINARY = [
  'add',
  'sub',
  'mul',
  'div',
  'equal',
  'notEqual',
  'greater',
  'greaterEqual',
  'less',
  'lessEqual',
] as const;
type BinaryOp = (typeof BINARY)[number];

const binaryBuilders = Object.fromEntries(
  BINARY.map((op, code): [BinaryOp, Builder<BinaryOp>] => [
    op,
    (at, inputs, [out]) => {
      const wasm = elementwise();
      return wasm ? binaryCall(wasm.binary, code, at, inputs, out) : null;
    },
  ]),
) as { [K in BinaryOp]: Builder<K> };

const builders: { [K in OpName]?: Builder<K> } = {
  ...binaryBuilders,
  relu: (at, [x], [out]) => {
    const wasm = elementwise();
    if (!wasm) return null;
    const [a, o, n] = [at(x), at(out), out.data.length];
    return () => wasm.relu(a, o, n);
  },
  channelAffine: (at, [x, center, scale, shift], [out], { axis }) => {
    const wasm = channel();
    if (!wasm) return null;
    const args = [x, center, scale, shift, out].map(at);
    const split = splitAt(x.shape, axis);
    return () => wasm.channel_affine(...args, ...split);
  },
  channelMoments: (at, [x], [out], { axis }) => {
    const wasm = channel();
    const split = splitAt(x.shape, axis);
    const acc = reservedScratch(split[1] * 16);
    if (!wasm || acc === null) return null;
    const [px, po] = [at(x), at(out)];
    return () => wasm.channel_moments(px, po, ...split, acc);
  },
  channelSums: (at, [dy, x, center], [out], { axis }) => {
    const wasm = channel();
    const split = splitAt(x.shape, axis);
    const acc = reservedScratch(split[1] * 16);
    if (!wasm || acc === null) return null;
    const args = [dy, x, center, out].map(at);
    return () => wasm.channel_sums(...args, ...split, acc);
  },
  fusedMatmul: (at, [a, b, bias], [out]) => {
    const wasm = elementwise();
    if (!wasm) return null;
    const n = out.shape[out.shape.length - 1];
    const rows = out.data.length / Math.max(n, 1);
    const [c, beta] = [at(out), at(bias)];
    return (params) => {
      const { activation } = params as OpParams['fusedMatmul'];
      nnKernels.matmul([a, b], out, params as OpParams['fusedMatmul']);
      wasm.bias_act(c, beta, rows, n, activation === 'relu' ? 1 : 0);
      if (activation === 'sigmoid' || activation === 'tanh') elementwiseKernels[activation]([out], out, {});
    };
  },
  activationGrad: (at, [dy, y], [out]) => {
    const wasm = elementwise();
    if (!wasm) return null;
    const [g, v, o, n] = [at(dy), at(y), at(out), out.data.length];
    return (params) => {
      wasm.activation_grad(g, v, o, n, ACTIVATION_GRAD[(params as OpParams['activationGrad']).activation]);
    };
  },
  sum: (at, [x], [out], { axes }) => {
    const split = reductionSplit(x.shape, axes);
    const wasm = elementwise();
    if (!split || !wasm) return null;
    const [a, o] = [at(x), at(out)];
    return () => wasm.sum_split(a, o, ...split);
  },
  adamUpdate: (at, inputs, outs) => {
    const wasm = optimizer();
    if (!wasm) return null;
    const [w, g, m, v, alpha, decay] = inputs.map(at);
    const targets = outs.map(at); // m', v', w'
    const n = outs[0].data.length;
    return (p) => {
      const { beta1, beta2, epsilon } = p as OpParams['adamUpdate'];
      wasm.adam(
        w,
        g,
        m,
        v,
        targets[0],
        targets[1],
        targets[2],
        n,
        f32(beta1),
        f32(1 - beta1),
        f32(beta2),
        f32(1 - beta2),
        f32(epsilon),
        alpha,
        decay,
      );
    };
  },
  sgdUpdate: (at, [w, g, velocity, lr], outs) => {
    const wasm = optimizer();
    if (!wasm) return null;
    // outs: [velocity', w'] with momentum, [w'] without; the module writes one of them per call
    // (flag 4: w'), each from the old velocity, which the step keeps in another set.
    const [pw, pg, pv, plr] = [at(w), at(g), at(velocity), at(lr)];
    const targets = outs.map(at);
    const n = outs[outs.length - 1].data.length;
    return (p) => {
      const { momentum, nesterov } = p as OpParams['sgdUpdate'];
      const flags = (momentum !== 0 ? 1 : 0) | (nesterov ? 2 : 0);
      if (targets.length === 2) wasm.sgd(pw, pg, pv, targets[0], n, momentum, plr, flags);
      wasm.sgd(pw, pg, pv, targets[targets.length - 1], n, momentum, plr, flags | 4);
    };
  },
  rmspropUpdate: (at, inputs, outs, { centered, momentum }) => {
    const wasm = optimizer();
    if (!wasm) return null;
    const [w, g, v, a, m, lr] = inputs.map(at);
    // outs: velocity', then average' when centred and momentum' with momentum, then w' (op-params.ts
    // `outputNames`); which of them exist is fixed when the op is made, so it is read now.
    const targets = outs.map(at);
    const ov = targets[0];
    const oa = centered ? targets[1] : 0;
    const om = momentum === 0 ? 0 : targets[targets.length - 2];
    const ow = targets[targets.length - 1];
    const n = outs[0].data.length;
    return (p) => {
      const { rho, epsilon, momentum: mu } = p as OpParams['rmspropUpdate'];
      wasm.rmsprop(w, g, v, a, m, ov, oa, om, ow, n, f32(rho), f32(1 - rho), f32(epsilon), f32(mu), lr);
    };
  },
};

/**
 * A WebAssembly call for a node of `op`, or null (no kernel for it, or an operand outside the
 * kernel memory). Offsets are taken now; params are read at each call (setParams may change them).
 */
export function wasmCall<K extends OpName>(
  runtime: WasmRuntime,
  op: K,
  inputs: readonly CpuTensor[],
  outs: readonly CpuTensor[],
  params: OpParams[K],
): WasmCall | null {
  const build = builders[op] as Builder<K> | undefined;
  if (!build) return null;
  const all = [...inputs, ...outs];
  if (all.some((t) => !(t.data instanceof Float32Array) || runtime.offsetOf(t.data) < 0)) return null;
  return build((t) => runtime.offsetOf(t.data), inputs, outs, params);
}
