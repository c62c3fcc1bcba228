/**
 * A seeded fuzz run of hostile weights files (FUZZ_SEED to change the seed, FUZZ_FILES the count):
 * valid model files in both formats, mutated where it hurts (the header-length field, numbers in
 * the header, nesting, duplicate and repeated entries, the model config's sizes, types and
 * classes, plain byte damage and truncation), each given to both loaders: loadModelWeights into a
 * built model and loadModel. Every file must load or be refused with WeightsFileError, within 1 s,
 * and a refused load must leave the model's weights as they were. Nothing else may escape: no
 * RangeError, TypeError, OutOfMemoryError, crash or hang.
 */
import { describe, expect, it } from 'vitest';
import { loadModel, Random, type Sequential, WeightsFileError } from '../../src/index';
import { exportModelWeights, loadModelWeights } from '../../src/io/model-io';
import { cnn, mlp } from './models';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const FILES = Number(process.env.FUZZ_FILES ?? 5000);
const BOUND_MS = 1000;
/** The fuzz's own parameter limit: a config may legitimately ask for up to this much work. */
const MAX_PARAMS = 100_000;

const HUGE = [
  '1e9',
  '4294967296',
  '9007199254740993',
  '-1',
  '1e308',
  '0.5',
  '"8"',
  'null',
  'true',
  '[]',
  '{}',
];

type Mutation = (text: string, rng: Random) => string;

function pick<T>(rng: Random, list: readonly T[]): T {
  return list[rng.int(list.length)];
}

/** Replaces the k-th number in JSON text (outside strings, roughly) with a hostile value. */
const numberSwap: Mutation = (text, rng) => {
  const numbers = [...text.matchAll(/(?<=[:,[]\s*)-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g)];
  if (numbers.length === 0) return text;
  const m = pick(rng, numbers);
  return text.slice(0, m.index) + pick(rng, HUGE) + text.slice(m.index! + m[0].length);
};

/**
 * Puts a deeply nested value (up to 20,000 levels) before a member: one of the file's own keys
 * (`"shape":`, `"dtype":`, a tensor name) or, inside the model config string, one of its keys.
 */
const nest: Mutation = (text, rng) => {
  const escaped = rng.uniform() < 0.4;
  const keys = [...text.matchAll(escaped ? /\\"\w+\\":/g : /(?<!\\)"[\w.]+":/g)];
  if (keys.length === 0) return text;
  const m = pick(rng, keys);
  const at = m.index! + m[0].length;
  const depth = pick(rng, [9, 33, 100, 20_000]);
  const filler = escaped ? '\\"x\\":' : '"x":';
  return `${text.slice(0, at)}${'['.repeat(depth)}0${']'.repeat(depth)},${filler}${text.slice(at)}`;
};

/** Repeats one `"key":value` member (a duplicate, or many). */
const duplicate: Mutation = (text, rng) => {
  const keys = [...text.matchAll(/"[^"\\]{1,40}":/g)];
  if (keys.length === 0) return text;
  const m = pick(rng, keys);
  const times = pick(rng, [2, 3, 1000]);
  return text.slice(0, m.index) + `${m[0]}0,`.repeat(times - 1) + text.slice(m.index);
};

/** Edits a model config inside a metadata string: sizes, types, nulls, unknown classes, many layers. */
const configEdit: Mutation = (text, rng) => {
  const edits: [RegExp, string][] = [
    [
      /\\"units\\":\d+/,
      `\\"units\\":${pick(rng, ['100000000', '1e9', '\\"8\\"', 'null', '0', '-3', '2.5', '1e400'])}`,
    ],
    [/\\"activation\\":\\"\w+\\"/, `\\"activation\\":${pick(rng, ['null', '\\"eval\\"', '[]', '{}'])}`],
    [
      /\\"inputShape\\":\[[^\]]*\]/,
      `\\"inputShape\\":${pick(rng, ['[1e9]', '[100000,100000]', '[-1]', '[]', '\\"4\\"', '[4.5]'])}`,
    ],
    [
      /\\"className\\":\\"Dense\\"/,
      `\\"className\\":${pick(rng, ['\\"Lambda\\"', '\\"__proto__\\"', '\\"constructor\\"', '7'])}`,
    ],
    [
      /\\"kernelSize\\":(\d+|\[[^\]]*\])/,
      `\\"kernelSize\\":${pick(rng, ['100000', '[0,0]', '[3]', '\\"3\\"'])}`,
    ],
    [/\\"rate\\":[\d.]+/, `\\"rate\\":${pick(rng, ['1', '-1', '\\"0.5\\"', 'null'])}`],
  ];
  const [pattern, replacement] = pick(rng, edits);
  return text.replace(pattern, replacement);
};

/** Copies the model config's first layer many times (a long, cheap-to-write architecture). */
const manyLayers: Mutation = (text, rng) => {
  const m = /\\"layers\\":\[(\{.*?\\"config\\":\{[^}]*\}\})/.exec(text);
  if (!m) return text;
  // At most ~2 MB of copies: the bound is on work per file, and the files stay small.
  const copies = Math.min(pick(rng, [50, 2000]), Math.floor(2e6 / m[1].length));
  return text.replace(m[0], `\\"layers\\":[${`${m[1]},`.repeat(copies)}${m[1]}`);
};

