/**
 * Every optimizer update against values worked out by hand, on the CPU and on WebGPU, through each
 * path a weight update takes: the fused update ops themselves, applyGradients (fused and unfused),
 * and fit (eager on the CPU, the planned step with its fused kernels on WebGPU).
 */
import { expect, it } from 'vitest';
import { tensor } from '../../src/graph/engine';
import { adamUpdate, rmspropUpdate, sgdUpdate } from '../../src/graph/ops';
import {
  Adam,
  AdamW,
  Dense,
  type Optimizer,
  type OptimizerConfig,
  RMSprop,
  Sequential,
  SGD,
  type Trainable,
} from '../../src/index';
import { describeOnBackends, expectValues } from '../on-backends';

const one = (v: number) => tensor([v]);

describeOnBackends('the fused update ops', () => {
  it('sgdUpdate: w 1, g 0.5, velocity -0.05, lr 0.1', async () => {
    const part = (p: 'velocity' | 'w', momentum: number, nesterov = false) =>
      sgdUpdate(one(1), one(0.5), one(-0.05), 0.1, { momentum, nesterov })[p]!;
    // momentum 0.9: velocity' = 0.9 (-0.05) - 0.05 = -0.095; w' = 1 + velocity' = 0.905, or with
    // Nesterov 1 + (0.9 (-0.095) - 0.05) = 0.8645. Momentum 0: no velocity kept, w' = 0.95.
    await expectValues(part('velocity', 0.9), [1], [-0.095], 6);
    await expectValues(part('w', 0.9), [1], [0.905], 6);
    await expectValues(part('w', 0.9, true), [1], [0.8645], 6);
    expect(sgdUpdate(one(1), one(0.5), one(-0.05), 0.1, { momentum: 0, nesterov: false }).velocity).toBe(
      undefined,
    );
    await expectValues(part('w', 0), [1], [0.95], 6);
  });

  it('adamUpdate: w 1, g 0.3, m 0.1, v 0.015, alpha 0.5, decay 0.1, beta1 = beta2 = 0.9, eps 0.05', async () => {
    const part = (p: 'm' | 'v' | 'w') =>
      adamUpdate(one(1), one(0.3), one(0.1), one(0.015), 0.5, 0.1, {
        beta1: 0.9,
        beta2: 0.9,
        epsilon: 0.05,
      })[p];
    // m' = 0.09 + 0.03 = 0.12; v' = 0.0135 + 0.009 = 0.0225 (sqrt 0.15);
    // w' = (1 - 1 * 0.1) - 0.12 / (0.15 + 0.05) * 0.5 = 0.9 - 0.3 = 0.6.
    await expectValues(part('m'), [1], [0.12], 6);
    await expectValues(part('v'), [1], [0.0225], 6);
    await expectValues(part('w'), [1], [0.6], 6);
  });

  it('rmspropUpdate: w 1, g 0.3, velocity 0.015, average 0.1, momentum slot 0.1, lr 0.5, rho 0.9, eps 0.0175', async () => {
    const part = (p: 'velocity' | 'average' | 'momentum' | 'w', momentum: number, centered: boolean) =>
      rmspropUpdate(one(1), one(0.3), one(0.015), one(0.1), one(0.1), 0.5, {
        rho: 0.9,
        momentum,
        epsilon: 0.0175,
        centered,
      })[p]!;
    // v' = 0.0135 + 0.009 = 0.0225; v' + eps = 0.04 (sqrt 0.2); increment = 0.3 * 0.5 / 0.2 = 0.75.
    await expectValues(part('velocity', 0, false), [1], [0.0225], 6);
    await expectValues(part('w', 0, false), [1], [0.25], 6);
    // momentum 0.5: momentum' = 0.05 + 0.75 = 0.8, w' = 1 - 0.8.
    await expectValues(part('momentum', 0.5, false), [1], [0.8], 6);
    await expectValues(part('w', 0.5, false), [1], [0.2], 6);
    // centred: a' = 0.09 + 0.03 = 0.12; 0.04 - 0.12^2 = 0.0256 (sqrt 0.16); increment 0.15 / 0.16 = 0.9375.
    await expectValues(part('average', 0, true), [1], [0.12], 6);
    await expectValues(part('w', 0, true), [1], [0.0625], 6);
    await expectValues(part('momentum', 0.5, true), [1], [0.9875], 6);
    await expectValues(part('w', 0.5, true), [1], [0.0125], 5);
  });
});

/**
 * A weight starting at 1 given the gradients -1 then -2, learning rate 0.1, epsilon 0 (so the
 * values have closed forms). `after` is the weight after each of the two steps.
 */
