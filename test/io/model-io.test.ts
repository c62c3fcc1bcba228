/** model.exportWeights / model.loadWeights: round trips, metadata, and partial loading. */
import { describe, expect, it } from 'vitest';
import {
  Activation,
  Dense,
  Dropout,
  decodeJsonWeights,
  decodeSafetensors,
  InvalidArgumentError,
  layerClasses,
  ModelStateError,
  Sequential,
  Softmax,
  WeightsFileError,
  WeightsMismatchError,
} from '../../src/index';
import { exportModelWeights, loadModelWeights } from '../../src/io/model-io';
import { expectError, expectRejection } from './catch-error';
import { classes, cnn, compiledMlp, mlp, predictionBits, randomBatch, weightValues } from './models';

/** A model whose BatchNormalization statistics and weights have moved away from their initial values. */
async function trainedMlp(seed: number): Promise<Sequential> {
  const model = compiledMlp(seed);
  const { x, y } = classes(24, 3);
  await model.fit(x, y, { epochs: 2, batchSize: 8 });
  return model;
}

async function trainedCnn(seed: number): Promise<Sequential> {
  const model = cnn(seed);
  model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
  const x = randomBatch([8, 6, 6, 2], 5);
  await model.fit(x, [0, 1, 0, 1, 1, 0, 0, 1], { epochs: 2, batchSize: 4 });
  return model;
}

it('the two test models hold every registered layer class between them', () => {
  const used = [...mlp(0).layers, ...cnn(0).layers].map((layer) => layer.className);
  expect(new Set(used)).toEqual(new Set(Object.keys(layerClasses)));
});

describe.each(['safetensors', 'json'] as const)('round trip through %s', (format) => {
  it.each([
    ['MLP (Dense, BatchNormalization, Dropout, Activation, Softmax)', trainedMlp, mlp, [5, 4]],
    ['CNN (Conv2D, both poolings, Reshape, Flatten)', trainedCnn, cnn, [3, 6, 6, 2]],
  ] as const)('%s: a fresh model predicts bit for bit the same', async (_, trained, fresh, xShape) => {
    const source = await trained(1);
    const x = randomBatch([...xShape], 9);
    const bytes = await exportModelWeights(source, { format });
    expect(bytes).toBeInstanceOf(Uint8Array);
    const target = fresh(2);
    expect(await predictionBits(target, x)).not.toEqual(await predictionBits(source, x));
    const report = loadModelWeights(target, bytes);
    expect(report.loaded).toEqual(source.variables.map((v) => v.name));
    expect(report.skipped).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(await weightValues(target)).toEqual(await weightValues(source));
    expect(await predictionBits(target, x)).toEqual(await predictionBits(source, x));
  });
});

