/**
 * What both weight file formats carry: named float32 tensors with shapes, plus string metadata
 * (the model config and training state as JSON strings). Shared checks live here so the
 * safetensors and JSON codecs reject exactly the same things.
 */
import { fmtShape, InvalidArgumentError } from '../errors';
import { checkOneOf, checkOptionalNumber, checkOptionsObject, received } from '../validate';
import { WeightsFileError } from './errors';
import { brief, MAX_TENSOR_ENTRIES, quoteText } from './json-limits';

export interface WeightTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface NamedWeightTensor extends WeightTensor {
  readonly name: string;
}

/** Tensors to write: a Map from name, or a list of named tensors. */
export type WeightTensors = ReadonlyMap<string, WeightTensor> | Iterable<NamedWeightTensor>;

/** The element type a tensor had in the file; every decoded tensor is float32 in memory. */
export type SourceDtype = 'F32' | 'F16' | 'BF16' | 'F64';

export interface DecodedTensor {
  readonly shape: number[];
  readonly data: Float32Array;
  readonly dtype: SourceDtype;
}

/** Values that are NaN or infinite: loaded as they are, but reported, never silently. */
export interface WeightsWarning {
  readonly file: string;
  readonly tensor: string;
  readonly nonFinite: number;
  readonly firstIndex: number;
  readonly message: string;
}

export interface DecodedWeights {
  /** Tensors by name, in sorted name order. */
  readonly tensors: Map<string, DecodedTensor>;
  readonly metadata: Record<string, string>;
  readonly warnings: WeightsWarning[];
}

export interface DecodeOptions {
  /** Named in every error and warning. */
  fileName?: string;
  /** 'warn' (default) loads non-finite values and reports them; 'error' throws WeightsFileError. */
  nonFinite?: 'warn' | 'error';
}

/**
 * The options of a load, checked before the file is read: a `nonFinite: 'warn '` or a
 * `strict: "false"` (a truthy string) would otherwise mean something else than asked.
 */
export function checkDecodeOptions(call: string, options: unknown, booleans: readonly string[] = []): void {
  checkOptionsObject(`${call}(options)`, options);
  const o = (options ?? {}) as Record<string, unknown>;
  if (o.fileName !== undefined && typeof o.fileName !== 'string') {
    throw new InvalidArgumentError(`${call}(fileName) must be a string, ${received(o.fileName)}`);
  }
  checkOneOf(`${call}(nonFinite)`, o.nonFinite, ['warn', 'error']);
  for (const key of booleans) checkOneOf(`${call}(${key})`, o[key], [true, false]);
  checkOptionalNumber(`${call}(maxHeaderBytes)`, o.maxHeaderBytes, { integer: true, min: 2 });
}

/**
 * Orders names by their UTF-8 bytes, as the Rust safetensors writer does, so our layout matches
 * the reference byte for byte even for names outside the Basic Multilingual Plane.
 */
export function compareUtf8(a: string, b: string): number {
  // UTF-16 code units compare in code point order (= UTF-8 byte order) once surrogates are moved
  // above U+E000..U+FFFF; no encoding, so sorting many names stays cheap.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

function codePointOrder(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * Element count of a shape, or an error: every entry a non-negative safe integer, and the product
 * (taken with a zero anywhere giving zero) within Number.MAX_SAFE_INTEGER.
 */
export function elementCount(file: string, tensor: string, shape: unknown): number {
  if (!Array.isArray(shape)) {
    throw new WeightsFileError(file, `shape is ${brief(shape)}; expected an array of integers`, tensor);
  }
  let count = 1;
  for (const [i, d] of shape.entries()) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new WeightsFileError(file, `shape[${i}] is ${brief(d)}; expected a non-negative integer`, tensor);
    }
  }
  if (shape.includes(0)) return 0;
  for (const d of shape as number[]) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) {
      throw new WeightsFileError(
        file,
        `shape ${fmtShape(shape)} has more elements than can be addressed`,
        tensor,
      );
    }
  }
  return count;
}

/** Tensors to write, checked (names unique, shapes match data) and sorted by UTF-8 name. */
export function tensorsToWrite(file: string, tensors: WeightTensors): NamedWeightTensor[] {
  const list: NamedWeightTensor[] =
    tensors instanceof Map
      ? [...(tensors as ReadonlyMap<string, WeightTensor>)].map(([name, t]) => ({
          name,
          shape: t.shape,
          data: t.data,
        }))
      : [...(tensors as Iterable<NamedWeightTensor>)];
  const seen = new Set<string>();
  for (const t of list) {
    if (typeof t.name !== 'string')
      throw new WeightsFileError(file, `tensor name ${String(t.name)} is not a string`);
    if (t.name === '__metadata__') {
      throw new WeightsFileError(
        file,
        `'__metadata__' is reserved for the metadata and cannot name a tensor`,
      );
    }
    if (seen.has(t.name)) throw new WeightsFileError(file, 'appears twice; names must be unique', t.name);
    seen.add(t.name);
    if (!(t.data instanceof Float32Array)) {
      throw new WeightsFileError(file, 'data is not a Float32Array', t.name);
    }
    const count = elementCount(file, t.name, t.shape);
    if (count !== t.data.length) {
      throw new WeightsFileError(
        file,
        `shape ${fmtShape(t.shape)} has ${count} elements but data has ${t.data.length}`,
        t.name,
      );
    }
  }
  return list.sort((a, b) => compareUtf8(a.name, b.name));
}

/** Metadata must map strings to strings (safetensors allows nothing else in `__metadata__`). */
export function checkMetadata(file: string, metadata: unknown): Record<string, string> {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new WeightsFileError(file, `metadata is ${brief(metadata)}; expected an object of strings`);
  }
  const entries = Object.entries(metadata);
  if (entries.length > MAX_TENSOR_ENTRIES) {
    throw new WeightsFileError(
      file,
      `metadata has ${entries.length} keys, over the limit of ${MAX_TENSOR_ENTRIES}`,
    );
  }
  for (const [key, value] of entries) {
    if (typeof value !== 'string') {
      throw new WeightsFileError(
        file,
        `metadata '${quoteText(key, 80)}' is ${brief(value)}; expected a string (store JSON as a string)`,
      );
    }
  }
  // fromEntries defines own properties, so a key named "__proto__" stays a plain key.
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Counts NaN and infinite values and either reports them or throws, as `DecodeOptions` asks. */
export function checkFiniteValues(
  file: string,
  tensor: string,
  data: Float32Array,
  mode: 'warn' | 'error',
  warnings: WeightsWarning[],
): void {
  let count = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      if (first < 0) first = i;
      count++;
    }
  }
  if (count === 0) return;
  const message = `${count} non-finite value${count === 1 ? '' : 's'} (first at index ${first}: ${data[first]})`;
  if (mode === 'error') throw new WeightsFileError(file, message, tensor);
  warnings.push({
    file,
    tensor,
    nonFinite: count,
    firstIndex: first,
    message: `${file}: tensor '${tensor}': ${message}`,
  });
}
