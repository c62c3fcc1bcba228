/**
 * fit under faults injected at the device (test/faults/faulty-device.ts, Dawn on SwiftShader):
 * the device lost, an allocation refused or a submit refused, at the first step, mid-epoch, at an
 * epoch's end (the last-good capture), during validation and during an export. Each run either
 * finishes with the losses of an unfaulted run (from the last completed epoch on, the interrupted
 * epoch re-run) or rejects with a typed error; either way the model holds its last-good state and
 * exports.
 */
import { describe, expect, it } from 'vitest';
import { WebGPUTrainerError } from '../../src/errors';
import { currentBackend } from '../../src/graph/engine';
import { type History, LambdaCallback, type Sequential } from '../../src/index';
import { exportModelWeights } from '../../src/io/model-io';
import { lastGoodOf } from '../../src/nn/model/last-good';
import { blobs } from '../nn/helpers';
import { DeviceFaults, type Fault } from './faulty-device';
import { faultModel, faultyGpus } from './fixtures';

const { x, y } = blobs(64, 3);
/** 48 training rows in batches of 16: 3 steps an epoch, then 16 validation rows (one step). */
const FIT = { epochs: 3, batchSize: 16, seed: 2, validationSplit: 0.25 } as const;

const makeModel = () => faultModel(11);
const { gpuWith, adoptCurrent } = faultyGpus();

let reference: History | null = null;
/** The unfaulted run, on a WebGPU device of its own. */
async function unfaulted(): Promise<History> {
  if (!reference) {
    await gpuWith(new DeviceFaults());
    reference = await makeModel().fit(x, y, FIT);
  }
  return reference;
}

/** When during fit the fault is armed, and what it counts from there. */
type Moment = 'first step' | 'mid-epoch' | 'epoch end' | 'validation' | 'export';

/**
 * Arms the fault once (a recovered fit re-runs the epoch, which must not fault again). Faults
 * that count steps come in epoch 1; an allocation fault comes where something is allocated,
 * which after a plan's first step is only the first capture, validation and export (epoch 0).
 */
function armAt(faults: DeviceFaults, moment: Moment, kind: Fault['kind'], model: Sequential): LambdaCallback {
  const stepFault = (at: number): Fault =>
    kind === 'fail-allocation' ? { kind, at: 1 } : { kind, at, on: 'step' };
  const target = kind === 'fail-allocation' ? 0 : 1;
  let done = false;
  const arm = (fault: Fault) => {
    if (done) return;
    done = true;
    faults.arm(fault);
  };
  if (moment === 'first step') arm(stepFault(1));
  let epoch = -1;
  return new LambdaCallback({
    onEpochBegin: (e) => {
      epoch = e;
      if (moment === 'mid-epoch' && e === target) arm(stepFault(2));
    },
    // After the epoch's last batch the next submits are its end: the capture, then validation.
    onBatchEnd: (b) => {
      if (epoch !== target || b !== 2) return;
      if (moment === 'epoch end') arm({ kind, at: 1 });
      if (moment === 'validation') arm(stepFault(1));
    },
    onEpochEnd: async (e) => {
      if (moment !== 'export' || e !== target) return;
      arm({ kind, at: 1 });
      // A user exporting from a callback mid-fit: the export itself meets the fault.
      await exportModelWeights(model).catch(() => undefined);
    },
  });
}

const moments: Moment[] = ['first step', 'mid-epoch', 'epoch end', 'validation', 'export'];
const kinds: Fault['kind'][] = ['lose-device', 'fail-allocation', 'fail-submit'];

describe.each(kinds)('fit with %s injected', (kind) => {
  it.each(moments)(
    'at the %s: the unfaulted losses, or a typed error; the model at its last-good state',
    async (moment) => {
      const expected = await unfaulted();
      const faults = new DeviceFaults();
      await gpuWith(faults);
      const model = makeModel();
      const outcome = await model
        .fit(x, y, { ...FIT, callbacks: [armAt(faults, moment, kind, model)] })
        .catch((e: unknown) => e);
      adoptCurrent();
      // Nothing is allocated mid-epoch (a plan allocates at its first step), and an export may
      // find its staging buffers pooled: there an allocation fault has nothing to refuse.
      const mayMiss = kind === 'fail-allocation' && (moment === 'mid-epoch' || moment === 'export');
      expect(faults.fired.length, `the ${kind} fault fired`).toBe(mayMiss ? faults.fired.length : 1);
      expect(faults.fired.length).toBeLessThanOrEqual(1);
      if (outcome instanceof Error) {
        expect(outcome).toBeInstanceOf(WebGPUTrainerError);
        const state = lastGoodOf(model)!;
        const weights = await Promise.all(model.getWeights().map((w) => w.data()));
        const kept = model.variables.map((v) => state.weights.get(v.name)!);
        weights.forEach((w, j) => {
          expect(Array.from(w)).toEqual(Array.from(kept[j]));
        });
      } else {
        const history = outcome as History;
        // A fault that only spoils an export a callback made is the callback's to see; a fault in
        // the run is recovered from and says so.
        if (faults.fired.length > 0 && moment !== 'export')
          expect(history.recovered.length).toBeGreaterThan(0);
        const tolerance = currentBackend().name === 'webgpu' ? 1e-6 : 1e-4;
        history.history.loss.forEach((loss, e) => {
          expect(Math.abs(loss - expected.history.loss[e]), `epoch ${e}`).toBeLessThan(tolerance);
        });
      }
      const file = await exportModelWeights(model);
      expect(file.byteLength).toBeGreaterThan(0);
    },
  );
});
