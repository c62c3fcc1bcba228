import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/graph/random';
import { halfToFloat } from '../../src/io/dtypes';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors';
import type { NamedWeightTensor } from '../../src/io/weights';

const here = import.meta.dirname;
const ascii = (s: string) => Array.from(new TextEncoder().encode(s));

/** The float32 bit patterns, so comparisons are bit for bit (NaN and -0 included). */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('encodeSafetensors layout', () => {
  it('writes a tiny file byte for byte as the specification and the reference writer lay it out', () => {
    const header =
      '{"__metadata__":{"k":"v"},' +
      '"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
    expect(header.length).toBe(135); // padded with one space to 136 = 0x88, so 8 + 136 is 8-aligned
    const expected = [
      ...[0x88, 0, 0, 0, 0, 0, 0, 0],
      ...ascii(header),
      0x20,
      ...[0x00, 0x00, 0x00, 0x3f], // a: 0.5
      ...[0x00, 0x00, 0x80, 0x3f], // b: 1.0
      ...[0x00, 0x00, 0x00, 0xc0], // b: -2.0
    ];
    // Insertion order b, a: the writer sorts by name.
    const tensors = new Map([
      ['b', { shape: [2], data: new Float32Array([1, -2]) }],
      ['a', { shape: [1, 1], data: new Float32Array([0.5]) }],
    ]);
    expect(Array.from(encodeSafetensors(tensors, { k: 'v' }))).toEqual(expected);
  });

  it('omits __metadata__ when none is given and pads every header to 8 bytes', () => {
    for (let len = 1; len <= 12; len++) {
      const name = 'x'.repeat(len);
      const bytes = encodeSafetensors([{ name, shape: [1], data: new Float32Array([1]) }]);
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect((8 + n) % 8).toBe(0);
      const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
      expect(text.trimEnd()).toBe(`{"${name}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`);
      expect(text.length - text.trimEnd().length).toBeLessThan(8);
    }
  });

  it('refuses duplicate names, the reserved name and data that does not fit the shape', () => {
    const t = (name: string, shape: number[], n: number): NamedWeightTensor => ({
      name,
      shape,
      data: new Float32Array(n),
    });
    expect(() => encodeSafetensors([t('a', [1], 1), t('a', [1], 1)])).toThrow(/'a': appears twice/);
    expect(() => encodeSafetensors([t('__metadata__', [1], 1)])).toThrow(/reserved/);
    expect(() => encodeSafetensors([t('w', [2, 3], 5)])).toThrow(
      /shape \[2,3\] has 6 elements but data has 5/,
    );
    expect(() => encodeSafetensors([t('w', [-1], 0)])).toThrow(/shape\[0\] is -1/);
    expect(() =>
      encodeSafetensors([t('w', [1], 1)], { epoch: 3 } as unknown as Record<string, string>),
    ).toThrow(/metadata 'epoch' is 3; expected a string/);
  });
});

describe('round trip', () => {
  it('returns every tensor bit for bit, with shapes, metadata and odd names', () => {
    const rng = new Random(9);
    const tensors: NamedWeightTensor[] = [
      { name: 'dense_1.kernel', shape: [3, 4], data: Float32Array.from({ length: 12 }, () => rng.normal()) },
      { name: 'dense_1.bias', shape: [4], data: new Float32Array([0, -0, 1e-45, 3.4028234663852886e38]) },
      { name: 'scalar', shape: [], data: new Float32Array([7]) },
      { name: 'empty', shape: [0, 5], data: new Float32Array(0) },
      { name: '__proto__', shape: [1], data: new Float32Array([2]) },
      { name: 'conv/𝑘é', shape: [1, 1, 1, 2], data: new Float32Array([1.5, -2.5]) },
    ];
    // A literal `{ __proto__: ... }` would set the prototype; fromEntries makes a real key.
    const metadata: Record<string, string> = Object.fromEntries([
      ['config', JSON.stringify({ layers: [{ units: 4 }] })],
      ['__proto__', 'kept'],
    ]);
    const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata), { fileName: 'm.safetensors' });
    expect(decoded.warnings).toEqual([]);
    expect(decoded.metadata.config).toBe(metadata.config);
    expect(Object.entries(decoded.metadata)).toContainEqual(['__proto__', 'kept']);
    expect([...decoded.tensors.keys()].sort()).toEqual(tensors.map((t) => t.name).sort());
    for (const t of tensors) {
      const d = decoded.tensors.get(t.name)!;
      expect(d.shape).toEqual(t.shape);
      expect(d.dtype).toBe('F32');
      expect(bits(d.data)).toEqual(bits(t.data));
    }
  });

  it('copies tensor data out of the file buffer (later writes to the bytes do not reach it)', () => {
    const bytes = encodeSafetensors([{ name: 'w', shape: [2], data: new Float32Array([1, 2]) }]);
    const w = decodeSafetensors(bytes).tensors.get('w')!;
    bytes.fill(0, bytes.length - 8);
    expect(Array.from(w.data)).toEqual([1, 2]);
  });

  it('reads a subarray view and an ArrayBuffer alike', () => {
    const bytes = encodeSafetensors([{ name: 'w', shape: [1], data: new Float32Array([3]) }]);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(decodeSafetensors(padded.subarray(3)).tensors.get('w')!.data[0]).toBe(3);
    expect(decodeSafetensors(bytes.slice().buffer).tensors.get('w')!.data[0]).toBe(3);
  });

  it('reports non-finite values as warnings naming the tensor, or throws when asked', () => {
    const bytes = encodeSafetensors([
      { name: 'w', shape: [3], data: new Float32Array([1, Number.NaN, -Infinity]) },
    ]);
    const { warnings, tensors } = decodeSafetensors(bytes, { fileName: 'f.safetensors' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ tensor: 'w', nonFinite: 2, firstIndex: 1 });
    expect(warnings[0].message).toBe(
      "f.safetensors: tensor 'w': 2 non-finite values (first at index 1: NaN)",
    );
    expect(Number.isNaN(tensors.get('w')!.data[1])).toBe(true);
    expect(() => decodeSafetensors(bytes, { nonFinite: 'error' })).toThrow(/tensor 'w': 2 non-finite values/);
  });
});

