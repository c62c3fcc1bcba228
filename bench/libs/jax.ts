// jax-js on WebGPU. It has no layers or fit, so the training loop is written the way its README
// teaches: a loss over a parameter tree, valueAndGrad, Adam by hand, the whole step under jit.
// Batches are shuffled and cut on the host (seeded) and uploaded per step; the loss is read back
// every step, as our fit and a user's loop showing progress do. W4 (Conv2D + BatchNorm + MaxPool)
// is not written by hand here: the runner records it as not run.

import type * as Jax from '@jax-js/jax';
import { InvalidArgumentError, Random } from '../../src/index';
import { type Dataset, glorot } from '../data';
import { type Library, type ModelKind, UnsupportedWorkloadError } from './library';

let jax: typeof Jax;
type Arr = Jax.Array;
type Params = { w: Arr; b: Arr }[];

const SIZES: Record<Exclude<ModelKind, 'cnn'>, number[]> = { mlp: [784, 256, 128, 10], tabular: [4, 16, 3] };
const [B1, B2, EPS, LR] = [0.9, 0.999, 1e-7, 1e-3];

/** Mean categorical cross-entropy of softmax(MLP(x)) against one-hot y, relu between layers. */
function loss(p: Params, x: Arr, y: Arr): Arr {
  const { numpy: np, nn } = jax;
  let h = x;
  p.forEach(({ w, b }, i) => {
    const z = np.matmul(h, w).add(b);
    h = i < p.length - 1 ? nn.relu(z) : z;
  });
  return np.sum(nn.logSoftmax(h, -1).mul(y), -1).mean().neg();
}

/** One Adam step; `lrT` is the bias-corrected step size lr * sqrt(1 - b2^t) / (1 - b1^t). */
function adamStep(p: Params, m: Params, v: Params, x: Arr, y: Arr, lrT: Arr) {
  const { numpy: np, tree } = jax;
  const [value, g] = jax.valueAndGrad(loss)(tree.ref(p), x, y);
  const m2 = tree.map((mi: Arr, gi: Arr) => mi.mul(B1).add(gi.mul(1 - B1)), m, tree.ref(g)) as Params;
  const v2 = tree.map((vi: Arr, gi: Arr) => vi.mul(B2).add(gi.ref.mul(gi).mul(1 - B2)), v, g) as Params;
  const p2 = tree.map(
    (pi: Arr, mi: Arr, vi: Arr) => pi.sub(mi.mul(lrT.ref).div(np.sqrt(vi).add(EPS))),
    p,
    tree.ref(m2),
    tree.ref(v2),
  ) as Params;
  lrT.dispose();
  return [p2, m2, v2, value] as [Params, Params, Params, Arr];
}

export const jaxjs: Library = {
  async init(backend) {
    if (backend !== 'webgpu') {
      throw new InvalidArgumentError(
        `jax-js: only the 'webgpu' device is benchmarked, received '${backend}'`,
      );
    }
    jax = await import('@jax-js/jax');
    const devices = await jax.init('webgpu');
    if (!devices.includes('webgpu')) throw new Error(`jax-js: init('webgpu') gave devices [${devices}]`);
    jax.defaultDevice('webgpu');
    const info = (await navigator.gpu.requestAdapter())?.info;
    return { description: `jax-js webgpu (${info?.vendor ?? '?'} ${info?.architecture ?? ''})`.trim() };
  },

  async matmul(a, b, chain = 1) {
    const np = jax.numpy;
    const ta = np.array(a.data, { shape: a.shape });
    const tb = np.array(b.data, { shape: b.shape });
    // jax-js consumes its arguments: .ref keeps ta and tb, and each product consumes the previous one.
    const once = async () => {
      let c = np.matmul(ta.ref, tb.ref);
      for (let k = 1; k < chain; k++) c = np.matmul(c, tb.ref);
      await c.data();
    };
    await once();
    return { run: once, dispose: () => jax.tree.dispose([ta, tb]) };
  },

  async trainer(kind, data: Dataset, warm: Dataset, fit) {
    if (kind === 'cnn') throw new UnsupportedWorkloadError('jax-js', 'W4', 'no layers; CNN not hand-written');
    const np = jax.numpy;
    const sizes = SIZES[kind];
    const zeros = (n: number) => np.zeros([n]);
    let params: Params = sizes.slice(1).map((out, i) => ({
      w: np.array(glorot(sizes[i], out, 100 + i), { shape: [sizes[i], out] }),
      b: zeros(out),
    }));
    const zerosLike = () => params.map(({ w, b }) => ({ w: np.zeros(w.shape), b: zeros(b.shape[0]) }));
    let [m, v] = [zerosLike(), zerosLike()];
    const step = jax.jit(adamStep);
    let t = 0;
    const shuffle = new Random(7);

    const epoch = async (d: Dataset): Promise<number> => {
      const rows = d.x.shape[0];
      const [fx, fy] = [d.x.data.length / rows, d.y.data.length / rows];
      const order = shuffle.permutation(rows);
      let sum = 0;
      for (let start = 0; start < rows; start += fit.batchSize) {
        const idx = order.slice(start, start + fit.batchSize);
        const bx = new Float32Array(idx.length * fx);
        const by = new Float32Array(idx.length * fy);
        idx.forEach((r, k) => {
          bx.set(d.x.data.subarray(r * fx, (r + 1) * fx), k * fx);
          by.set(d.y.data.subarray(r * fy, (r + 1) * fy), k * fy);
        });
        t += 1;
        const lrT = (LR * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t);
        const x = np.array(bx, { shape: [idx.length, ...d.x.shape.slice(1)] });
        const y = np.array(by, { shape: [idx.length, fy] });
        let value: Arr;
        [params, m, v, value] = step(params, m, v, x, y, np.array(lrT));
        sum += (await value.data())[0] * idx.length;
      }
      return sum / rows;
    };

    await epoch(warm);
    return {
      async fit() {
        let last = Number.NaN;
        for (let e = 0; e < fit.epochs; e++) last = await epoch(data);
        return last;
      },
      dispose: () => {
        jax.tree.dispose([params, m, v]);
        step.dispose();
      },
    };
  },
};
