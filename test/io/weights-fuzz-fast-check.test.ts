// Property-based fuzzing (fast-check) of the weights readers: whatever the bytes — random, a valid
// file truncated, bit-flipped, or with a hostile header — decoding either succeeds consistently or
// throws WeightsFileError; it never throws anything else, hangs, or reads out of bounds. And a model
// given such a file keeps its weights.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Dense, Sequential, WeightsFileError } from '../../src/index';
import { decodeJsonWeights, encodeJsonWeights } from '../../src/io/json-weights';
import { exportModelWeights, loadModelWeights } from '../../src/io/model-io';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors';

const valid = encodeSafetensors(
  new Map([
    ['a.kernel', { shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
    ['a.bias', { shape: [2], data: Float32Array.from([0.5, -0.5]) }],
  ]),
  { note: 'fuzz' },
);

/** Decoding either returns tensors whose byte counts match their shapes, or throws WeightsFileError. */
function decodesOrRefuses(bytes: Uint8Array): boolean {
  try {
    const decoded = decodeSafetensors(bytes, { fileName: 'fuzz.safetensors' });
    for (const t of decoded.tensors.values()) {
      if (t.data.length !== t.shape.reduce((a, b) => a * b, 1)) return false;
    }
    return true;
  } catch (e) {
    return e instanceof WeightsFileError;
  }
}

describe('safetensors reader under fast-check', () => {
  test('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), decodesOrRefuses), { numRuns: 2000 });
  });

  test('a valid file truncated anywhere is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: valid.length - 1 }), (n) => {
        expect(() => decodeSafetensors(valid.subarray(0, n))).toThrow(WeightsFileError);
      }),
    );
  });

  test('bit flips and byte overwrites of a valid file', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), { minLength: 1, maxLength: 4 }),
        (edits) => {
          const bytes = valid.slice();
          for (const [at, value] of edits) bytes[at] = value;
          return decodesOrRefuses(bytes);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('hostile headers: huge lengths, offsets past the end, overlaps, odd dtypes and shapes', () => {
    const entry = fc.record({
      dtype: fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'nonsense'),
      shape: fc.array(fc.oneof(fc.nat(8), fc.constant(2 ** 31), fc.constant(-1)), { maxLength: 4 }),
      data_offsets: fc.tuple(fc.nat(64), fc.nat(64)),
    });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 6 }), entry, { maxKeys: 4 }),
        fc.nat(64),
        fc.boolean(),
        (header, data, lie) => {
          const json = new TextEncoder().encode(JSON.stringify(header));
          const bytes = new Uint8Array(8 + json.length + data);
          new DataView(bytes.buffer).setBigUint64(0, lie ? 2n ** 40n : BigInt(json.length), true);
          bytes.set(json, 8);
          return decodesOrRefuses(bytes);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

test('JSON weights reader: damaged text is refused with WeightsFileError', () => {
  const text = encodeJsonWeights(new Map([['a.bias', { shape: [2], data: Float32Array.from([1, 2]) }]]));
  fc.assert(
    fc.property(fc.nat(text.length - 1), fc.string({ maxLength: 3 }), (at, insert) => {
      const damaged = text.slice(0, at) + insert + text.slice(at + 1);
      try {
        decodeJsonWeights(damaged, { fileName: 'fuzz.json' });
        return true;
      } catch (e) {
        return e instanceof WeightsFileError;
      }
    }),
    { numRuns: 1000 },
  );
});

test('a model given a damaged file keeps its weights', async () => {
  const model = new Sequential([new Dense({ units: 2, inputShape: [3], name: 'a' })]);
  const before = await exportModelWeights(model);
  const kernel = Array.from(await model.getWeightsByName().get('a.kernel')!.data());
  fc.assert(
    fc.property(fc.nat(before.length - 1), fc.nat(255), (at, value) => {
      // A change to a data byte can still be a valid file, which loads: start every run afresh.
      loadModelWeights(model, before);
      const bytes = before.slice();
      bytes[at] = value;
      try {
        loadModelWeights(model, bytes);
      } catch (e) {
        if (!(e instanceof WeightsFileError)) throw e;
        expect(Array.from(model.getWeightsByName().get('a.kernel')!.dataSync())).toEqual(kernel);
      }
    }),
    { numRuns: 300 },
  );
});
