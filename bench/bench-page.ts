// Workloads the runner calls inside the page; each returns raw timings, the runner does the statistics.

import { Random } from '../src/graph/random';
import { getBackendInfo, matmul, setBackend, tensor } from '../src/index';

export interface Timing {
  backend: string;
  description: string;
  fallbackReason?: string;
  /** Milliseconds per repetition, warm-up excluded. */
  times: number[];
}

function randomMatrix(n: number, seed: number) {
  const r = new Random(seed);
  return tensor(
    Float32Array.from({ length: n * n }, () => r.uniform() * 2 - 1),
    [n, n],
  );
}

/** n x n matmul with readback of the result, `reps` times after one warm-up. */
async function matmulBench(backend: 'cpu' | 'webgpu', n: number, reps: number): Promise<Timing> {
  await setBackend(backend);
  const info = getBackendInfo();
  const a = randomMatrix(n, 1);
  const b = randomMatrix(n, 2);
  await matmul(a, b).data();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await matmul(a, b).data();
    times.push(performance.now() - t0);
  }
  return { backend: info.name, description: info.description, fallbackReason: info.fallbackReason, times };
}

declare global {
  interface Window {
    bench: { matmul: typeof matmulBench; adapter: () => Promise<string> };
  }
}

window.bench = {
  matmul: matmulBench,
  adapter: async () => {
    const adapter = await navigator.gpu?.requestAdapter({ featureLevel: 'compatibility' });
    return adapter
      ? `${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim()
      : 'none';
  },
};
