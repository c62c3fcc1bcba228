/** Optimizer steps against hand-computed values, schedules, clipping, and state save/restore. */
import { describe, expect, it } from 'vitest';
import {
  Adam,
  AdamW,
  LearningRateSchedule,
  type Optimizer,
  optimizerFromConfig,
  RMSprop,
  SGD,
  type Tensor,
  type Trainable,
  tensor,
} from '../../src/index';
import { expectClose, inFloat64, values64 } from './helpers';

function variable(name: string, values: number[]): Trainable {
  return { name, value: tensor(values, [values.length]) };
}

/** Applies each gradient in turn to a one-element variable starting at w0; returns w after each step. */
function trajectory(optimizer: Optimizer, w0: number, grads: number[]): number[] {
  return inFloat64(() => {
    const w = variable('w', [w0]);
    return grads.map((g) => {
      optimizer.applyGradients([w], [tensor([g])]);
      return values64(w.value)[0];
    });
  });
}

describe('SGD', () => {
  it('plain, with momentum, and with Nesterov momentum', () => {
    expectClose(trajectory(new SGD({ learningRate: 0.1 }), 1, [0.5, 0.5]), [0.95, 0.9], 1e-12);
    // v1 = -0.05, w1 = 0.95; v2 = 0.9 * -0.05 - 0.05 = -0.095, w2 = 0.855
    expectClose(
      trajectory(new SGD({ learningRate: 0.1, momentum: 0.9 }), 1, [0.5, 0.5]),
      [0.95, 0.855],
      1e-12,
    );
    // w1 = 1 + 0.9 * -0.05 - 0.05 = 0.905; w2 = 0.905 + 0.9 * -0.095 - 0.05 = 0.7695
    expectClose(
      trajectory(new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true }), 1, [0.5, 0.5]),
      [0.905, 0.7695],
      1e-12,
    );
  });

  it('rejects bad hyper-parameters, naming them', () => {
    expect(() => new SGD({ learningRate: -1 })).toThrow(/SGD\(learningRate=-1\)/);
    expect(() => new SGD({ momentum: 1.5 })).toThrow(/SGD\(momentum=1.5\)/);
    expect(() => new SGD({ clipNorm: 0 })).toThrow(/clipNorm must be a positive number/);
  });
});

/** Textbook Adam with bias-corrected moments, as an independent reference (epsilon 0). */
function adamReference(w0: number, grads: number[], lr: number, b1: number, b2: number, decay = 0): number[] {
  let m = 0;
  let v = 0;
  let w = w0;
  return grads.map((g, i) => {
    const t = i + 1;
    w -= lr * decay * w;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    w -= (lr * (m / (1 - b1 ** t))) / Math.sqrt(v / (1 - b2 ** t));
    return w;
  });
}

describe('Adam and AdamW', () => {
  it('Adam: bias correction makes the first step exactly lr * sign(g)', () => {
    const steps = trajectory(new Adam({ learningRate: 0.1, epsilon: 0 }), 1, [0.5, -0.2, 0.3]);
    expect(steps[0]).toBeCloseTo(0.9, 12);
    expectClose(steps, adamReference(1, [0.5, -0.2, 0.3], 0.1, 0.9, 0.999), 1e-12);
  });

  it('Adam with Keras epsilon placement', () => {
    const [w1] = trajectory(new Adam({ learningRate: 0.1 }), 1, [0.5]);
    expect(w1).toBeCloseTo(1 - ((0.1 * Math.sqrt(0.001)) / 0.1) * (0.05 / (Math.sqrt(0.00025) + 1e-7)), 12);
  });

  it('AdamW decays the weight decoupled from the gradient', () => {
    const opt = new AdamW({ learningRate: 0.1, weightDecay: 0.1, epsilon: 0 });
    expectClose(trajectory(opt, 1, [0.5, -0.2]), adamReference(1, [0.5, -0.2], 0.1, 0.9, 0.999, 0.1), 1e-12);
    // A weight with zero gradient still shrinks by lr * weightDecay * w, and only by that.
    const still = trajectory(new AdamW({ learningRate: 0.1, weightDecay: 0.1 }), 2, [0, 0]);
    expectClose(still, [2 * 0.99, 2 * 0.99 * 0.99], 1e-12);
  });
});

describe('RMSprop', () => {
  it('plain, centred and with momentum', () => {
    const inc = (0.1 * 0.5) / Math.sqrt(0.025 + 1e-7);
    expectClose(trajectory(new RMSprop({ learningRate: 0.1 }), 1, [0.5]), [1 - inc], 1e-12);
    // centred: denominator v - mg^2 + eps = 0.025 - 0.0025 + 1e-7
    const centred = (0.1 * 0.5) / Math.sqrt(0.0225 + 1e-7);
    expectClose(
      trajectory(new RMSprop({ learningRate: 0.1, centered: true }), 1, [0.5]),
      [1 - centred],
      1e-12,
    );
    const v2 = 0.9 * 0.025 + 0.1 * 0.25;
    const inc2 = (0.1 * 0.5) / Math.sqrt(v2 + 1e-7);
    expectClose(
      trajectory(new RMSprop({ learningRate: 0.1, momentum: 0.5 }), 1, [0.5, 0.5]),
      [1 - inc, 1 - inc - (0.5 * inc + inc2)],
      1e-12,
    );
  });
});

