/**
 * safetensors (https://github.com/huggingface/safetensors), read and written without executing
 * anything from the file:
 *
 *   bytes 0..8      N, the header length, unsigned 64-bit little-endian
 *   bytes 8..8+N    header: UTF-8 JSON object
 *                     { "__metadata__": { string: string },            (optional, written first)
 *                       "<name>": { "dtype": "F32", "shape": [d0, d1, ...],
 *                                   "data_offsets": [begin, end] }, ... }
 *                   padded with spaces (0x20) so that 8 + N is a multiple of 8
 *   bytes 8+N..     the data section: each tensor's elements, row-major, little-endian, at
 *                   [begin, end) relative to the start of the data section
 *
 * We write as the reference Rust implementation does: compact JSON, tensors laid out in ascending
 * UTF-8 name order (all F32, so its dtype-then-name order is name order), `__metadata__` only when
 * metadata is given. Reading checks every length and offset before any tensor is returned.
 */
import { fmtShape } from '../errors';
import {
  hostIsLittleEndian,
  isSupportedDtype,
  safetensorsDtypeSizes,
  supportedDtypes,
  toFloat32,
} from './dtypes';
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
  type SourceDtype,
  tensorsToWrite,
  type WeightsWarning,
  type WeightTensors,
} from './weights';

/** The reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

const ENCODER = 'encodeSafetensors';

/** Serialises float32 tensors (and string metadata) to safetensors bytes. */
export function encodeSafetensors(tensors: WeightTensors, metadata?: Record<string, string>): Uint8Array {
  const list = tensorsToWrite(ENCODER, tensors);
  // The header is written as text by hand (not an object given to JSON.stringify) so that a
  // tensor named "__proto__" stays an ordinary key and the key order is exactly ours.
  const entries: string[] = [];
  if (metadata !== undefined) {
    const checked = checkMetadata(ENCODER, metadata);
    const keys = Object.keys(checked).sort(compareUtf8);
    entries.push(
      `"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(checked[k])}`).join(',')}}`,
    );
  }
  let offset = 0;
  for (const t of list) {
    const end = offset + t.data.byteLength;
    const info = `{"dtype":"F32","shape":${JSON.stringify([...t.shape])},"data_offsets":[${offset},${end}]}`;
    entries.push(`${JSON.stringify(t.name)}:${info}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const headerLength = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const t of list) {
    if (hostIsLittleEndian) out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(at + i * 4, t.data[i], true);
    at += t.data.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  dtype: SourceDtype;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

/** Reads the header length and parses the header; throws on anything malformed. */
function readHeader(file: string, bytes: Uint8Array, maxHeaderBytes: number) {
  if (bytes.length < 8) {
    throw new WeightsFileError(
      file,
      `file is ${bytes.length} bytes; a safetensors file starts with an 8-byte header length`,
    );
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(maxHeaderBytes)) {
    throw new WeightsFileError(file, `header length ${n} exceeds the ${maxHeaderBytes}-byte limit`);
  }
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length) {
    throw new WeightsFileError(
      file,
      `header length ${headerLength} runs past the end of the file (${bytes.length - 8} bytes after the length)`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw new WeightsFileError(file, 'header is not valid UTF-8');
  }
  const header = parseBoundedJson(file, 'header', text, MAX_HEADER_DEPTH);
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new WeightsFileError(
      file,
      `header is ${Array.isArray(header) ? 'an array' : brief(header)}; expected a JSON object`,
    );
  }
  return { header: header as Record<string, unknown>, dataStart: 8 + headerLength };
}

