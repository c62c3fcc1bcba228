/**
 * The last-good capture under a device loss (test/faults/faulty-device.ts, Dawn on SwiftShader):
 * a capture reads every weight and optimizer slot in one batched readback (read-many.ts), and a
 * loss while that readback is in flight (copies submitted, map pending) keeps the previous
 * state whole; fit recovers from it, re-runs the epoch and ends with the unfaulted losses.
 */
import { describe, expect, it } from 'vitest';
import { currentBackend } from '../../src/graph/engine';
import { type History, LambdaCallback, type RecoveredInfo, type Sequential } from '../../src/index';
import { captureLastGood, lastGoodOf } from '../../src/nn/model/last-good';
import { blobs } from '../nn/helpers';
import { DeviceFaults } from './faulty-device';
import { faultModel, faultyGpus } from './fixtures';

const { x, y } = blobs(64, 4);
/** 64 rows in batches of 16: 4 steps an epoch, no validation, so an epoch's last readback is its capture. */
const FIT = { epochs: 3, batchSize: 16, seed: 3 } as const;

const makeModel = () => faultModel(13);
const { gpuWith, adoptCurrent } = faultyGpus();

/** Every weight and slot of the model's last-good state, copied. */
function stateCopy(model: Sequential): Map<string, number[]> {
  const state = lastGoodOf(model)!;
  return new Map([...state.weights, ...state.slots].map(([name, v]) => [name, Array.from(v)]));
}

describe('the last-good capture', () => {
  it("reads a model's 12 weights and slots with one readback", async () => {
    const faults = new DeviceFaults();
    await gpuWith(faults);
    const model = makeModel();
    await model.fit(x, y, { ...FIT, epochs: 1 });
    const before = faults.counts.readback;
    await captureLastGood(model, 1);
    expect(faults.counts.readback - before).toBe(1);
    expect(lastGoodOf(model)!.slots.size).toBe(8);
  });

  it('lost with its readback in flight: the previous state kept, the epoch re-run, the unfaulted losses', async () => {
    await gpuWith(new DeviceFaults());
    const expected: History = await makeModel().fit(x, y, FIT);

    const faults = new DeviceFaults();
    await gpuWith(faults);
    const model = makeModel();
    let epoch = -1;
    const seen: {
      afterEpoch0?: Map<string, number[]>;
      atRecovery?: { epoch: number; state: Map<string, number[]> };
    } = {};
    const history = await model.fit(x, y, {
      ...FIT,
      callbacks: [
        new LambdaCallback({
          onEpochBegin: (e) => {
            epoch = e;
          },
          onEpochEnd: (e, _logs, m) => {
            if (e === 0) seen.afterEpoch0 = stateCopy(m);
          },
          // Epoch 1's last step is read: its next readback is the epoch's capture.
          onBatchEnd: (b) => {
            if (epoch === 1 && b === 3 && !faults.isArmed && faults.fired.length === 0)
              faults.arm({ kind: 'lose-device', on: 'readback', at: 1, after: true });
          },
          onRecovered: (_info: RecoveredInfo, m) => {
            seen.atRecovery = { epoch: lastGoodOf(m)!.epoch, state: stateCopy(m) };
          },
        }),
      ],
    });
    adoptCurrent();
    expect(faults.fired).toHaveLength(1);
    expect(faults.fired[0]).toMatch(/^lose-device at readback 1/);
    expect(history.recovered.map((r) => r.epoch)).toEqual([1]);
    expect(history.recovered[0].cause).toMatch(/destroyed|lost/);
    // The capture that failed left the state of epoch 0's end whole, every weight and slot.
    expect(seen.atRecovery?.epoch).toBe(1);
    expect(seen.afterEpoch0?.size).toBe(12);
    expect(seen.atRecovery?.state).toEqual(seen.afterEpoch0);
    const tolerance = currentBackend().name === 'webgpu' ? 1e-6 : 1e-4;
    expect(history.history.loss).toHaveLength(FIT.epochs);
    history.history.loss.forEach((loss, e) => {
      expect(Math.abs(loss - expected.history.loss[e]), `epoch ${e}`).toBeLessThan(tolerance);
    });
    // And the capture at fit's end holds the model's weights.
    const state = lastGoodOf(model)!;
    expect(state.epoch).toBe(FIT.epochs);
    const weights = await Promise.all(model.variables.map((v) => v.value.data()));
    model.variables.forEach((v, j) => {
      expect(Array.from(weights[j])).toEqual(Array.from(state.weights.get(v.name)!));
    });
  });
});