describe('learning-rate schedules', () => {
  it('step, exponential and cosine', () => {
    const step = new LearningRateSchedule({ type: 'step', initialLearningRate: 1, stepSize: 2, gamma: 0.5 });
    expect([0, 1, 2, 5].map((s) => step.at(s))).toEqual([1, 1, 0.5, 0.25]);
    const exp = new LearningRateSchedule({
      type: 'exponential',
      initialLearningRate: 1,
      decaySteps: 10,
      decayRate: 0.5,
    });
    expect(exp.at(5)).toBeCloseTo(Math.SQRT1_2, 12);
    const stair = new LearningRateSchedule({
      type: 'exponential',
      initialLearningRate: 1,
      decaySteps: 10,
      decayRate: 0.5,
      staircase: true,
    });
    expect([stair.at(9), stair.at(15)]).toEqual([1, 0.5]);
    const cosine = new LearningRateSchedule({
      type: 'cosine',
      initialLearningRate: 1,
      decaySteps: 10,
      alpha: 0.1,
    });
    expect(cosine.at(0)).toBeCloseTo(1, 12);
    expect(cosine.at(5)).toBeCloseTo(0.55, 12);
    expect(cosine.at(10)).toBeCloseTo(0.1, 12);
    expect(cosine.at(20)).toBeCloseTo(0.1, 12);
  });

  it('drive the optimizer step by step, and survive serialisation', () => {
    const opt = new SGD({
      learningRate: { type: 'step', initialLearningRate: 0.1, stepSize: 1, gamma: 0.5 },
    });
    expectClose(trajectory(opt, 0, [-1, -1, -1]), [0.1, 0.15, 0.175], 1e-12);
    expect(opt.learningRate).toBeCloseTo(0.0125, 12);
    const copy = optimizerFromConfig(JSON.parse(JSON.stringify(opt.serialize())));
    expect(copy).toBeInstanceOf(SGD);
    expect(copy.getConfig()).toEqual(opt.getConfig());
    expect(copy.learningRate).toBe(0.1);
  });

  it('reject bad schedules', () => {
    expect(
      () => new LearningRateSchedule({ type: 'step', initialLearningRate: 1, stepSize: 0, gamma: 0.5 }),
    ).toThrow(/stepSize must be a positive number/);
    expect(() => new LearningRateSchedule({ type: 'linear', initialLearningRate: 1 } as never)).toThrow(
      /unknown type 'linear'/,
    );
  });
});

describe('gradient clipping', () => {
  it('clipValue clips each element', () => {
    inFloat64(() => {
      const w = variable('w', [1, 1]);
      new SGD({ learningRate: 1, clipValue: 0.1 }).applyGradients([w], [tensor([0.5, -0.05])]);
      expectClose(values64(w.value), [0.9, 1.05], 1e-12);
    });
  });

  it('clipNorm rescales all gradients by their global norm, and leaves small ones alone', () => {
    inFloat64(() => {
      const a = variable('a', [0]);
      const b = variable('b', [0, 0]);
      const grads = (): Tensor[] => [tensor([3]), tensor([0, 4])];
      new SGD({ learningRate: 1, clipNorm: 1 }).applyGradients([a, b], grads());
      expectClose([...values64(a.value), ...values64(b.value)], [-0.6, 0, -0.8], 1e-12);
      new SGD({ learningRate: 1, clipNorm: 10 }).applyGradients([a, b], grads());
      expectClose([...values64(a.value), ...values64(b.value)], [-3.6, 0, -4.8], 1e-12);
    });
  });
});

describe('optimizer state', () => {
  it('getState/setState resumes exactly where the run left off', () => {
    const grads = [0.5, -0.2, 0.3, 0.1];
    const straight = trajectory(new Adam({ learningRate: 0.1 }), 1, grads);
    inFloat64(() => {
      const first = new Adam({ learningRate: 0.1 });
      const w = variable('dense_1.kernel', [1]);
      for (const g of grads.slice(0, 2)) first.applyGradients([w], [tensor([g])]);
      const state = first.getState();
      expect(state.iterations).toBe(2);
      expect([...state.slots.keys()].sort()).toEqual(['dense_1.kernel.m', 'dense_1.kernel.v']);
      const resumed = new Adam({ learningRate: 0.1 });
      resumed.setState(state);
      const rest = grads.slice(2).map((g) => {
        resumed.applyGradients([w], [tensor([g])]);
        return values64(w.value)[0];
      });
      expectClose(rest, straight.slice(2), 1e-12);
    });
  });

  it('rejects a bad state and mismatched slot shapes', () => {
    const opt = new Adam();
    expect(() => opt.setState({ iterations: -1, slots: new Map() })).toThrow(
      /iterations must be a non-negative integer/,
    );
    opt.setState({ iterations: 1, slots: new Map([['w.m', tensor([0, 0])]]) });
    expect(() => opt.applyGradients([variable('w', [1])], [tensor([1])])).toThrow(/slot w.m has shape \[2\]/);
  });
});