/** One header entry, checked on its own: fields present, dtype supported, sizes consistent. */
function readEntry(file: string, name: string, value: unknown, dataLength: number): Entry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WeightsFileError(file, `entry is ${brief(value)}; expected {dtype, shape, data_offsets}`, name);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  for (const [field, v] of [
    ['dtype', dtype],
    ['shape', shape],
    ['data_offsets', offsets],
  ] as const) {
    if (v === undefined) throw new WeightsFileError(file, `entry has no '${field}'`, name);
  }
  if (typeof dtype !== 'string' || !isSupportedDtype(dtype)) {
    const known = typeof dtype === 'string' && dtype in safetensorsDtypeSizes;
    throw new WeightsFileError(
      file,
      `dtype ${brief(dtype)} is ${known ? 'a safetensors dtype this reader does not load as weights' : 'not a safetensors dtype'}; expected one of ${supportedDtypes.join(', ')}`,
      name,
    );
  }
  const count = elementCount(file, name, shape);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)
  ) {
    throw new WeightsFileError(
      file,
      `data_offsets is ${brief(offsets)}; expected [begin, end], integers >= 0`,
      name,
    );
  }
  const [begin, end] = offsets as number[];
  if (end < begin)
    throw new WeightsFileError(file, `data_offsets [${begin},${end}] end before they begin`, name);
  if (end > dataLength) {
    throw new WeightsFileError(
      file,
      `data_offsets [${begin},${end}] run past the data section (${dataLength} bytes)`,
      name,
    );
  }
  const bytesNeeded = count * safetensorsDtypeSizes[dtype];
  if (bytesNeeded !== end - begin) {
    throw new WeightsFileError(
      file,
      `shape ${fmtShape(shape as number[])} of ${dtype} needs ${bytesNeeded} bytes but data_offsets [${begin},${end}] span ${end - begin}`,
      name,
    );
  }
  return { name, dtype, shape: [...(shape as number[])], count, begin, end };
}

/** The tensors must tile the data section: no overlap, no gap, nothing left over. */
function checkCoverage(file: string, entries: Entry[], dataLength: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < expected) {
      throw new WeightsFileError(
        file,
        `data_offsets [${e.begin},${e.end}] overlap tensor '${previous?.name}' [${previous?.begin},${previous?.end}]`,
        e.name,
      );
    }
    if (e.begin > expected) {
      throw new WeightsFileError(
        file,
        `gap of ${e.begin - expected} bytes in the data section before it (bytes ${expected}..${e.begin} belong to no tensor)`,
        e.name,
      );
    }
    expected = e.end;
    if (e.end > e.begin) previous = e;
  }
  if (expected !== dataLength) {
    throw new WeightsFileError(
      file,
      `data section is ${dataLength} bytes but the tensors cover only ${expected}`,
    );
  }
}

/**
 * Parses safetensors bytes. Everything is validated before anything is returned: the header
 * length (within the file and at most `maxHeaderBytes`), UTF-8 JSON object header, each entry's
 * dtype (F32, F16, BF16 or F64, all converted to float32), shape (non-negative integers) and
 * data_offsets (in range, sized exactly for the shape), tensors tiling the data section with no
 * gap or overlap, and string-only `__metadata__`. Unknown fields inside an entry are ignored, as
 * the reference reader does. Non-finite values are returned with a warning, or throw when
 * `nonFinite: 'error'`. Every failure is a WeightsFileError naming the file and the tensor.
 */
export function decodeSafetensors(
  input: Uint8Array | ArrayBuffer,
  options: DecodeOptions & { maxHeaderBytes?: number } = {},
): DecodedWeights {
  const file = options.fileName ?? 'safetensors data';
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const { header, dataStart } = readHeader(file, bytes, options.maxHeaderBytes ?? MAX_HEADER_BYTES);
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  const fields = Object.entries(header);
  checkEntryCount(file, fields.length - (Object.hasOwn(header, '__metadata__') ? 1 : 0));
  for (const [name, value] of fields) {
    if (name === '__metadata__') metadata = checkMetadata(file, value);
    else entries.push(readEntry(file, name, value, dataLength));
  }
  checkCoverage(file, entries, dataLength);
  const warnings: WeightsWarning[] = [];
  const tensors = new Map<string, DecodedTensor>();
  for (const e of entries.sort((a, b) => compareUtf8(a.name, b.name))) {
    const data = toFloat32(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, e.count);
    checkFiniteValues(file, e.name, data, options.nonFinite ?? 'warn', warnings);
    tensors.set(e.name, { shape: e.shape, data, dtype: e.dtype });
  }
  return { tensors, metadata, warnings };
}
