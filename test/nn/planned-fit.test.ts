/**
 * fit on the planned WebGPU step against the eager WebGPU path and the CPU backend, from the same
 * seeds: the same History (epoch and batch logs) to 1e-4 relative, the same weights, the same
 * handling of non-finite losses, stopTraining, abort and learning-rate changes by callbacks, and
 * nothing created on the GPU after the first step of each batch shape, one submit per step.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { useBackend } from '../../src/graph/engine';
import {
  Adam,
  AdamW,
  type Backend,
  BatchNormalization,
  Callback,
  Conv2D,
  CpuBackend,
  Dense,
  Dropout,
  Flatten,
  type History,
  Layer,
  type Logs,
  MaxPooling2D,
  mul,
  type Optimizer,
  RMSprop,
  Sequential,
  SGD,
  type Tensor,
  tensor,
} from '../../src/index';
import type { Executor } from '../../src/nn/model/executor';
import type { FitOptions } from '../../src/nn/model/fit-options';
import { blobs } from './helpers';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

/** Records batch logs and what the GPU had made and submitted at each batch end. */
class Recorder extends Callback {
  readonly batches: Logs[] = [];
  readonly counters: { epoch: number; batch: number; buffers: number; pipelines: number; submits: number }[] =
    [];
  private epoch = 0;
  constructor(private readonly backend: Backend) {
    super();
  }
  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }
  override onBatchEnd(batch: number, logs: Logs): void {
    this.batches.push({ ...logs });
    if (this.backend instanceof WebGPUBackend) {
      const c = this.backend.counters;
      this.counters.push({
        epoch: this.epoch,
        batch,
        buffers: c.buffersCreated,
        pipelines: c.pipelinesCreated,
        submits: c.submits,
      });
    }
  }
}

interface Trained {
  history: History;
  batches: Logs[];
  counters: Recorder['counters'];
  weights: Float32Array[];
  iterations: number;
}

interface Setup {
  layers: () => Layer[];
  optimizer: () => Optimizer;
  loss: 'binaryCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError';
  metrics?: string[];
  x: { data: Float32Array; shape: number[] } | number[][];
  y: number[] | { data: Float32Array; shape: number[] };
  fit: FitOptions;
  callbacks?: () => Callback[];
}

async function train(backend: Backend, executor: Executor, s: Setup): Promise<Trained> {
  const previous = useBackend(backend);
  try {
    const model = new Sequential({ seed: 3, layers: s.layers() });
    model.compile({ optimizer: s.optimizer(), loss: s.loss, metrics: s.metrics ?? [] });
    const recorder = new Recorder(backend);
    const history = await model.fit(s.x, s.y, {
      ...s.fit,
      executor,
      callbacks: [...(s.callbacks?.() ?? []), recorder],
    });
    return {
      history,
      batches: recorder.batches,
      counters: recorder.counters,
      weights: await Promise.all(model.variables.map((v) => v.value.data())),
      iterations: model.compiled!.optimizer.iterations,
    };
  } finally {
    useBackend(previous);
  }
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), 1e-3);
}

function expectSameRun(label: string, a: Trained, b: Trained, tolerance = 1e-4): void {
  expect(Object.keys(b.history.history).sort(), label).toEqual(Object.keys(a.history.history).sort());
  for (const [key, values] of Object.entries(a.history.history)) {
    expect(b.history.history[key].length, `${label} ${key}`).toBe(values.length);
    values.forEach((v, i) => {
      expect(
        relative(v, b.history.history[key][i]),
        `${label} ${key}[${i}]: ${v} vs ${b.history.history[key][i]}`,
      ).toBeLessThan(tolerance);
    });
  }
  expect(b.batches.length, `${label} batch logs`).toBe(a.batches.length);
  a.batches.forEach((logs, i) => {
    expect(Object.keys(b.batches[i]).sort(), `${label} batch ${i} keys`).toEqual(Object.keys(logs).sort());
    for (const [k, v] of Object.entries(logs)) {
      expect(relative(v as number, b.batches[i][k] as number), `${label} batch ${i} ${k}`).toBeLessThan(
        tolerance,
      );
    }
  });
  expect(b.iterations, `${label} optimizer iterations`).toBe(a.iterations);
  expect(b.history.error === null, `${label} error`).toBe(a.history.error === null);
  a.weights.forEach((w, k) => {
    w.forEach((v, i) => {
      expect(Math.abs(v - b.weights[k][i]), `${label} weight ${k}[${i}]`).toBeLessThan(
        tolerance * Math.max(1, Math.abs(v)),
      );
    });
  });
}

/** Planned WebGPU, eager WebGPU and CPU runs of one setup. */
async function threeWays(s: Setup) {
  const planned = await train(gpu, 'planned', s);
  const eager = await train(gpu, 'eager', s);
  const cpu = await train(new CpuBackend(), 'eager', s);
  return { planned, eager, cpu };
}

const { x: blobX, y: blobY } = blobs(70, 1);

