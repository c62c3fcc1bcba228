/**
 * Training state capture and restore: a run stopped after 3 epochs and resumed in a new model
 * object (as after a page reload) ends exactly where an uninterrupted 6-epoch run ends.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  captureTrainingState,
  Dense,
  decodeSafetensors,
  encodeSafetensors,
  InvalidArgumentError,
  ModelStateError,
  RMSprop,
  restoreTrainingState,
  Sequential,
  SGD,
  type TrainingState,
  WeightsFileError,
  type WeightTensor,
} from '../../src/index';
import { CheckpointStore } from '../../src/io/storage/index';
import { expectError, expectRejection } from './catch-error';
import { classes, compiledMlp, mlp, weightValues } from './models';

const data = classes(30, 8);
const fitOptions = { batchSize: 8, validationSplit: 0.2 };

async function stateAfterThreeEpochs(): Promise<TrainingState> {
  const model = compiledMlp(5);
  const history = await model.fit(data.x, data.y, { ...fitOptions, epochs: 3 });
  return captureTrainingState(model, {
    epoch: 3,
    history,
    extra: { preprocessing: { mean: [0.25, -1], columns: ['a', 'b'] }, fit: { epochs: 6 } },
  });
}

describe('resume from a training state', () => {
  it('3 epochs, capture, restore into a new model, 3 more = 6 straight (Adam, Dropout, BatchNormalization)', async () => {
    const straightModel = compiledMlp(5);
    const straight = await straightModel.fit(data.x, data.y, { ...fitOptions, epochs: 6 });

    // structuredClone is what IndexedDB and postMessage do to the state.
    const state = structuredClone(await stateAfterThreeEpochs());
    const { model, initialEpoch, history, extra } = restoreTrainingState(state);
    expect(initialEpoch).toBe(3);
    expect(history.epoch).toEqual([0, 1, 2]);
    expect(extra).toEqual({ preprocessing: { mean: [0.25, -1], columns: ['a', 'b'] }, fit: { epochs: 6 } });
    expect(model.compiled!.optimizer).toBeInstanceOf(Adam);
    expect(model.compiled!.optimizer.iterations).toBe(9);
    const resumed = await model.fit(data.x, data.y, { ...fitOptions, epochs: 6, initialEpoch, history });

    expect(resumed).toBe(history);
    expect(resumed.epoch).toEqual([0, 1, 2, 3, 4, 5]);
    expect(resumed.toJSON()).toEqual(straight.toJSON());
    expect(Object.keys(resumed.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(await weightValues(model)).toEqual(await weightValues(straightModel));
    const slots = (m: Sequential) => [...m.compiled!.optimizer.getState().slots.keys()].sort();
    expect(slots(model)).toEqual(slots(straightModel));
  });

  it('without the optimizer state the resumed run differs (the state matters)', async () => {
    const straightModel = compiledMlp(5);
    await straightModel.fit(data.x, data.y, { ...fitOptions, epochs: 6 });
    const state = await stateAfterThreeEpochs();
    const { model, initialEpoch, history } = restoreTrainingState(state);
    model.compiled!.optimizer.setState({ iterations: 0, slots: new Map() });
    await model.fit(data.x, data.y, { ...fitOptions, epochs: 6, initialEpoch, history });
    expect(await weightValues(model)).not.toEqual(await weightValues(straightModel));
  });

  it('survives a write to and read from IndexedDB through the CheckpointStore', async () => {
    const state = await stateAfterThreeEpochs();
    const store = new CheckpointStore('checkpoint-test');
    await store.write({ runId: 'run-1', ...state, run: state.extra });
    const read = await store.read('run-1');
    expect(read).toBeDefined();
    const restored = restoreTrainingState(read!);
    expect(restored.initialEpoch).toBe(3);
    expect(await weightValues(restored.model)).toEqual(await weightValues(restoreTrainingState(state).model));
  });

  it('holds the weights file, the optimizer class, step and Adam moments as plain data', async () => {
    const state = await stateAfterThreeEpochs();
    expect(state.weights).toBeInstanceOf(Uint8Array);
    expect(state.optimizerState.optimizer).toEqual({ className: 'Adam', config: { learningRate: 0.02 } });
    expect(state.optimizerState.iterations).toBe(9);
    const slots = decodeSafetensors(state.optimizerState.slots).tensors;
    expect([...slots.keys()]).toContain('dense_1.kernel.m');
    expect([...slots.keys()]).toContain('batch_normalization_1.gamma.v');
    expect(slots.get('dense_2.kernel.v')?.shape).toEqual([8, 6]);
    // Non-trainable moving statistics have no slots: only trainable weights are optimised.
    expect([...slots.keys()].some((k) => k.includes('moving'))).toBe(false);
    expect(state.history.epoch).toEqual([0, 1, 2]);
  });

  it('restores the loss and metrics the caller gives instead of the saved ones', async () => {
    const state = await stateAfterThreeEpochs();
    const { model } = restoreTrainingState(state, { loss: 'sparse_categorical_crossentropy', metrics: [] });
    expect(model.compiled!.metrics).toEqual([]);
  });

  it('RMSprop with momentum and a learning-rate schedule resumes on the same curve', async () => {
    const make = () => {
      const m = mlp(6);
      m.compile({
        optimizer: new RMSprop({
          momentum: 0.5,
          learningRate: { type: 'exponential', initialLearningRate: 0.01, decaySteps: 2, decayRate: 0.5 },
        }),
        loss: 'sparseCategoricalCrossentropy',
      });
      return m;
    };
    const straightModel = make();
    const straight = await straightModel.fit(data.x, data.y, { batchSize: 10, epochs: 4 });
    const model = make();
    const history = await model.fit(data.x, data.y, { batchSize: 10, epochs: 2 });
    const restored = restoreTrainingState(
      structuredClone(await captureTrainingState(model, { epoch: 2, history })),
    );
    const optimizer = restored.model.compiled!.optimizer;
    expect(optimizer).toBeInstanceOf(RMSprop);
    expect(optimizer.learningRate).toBe(model.compiled!.optimizer.learningRate);
    expect([...optimizer.getState().slots.keys()]).toContain('dense_1.kernel.momentum');
    const resumed = await restored.model.fit(data.x, data.y, {
      batchSize: 10,
      epochs: 4,
      initialEpoch: restored.initialEpoch,
      history: restored.history,
    });
    expect(resumed.toJSON()).toEqual(straight.toJSON());
    expect(await weightValues(restored.model)).toEqual(await weightValues(straightModel));
  });

  it('an SGD run without momentum (no slots) round-trips too', async () => {
    const model = new Sequential({ seed: 3, layers: [new Dense({ units: 1, inputShape: [4] })] });
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
    await model.fit(data.x, data.y, { epochs: 1, batchSize: 10 });
    const restored = restoreTrainingState(structuredClone(await captureTrainingState(model, { epoch: 1 })));
    expect(restored.model.compiled!.optimizer).toBeInstanceOf(SGD);
    expect(restored.model.compiled!.optimizer.iterations).toBe(3);
    expect(restored.history.epoch).toEqual([]);
    expect(await weightValues(restored.model)).toEqual(await weightValues(model));
  });
});

describe('capture and restore refuse what they cannot use', () => {
  it('capture needs a compiled model, an epoch count and cloneable extras', async () => {
    await expectRejection(() => captureTrainingState(mlp(1), { epoch: 0 }), ModelStateError, 'not compiled');
    const model = compiledMlp(1);
    await expectRejection(
      () => captureTrainingState(model, { epoch: -1 }),
      InvalidArgumentError,
      'captureTrainingState(epoch=-1): epoch must be',
    );
    await expectRejection(
      () => captureTrainingState(model, { epoch: 1, extra: { onEpoch: () => 1 } }),
      InvalidArgumentError,
      'captureTrainingState(extra):',
      'could not be cloned',
    );
  });

  it.each<[string, (s: Record<string, unknown>) => unknown, string]>([
    ['not an object', () => 'checkpoint', 'is string; expected a training state'],
    ['a bad epoch', (s) => ({ ...s, epoch: 2.5 }), 'epoch is 2.5'],
    [
      'history ahead of the epoch',
      (s) => ({ ...s, epoch: 2 }),
      'history records epoch 2 but the state says 2',
    ],
    ['history that is not History JSON', (s) => ({ ...s, history: { epoch: 'x' } }), 'history.epoch must be'],
    [
      'weights that are not bytes',
      (s) => ({ ...s, weights: [1, 2, 3] }),
      'weights is an array; expected the bytes',
    ],
    [
      'truncated weights',
      (s) => ({ ...s, weights: (s.weights as Uint8Array).slice(0, 100) }),
      'training state',
    ],
    [
      'a foreign optimizer record',
      (s) => ({ ...s, optimizerState: { format: 'tfjs' } }),
      `optimizerState is not an optimizer state record (format "tfjs"`,
    ],
    [
      'a negative step count',
      (s) => ({ ...s, optimizerState: { ...(s.optimizerState as object), iterations: -1 } }),
      'optimizerState.iterations is -1',
    ],
    [
      'an unknown optimizer',
      (s) => ({
        ...s,
        optimizerState: { ...(s.optimizerState as object), optimizer: { className: 'Lion', config: {} } },
      }),
      "unknown optimizer 'Lion'",
    ],
  ])('restore refuses %s', async (_, damage, fragment) => {
    const state = (await stateAfterThreeEpochs()) as unknown as Record<string, unknown>;
    expectError(() => restoreTrainingState(damage(state)), WeightsFileError, fragment);
  });

  it('restore refuses slots that belong to no weight or have the wrong shape', async () => {
    const state = await stateAfterThreeEpochs();
    const { tensors } = decodeSafetensors(state.optimizerState.slots);
    const stray = new Map<string, WeightTensor>([
      ...tensors,
      ['dense_9.kernel.m', { shape: [1], data: new Float32Array(1) }],
    ]);
    const withStray = {
      ...state,
      optimizerState: { ...state.optimizerState, slots: encodeSafetensors(stray) },
    };
    expectError(
      () => restoreTrainingState(withStray),
      WeightsFileError,
      "slot 'dense_9.kernel.m' belongs to no weight",
    );
    const wrong = new Map<string, WeightTensor>([
      ...tensors,
      ['dense_1.bias.m', { shape: [3], data: new Float32Array(3) }],
    ]);
    const withWrong = {
      ...state,
      optimizerState: { ...state.optimizerState, slots: encodeSafetensors(wrong) },
    };
    expectError(
      () => restoreTrainingState(withWrong),
      WeightsFileError,
      "slot 'dense_1.bias.m' has shape [3], its weight dense_1.bias [8]",
    );
  });
});
