// webgpu-trainer through its public API only: Sequential, compile, fit, matmul, as a user would.

import {
  Activation,
  Adam,
  BatchNormalization,
  Conv2D,
  Dense,
  Flatten,
  getBackendInfo,
  InvalidArgumentError,
  lastGoodOf,
  MaxPooling2D,
  matmul,
  Sequential,
  setBackend,
  setCpuThreads,
  type TuningMode,
  tensor,
} from '../../src/index';
import type { Dataset } from '../data';
import type { Library, ModelKind } from './library';

/** The workload's model, compiled with Adam 1e-3 and categorical cross-entropy (bench/memory.ts too). */
export function build(kind: ModelKind): Sequential {
  const layers = {
    mlp: () => [
      new Dense({ units: 256, activation: 'relu', inputShape: [784] }),
      new Dense({ units: 128, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
    tabular: () => [
      new Dense({ units: 16, activation: 'relu', inputShape: [4] }),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
    cnn: () => [
      new Conv2D({ filters: 8, kernelSize: 3, inputShape: [28, 28, 1] }),
      new BatchNormalization({}),
      new Activation({ activation: 'relu' }),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
  }[kind]();
  const model = new Sequential({ layers, seed: 1 });
  model.compile({ optimizer: new Adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy' });
  return model;
}

/**
 * Kernel tuning for the run: the page's `?tuning=` or BENCH_TUNING in Node (run.mjs passes it on),
 * default 'quick' as for users; 'off' is today's rule, for A/B rows.
 */
function benchTuning(): TuningMode {
  const g = globalThis as {
    location?: { search: string };
    process?: { env: Record<string, string | undefined> };
  };
  const asked = new URLSearchParams(g.location?.search ?? '').get('tuning') ?? g.process?.env.BENCH_TUNING;
  return asked === 'off' || asked === 'thorough' ? asked : 'quick';
}

/**
 * The warm-up waits for tuning to finish, so timed repetitions measure the chosen kernels, not the
 * tuning beside them; its cost shows in getBackendInfo().tuning.spentMs (logged once per workload).
 */
async function tuningSettled(): Promise<void> {
  for (let i = 0; i < 600 && (getBackendInfo().tuning?.pending ?? 0) > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const t = getBackendInfo().tuning;
  if (t && t.mode !== 'off') {
    const picks = t.choices.map((c) => `${c.shape}: ${c.kernel} (${c.speedup.toFixed(2)}x)`).join('; ');
    console.log(`tuning ${t.mode}: ${t.spentMs.toFixed(0)} ms, ${t.timedRuns} runs, ${picks}`);
  }
}

export const ours: Library = {
  async init(backend) {
    if (backend !== 'cpu' && backend !== 'webgpu' && backend !== 'auto') {
      throw new InvalidArgumentError(
        `ours: backend must be 'auto', 'cpu' or 'webgpu', received '${backend}'`,
      );
    }
    // The page's ?cpuThreads= (run.mjs, BENCH_CPU_THREADS); in Node (bench:node) there is no page.
    const threads = new URLSearchParams(globalThis.location?.search ?? '').get('cpuThreads') ?? 'auto';
    setCpuThreads(threads === 'auto' ? 'auto' : Number(threads));
    await setBackend(backend, { tuning: benchTuning() });
    const info = getBackendInfo();
    return { description: `${info.name}: ${info.description}`, fallbackReason: info.fallbackReason };
  },

  choice() {
    const c = getBackendInfo().choice;
    return c ? `${c.picked}: ${c.reason}` : undefined;
  },

  async matmul(a, b, chain = 1) {
    const ta = tensor(a.data, a.shape);
    const tb = tensor(b.data, b.shape);
    const once = async () => {
      let c = ta;
      for (let k = 0; k < chain; k++) c = matmul(c, tb);
      await c.data();
    };
    await once();
    await tuningSettled();
    return { run: once, dispose: () => {} };
  },

  async trainer(kind, data: Dataset, warm: Dataset, fit) {
    const model = build(kind);
    await model.fit(warm.x, warm.y, { batchSize: fit.batchSize, epochs: 1 });
    await tuningSettled();
    let copyMs = 0;
    return {
      async fit() {
        const before = lastGoodOf(model)?.captureMs ?? 0;
        const h = await model.fit(data.x, data.y, { batchSize: fit.batchSize, epochs: fit.epochs });
        if (h.error) throw new Error(`ours: fit stopped: ${h.error}`);
        copyMs = (lastGoodOf(model)?.captureMs ?? 0) - before;
        return h.history.loss.at(-1) ?? Number.NaN;
      },
      lastGoodMs: () => copyMs,
      dispose: () => {},
    };
  },
};