describe('dtype conversion', () => {
  it('half floats convert exactly, including subnormals and infinity', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(halfToFloat(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
    expect(halfToFloat(0x7e00)).toBeNaN();
    expect(Object.is(halfToFloat(0x8000), -0)).toBe(true);
  });

  it('reads the mixed-dtype fixture written by the numpy reference writer', () => {
    // test/io/fixtures/reference-mixed.safetensors was made by
    // `python3 test/io/safetensors_reference.py write` (F64, F32, BF16, F16 in the reference order).
    const bytes = readFileSync(join(here, 'fixtures/reference-mixed.safetensors'));
    const d = decodeSafetensors(bytes, { fileName: 'reference-mixed.safetensors' });
    expect(d.metadata).toEqual({ format: 'pt' });
    expect(d.warnings).toEqual([]);
    const get = (name: string) => d.tensors.get(name)!;
    expect(Array.from(get('dense_1.kernel').data)).toEqual(
      [0.5, -1, 2, 3.25, -0.125, 0.001].map(Math.fround),
    );
    expect(get('dense_1.kernel').shape).toEqual([2, 3]);
    expect(Array.from(get('dense_1.bias').data)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
    expect(get('scalar')).toMatchObject({ shape: [], dtype: 'F32' });
    expect(get('scalar').data[0]).toBe(42);
    expect(get('empty').shape).toEqual([0, 3]);
    expect(get('empty').data.length).toBe(0);
    expect(get('half')).toMatchObject({ dtype: 'F16', shape: [4] });
    expect(Array.from(get('half').data)).toEqual([1, -2, 65504, 2 ** -24]);
    expect(get('brain')).toMatchObject({ dtype: 'BF16', shape: [2, 2] });
    expect(Array.from(get('brain').data)).toEqual([1, -2, 3.140625, 0.015625]);
    expect(get('double').dtype).toBe('F64');
    expect(Array.from(get('double').data)).toEqual([Math.fround(0.1), -7.5]);
  });

  it('an F64 value beyond float32 range becomes Infinity and is reported', () => {
    const header = '{"d":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}';
    const text = new TextEncoder().encode(header);
    const bytes = new Uint8Array(8 + text.length + 8);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(text.length), true);
    bytes.set(text, 8);
    view.setFloat64(8 + text.length, 1e300, true);
    const d = decodeSafetensors(bytes);
    expect(d.tensors.get('d')!.data[0]).toBe(Number.POSITIVE_INFINITY);
    expect(d.warnings[0].tensor).toBe('d');
  });
});

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasNumpy)('cross-check with the independent numpy reader and writer', () => {
  const script = join(here, 'safetensors_reference.py');

  it('our file reads back in Python with the same names, shapes, values and metadata', () => {
    const rng = new Random(4);
    const tensors: NamedWeightTensor[] = [
      { name: 'dense_2.kernel', shape: [5, 3], data: Float32Array.from({ length: 15 }, () => rng.normal()) },
      { name: 'dense_2.bias', shape: [3], data: Float32Array.from({ length: 3 }, () => rng.normal()) },
      {
        name: 'conv2d_1.kernel',
        shape: [3, 3, 1, 2],
        data: Float32Array.from({ length: 18 }, () => rng.uniform()),
      },
    ];
    const path = join(mkdtempSync(join(tmpdir(), 'st-')), 'ours.safetensors');
    writeFileSync(path, encodeSafetensors(tensors, { config: '{"a":1}' }));
    const out = JSON.parse(execFileSync('python3', [script, 'read', path], { encoding: 'utf8' }));
    expect(out.metadata).toEqual({ config: '{"a":1}' });
    for (const t of tensors) {
      expect(out.tensors[t.name].dtype).toBe('F32');
      expect(out.tensors[t.name].shape).toEqual(t.shape);
      expect(out.tensors[t.name].values).toEqual(Array.from(t.data));
    }
  });

  it('the committed fixture is what the Python writer produces today', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'st-')), 'fresh.safetensors');
    execFileSync('python3', [script, 'write', path]);
    expect(
      Buffer.compare(readFileSync(path), readFileSync(join(here, 'fixtures/reference-mixed.safetensors'))),
    ).toBe(0);
  });
});