describe('metadata', () => {
  it('holds the library, format version, model config, training config and the caller keys', async () => {
    const model = await trainedMlp(1);
    const preprocessing = JSON.stringify({ columns: ['a', 'b'], mean: [0.5, 1] });
    const bytes = await exportModelWeights(model, { metadata: { preprocessing } });
    const { metadata, tensors } = decodeSafetensors(bytes);
    expect(Object.keys(metadata).sort()).toEqual([
      'format_version',
      'library',
      'model_config',
      'preprocessing',
      'training_config',
    ]);
    expect(metadata.library).toBe('webgpu-trainer');
    expect(metadata.format_version).toBe('1');
    expect(JSON.parse(metadata.model_config)).toEqual(model.getConfig());
    expect(JSON.parse(metadata.training_config)).toEqual({
      optimizer: { className: 'Adam', config: { learningRate: 0.02 } },
      loss: { name: 'sparseCategoricalCrossentropy' },
      metrics: ['accuracy'],
    });
    expect(metadata.preprocessing).toBe(preprocessing);
    expect([...tensors.keys()]).toEqual([...model.variables.map((v) => v.name)].sort());
    expect(tensors.get('dense_1.kernel')?.shape).toEqual([4, 8]);

    const json = decodeJsonWeights(
      new TextDecoder().decode(await exportModelWeights(model, { format: 'json' })),
    );
    expect(json.metadata.model_config).toBe(metadata.model_config);
  });

  it('an uncompiled model, or includeTrainingConfig: false, writes no training config', async () => {
    const plain = decodeSafetensors(await exportModelWeights(mlp(1)));
    expect(plain.metadata.training_config).toBeUndefined();
    const model = compiledMlp(1);
    const without = decodeSafetensors(await exportModelWeights(model, { includeTrainingConfig: false }));
    expect(without.metadata.training_config).toBeUndefined();
  });

  it('refuses reserved metadata keys, unknown formats and unbuilt models', async () => {
    const model = mlp(1);
    await expectRejection(
      () => exportModelWeights(model, { metadata: { model_config: '{}' } }),
      InvalidArgumentError,
      "key 'model_config' is written by the model",
    );
    await expectRejection(
      // @ts-expect-error a format the API does not offer
      () => exportModelWeights(model, { format: 'h5' }),
      InvalidArgumentError,
      `exportWeights(format="h5"): expected 'safetensors' or 'json'`,
    );
    const unbuilt = new Sequential([new Dense({ units: 2 })]);
    await expectRejection(() => exportModelWeights(unbuilt), ModelStateError, 'the model is not built');
    expect(() => loadModelWeights(unbuilt, new Uint8Array(0))).toThrow(WeightsFileError);
  });
});

/**
 * The file's model: dense_1 [4,8], batch_normalization_1, dense_2 [8,6], dense_3 [6,3]. This one has
 * no BatchNormalization (its four tensors are missing in the model), dense_2 with 5 units (shape
 * mismatches in dense_2.kernel, dense_2.bias and dense_3.kernel) and an extra dense_4 (missing in file).
 */
function changedModel(): Sequential {
  return new Sequential({
    seed: 7,
    layers: [
      new Dense({ units: 8, activation: 'relu', inputShape: [4] }),
      new Dropout({ rate: 0.25 }),
      new Dense({ units: 5 }),
      new Activation({ activation: 'tanh' }),
      new Dense({ units: 3 }),
      new Dense({ units: 2 }),
      new Softmax({}),
    ],
  });
}

