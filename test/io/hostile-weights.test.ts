/**
 * Weights files written to cost far more than their size, or to crash the reader: a config asking
 * for 10^8 units, a million entries, values nested 10,000 deep, duplicate names, lengths past
 * 2^48, and inputs that are no file at all. Each is refused with a WeightsFileError that says what
 * is wrong, in a message of bounded length, before anything large is allocated.
 */
import { describe, expect, it } from 'vitest';
import {
  Dense,
  decodeJsonWeights,
  decodeSafetensors,
  encodeJsonWeights,
  encodeSafetensors,
  InvalidArgumentError,
  loadModel,
  Sequential,
  WeightsFileError,
  WeightsMismatchError,
} from '../../src/index';
import { exportModelWeights, loadModelWeights } from '../../src/io/model-io';
import { expectError } from './catch-error';
import { mlp } from './models';

/** A tiny model's file with its model config edited. */
async function withConfig(edit: (config: { layers: { config: Record<string, unknown> }[] }) => void) {
  const { tensors, metadata } = decodeSafetensors(await exportModelWeights(mlp(1)));
  const config = JSON.parse(metadata.model_config);
  edit(config);
  return encodeSafetensors(tensors, { ...metadata, model_config: JSON.stringify(config) });
}

/** safetensors bytes around a header given as text. */
function safetensorsWithHeader(header: string): Uint8Array {
  const json = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  return bytes;
}

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('loadModel checks the size its config asks for before building', () => {
  it.each([1e8, 1e9])(
    'a 1 KB file asking for Dense(units=%d) is refused, naming the layer',
    async (units) => {
      const bytes = await withConfig((c) => {
        c.layers[3].config.units = units;
      });
      expect(bytes.length).toBeLessThan(4000);
      const e = expectError(() => loadModel(bytes), WeightsFileError, "layer 3 (Dense 'dense_2')");
      expect(e.message).toContain(`kernel [8,${units}]`);
      expect(e.message).toContain(
        'over the limit of 134217728; pass { maxParams } to loadModel to allow more',
      );
    },
  );

  it('maxParams sets the limit both ways', async () => {
    const bytes = await exportModelWeights(mlp(1));
    const params = mlp(1).countParams();
    expectError(
      () => loadModel(bytes, { maxParams: params - 1 }),
      WeightsFileError,
      `over the limit of ${params - 1}`,
    );
    expect(loadModel(bytes, { maxParams: params }).countParams()).toBe(params);
    expectError(
      () => loadModel(bytes, { maxParams: '9' as never }),
      InvalidArgumentError,
      'a number was expected',
    );
  });

  it('a config value of the wrong type says a number was expected', async () => {
    const bytes = await withConfig((c) => {
      c.layers[3].config.units = '8';
    });
    expectError(
      () => loadModel(bytes),
      WeightsFileError,
      'Dense(units="8"): units must be a positive integer: a number was expected, received the string "8"',
    );
  });

  it('activation: null is refused, in code and in a file', async () => {
    expectError(
      () => new Dense({ units: 2, activation: null as never }),
      InvalidArgumentError,
      'Dense(activation=null): null is not a value for activation; leave activation out for its default',
    );
    const bytes = await withConfig((c) => {
      c.layers[0].config.activation = null;
    });
    expectError(() => loadModel(bytes), WeightsFileError, 'Dense(activation=null)');
  });
});

