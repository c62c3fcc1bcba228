/** loadModel, and damaged files: every failure is a WeightsFileError and leaves the weights as they were. */
import { describe, expect, it } from 'vitest';
import {
  Adam,
  decodeSafetensors,
  encodeJsonWeights,
  encodeSafetensors,
  loadModel,
  Random,
  type Sequential,
  WeightsFileError,
} from '../../src/index';
import { exportModelWeights, loadModelWeights } from '../../src/io/model-io';
import { expectError } from './catch-error';
import { classes, cnn, compiledMlp, mlp, predictionBits, randomBatch, weightValues } from './models';

async function trainedMlp(): Promise<Sequential> {
  const model = compiledMlp(1);
  const { x, y } = classes(24, 3);
  await model.fit(x, y, { epochs: 2, batchSize: 8 });
  return model;
}

/** The file with its metadata changed by `edit` and the tensors kept. */
function withMetadata(bytes: Uint8Array, edit: (m: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes);
  edit(metadata);
  return encodeSafetensors(tensors, metadata);
}

describe('loadModel', () => {
  it.each(['safetensors', 'json'] as const)(
    'rebuilds a trained, compiled model from %s and predicts bit for bit the same',
    async (format) => {
      const source = await trainedMlp();
      const loaded = loadModel(await exportModelWeights(source, { format }));
      expect(loaded.getConfig()).toEqual(source.getConfig());
      expect(loaded.variables.map((v) => v.name)).toEqual(source.variables.map((v) => v.name));
      const x = randomBatch([7, 4], 11);
      expect(await predictionBits(loaded, x)).toEqual(await predictionBits(source, x));
      const compiled = loaded.compiled!;
      expect(compiled.optimizer).toBeInstanceOf(Adam);
      expect(compiled.optimizer.serialize()).toEqual(source.compiled!.optimizer.serialize());
      expect(compiled.optimizer.iterations).toBe(0);
      expect(compiled.loss.config).toEqual({ name: 'sparseCategoricalCrossentropy' });
      expect(compiled.metrics.map((m) => m.name)).toEqual(['accuracy']);
    },
  );

  it('rebuilds a CNN (uncompiled: no training config, so not compiled)', async () => {
    const source = cnn(4);
    const loaded = loadModel(await exportModelWeights(source));
    expect(loaded.compiled).toBeNull();
    const x = randomBatch([2, 6, 6, 2], 12);
    expect(await predictionBits(loaded, x)).toEqual(await predictionBits(source, x));
    expect(loadModel(await exportModelWeights(compiledMlp(1)), { compile: false }).compiled).toBeNull();
  });

  it('refuses a file without a model config', async () => {
    const { tensors } = decodeSafetensors(await exportModelWeights(mlp(1)));
    expectError(
      () => loadModel(encodeSafetensors(tensors)),
      WeightsFileError,
      "has no model config (metadata 'model_config')",
    );
    expectError(
      () => loadModel(encodeJsonWeights(tensors)),
      WeightsFileError,
      'loadModelWeights(model, data)',
    );
  });

  it('refuses unknown layer classes before building anything', async () => {
    const bytes = withMetadata(await exportModelWeights(mlp(1)), (m) => {
      const config = JSON.parse(m.model_config);
      config.layers[2] = { className: 'Lambda', config: { code: 'fetch("https://example.com")' } };
      m.model_config = JSON.stringify(config);
    });
    expectError(
      () => loadModel(bytes),
      WeightsFileError,
      `layer 2 has unknown class "Lambda"; expected one of Dense, Conv2D`,
    );
  });

  it('a "__proto__" key in a layer config stays data', async () => {
    const bytes = withMetadata(await exportModelWeights(mlp(1)), (m) => {
      m.model_config = m.model_config.replace('"units":8,', '"units":8,"__proto__":{"polluted":true},');
      expect(m.model_config).toContain('__proto__');
    });
    const model = loadModel(bytes);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(model.variables[0].shape).toEqual([4, 8]);
  });

  it.each([
    [
      'a config that is not JSON',
      (m: Record<string, string>) => (m.model_config = '{"className":'),
      'is not valid JSON',
    ],
    [
      'a config that is not Sequential',
      (m: Record<string, string>) => (m.model_config = '{"className":"Functional","layers":[]}'),
      'is not a Sequential config',
    ],
    [
      'a layer config its constructor refuses',
      (m: Record<string, string>) => {
        const config = JSON.parse(m.model_config);
        config.layers[0].config.units = -3;
        m.model_config = JSON.stringify(config);
      },
      'units',
    ],
    [
      'a newer format version',
      (m: Record<string, string>) => (m.format_version = '2'),
      '\'format_version\' is "2"',
    ],
    ['another library', (m: Record<string, string>) => (m.library = 'keras'), '\'library\' is "keras"'],
    [
      'a malformed training config',
      (m: Record<string, string>) => (m.training_config = '{"loss":"mse"}'),
      "metadata 'training_config' is malformed",
    ],
    [
      'an unknown optimizer',
      (m: Record<string, string>) =>
        (m.training_config = JSON.stringify({
          optimizer: { className: 'Lion', config: {} },
          loss: { name: 'mse' },
          metrics: [],
        })),
      "unknown optimizer 'Lion'",
    ],
    [
      'tensors that do not fit the config',
      (m: Record<string, string>) => {
        const config = JSON.parse(m.model_config);
        config.layers[0].config.units = 9;
        m.model_config = JSON.stringify(config);
      },
      'dense_1.kernel: shape mismatch (file [4,8], model [4,9])',
    ],
  ])('refuses %s', async (_, edit, fragment) => {
    const bytes = withMetadata(await exportModelWeights(compiledMlp(1)), edit);
    expectError(() => loadModel(bytes), WeightsFileError, fragment);
  });
});

