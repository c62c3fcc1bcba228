/** One entry point for both weight file formats, telling them apart by their first bytes. */
import { decodeJsonWeights } from './json-weights';
import { decodeSafetensors } from './safetensors';
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

/** Decodes either format (see `decodeSafetensors` and `decodeJsonWeights` for what is checked). */
export function decodeWeights(
  input: Uint8Array | ArrayBuffer | string,
  options: DecodeOptions = {},
): DecodedWeights {
  if (detectWeightsFormat(input) === 'json') return decodeJsonWeights(input, options);
  return decodeSafetensors(input as Uint8Array | ArrayBuffer, options);
}
