/**
 * TensorBoard's event file format (tfevents), written by hand: it is small and fixed.
 *
 * A file is a sequence of records: uint64 length (little-endian), uint32 masked CRC32C of those 8
 * length bytes, the payload, uint32 masked CRC32C of the payload. masked(c) = rotr(c, 15) +
 * 0xa282ead8. Each payload is an `Event` protobuf (tensorflow/core/util/event.proto): wall_time
 * (1, double), step (2, int64), then file_version (3, string) for the first record or summary (5,
 * Summary). A `Summary` (tensorflow/core/framework/summary.proto) holds repeated Value (1) with
 * tag (1, string) and simple_value (2, float) or histo (5, HistogramProto: min 1, max 2, num 3,
 * sum 4, sum_squares 5, packed bucket_limit 6, packed bucket 7; all doubles).
 */

/** CRC32C (Castagnoli, reflected polynomial 0x82f63b78) lookup table. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: a CRC stored next to data that itself holds CRCs stays distinguishable. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const c = crc32c(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** A protobuf message being written: fields appended in order. */
export class ProtoWriter {
  private readonly chunks: number[] = [];

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.chunks.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.chunks.push(Number(x));
  }

  private key(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  double(field: number, v: number): this {
    this.key(field, 1);
    this.raw(float64Bytes([v]));
    return this;
  }

  float(field: number, v: number): this {
    this.key(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.raw(b);
    return this;
  }

  int64(field: number, v: number): this {
    this.key(field, 0);
    this.varint(v);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.key(field, 2);
    this.varint(b.length);
    this.raw(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  packedDoubles(field: number, values: readonly number[]): this {
    return this.bytes(field, float64Bytes(values));
  }

  private raw(b: Uint8Array): void {
    for (const x of b) this.chunks.push(x);
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

function float64Bytes(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(values.length * 8);
  const view = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
  return b;
}

/** One TFRecord around a payload. */
export function tfRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + payload.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(payload.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(payload, 12);
  view.setUint32(12 + payload.length, maskedCrc32c(payload), true);
  return out;
}

/** What a TensorBoard histogram needs, from our Histogram (bins [edges[i], edges[i+1])). */
export interface HistogramSummary {
  min: number;
  max: number;
  count: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket. */
  bucketLimits: readonly number[];
  counts: readonly number[];
}

export function fileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoWriter().double(1, wallTime).int64(2, 0).string(3, 'brain.Event:2').finish();
}

export function scalarEvent(wallTime: number, step: number, tag: string, value: number): Uint8Array {
  const v = new ProtoWriter().string(1, tag).float(2, value).finish();
  const summary = new ProtoWriter().bytes(1, v).finish();
  return new ProtoWriter().double(1, wallTime).int64(2, step).bytes(5, summary).finish();
}

export function histogramEvent(wallTime: number, step: number, tag: string, h: HistogramSummary): Uint8Array {
  const histo = new ProtoWriter()
    .double(1, h.min)
    .double(2, h.max)
    .double(3, h.count)
    .double(4, h.sum)
    .double(5, h.sumSquares)
    .packedDoubles(6, h.bucketLimits)
    .packedDoubles(7, h.counts)
    .finish();
  const v = new ProtoWriter().string(1, tag).bytes(5, histo).finish();
  const summary = new ProtoWriter().bytes(1, v).finish();
  return new ProtoWriter().double(1, wallTime).int64(2, step).bytes(5, summary).finish();
}