const mlp: Setup = {
  layers: () => [
    new Dense({ units: 16, activation: 'relu', inputShape: [2] }),
    new BatchNormalization({ momentum: 0.9 }),
    new Dropout({ rate: 0.25 }),
    new Dense({ units: 1, activation: 'sigmoid' }),
  ],
  optimizer: () => new Adam({ learningRate: 0.01 }),
  loss: 'binaryCrossentropy',
  metrics: ['accuracy'],
  x: blobX,
  y: blobY,
  // 52 training rows in batches of 16: three full batches and a last batch of 4.
  fit: { epochs: 3, batchSize: 16, validationSplit: 0.25, seed: 4 },
};

function images(n: number) {
  const data = new Float32Array(n * 36);
  const labels: number[] = [];
  for (let s = 0; s < n; s++) {
    const c = s % 3;
    for (let i = 0; i < 36; i++)
      data[s * 36 + i] = Math.sin(s * 7 + i) * 0.3 + (Math.floor(i / 6) === c * 2 ? 1 : 0);
    labels.push(c);
  }
  return { x: { data, shape: [n, 6, 6, 1] }, y: labels };
}

describe('fit on the planned WebGPU step', () => {
  it('an MLP with BatchNormalization and Dropout (Adam) trains as eagerly and on the CPU', async () => {
    const { planned, eager, cpu } = await threeWays(mlp);
    expectSameRun('planned vs eager', eager, planned);
    expectSameRun('planned vs cpu', cpu, planned);
    expect(planned.history.history.loss.length).toBe(3);
    expect(Object.keys(planned.batches[0]).sort()).toEqual(['accuracy', 'batch', 'loss', 'size']);
  });

  it('creates nothing after the first step of each batch shape and submits once per step', async () => {
    const { counters } = await train(gpu, 'planned', mlp);
    const batches = 4;
    const at = (epoch: number, batch: number) =>
      counters.find((c) => c.epoch === epoch && c.batch === batch)!;
    // Epoch 0: the plan of the last, smaller batch is built when that batch is issued, during batch 2.
    for (let b = 1; b <= batches - 3; b++) {
      expect(at(0, b).buffers, `epoch 0 batch ${b}`).toBe(at(0, 0).buffers);
    }
    for (const epoch of [1, 2]) {
      for (let b = 1; b < batches; b++) {
        expect(at(epoch, b).buffers, `buffers at epoch ${epoch} batch ${b}`).toBe(at(epoch, 0).buffers);
        expect(at(epoch, b).pipelines, `pipelines at epoch ${epoch} batch ${b}`).toBe(at(epoch, 0).pipelines);
      }
      // Between batch ends exactly one step is submitted (the next one, issued ahead); the last
      // batch's step was issued during the batch before it.
      for (let b = 1; b < batches - 1; b++) {
        expect(
          at(epoch, b).submits - at(epoch, b - 1).submits,
          `submits before epoch ${epoch} batch ${b}`,
        ).toBe(1);
      }
      expect(at(epoch, batches - 1).submits - at(epoch, batches - 2).submits).toBe(0);
    }
  });

  it('a small CNN with BatchNormalization (SGD with Nesterov momentum) trains as eagerly and on the CPU', async () => {
    const { x, y } = images(40);
    const { planned, eager, cpu } = await threeWays({
      layers: () => [
        new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 1] }),
        new BatchNormalization({ momentum: 0.8 }),
        new Dense({ units: 4, activation: 'relu' }),
        new MaxPooling2D({ poolSize: 2 }),
        new Flatten(),
        new Dense({ units: 3, activation: 'softmax' }),
      ],
      optimizer: () => new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
      loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy'],
      x,
      y,
      fit: { epochs: 3, batchSize: 16, seed: 5 },
    });
    expectSameRun('cnn planned vs eager', eager, planned);
    expectSameRun('cnn planned vs cpu', cpu, planned);
  });

  it('schedules, AdamW, RMSprop, clipping and class weights follow the eager path', async () => {
    const setups: [string, () => Optimizer][] = [
      [
        'AdamW + cosine + clipNorm',
        () =>
          new AdamW({
            learningRate: { type: 'cosine', initialLearningRate: 0.02, decaySteps: 8 },
            clipNorm: 0.5,
          }),
      ],
      [
        'RMSprop centred, momentum, clipValue',
        () => new RMSprop({ centered: true, momentum: 0.5, clipValue: 0.1 }),
      ],
    ];
    for (const [label, optimizer] of setups) {
      const s: Setup = { ...mlp, optimizer, fit: { ...mlp.fit, classWeight: { 0: 1, 1: 3 } } };
      const planned = await train(gpu, 'planned', s);
      const eager = await train(gpu, 'eager', s);
      expectSameRun(label, eager, planned);
    }
  });

  it('a frozen layer (its weights passed through the step unchanged) trains as eagerly', async () => {
    const s: Setup = {
      ...mlp,
      layers: () => [
        new Dense({ units: 8, activation: 'relu', inputShape: [2], trainable: false }),
        new BatchNormalization(),
        new Dense({ units: 1, activation: 'sigmoid' }),
      ],
      optimizer: () => new SGD({ learningRate: 0.05, momentum: 0.5 }),
    };
    const planned = await train(gpu, 'planned', s);
    const eager = await train(gpu, 'eager', s);
    expectSameRun('frozen', eager, planned);
  });

  it('a diverging loss stops training at the last-good state, as eagerly', async () => {
    // Large inputs and a large rate make plain SGD diverge within a few steps.
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < 64; i++) {
      xs.push([((i % 8) - 4) * 300, (i % 5) * 200]);
      ys.push(i % 3);
    }
    const s: Setup = {
      layers: () => [new Dense({ units: 4, activation: 'relu', inputShape: [2] }), new Dense({ units: 1 })],
      optimizer: () => new SGD({ learningRate: 0.5 }),
      loss: 'meanSquaredError',
      x: xs,
      y: ys,
      fit: { epochs: 5, batchSize: 8, seed: 1, shuffle: false },
    };
    const planned = await train(gpu, 'planned', s);
    const eager = await train(gpu, 'eager', s);
    expect(eager.history.error).toMatch(/the loss (became (NaN|Infinity)|diverged to)/);
    expect(planned.history.error).toBe(eager.history.error);
    // Back to the state before the first epoch: nothing was completed before the loss went.
    expect(planned.iterations).toBe(0);
    expect(planned.iterations).toBe(eager.iterations);
    planned.weights.forEach((w, k) => {
      w.forEach((v, i) => {
        expect(Number.isFinite(v)).toBe(true);
        expect(relative(eager.weights[k][i], v), `weight ${k}[${i}]`).toBeLessThan(1e-4);
      });
    });
  });

  it('stopTraining, abort and a learning-rate change from callbacks act after the same batch as eagerly', async () => {
    class StopAt extends Callback {
      constructor(private readonly at: number) {
        super();
      }
      override onBatchEnd(batch: number): void {
        if (batch === this.at) this.model!.stopTraining = true;
      }
    }
    const controller = () => new AbortController();
    let abort = controller();
    class AbortAt extends Callback {
      override onBatchEnd(batch: number): void {
        if (batch === 1) abort.abort();
      }
    }
    class SlowDownAt extends Callback {
      override onBatchBegin(batch: number): void {
        if (batch === 2) this.model!.compiled!.optimizer.learningRate = 0.001;
      }
    }
    /** Puts back, after batch 1 of epoch 1, the weights that epoch began with. */
    class ResetWeights extends Callback {
      private saved: Tensor[] | null = null;
      private epoch = 0;
      override onEpochBegin(epoch: number): void {
        this.epoch = epoch;
      }
      override onBatchBegin(batch: number): void {
        if (this.epoch === 1 && batch === 0) this.saved = this.model!.getWeights();
      }
      override onBatchEnd(batch: number): void {
        if (this.epoch === 1 && batch === 1) this.model!.setWeights(this.saved!);
      }
    }
    const cases: [string, () => Callback[]][] = [
      ['setWeights', () => [new ResetWeights()]],
      ['stopTraining', () => [new StopAt(1)]],
      ['abort', () => [new AbortAt()]],
      ['learning rate', () => [new SlowDownAt()]],
    ];
    for (const [label, callbacks] of cases) {
      const s: Setup = {
        ...mlp,
        callbacks,
        fit: {
          ...mlp.fit,
          get signal() {
            return abort.signal;
          },
        },
      };
      abort = controller();
      const planned = await train(gpu, 'planned', s);
      abort = controller();
      const eager = await train(gpu, 'eager', s);
      expectSameRun(label, eager, planned);
    }
  });

  it('falls back to eager steps, saying why, when the step cannot be traced', async () => {
    /**
     * Keeps a tensor of its own outside the model's variables, made on the backend current at
     * build time: the traced step cannot take it as an input, while eager steps can use it.
     */
    class Scale extends Layer {
      static readonly className = 'Scale';
      private factor: Tensor | null = null;
      computeOutputShape(shape: number[]): number[] {
        return shape;
      }
      protected override buildWeights(): void {
        this.factor = tensor([0.5]);
      }
      protected call(x: Tensor): Tensor {
        return mul(x, this.factor!);
      }
    }
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const cpuOnly = new CpuBackend();
      const s: Setup = {
        ...mlp,
        layers: () => [new Scale({ inputShape: [2] }), new Dense({ units: 1, activation: 'sigmoid' })],
      };
      const auto = await train(cpuOnly, 'auto', s);
      expect(auto.history.history.loss.length).toBe(3);
      expect(warn).not.toHaveBeenCalled();
      // The CPU backend compiles the step too (issue 14): a tensor captured from it is a constant
      // of the program, and the compiled step computes the eager step's numbers exactly.
      const planned = await train(cpuOnly, 'planned', s);
      const eager = await train(cpuOnly, 'eager', s);
      expect(planned.history.history.loss).toEqual(eager.history.history.loss);
      expect(auto.history.history.loss).toEqual(eager.history.history.loss);
      await expect(train(gpu, 'planned', s)).rejects.toThrow(/inputs live on different backends/);
      const fallback = await train(gpu, 'auto', s);
      expect(fallback.history.error).toBeNull();
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/could not be planned .*running eagerly/));
    } finally {
      warn.mockRestore();
    }
  });
});