const CASES: { name: string; make: (c: OptimizerConfig) => Optimizer; after: [number, number] }[] = [
  // w - 0.1 g: 1.1, then 1.3.
  { name: 'SGD', make: (c) => new SGD({ ...c, learningRate: 0.1 }), after: [1.1, 1.3] },
  // velocity 0.1, then 0.9 * 0.1 + 0.2 = 0.29.
  {
    name: 'SGD momentum 0.9',
    make: (c) => new SGD({ ...c, learningRate: 0.1, momentum: 0.9 }),
    after: [1.1, 1.39],
  },
  // w + 0.9 velocity' + 0.1 |g|: 1 + 0.09 + 0.1 = 1.19, then 1.19 + 0.261 + 0.2 = 1.651.
  {
    name: 'SGD Nesterov 0.9',
    make: (c) => new SGD({ ...c, learningRate: 0.1, momentum: 0.9, nesterov: true }),
    after: [1.19, 1.651],
  },
  // Step 1 moves by exactly lr. Step 2: m = -0.29, v = 0.004999, alpha = 0.1 sqrt(0.001999) / 0.19,
  // w += alpha 0.29 / sqrt(0.004999) = 0.0965182.
  {
    name: 'Adam',
    make: (c) => new Adam({ ...c, learningRate: 0.1, epsilon: 0 }),
    after: [1.1, 1.1965182025821768],
  },
  // Each step first shrinks w by lr * 0.1 = 1%: 0.99 + 0.1 = 1.09, then 1.09 * 0.99 + 0.0965182.
  {
    name: 'AdamW weightDecay 0.1',
    make: (c) => new AdamW({ ...c, learningRate: 0.1, weightDecay: 0.1, epsilon: 0 }),
    after: [1.09, 1.1756182025821769],
  },
  // v = 0.1, w += 0.1 / sqrt(0.1); then v = 0.49, w += 0.2 / 0.7.
  {
    name: 'RMSprop',
    make: (c) => new RMSprop({ ...c, learningRate: 0.1, epsilon: 0 }),
    after: [1.316227766016838, 1.6019420517311238],
  },
  // a = -0.1, v - a^2 = 0.09: w += 0.1 / 0.3; then a = -0.29, 0.49 - 0.0841 = 0.4059: w += 0.2 / sqrt(0.4059).
  {
    name: 'RMSprop centred',
    make: (c) => new RMSprop({ ...c, learningRate: 0.1, epsilon: 0, centered: true }),
    after: [1.3333333333333335, 1.6472544062320076],
  },
  // The increments as plain RMSprop, accumulated: 0.316228, then 0.9 * 0.316228 + 0.285714.
  {
    name: 'RMSprop momentum 0.9',
    make: (c) => new RMSprop({ ...c, learningRate: 0.1, epsilon: 0, momentum: 0.9 }),
    after: [1.316227766016838, 1.886547041146278],
  },
  // The centred increments accumulated: 1/3, then 0.9 / 3 + 0.2 / sqrt(0.4059).
  {
    name: 'RMSprop centred momentum 0.9',
    make: (c) => new RMSprop({ ...c, learningRate: 0.1, epsilon: 0, centered: true, momentum: 0.9 }),
    after: [1.3333333333333335, 1.9472544062320076],
  },
];

describeOnBackends('optimizer steps', (backend) => {
  for (const { name, make, after } of CASES) {
    for (const fused of [true, false]) {
      it(`${name}, applyGradients ${fused ? 'fused' : 'unfused'}`, async () => {
        const optimizer = make({ fused });
        const w: Trainable = { name: 'w', value: one(1) };
        optimizer.applyGradients([w], [one(-1)]);
        await expectValues(w.value, [1], [after[0]], 5);
        optimizer.applyGradients([w], [one(-2)]);
        await expectValues(w.value, [1], [after[1]], 5);
      });
    }

    it(`${name}, fit`, async () => {
      // y = w x with w = 1 and targets far above: the mean absolute error's gradient is -x, so the
      // rows x = 1 and x = 2, one per batch and unshuffled, give the gradients -1 and -2.
      const weightAfter = async (rows: number) => {
        const model = new Sequential([
          new Dense({ units: 1, useBias: false, kernelInitializer: 'ones', inputShape: [1] }),
        ]);
        model.compile({ optimizer: make({}), loss: 'meanAbsoluteError' });
        const x = [[1], [2]].slice(0, rows);
        await model.fit(x, [[100], [100]].slice(0, rows), { epochs: 1, batchSize: 1, shuffle: false });
        return (await model.variables[0].value.data())[0];
      };
      for (const rows of [1, 2]) {
        const got = await weightAfter(rows);
        expect(got, `${backend()}: w after ${rows} step(s)`).toBeCloseTo(after[rows - 1], 5);
      }
    });
  }
});
