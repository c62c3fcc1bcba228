import { describe, expect, it } from 'vitest';
import { Random } from '../../src/graph/random';
import { WeightsFileError } from '../../src/io/errors';
import { decodeJsonWeights, encodeJsonWeights, float32ToText } from '../../src/io/json-weights';
import { encodeSafetensors } from '../../src/io/safetensors';
import { decodeWeights, detectWeightsFormat } from '../../src/io/weights-file';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('encodeJsonWeights', () => {
  it('writes the documented layout: sorted tensors one per line, shortest float32 decimals', () => {
    const text = encodeJsonWeights(
      new Map([
        ['dense_1.kernel', { shape: [2, 2], data: new Float32Array([0.1, -2, 1 / 3, 1e-8]) }],
        ['dense_1.bias', { shape: [2], data: new Float32Array([0, Number.NaN]) }],
      ]),
      { config: '{"units":2}' },
    );
    expect(text).toBe(
      [
        '{',
        '  "format": "webgpu-trainer-weights",',
        '  "version": 1,',
        '  "metadata": {',
        '    "config": "{\\"units\\":2}"',
        '  },',
        '  "tensors": {',
        '    "dense_1.bias": { "shape": [2], "values": [0, "NaN"] },',
        '    "dense_1.kernel": { "shape": [2, 2], "values": [0.1, -2, 0.33333334, 1e-8] }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('float32ToText gives the shortest text that reads back as the same float32', () => {
    expect(float32ToText(Math.fround(0.1))).toBe('0.1');
    expect(float32ToText(Math.fround(1 / 3))).toBe('0.33333334');
    expect(float32ToText(16777216)).toBe('16777216');
    expect(float32ToText(-0)).toBe('-0');
    expect(float32ToText(Number.NEGATIVE_INFINITY)).toBe('"-Infinity"');
    const rng = new Random(3);
    for (let i = 0; i < 2000; i++) {
      const v = Math.fround((rng.normal() * 10) ** 3);
      const text = float32ToText(v);
      expect(Math.fround(Number(text))).toBe(v);
      // One digit fewer no longer identifies it (unless it is already minimal).
      const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').length;
      if (digits > 1) expect(Math.fround(Number(v.toPrecision(digits - 1)))).not.toBe(v);
    }
  });
});

describe('JSON round trip', () => {
  it('is bit-exact, including -0, subnormals, the largest float32, NaN and infinities', () => {
    const rng = new Random(5);
    const special = new Float32Array([-0, 1e-45, 3.4028234663852886e38, Number.NaN, Infinity, -Infinity]);
    const tensors = [
      { name: 'w', shape: [10, 10], data: Float32Array.from({ length: 100 }, () => rng.normal()) },
      { name: 'special', shape: [6], data: special },
      { name: '__proto__', shape: [], data: new Float32Array([5]) },
      { name: 'empty', shape: [3, 0], data: new Float32Array(0) },
    ];
    const decoded = decodeJsonWeights(encodeJsonWeights(tensors, { note: 'x' }), { fileName: 'w.json' });
    expect(decoded.metadata).toEqual({ note: 'x' });
    for (const t of tensors) {
      const d = decoded.tensors.get(t.name)!;
      expect(d.shape).toEqual(t.shape);
      expect(bits(d.data)).toEqual(bits(t.data));
    }
    expect(decoded.warnings.map((w) => [w.tensor, w.nonFinite, w.firstIndex])).toEqual([['special', 3, 3]]);
  });

  it('rounds hand-typed numbers to float32 and reports values beyond its range', () => {
    const doc = {
      format: 'webgpu-trainer-weights',
      version: 1,
      metadata: {},
      tensors: { w: { shape: [2], values: [0.1, 1e39] } },
    };
    const d = decodeJsonWeights(JSON.stringify(doc));
    expect(d.tensors.get('w')!.data[0]).toBe(Math.fround(0.1));
    expect(d.tensors.get('w')!.data[1]).toBe(Number.POSITIVE_INFINITY);
    expect(d.warnings[0].message).toMatch(/tensor 'w': 1 non-finite value \(first at index 1: Infinity\)/);
  });
});

describe('decodeJsonWeights rejects malformed documents with WeightsFileError', () => {
  const base = () => ({
    format: 'webgpu-trainer-weights',
    version: 1,
    metadata: { a: 'b' } as unknown,
    tensors: { w: { shape: [2], values: [1, 2] as unknown } } as Record<string, unknown>,
  });
  const fails = (doc: unknown, message: RegExp, tensor?: string) => {
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
    let error: unknown;
    try {
      decodeJsonWeights(text, { fileName: 'm.json' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WeightsFileError);
    expect((error as WeightsFileError).message).toMatch(message);
    expect((error as WeightsFileError).tensor).toBe(tensor);
  };

  it('covers every field', () => {
    fails('{"format": ', /m.json: the document is not valid JSON/);
    fails([1], /format is not an object; expected "webgpu-trainer-weights"/);
    fails({ ...base(), format: 'keras' }, /format is "keras"/);
    fails({ ...base(), version: 2 }, /version is 2; this reader knows version 1/);
    fails({ ...base(), metadata: { epoch: 3 } }, /metadata 'epoch' is 3; expected a string/);
    fails({ ...base(), tensors: [] }, /tensors is \[\]; expected an object/);
    fails({ ...base(), tensors: { w: 5 } }, /tensor 'w': entry is 5/, 'w');
    fails(
      { ...base(), tensors: { w: { shape: [3], values: [1, 2] } } },
      /shape \[3\] has 3 elements but values has 2/,
      'w',
    );
    fails({ ...base(), tensors: { w: { shape: [-2], values: [] } } }, /shape\[0\] is -2/, 'w');
    fails(
      { ...base(), tensors: { w: { shape: [2], values: 'abc' } } },
      /values is string; expected an array/,
      'w',
    );
    fails({ ...base(), tensors: { w: { shape: [2], values: [1, 'inf'] } } }, /values\[1\] is "inf"/, 'w');
    fails({ ...base(), tensors: { w: { shape: [1], values: [null] } } }, /values\[0\] is null/, 'w');
    expect(() => decodeJsonWeights(new Uint8Array([0x7b, 0xff]))).toThrow(/not valid UTF-8/);
  });

  it('accepts a document without metadata', () => {
    const { metadata: _, ...doc } = base();
    expect(decodeJsonWeights(JSON.stringify(doc)).metadata).toEqual({});
  });
});

describe('decodeWeights', () => {
  it('tells the formats apart and decodes both to the same tensors', () => {
    const tensors = [{ name: 'w', shape: [3], data: new Float32Array([1, 2.5, -3]) }];
    const st = encodeSafetensors(tensors);
    const json = new TextEncoder().encode(encodeJsonWeights(tensors));
    expect(detectWeightsFormat(st)).toBe('safetensors');
    expect(detectWeightsFormat(json)).toBe('json');
    expect(detectWeightsFormat('{}')).toBe('json');
    for (const input of [st, json, st.buffer as ArrayBuffer]) {
      expect(Array.from(decodeWeights(input).tensors.get('w')!.data)).toEqual([1, 2.5, -3]);
    }
  });
});
