/**
 * setBackend('auto') on the adapter found in Node (SwiftShader through Dawn): fit times the model's
 * own compiled step on the CPU and on WebGPU, trains on the faster and says why. No timing is
 * asserted: the pick is checked against the timings it reports, the budget by counting steps
 * (with a test clock), and the model against copies taken before the choice.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { tuningMayDecide } from '../../src/backend/auto-timing';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { getBackendInfo, setBackend } from '../../src/backend/index';
import { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { currentBackend } from '../../src/graph/engine';
import type { CompiledStep } from '../../src/graph/program/compiled-step';
import {
  Activation,
  BatchNormalization,
  Conv2D,
  Dense,
  Flatten,
  MaxPooling2D,
} from '../../src/nn/layers/index';
import { Callback } from '../../src/nn/model/callback';
import { Sequential } from '../../src/nn/model/sequential';
import { Adam } from '../../src/nn/optimizers/adam';

type Kind = 'W2' | 'W3' | 'W4';

/** Small versions of the benchmark's models: an MLP, a tiny tabular net, a CNN with BatchNorm. */
function build(kind: Kind): Sequential {
  const layers = {
    W2: () => [
      new Dense({ units: 64, activation: 'relu', inputShape: [196] }),
      new Dense({ units: 32, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
    W3: () => [
      new Dense({ units: 16, activation: 'relu', inputShape: [4] }),
      new Dense({ units: 3, activation: 'softmax' }),
    ],
    W4: () => [
      new Conv2D({ filters: 4, kernelSize: 3, inputShape: [12, 12, 1] }),
      new BatchNormalization({}),
      new Activation({ activation: 'relu' }),
      new MaxPooling2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 10, activation: 'softmax' }),
    ],
  }[kind]();
  const model = new Sequential({ layers, seed: 3 });
  model.compile({
    optimizer: new Adam({ learningRate: 1e-2 }),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

const SHAPES: Record<Kind, { features: number[]; classes: number; rows: number; batchSize: number }> = {
  W2: { features: [196], classes: 10, rows: 128, batchSize: 64 },
  W3: { features: [4], classes: 3, rows: 48, batchSize: 16 },
  W4: { features: [12, 12, 1], classes: 10, rows: 48, batchSize: 16 },
};

function data(kind: Kind): {
  x: { data: Float32Array; shape: number[] };
  y: { data: Float32Array; shape: number[] };
} {
  const { features, classes, rows } = SHAPES[kind];
  const width = features.reduce((a, b) => a * b, 1);
  const x = new Float32Array(rows * width);
  const y = new Float32Array(rows * classes);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  for (let r = 0; r < rows; r++) y[r * classes + (r % classes)] = 1;
  return { x: { data: x, shape: [rows, ...features] }, y: { data: y, shape: [rows, classes] } };
}

/** Host copies of every weight, every optimizer slot and the step count. */
async function snapshot(
  model: Sequential,
): Promise<{ weights: Float32Array[]; slots: Map<string, Float32Array>; iterations: number }> {
  const state = model.optimizer.getState();
  const slots = new Map<string, Float32Array>();
  for (const [name, t] of state.slots) slots.set(name, await t.data());
  return {
    weights: await Promise.all(model.getWeights().map((w) => w.data())),
    slots,
    iterations: state.iterations,
  };
}

/** Takes a snapshot when training begins: after the backend was chosen, before any step. */
class AtTrainBegin extends Callback {
  taken: Promise<Awaited<ReturnType<typeof snapshot>>> | null = null;
  override async onTrainBegin(): Promise<void> {
    this.taken = snapshot(this.model!);
    await this.taken;
  }
}

afterEach(async () => {
  vi.restoreAllMocks();
  await setBackend('cpu');
});
afterAll(() => {
  const b = currentBackend();
  if (b instanceof WebGPUBackend) b.destroy();
});

describe("setBackend('auto')", () => {
  for (const kind of ['W2', 'W3', 'W4'] as const) {
    it(`${kind}-like model: picks the faster of the timings it reports, says why, and trains there`, async () => {
      const info = await setBackend('auto');
      expect(info.mode).toBe('auto');
      expect(info.choice).toBeUndefined();
      const model = build(kind);
      const { x, y } = data(kind);
      const h = await model.fit(x, y, { batchSize: SHAPES[kind].batchSize, epochs: 1 });
      expect(h.error).toBeNull();
      const choice = getBackendInfo().choice!;
      expect(choice.cached).toBe(false);
      expect(choice.timings.map((t) => t.name).sort()).toEqual(['cpu', 'webgpu']);
      const fastest = [...choice.timings].sort((a, b) => a.msPerStep - b.msPerStep)[0];
      expect(choice.picked).toBe(fastest.name);
      expect(choice.reason).toMatch(/^(CPU|WebGPU): [\d.]+x faster than (CPU|WebGPU) .* for this model/);
      expect(choice.reason).toContain('CPU');
      expect(choice.reason).toContain('WebGPU');
      expect(choice.rows).toBe(SHAPES[kind].batchSize);
      for (const t of choice.timings) {
        expect(t.steps).toBeGreaterThanOrEqual(1);
        expect(t.warmupSteps).toBeGreaterThanOrEqual(2);
        expect(t.steps).toBeLessThanOrEqual(20);
        expect(t.msPerStep).toBeGreaterThan(0);
      }
      // The model trained on the backend picked.
      expect(model.getWeights()[0].backend.name).toBe(choice.picked);
      expect(getBackendInfo().name).toBe(choice.picked);
    });
  }

  it('keeps the choice per model signature and batch size: a second fit times nothing', async () => {
    await setBackend('auto');
    const { x, y } = data('W3');
    await build('W3').fit(x, y, { batchSize: 16, epochs: 1 });
    const first = getBackendInfo().choice!;
    const compile = vi.spyOn(WebGPUBackend.prototype, 'compile');
    await build('W3').fit(x, y, { batchSize: 16, epochs: 1 });
    const again = getBackendInfo().choice!;
    expect(again.cached).toBe(true);
    expect(again.timings).toEqual(first.timings);
    // Only fit's own steps compile on WebGPU (none if the CPU was picked), no timing run.
    expect(compile.mock.calls.length).toBeLessThanOrEqual(first.picked === 'webgpu' ? 2 : 0);
    await build('W3').fit(x, y, { batchSize: 8, epochs: 1 });
    expect(getBackendInfo().choice!.cached).toBe(false);
    expect(getBackendInfo().choice!.rows).toBe(8);
  });

  it('spends the budget it is given: steps are counted against a test clock', async () => {
    let now = 0;
    const clock = () => {
      now += 10;
      return now;
    };
    await setBackend('auto', { budgetMs: 100, clock });
    const { x, y } = data('W2');
    await build('W2').fit(x, y, { batchSize: 32, epochs: 1 });
    const { timings } = getBackendInfo().choice!;
    // Half the budget each: 50 ms of 10 ms steps, plus the steps the backend issues ahead (WebGPU: 1).
    expect(timings.find((t) => t.name === 'cpu')!.steps).toBe(5);
    expect(timings.find((t) => t.name === 'webgpu')!.steps).toBe(6);
    // Warm-up, not counted: steps until one is no more than a quarter faster than the last (here: 2).
    expect(timings.map((t) => t.warmupSteps)).toEqual([2, 2]);
    await setBackend('auto', { budgetMs: 1e9, maxSteps: 3 });
    await build('W2').fit(x, y, { batchSize: 16, epochs: 1 });
    expect(getBackendInfo().choice!.timings.map((t) => t.steps)).toEqual([3, 3]);
  });

  it('leaves the weights, the optimizer slots and the step count as they were', async () => {
    const { x, y } = data('W4');
    await setBackend('cpu');
    const model = build('W4');
    await model.fit(x, y, { batchSize: 12, epochs: 1 });
    const before = await snapshot(model);
    expect(before.slots.size).toBeGreaterThan(0);
    expect(before.iterations).toBe(4);
    await setBackend('auto');
    const probe = new AtTrainBegin();
    await model.fit(x, y, { batchSize: 12, epochs: 1, callbacks: [probe] });
    // Timed now (batch size 12 was not seen before), on both backends.
    expect(getBackendInfo().choice).toMatchObject({ cached: false, rows: 12 });
    expect(getBackendInfo().choice!.timings).toHaveLength(2);
    const after = await probe.taken!;
    expect(after.iterations).toBe(before.iterations);
    expect(after.weights).toEqual(before.weights);
    expect([...after.slots.keys()].sort()).toEqual([...before.slots.keys()].sort());
    for (const [name, v] of before.slots) expect(after.slots.get(name), name).toEqual(v);
  });

  it('trains to the same losses as either backend chosen by hand, within float32 rounding', async () => {
    const { x, y } = data('W3');
    const losses: Record<string, number[]> = {};
    for (const name of ['cpu', 'webgpu', 'auto'] as const) {
      await setBackend(name);
      const h = await build('W3').fit(x, y, { batchSize: 16, epochs: 3, shuffle: false });
      losses[name] = h.history.loss;
    }
    for (const other of ['webgpu', 'auto']) {
      losses[other].forEach((l, i) => {
        expect(Math.abs(l - losses.cpu[i]), `${other} epoch ${i}`).toBeLessThan(
          1e-5 * Math.max(1, Math.abs(l)),
        );
      });
    }
  });

  it('tunes WebGPU before the pick only where that could change it', async () => {
    // Steps take 10 ms on the CPU and `gpuMs` on WebGPU, on a test clock: which backend's step
    // ran last decides how far the clock moves.
    let now = 0;
    let gpuMs = 0;
    let onGpu = false;
    const clock = () => {
      now += onGpu ? gpuMs : 10;
      return now;
    };
    const marked = <S>(step: CompiledStep<S>, gpu: boolean): CompiledStep<S> => {
      const run = step.step.bind(step);
      step.step = (reads) => {
        onGpu = gpu;
        return run(reads);
      };
      return step;
    };
    const cpuCompile = CpuBackend.prototype.compile;
    vi.spyOn(CpuBackend.prototype, 'compile').mockImplementation(function (this: CpuBackend, p, o) {
      return marked(cpuCompile.call(this, p, o), false);
    });
    const gpuCompile = WebGPUBackend.prototype.compile;
    vi.spyOn(WebGPUBackend.prototype, 'compile').mockImplementation(function (this: WebGPUBackend, p, o) {
      return marked(gpuCompile.call(this, p, o), true);
    });
    const tuneFor = vi.spyOn(WebGPUBackend.prototype, 'tuneFor');
    const { x, y } = data('W2');
    const cases = [
      { gpuMs: 15, batchSize: 24, tuned: true },
      { gpuMs: 80, batchSize: 12, tuned: false },
      { gpuMs: 5, batchSize: 10, tuned: false },
    ];
    for (const c of cases) {
      // Batch sizes no other test fits W2 with: no choice kept, and every product's class new.
      await setBackend('auto', { budgetMs: 100, clock, tuning: 'quick' });
      gpuMs = c.gpuMs;
      tuneFor.mockClear();
      await build('W2').fit(x, y, { batchSize: c.batchSize, epochs: 1 });
      const { timings, picked } = getBackendInfo().choice!;
      const [cpu, gpu] = ['cpu', 'webgpu'].map((n) => timings.find((t) => t.name === n)!);
      expect(gpu.tunedFirst, `WebGPU at ${c.gpuMs} ms per step`).toBe(c.tuned);
      expect(tuneFor.mock.calls.length).toBe(c.tuned ? 1 : 0);
      expect(picked).toBe(c.gpuMs < 10 ? 'webgpu' : 'cpu');
      if (!c.tuned) expect(tuningMayDecide(cpu, gpu)).toBe(false);
    }
  });
});