describe('partial loading', () => {
  const expectedSkips = [
    { name: 'dense_2.kernel', reason: 'shape mismatch', fileShape: [8, 6], modelShape: [8, 5] },
    { name: 'dense_2.bias', reason: 'shape mismatch', fileShape: [6], modelShape: [5] },
    { name: 'dense_3.kernel', reason: 'shape mismatch', fileShape: [6, 3], modelShape: [5, 3] },
    { name: 'dense_4.kernel', reason: 'missing in file', modelShape: [3, 2] },
    { name: 'dense_4.bias', reason: 'missing in file', modelShape: [2] },
    { name: 'batch_normalization_1.beta', reason: 'missing in model', fileShape: [8] },
    { name: 'batch_normalization_1.gamma', reason: 'missing in model', fileShape: [8] },
    { name: 'batch_normalization_1.moving_mean', reason: 'missing in model', fileShape: [8] },
    { name: 'batch_normalization_1.moving_variance', reason: 'missing in model', fileShape: [8] },
  ];

  it('strict (the default) loads nothing and lists every problem with both shapes', async () => {
    const bytes = await exportModelWeights(await trainedMlp(1));
    const model = changedModel();
    const before = await weightValues(model);
    const error = expectError(
      () => loadModelWeights(model, bytes),
      WeightsMismatchError,
      'nothing was loaded',
    );
    expect(error).toBeInstanceOf(WeightsFileError);
    expect(error.problems).toEqual(expectedSkips);
    expect(error.message).toContain('dense_2.kernel: shape mismatch (file [8,6], model [8,5])');
    expect(error.message).toContain('dense_4.bias: missing in file');
    expect(error.message).toContain('batch_normalization_1.gamma: missing in model');
    expect(await weightValues(model)).toEqual(before);
  });

  it('non-strict still refuses shape mismatches unless skipMismatch, and then loads nothing', async () => {
    const bytes = await exportModelWeights(await trainedMlp(1));
    const model = changedModel();
    const before = await weightValues(model);
    const error = expectError(
      () => loadModelWeights(model, bytes, { strict: false }),
      WeightsMismatchError,
      'pass { skipMismatch: true }',
    );
    expect(error.problems.map((p) => p.name)).toEqual(['dense_2.kernel', 'dense_2.bias', 'dense_3.kernel']);
    expect(await weightValues(model)).toEqual(before);
  });

  it('non-strict with skipMismatch loads what matches and reports the rest with its reason', async () => {
    const source = await trainedMlp(1);
    const bytes = await exportModelWeights(source);
    const model = changedModel();
    const before = await weightValues(model);
    const report = loadModelWeights(model, bytes, { strict: false, skipMismatch: true });
    expect(report.loaded).toEqual(['dense_1.kernel', 'dense_1.bias', 'dense_3.bias']);
    expect(report.skipped).toEqual(expectedSkips);
    const after = await weightValues(model);
    const file = await weightValues(source);
    for (const name of report.loaded) expect(after[name]).toEqual(file[name]);
    for (const { name, reason } of report.skipped) {
      if (reason !== 'missing in model') expect(after[name]).toEqual(before[name]);
    }
    expect(after['dense_1.kernel']).not.toEqual(before['dense_1.kernel']);
  });

  it('names missing on either side load without skipMismatch when strict is off', async () => {
    const source = await trainedMlp(1);
    const bytes = await exportModelWeights(source);
    const model = new Sequential([new Dense({ units: 8, inputShape: [4] }), new Dense({ units: 6 })]);
    const report = loadModelWeights(model, bytes, { strict: false });
    expect(report.loaded).toEqual(['dense_1.kernel', 'dense_1.bias', 'dense_2.kernel', 'dense_2.bias']);
    expect(report.skipped).toEqual([
      ...['beta', 'gamma', 'moving_mean', 'moving_variance'].map((w) => ({
        name: `batch_normalization_1.${w}`,
        reason: 'missing in model',
        fileShape: [8],
      })),
      { name: 'dense_3.bias', reason: 'missing in model', fileShape: [3] },
      { name: 'dense_3.kernel', reason: 'missing in model', fileShape: [6, 3] },
    ]);
    const file = await weightValues(source);
    const after = await weightValues(model);
    for (const name of report.loaded) expect(after[name]).toEqual(file[name]);
  });

  it('a transposed kernel (file [3,4], model [4,3]) is a shape mismatch though the sizes agree', async () => {
    const kernelOnly = (inputs: number, units: number, seed: number) =>
      new Sequential({ seed, layers: [new Dense({ units, useBias: false, inputShape: [inputs] })] });
    const bytes = await exportModelWeights(kernelOnly(3, 4, 1));
    const model = kernelOnly(4, 3, 2);
    const before = await weightValues(model);
    const mismatch = {
      name: 'dense_1.kernel',
      reason: 'shape mismatch',
      fileShape: [3, 4],
      modelShape: [4, 3],
    };
    const error = expectError(
      () => loadModelWeights(model, bytes),
      WeightsMismatchError,
      'nothing was loaded',
    );
    expect(error.problems).toEqual([mismatch]);
    const report = loadModelWeights(model, bytes, { strict: false, skipMismatch: true });
    expect(report.loaded).toEqual([]);
    expect(report.skipped).toEqual([mismatch]);
    expect(model.variables[0].value.shape).toEqual([4, 3]);
    expect(await weightValues(model)).toEqual(before);
  });

  it('strict with skipMismatch is refused as contradictory', async () => {
    const model = mlp(1);
    const bytes = await exportModelWeights(model);
    expectError(
      () => loadModelWeights(model, bytes, { skipMismatch: true }),
      InvalidArgumentError,
      'skipMismatch: true needs strict: false',
    );
  });
});