describe('headers with many entries', () => {
  it('a header of 100,000 zero-size entries is refused with a short message', () => {
    const entries = Array.from(
      { length: 100_000 },
      (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`,
    );
    const bytes = safetensorsWithHeader(`{${entries.join(',')}}`);
    const e = expectError(
      () => decodeSafetensors(bytes),
      WeightsFileError,
      'header: the top level has more than 65537 keys; a weights file holds at most 65536 tensors',
    );
    expect(e.message.length).toBeLessThan(200);
    const json = `{"format":"webgpu-trainer-weights","version":1,"tensors":{${Array.from({ length: 70_000 }, (_, i) => `"t${i}":{"shape":[0],"values":[]}`).join(',')}}}`;
    expectError(
      () => decodeJsonWeights(json),
      WeightsFileError,
      "the document: 'tensors' has more than 65537 keys",
    );
  });

  it('a file with 20,000 extra tensors gets a mismatch message of bounded length', async () => {
    const model = mlp(1);
    const { tensors, metadata } = decodeSafetensors(await exportModelWeights(model));
    for (let i = 0; i < 20_000; i++)
      tensors.set(`extra_${i}`, { shape: [0], data: new Float32Array(0), dtype: 'F32' });
    const e = expectError(
      () => loadModelWeights(model, encodeSafetensors(tensors, metadata)),
      WeightsMismatchError,
    );
    expect(e.problems.length).toBe(20_000);
    expect(e.message.length).toBeLessThan(1500);
    expect(e.message).toContain('and 19988 more (see error.problems)');
  });
});

describe('nesting 10,000 deep is a WeightsFileError, never a RangeError', () => {
  const cases: [string, string][] = [
    ['metadata', `{"__metadata__":{"a":${deep(10_000)}}}`],
    ['a tensor entry', `{"t":${deep(10_000)}}`],
    ['a shape', `{"t":{"dtype":"F32","shape":${deep(10_000)},"data_offsets":[0,0]}}`],
    ['a dtype', `{"t":{"dtype":${deep(10_000)},"shape":[0],"data_offsets":[0,0]}}`],
  ];
  it.each(cases)('safetensors: %s', (_, header) => {
    expectError(
      () => decodeSafetensors(safetensorsWithHeader(header)),
      WeightsFileError,
      'header nests deeper than 8 levels',
    );
  });

  it('JSON weights and a model config', async () => {
    const json = `{"format":"webgpu-trainer-weights","version":1,"tensors":{"t":{"shape":${deep(10_000)},"values":[]}}}`;
    expectError(() => decodeJsonWeights(json), WeightsFileError, 'the document nests deeper than 8 levels');
    const { tensors, metadata } = decodeSafetensors(await exportModelWeights(mlp(1)));
    const file = encodeSafetensors(tensors, { ...metadata, model_config: `{"className":${deep(10_000)}}` });
    expectError(
      () => loadModel(file),
      WeightsFileError,
      "metadata 'model_config' nests deeper than 32 levels",
    );
  });

  it('a shallow file still decodes: the legitimate depth is well inside the limit', async () => {
    const model = mlp(1);
    for (const format of ['safetensors', 'json'] as const) {
      expect(loadModel(await exportModelWeights(model, { format })).countParams()).toBe(model.countParams());
    }
  });
});

describe('duplicate names', () => {
  it('a tensor written twice in JSON weights is refused (JSON.parse would keep the last)', () => {
    const text = encodeJsonWeights(new Map([['a.bias', { shape: [2], data: Float32Array.from([1, 2]) }]]));
    const twice = text.replace(
      '"a.bias": { "shape": [2], "values": [1, 2] }',
      '"a.bias": { "shape": [2], "values": [1, 2] }, "a.bias": { "shape": [2], "values": [3, 4] }',
    );
    expect(twice).not.toBe(text);
    expectError(
      () => decodeJsonWeights(twice, { fileName: 'w.json' }),
      WeightsFileError,
      `w.json: the document: key "a.bias" appears twice in 'tensors'; JSON keeps only the last`,
    );
  });

  it('in a safetensors header and its metadata too', () => {
    const entry = '{"dtype":"F32","shape":[0],"data_offsets":[0,0]}';
    expectError(
      () => decodeSafetensors(safetensorsWithHeader(`{"t":${entry},"t":${entry}}`)),
      WeightsFileError,
      'key "t" appears twice in the top level',
    );
    expectError(
      () => decodeSafetensors(safetensorsWithHeader(`{"__metadata__":{"k":"1","k":"2"}}`)),
      WeightsFileError,
      `key "k" appears twice in '__metadata__'`,
    );
  });
});

describe('inputs that are no weights file', () => {
  it('a safetensors header length of 2^48 or more is named as such, not "not valid UTF-8"', () => {
    const bytes = new Uint8Array(64);
    new DataView(bytes.buffer).setBigUint64(0, 2n ** 48n + 5n, true);
    const model = mlp(1);
    expectError(
      () => loadModelWeights(model, bytes),
      WeightsFileError,
      'is not a weights file: read as safetensors, its first 8 bytes give a header length of 281474976710661',
    );
  });

  it('a Blob and null say what was passed and what to do', () => {
    const model = mlp(1);
    const blob = new Blob([new Uint8Array(16)]);
    expectError(
      () => loadModelWeights(model, blob as never),
      WeightsFileError,
      'received a Blob; read it first: new Uint8Array(await file.arrayBuffer())',
    );
    expectError(() => loadModel(null as never), WeightsFileError, 'or JSON weights text, received null');
  });

  it('load options of the wrong type are refused before the file is read', () => {
    const model = mlp(1);
    expectError(
      () => loadModelWeights(model, new Uint8Array(0), { strict: 'false' as never }),
      InvalidArgumentError,
      'loadModelWeights(strict) must be one of true, false, received the string "false"',
    );
    expectError(
      () => loadModel(new Uint8Array(0), { nonFinite: 'ignore' as never }),
      InvalidArgumentError,
      'loadModel(nonFinite)',
    );
    expectError(
      () => loadModel(new Uint8Array(0), { maxParams: 0 }),
      InvalidArgumentError,
      'loadModel(maxParams) must be a finite number >= 1, received 0',
    );
  });

  it('a failed load leaves the model as it was', async () => {
    const model = new Sequential([new Dense({ units: 2, inputShape: [3], name: 'a' })]);
    const before = await exportModelWeights(model);
    expect(() => loadModelWeights(model, null as never)).toThrow(WeightsFileError);
    expect(await exportModelWeights(model)).toEqual(before);
  });
});
