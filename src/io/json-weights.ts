/**
 * Weights as JSON that people can read and diff:
 *
 *   { "format": "webgpu-trainer-weights", "version": 1,
 *     "metadata": { string: string },
 *     "tensors": { "<name>": { "shape": [d0, ...], "values": [v0, v1, ...] }, ... } }
 *
 * Tensors appear in the same sorted order as in our safetensors files, one per line. Values are
 * the shortest decimals that read back as the same float32, so a round trip is bit-exact. JSON has
 * no NaN or Infinity, so those are written as the strings "NaN", "Infinity" and "-Infinity"; the
 * reader accepts them and reports them as non-finite values.
 */
import { fmtShape } from '../errors';
import { WeightsFileError } from './errors';
import { brief, checkEntryCount, MAX_HEADER_DEPTH, parseBoundedJson } from './json-limits';
import {
  checkFiniteValues,
  checkMetadata,
  compareUtf8,
  type DecodedTensor,
  type DecodedWeights,
  type DecodeOptions,
  elementCount,
  tensorsToWrite,
  type WeightsWarning,
  type WeightTensors,
} from './weights';

export const JSON_WEIGHTS_FORMAT = 'webgpu-trainer-weights';
export const JSON_WEIGHTS_VERSION = 1;

const nonFiniteNames = new Map<string, number>([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);

/** The shortest decimal text that parses back to exactly this float32 value. */
export function float32ToText(v: number): string {
  if (!Number.isFinite(v)) return JSON.stringify(String(v));
  if (Object.is(v, -0)) return '-0';
  for (let digits = 1; digits < 9; digits++) {
    const text = v.toPrecision(digits);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  // Nine significant digits always identify a float32.
  return String(Number(v.toPrecision(9)));
}

/** Serialises float32 tensors and string metadata to the JSON weights format. */
export function encodeJsonWeights(tensors: WeightTensors, metadata: Record<string, string> = {}): string {
  const file = 'encodeJsonWeights';
  const list = tensorsToWrite(file, tensors);
  const checked = checkMetadata(file, metadata);
  const keys = Object.keys(checked).sort(compareUtf8);
  // Written as text so that names such as "__proto__" stay plain keys and the layout is fixed.
  const meta = keys.map((k) => `    ${JSON.stringify(k)}: ${JSON.stringify(checked[k])}`);
  const lines = list.map((t) => {
    const values = Array.from(t.data, float32ToText).join(', ');
    return `    ${JSON.stringify(t.name)}: { "shape": [${t.shape.join(', ')}], "values": [${values}] }`;
  });
  const block = (rows: string[]) => (rows.length === 0 ? '{}' : `{\n${rows.join(',\n')}\n  }`);
  return (
    `{\n  "format": "${JSON_WEIGHTS_FORMAT}",\n  "version": ${JSON_WEIGHTS_VERSION},\n` +
    `  "metadata": ${block(meta)},\n  "tensors": ${block(lines)}\n}\n`
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readValues(
  file: string,
  name: string,
  values: unknown,
  count: number,
  shape: number[],
): Float32Array {
  if (!Array.isArray(values)) {
    throw new WeightsFileError(file, `values is ${typeof values}; expected an array of numbers`, name);
  }
  if (values.length !== count) {
    throw new WeightsFileError(
      file,
      `shape ${fmtShape(shape)} has ${count} elements but values has ${values.length}`,
      name,
    );
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (typeof v === 'number') data[i] = v;
    else if (typeof v === 'string' && nonFiniteNames.has(v)) data[i] = nonFiniteNames.get(v) as number;
    else {
      throw new WeightsFileError(
        file,
        `values[${i}] is ${brief(v)}; expected a number or "NaN", "Infinity", "-Infinity"`,
        name,
      );
    }
  }
  return data;
}

/**
 * Parses the JSON weights format with the same guarantees as `decodeSafetensors`: the document is
 * checked whole (format tag, version, string metadata, every tensor's shape and value count and
 * every value) before anything is returned. Numbers are rounded to the nearest float32; a number
 * beyond float32's range becomes ±Infinity and is reported with the non-finite values. Fields
 * other than these are ignored.
 */
export function decodeJsonWeights(
  input: string | Uint8Array | ArrayBuffer,
  options: DecodeOptions = {},
): DecodedWeights {
  const file = options.fileName ?? 'JSON weights';
  let text: string;
  if (typeof input === 'string') text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new WeightsFileError(file, 'file is not valid UTF-8');
    }
  }
  const doc = parseBoundedJson(file, 'the document', text, MAX_HEADER_DEPTH);
  if (!isObject(doc) || doc.format !== JSON_WEIGHTS_FORMAT) {
    const found = isObject(doc) ? brief(doc.format) : 'not an object';
    throw new WeightsFileError(file, `format is ${found}; expected "${JSON_WEIGHTS_FORMAT}"`);
  }
  if (doc.version !== JSON_WEIGHTS_VERSION) {
    throw new WeightsFileError(
      file,
      `version is ${brief(doc.version)}; this reader knows version ${JSON_WEIGHTS_VERSION}`,
    );
  }
  const metadata = checkMetadata(file, doc.metadata);
  if (!isObject(doc.tensors)) {
    throw new WeightsFileError(
      file,
      `tensors is ${brief(doc.tensors)}; expected an object of {shape, values}`,
    );
  }
  checkEntryCount(file, Object.keys(doc.tensors).length);
  const parsed: [string, DecodedTensor][] = Object.entries(doc.tensors).map(([name, t]) => {
    if (!isObject(t))
      throw new WeightsFileError(file, `entry is ${brief(t)}; expected {shape, values}`, name);
    const count = elementCount(file, name, t.shape);
    const shape = [...(t.shape as number[])];
    return [name, { shape, data: readValues(file, name, t.values, count, shape), dtype: 'F32' }];
  });
  const warnings: WeightsWarning[] = [];
  const tensors = new Map<string, DecodedTensor>();
  for (const [name, t] of parsed.sort((a, b) => compareUtf8(a[0], b[0]))) {
    checkFiniteValues(file, name, t.data, options.nonFinite ?? 'warn', warnings);
    tensors.set(name, t);
  }
  return { tensors, metadata, warnings };
}