describe('damaged files leave the model untouched', () => {
  /** Loads `bytes` into `model` expecting a WeightsFileError and no weight replaced. */
  function expectRefused(model: Sequential, bytes: Uint8Array | string, what: string): void {
    const values = model.variables.map((v) => v.value);
    let error: unknown;
    try {
      loadModelWeights(model, bytes);
    } catch (e) {
      error = e;
    }
    expect(error, `${what}: expected WeightsFileError, caught ${String(error)}`).toBeInstanceOf(
      WeightsFileError,
    );
    expect(
      model.variables.every((v, i) => v.value === values[i]),
      `${what}: a weight was replaced`,
    ).toBe(true);
  }

  it('every truncation of a safetensors and a JSON file', async () => {
    const source = await trainedMlp();
    const bytes = await exportModelWeights(source);
    const json = new TextDecoder().decode(await exportModelWeights(source, { format: 'json' }));
    const model = mlp(2);
    const before = await weightValues(model);
    for (let n = 0; n < bytes.length; n++) expectRefused(model, bytes.subarray(0, n), `first ${n} bytes`);
    for (let n = 0; n < json.length; n += 7) expectRefused(model, json.slice(0, n), `first ${n} characters`);
    expect(await weightValues(model)).toEqual(before);
  });

  it('every single-bit flip in the header length and the tensor entries of the header', async () => {
    const bytes = await exportModelWeights(await trainedMlp());
    const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const text = new TextDecoder().decode(bytes.subarray(8, headerEnd));
    // The metadata strings are free text (a flip there can leave a loadable file); the tensor
    // entries that follow them are all structure: names, dtypes, shapes and offsets.
    const entriesStart =
      8 + new TextEncoder().encode(text.slice(0, text.indexOf('"batch_normalization_1.beta"'))).length;
    const model = mlp(2);
    const before = await weightValues(model);
    const positions = [
      ...Array(8).keys(),
      ...Array.from({ length: headerEnd - entriesStart }, (_, i) => entriesStart + i),
    ];
    for (const at of positions) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = bytes.slice();
        damaged[at] ^= 1 << bit;
        expectRefused(model, damaged, `bit ${bit} of byte ${at}`);
      }
    }
    expect(await weightValues(model)).toEqual(before);
  });

  it('random multi-byte damage anywhere in the header', async () => {
    const bytes = await exportModelWeights(await trainedMlp());
    const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const model = mlp(2);
    const rng = new Random(2024);
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const damaged = bytes.slice();
      for (let k = 0; k < 4; k++) damaged[rng.int(headerEnd)] = rng.int(256);
      const values = model.variables.map((v) => v.value);
      try {
        loadModelWeights(model, damaged);
        // Damage confined to metadata text can leave a valid file; it must then load the file's tensors.
        expect(await weightValues(model)).toEqual(await weightValues(loadModel(bytes, { compile: false })));
        for (const v of model.variables) v.value = values[model.variables.indexOf(v)];
      } catch (e) {
        expect(e).toBeInstanceOf(WeightsFileError);
        expect(model.variables.every((v, i) => v.value === values[i])).toBe(true);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(250);
  });
});
