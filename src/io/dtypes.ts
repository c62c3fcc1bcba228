/**
 * safetensors element types and their conversion to float32. We read the four float types a model
 * might have been saved in and convert each value to the nearest float32 (F16 and BF16 exactly,
 * F64 by rounding; a finite F64 beyond float32's range becomes ±Infinity and is then reported as a
 * non-finite value). Integer, boolean and 8-bit float types are refused: they are not weights our
 * layers can hold, and a silent cast would hide a mistake.
 */
import type { SourceDtype } from './weights';

/** Bytes per element of every dtype the safetensors format defines. */
export const safetensorsDtypeSizes: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

export const supportedDtypes: readonly SourceDtype[] = ['F32', 'F16', 'BF16', 'F64'];

export function isSupportedDtype(dtype: string): dtype is SourceDtype {
  return (supportedDtypes as readonly string[]).includes(dtype);
}

/** True on every platform browsers run on today; checked so a big-endian host still decodes right. */
export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE 754 binary16 bits to a number (exact: every half value is a float32 value). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Decodes `count` little-endian values of `dtype` starting at `bytes[0]` into a new Float32Array. */
export function toFloat32(bytes: Uint8Array, dtype: SourceDtype, count: number): Float32Array {
  if (dtype === 'F32' && hostIsLittleEndian) {
    // A fresh, 4-byte-aligned buffer that the caller owns. (Not bytes.slice(): on a Node Buffer
    // slice returns a view into the file's memory, which may also be misaligned.)
    const copy = new Uint8Array(count * 4);
    copy.set(bytes);
    return new Float32Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === 'F32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  else if (dtype === 'F64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
  else if (dtype === 'F16') for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  else {
    // bfloat16 is the top half of a float32: shift its bits into place and reinterpret.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
  }
  return out;
}
