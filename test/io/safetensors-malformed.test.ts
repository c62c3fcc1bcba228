import { describe, expect, it } from 'vitest';
import { Random } from '../../src/graph/random';
import { Dense, Sequential } from '../../src/index';
import { WeightsFileError } from '../../src/io/errors';
import { loadModelWeights } from '../../src/io/model-io';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors';

/** A file with the given header text (unpadded) and data section, its length prefix set to fit. */
function file(
  header: string | Uint8Array,
  data: ArrayLike<number> = [],
  lengthOverride?: bigint,
): Uint8Array {
  const text = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const entry = (dtype: string, shape: unknown, offsets: unknown) =>
  JSON.stringify({ dtype, shape, data_offsets: offsets });

function fails(bytes: Uint8Array, message: RegExp, tensor?: string): void {
  let error: unknown;
  try {
    decodeSafetensors(bytes, { fileName: 'bad.safetensors' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(WeightsFileError);
  const e = error as WeightsFileError;
  expect(e.message).toMatch(message);
  expect(e.message.startsWith('bad.safetensors: ')).toBe(true);
  expect(e.file).toBe('bad.safetensors');
  expect(e.tensor).toBe(tensor);
}

describe('decodeSafetensors rejects malformed files with WeightsFileError', () => {
  it('short files and bad header lengths', () => {
    fails(new Uint8Array(5), /file is 5 bytes; a safetensors file starts with an 8-byte header length/);
    fails(
      file('{}', [], 100n),
      /header length 100 runs past the end of the file \(2 bytes after the length\)/,
    );
    fails(file('{}', [], 2n ** 60n), /header length 1152921504606846976 exceeds the 100000000-byte limit/);
    fails(file('{}', [], 2n ** 64n - 1n), /exceeds the 100000000-byte limit/);
  });

  it('headers that are not a UTF-8 JSON object', () => {
    fails(file(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /header is not valid UTF-8/);
    fails(file('{"a": '), /header is not valid JSON/);
    fails(file('[1,2]'), /header is an array; expected a JSON object/);
    fails(file('null'), /header is null; expected a JSON object/);
    fails(file('{"a":1}'), /entry is 1; expected \{dtype, shape, data_offsets\}/, 'a');
  });

  it('entries with missing fields, unsupported dtypes and bad shapes', () => {
    fails(file('{"w":{"shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /entry has no 'dtype'/, 'w');
    fails(file('{"w":{"dtype":"F32","data_offsets":[0,4]}}', [0, 0, 0, 0]), /entry has no 'shape'/, 'w');
    fails(file('{"w":{"dtype":"F32","shape":[1]}}', [0, 0, 0, 0]), /entry has no 'data_offsets'/, 'w');
    fails(file(`{"w":${entry('F33', [1], [0, 4])}}`, [0, 0, 0, 0]), /"F33" is not a safetensors dtype/, 'w');
    fails(
      file(`{"w":${entry('I64', [1], [0, 8])}}`, new Uint8Array(8)),
      /"I64" is a safetensors dtype this reader does not load as weights; expected one of F32, F16, BF16, F64/,
      'w',
    );
    fails(
      file(`{"w":${entry('F32', [-1], [0, 4])}}`, [0, 0, 0, 0]),
      /shape\[0\] is -1; expected a non-negative integer/,
      'w',
    );
    fails(file(`{"w":${entry('F32', [1.5], [0, 4])}}`, [0, 0, 0, 0]), /shape\[0\] is 1.5/, 'w');
    fails(file(`{"w":${entry('F32', '4', [0, 4])}}`, [0, 0, 0, 0]), /shape is "4"; expected an array/, 'w');
    fails(
      file(`{"w":${entry('F32', [2 ** 40, 2 ** 40], [0, 4])}}`, [0, 0, 0, 0]),
      /more elements than can be addressed/,
      'w',
    );
    // 2^26 × 2^26 elements fits a double but not the 4 bytes of data.
    fails(
      file(`{"w":${entry('F32', [2 ** 26, 2 ** 26], [0, 4])}}`, [0, 0, 0, 0]),
      /needs 18014398509481984 bytes/,
      'w',
    );
  });

  it('offsets out of range, reversed, or not matching the element count', () => {
    const four = [0, 0, 0, 0];
    fails(
      file(`{"w":${entry('F32', [1], [0, 8])}}`, four),
      /data_offsets \[0,8\] run past the data section \(4 bytes\)/,
      'w',
    );
    fails(
      file(`{"w":${entry('F32', [1], [4, 0])}}`, four),
      /data_offsets \[4,0\] end before they begin/,
      'w',
    );
    fails(
      file(`{"w":${entry('F32', [1], [0])}}`, four),
      /data_offsets is \[0\]; expected \[begin, end\]/,
      'w',
    );
    fails(file(`{"w":${entry('F32', [1], [-4, 0])}}`, four), /data_offsets is \[-4,0\]/, 'w');
    fails(
      file(`{"w":${entry('F32', [2], [0, 4])}}`, four),
      /shape \[2\] of F32 needs 8 bytes but data_offsets \[0,4\] span 4/,
      'w',
    );
    // A span longer than the shape needs, the data section exactly covered: still refused.
    fails(
      file(`{"w":${entry('F32', [1], [0, 8])}}`, new Uint8Array(8)),
      /shape \[1\] of F32 needs 4 bytes but data_offsets \[0,8\] span 8/,
      'w',
    );
    fails(
      file(`{"w":${entry('F16', [2, 2], [0, 12])}}`, new Uint8Array(12)),
      /shape \[2,2\] of F16 needs 8 bytes but data_offsets \[0,12\] span 12/,
      'w',
    );
  });

  it('loadWeights refuses a tensor whose span is longer than its shape, and keeps the weights', async () => {
    const model = new Sequential([new Dense({ units: 1, useBias: false, inputShape: [1] })]);
    model.build([1]);
    const before = Array.from(await model.variables[0].value.data());
    const bytes = file(`{"dense_1.kernel":${entry('F32', [1, 1], [0, 8])}}`, new Uint8Array(8));
    expect(() => loadModelWeights(model, bytes, { fileName: 'long.safetensors' })).toThrow(WeightsFileError);
    expect(() => loadModelWeights(model, bytes)).toThrow(
      /shape \[1,1\] of F32 needs 4 bytes but data_offsets \[0,8\] span 8/,
    );
    expect(Array.from(await model.variables[0].value.data())).toEqual(before);
  });

  it('tensors that overlap, leave gaps or leave bytes uncovered', () => {
    const eight = new Uint8Array(8);
    fails(
      file(`{"a":${entry('F32', [2], [0, 8])},"b":${entry('F32', [1], [4, 8])}}`, eight),
      /tensor 'b': data_offsets \[4,8\] overlap tensor 'a' \[0,8\]/,
      'b',
    );
    fails(
      file(`{"a":${entry('F32', [1], [0, 4])},"b":${entry('F32', [1], [0, 4])}}`, new Uint8Array(4)),
      /overlap tensor 'a'/,
      'b',
    );
    fails(
      file(`{"b":${entry('F32', [1], [4, 8])}}`, eight),
      /gap of 4 bytes in the data section before it/,
      'b',
    );
    fails(
      file(`{"a":${entry('F32', [1], [0, 4])}}`, eight),
      /data section is 8 bytes but the tensors cover only 4/,
    );
    fails(file('{}', [1, 2, 3]), /data section is 3 bytes but the tensors cover only 0/);
  });

  it('metadata that is not a map of strings', () => {
    fails(file('{"__metadata__":{"epoch":3}}'), /metadata 'epoch' is 3; expected a string/);
    fails(file('{"__metadata__":["a"]}'), /metadata is \["a"\]; expected an object of strings/);
  });

  it('accepts the edge cases the format allows: empty file, null metadata, unknown entry fields', () => {
    expect(decodeSafetensors(file('{}')).tensors.size).toBe(0);
    expect(decodeSafetensors(file('{"__metadata__":null}')).metadata).toEqual({});
    const extra = `{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"note":"x"}}`;
    expect(decodeSafetensors(file(extra, [0, 0, 0x80, 0x3f])).tensors.get('w')!.data[0]).toBe(1);
  });
});

describe('fuzz: damaged files throw WeightsFileError or decode, never anything else', () => {
  const valid = encodeSafetensors(
    [
      { name: 'dense_1.kernel', shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) },
      { name: 'dense_1.bias', shape: [3], data: new Float32Array([1, 2, 3]) },
      { name: 'empty', shape: [0], data: new Float32Array(0) },
    ],
    { config: '{"layers":2}' },
  );

  function outcome(bytes: Uint8Array): 'ok' | 'rejected' {
    try {
      const d = decodeSafetensors(bytes, { fileName: 'fuzz' });
      // Anything accepted must be internally consistent.
      for (const [, t] of d.tensors) expect(t.data.length).toBe(t.shape.reduce((a, b) => a * b, 1));
      return 'ok';
    } catch (e) {
      if (!(e instanceof WeightsFileError)) throw e;
      return 'rejected';
    }
  }

  it('every truncation is rejected', () => {
    for (let n = 0; n < valid.length; n++) expect(outcome(valid.subarray(0, n))).toBe('rejected');
  });

  it('random bit flips, byte overwrites and splices', () => {
    const rng = new Random(2024);
    const counts = { ok: 0, rejected: 0 };
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = valid.slice();
      const kind = trial % 3;
      if (kind === 0) {
        const flips = 1 + rng.int(4);
        for (let f = 0; f < flips; f++) bytes[rng.int(bytes.length)] ^= 1 << rng.int(8);
      } else if (kind === 1) {
        bytes[rng.int(bytes.length)] = rng.int(256);
      } else {
        // Overwrite the length prefix with something arbitrary, sometimes huge.
        new DataView(bytes.buffer).setUint32(rng.int(2) * 4, Math.floor(rng.uniform() * 2 ** 32), true);
      }
      counts[outcome(bytes)]++;
    }
    // Both outcomes occur: flips in the data section decode, flips in the header mostly do not.
    expect(counts.ok).toBeGreaterThan(100);
    expect(counts.rejected).toBeGreaterThan(1000);
  });

  it('random garbage of every small length', () => {
    const rng = new Random(7);
    for (let trial = 0; trial < 500; trial++) {
      const bytes = Uint8Array.from({ length: rng.int(64) }, () => rng.int(256));
      outcome(bytes);
    }
  });
});
