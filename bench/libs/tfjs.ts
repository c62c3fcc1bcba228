// TensorFlow.js 4.22 with tfjs-layers model.fit, on whichever of its backends the runner names.
// Loaded on demand so pages measuring other libraries never carry it.

import type * as TF from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../../src/index';
import type { Dataset, Host } from '../data';
import type { Library, ModelKind } from './library';

const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'];
let tf: typeof TF;

function build(kind: ModelKind): TF.Sequential {
  const L = tf.layers;
  const layers = {
    mlp: () => [
      L.dense({ units: 256, activation: 'relu', inputShape: [784] }),
      L.dense({ units: 128, activation: 'relu' }),
      L.dense({ units: 10, activation: 'softmax' }),
    ],
    tabular: () => [
      L.dense({ units: 16, activation: 'relu', inputShape: [4] }),
      L.dense({ units: 3, activation: 'softmax' }),
    ],
    cnn: () => [
      L.conv2d({ filters: 8, kernelSize: 3, inputShape: [28, 28, 1] }),
      L.batchNormalization({}),
      L.activation({ activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.flatten(),
      L.dense({ units: 10, activation: 'softmax' }),
    ],
  }[kind]();
  const model = tf.sequential({ layers });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

const toTensor = (h: Host) => tf.tensor(h.data, h.shape, 'float32');

export const tfjs: Library = {
  async init(backend) {
    if (!BACKENDS.includes(backend)) {
      throw new InvalidArgumentError(
        `tfjs: backend must be one of ${BACKENDS.join(', ')}, received '${backend}'`,
      );
    }
    tf = await import('@tensorflow/tfjs');
    if (backend === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    if (backend === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // Served by the benchmark's own Vite server: nothing is fetched from the internet.
      wasm.setWasmPaths(`${location.origin}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
      // The page is cross-origin isolated, so tfjs-wasm could use threads: run.mjs says how many.
      wasm.setThreadsCount(Number(new URLSearchParams(location.search).get('tfjsWasmThreads') ?? 1));
    }
    if (!(await tf.setBackend(backend))) {
      const why =
        backend === 'webgl' && !document.createElement('canvas').getContext('webgl2')
          ? ': no WebGL2 context in this Chromium set-up'
          : '';
      throw new Error(`tfjs: setBackend('${backend}') failed${why}`);
    }
    await tf.ready();
    const active = tf.getBackend();
    return {
      description: `tfjs ${tf.version.tfjs} ${active}`,
      fallbackReason: active === backend ? undefined : `asked for ${backend}, tfjs is on ${active}`,
    };
  },

  async matmul(a, b, chain = 1) {
    const ta = toTensor(a);
    const tb = toTensor(b);
    const once = async () => {
      const c = tf.tidy(() => {
        let c = ta as TF.Tensor2D;
        for (let k = 0; k < chain; k++) c = tf.matMul(c, tb as TF.Tensor2D);
        return c;
      });
      await c.data();
      c.dispose();
    };
    await once();
    return { run: once, dispose: () => tf.dispose([ta, tb]) };
  },

  async trainer(kind, data: Dataset, warm: Dataset, fit) {
    const model = build(kind);
    const [x, y, wx, wy] = [data.x, data.y, warm.x, warm.y].map(toTensor);
    await model.fit(wx, wy, { batchSize: fit.batchSize, epochs: 1, verbose: 0 });
    tf.dispose([wx, wy]);
    return {
      async fit() {
        const h = await model.fit(x, y, { batchSize: fit.batchSize, epochs: fit.epochs, verbose: 0 });
        return Number(h.history.loss.at(-1));
      },
      dispose: () => {
        tf.dispose([x, y]);
        model.dispose();
      },
    };
  },
};