const TEXT_MUTATIONS: Mutation[] = [
  numberSwap,
  numberSwap,
  nest,
  duplicate,
  configEdit,
  configEdit,
  manyLayers,
];

/** safetensors bytes with a new header text (the length field follows, unless told to lie). */
function withHeader(file: Uint8Array, header: string, rng: Random): Uint8Array {
  const oldLength = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  const data = file.subarray(8 + oldLength);
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  const lie = rng.uniform() < 0.1;
  const length = lie
    ? pick(rng, [2n ** 48n + 3n, 2n ** 63n, BigInt(json.length + 1), 0n])
    : BigInt(json.length);
  new DataView(out.buffer).setBigUint64(0, length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function headerOf(file: Uint8Array): string {
  const n = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  return new TextDecoder().decode(file.subarray(8, 8 + n));
}

/** Byte damage: overwrites, truncation, or a random tail. */
function damageBytes(file: Uint8Array, rng: Random): Uint8Array {
  const kind = rng.int(3);
  if (kind === 0) return file.subarray(0, rng.int(file.length));
  const out = file.slice();
  const edits = 1 + rng.int(8);
  for (let i = 0; i < edits; i++) out[rng.int(out.length)] = rng.int(256);
  if (kind === 2) out[rng.int(8)] = rng.int(256); // the header-length field itself
  return out;
}

function hostileFile(base: { safetensors: Uint8Array; json: string }, rng: Random): Uint8Array | string {
  const format = rng.int(2) === 0 ? 'safetensors' : 'json';
  if (rng.uniform() < 0.25) {
    return format === 'json'
      ? damageBytes(new TextEncoder().encode(base.json), rng)
      : damageBytes(base.safetensors, rng);
  }
  let text = format === 'json' ? base.json : headerOf(base.safetensors);
  const edits = 1 + rng.int(3);
  for (let i = 0; i < edits; i++) text = pick(rng, TEXT_MUTATIONS)(text, rng);
  return format === 'json' ? text : withHeader(base.safetensors, text, rng);
}

interface Outcome {
  loaded: number;
  refused: number;
  slowest: number;
}

/** One file through one loader: loads, or is refused with WeightsFileError; timed. */
function attempt(run: () => void, outcome: Outcome, label: () => string): void {
  const started = performance.now();
  try {
    run();
    outcome.loaded++;
  } catch (e) {
    if (!(e instanceof WeightsFileError)) {
      throw new Error(`${label()}: ${(e as Error)?.name}: ${String((e as Error)?.message).slice(0, 300)}`);
    }
    expect(e.message.length).toBeLessThan(4000);
    outcome.refused++;
  }
  const ms = performance.now() - started;
  outcome.slowest = Math.max(outcome.slowest, ms);
  if (ms > BOUND_MS) throw new Error(`${label()}: took ${ms.toFixed(0)} ms, over the ${BOUND_MS} ms bound`);
}

describe('hostile weights files, seeded', () => {
  it(`${FILES} files x (loadModelWeights, loadModel): loaded or WeightsFileError, within ${BOUND_MS} ms, model unchanged when refused`, {
    timeout: 300_000,
  }, async () => {
    const models: Sequential[] = [mlp(1), cnn(2)];
    const bases = await Promise.all(
      models.map(async (m) => ({
        safetensors: await exportModelWeights(m),
        json: new TextDecoder().decode(await exportModelWeights(m, { format: 'json' })),
      })),
    );
    const rng = new Random(SEED);
    const intoModel: Outcome = { loaded: 0, refused: 0, slowest: 0 };
    const asModel: Outcome = { loaded: 0, refused: 0, slowest: 0 };
    for (let i = 0; i < FILES; i++) {
      const which = rng.int(models.length);
      const model = models[which];
      const file = hostileFile(bases[which], rng);
      const name = () =>
        `seed ${SEED}, file ${i} (${typeof file === 'string' ? 'json' : 'safetensors'}, ${file.length} bytes)`;
      const before = model.variables.map((v) => v.value);
      let refused = false;
      attempt(
        () => {
          try {
            loadModelWeights(model, file);
          } catch (e) {
            refused = true;
            throw e;
          }
        },
        intoModel,
        () => `${name()}, loadModelWeights`,
      );
      // A refused load assigns nothing: every weight is still the very tensor it was.
      if (refused && !model.variables.every((v, k) => v.value === before[k])) {
        throw new Error(`${name()}: a refused loadModelWeights changed the model`);
      }
      if (!refused) loadModelWeights(model, bases[which].safetensors); // a valid mutation loaded: restore
      attempt(
        () => void loadModel(file, { maxParams: MAX_PARAMS }),
        asModel,
        () => `${name()}, loadModel`,
      );
    }
    // The run exercised both outcomes: mostly refusals, and mutations that are still valid files.
    expect(intoModel.refused + intoModel.loaded).toBe(FILES);
    expect(intoModel.refused).toBeGreaterThan(FILES / 2);
    expect(intoModel.loaded + asModel.loaded).toBeGreaterThan(0);
    console.log(
      `weights fuzz (seed ${SEED}): ${FILES} files; loadModelWeights ${intoModel.loaded} loaded / ${intoModel.refused} refused, slowest ${intoModel.slowest.toFixed(0)} ms; ` +
        `loadModel ${asModel.loaded} / ${asModel.refused}, slowest ${asModel.slowest.toFixed(0)} ms`,
    );
  });
});
