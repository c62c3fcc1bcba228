/** One entry point for both weight file formats, telling them apart by their first bytes. */

import { describeValue } from '../validate';
import { WeightsFileError } from './errors';
import { decodeJsonWeights } from './json-weights';
import { decodeSafetensors, MAX_HEADER_BYTES } from './safetensors';
import type { DecodedWeights, DecodeOptions } from './weights';

export type WeightsFormat = 'safetensors' | 'json';

/**
 * A safetensors file opens with its header length as a little-endian u64; any header we accept is
 * under 2^48 bytes, so bytes 6 and 7 are zero, and a zero byte never occurs in UTF-8 JSON text.
 */
export function detectWeightsFormat(input: Uint8Array | ArrayBuffer | string): WeightsFormat {
  if (typeof input === 'string') return 'json';
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  return bytes.length >= 8 && bytes[6] === 0 && bytes[7] === 0 ? 'safetensors' : 'json';
}

/**
 * The input as bytes or text, or a WeightsFileError saying what was passed instead: a Blob or a
 * File must be read first (decoding is synchronous), null is no file.
 */
export function weightsInput(file: string, input: unknown): Uint8Array | string {
  if (typeof input === 'string' || input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const hint =
    typeof Blob !== 'undefined' && input instanceof Blob
      ? '; read it first: new Uint8Array(await file.arrayBuffer())'
      : '';
  throw new WeightsFileError(
    file,
    `expected the file's bytes (a Uint8Array or ArrayBuffer) or JSON weights text, received ${describeValue(input)}${hint}`,
  );
}

/** True when the first byte after whitespace (and a UTF-8 byte-order mark) opens a JSON object. */
function opensJson(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (
    i < bytes.length &&
    (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)
  )
    i++;
  return bytes[i] === 0x7b;
}

/** Decodes either format (see `decodeSafetensors` and `decodeJsonWeights` for what is checked). */
export function decodeWeights(
  input: Uint8Array | ArrayBuffer | string,
  options: DecodeOptions = {},
): DecodedWeights {
  const file = options.fileName ?? 'weights file';
  const data = weightsInput(file, input);
  if (typeof data === 'string') return decodeJsonWeights(data, options);
  if (detectWeightsFormat(data) === 'safetensors') return decodeSafetensors(data, options);
  if (data.length >= 8 && !opensJson(data)) {
    // Neither format: say what each reading of the first bytes gives, not just "not UTF-8".
    const length = new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
    throw new WeightsFileError(
      file,
      `is not a weights file: read as safetensors, its first 8 bytes give a header length of ${length} ` +
        `(over the ${MAX_HEADER_BYTES}-byte limit, and past the end of the ${data.length}-byte file); ` +
        `read as JSON weights, it does not start with '{'`,
    );
  }
  return decodeJsonWeights(data, options);
}
