import { describe, expect, it } from 'vitest';
import { TensorBoard } from '../../src/nn/callbacks/tensorboard';
import { crc32c, maskedCrc32c } from '../../src/nn/callbacks/tfevents';
import { Callback } from '../../src/nn/model/callback';
import { tinyData, tinyModel } from './scripted';

/** CRC32C bit by bit, written independently of the table-driven one under test. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = ~0 >>> 0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function masked(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

type Field = { field: number; wire: number; value: bigint | Uint8Array };

/** A minimal protobuf reader: the fields of one message, in order. */
function decode(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let shift = 0n;
    let out = 0n;
    for (;;) {
      const b = bytes[i++];
      out |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return out;
      shift += 7n;
    }
  };
  while (i < bytes.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ field, wire, value: varint() });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      fields.push({ field, wire, value: bytes.slice(i, i + n) });
      i += n;
    } else if (wire === 2) {
      const n = Number(varint());
      fields.push({ field, wire, value: bytes.slice(i, i + n) });
      i += n;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

const get = (fs: Field[], n: number) => fs.find((f) => f.field === n)?.value;
const f64 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getFloat64(0, true);
const f32 = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset).getFloat32(0, true);
const doubles = (b: Uint8Array) =>
  Array.from({ length: b.length / 8 }, (_, k) =>
    new DataView(b.buffer, b.byteOffset).getFloat64(k * 8, true),
  );

/** Splits a tfevents file into payloads, checking both masked CRCs of every record. */
function records(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = 0;
  while (at < file.length) {
    const length = Number(view.getBigUint64(at, true));
    expect(view.getUint32(at + 8, true)).toBe(masked(crc32cBitwise(file.slice(at, at + 8))));
    const payload = file.slice(at + 12, at + 12 + length);
    expect(view.getUint32(at + 12 + length, true)).toBe(masked(crc32cBitwise(payload)));
    out.push(payload);
    at += 16 + length;
  }
  expect(at).toBe(file.length);
  return out;
}

describe('tfevents encoding', () => {
  it('CRC32C matches the published check values', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff);
    expect(crc32c(bytes)).toBe(crc32cBitwise(bytes));
    expect(maskedCrc32c(bytes)).toBe(masked(crc32cBitwise(bytes)));
  });
});

describe('TensorBoard callback', () => {
  it('writes an event file whose records, scalars and histograms read back', async () => {
    const model = tinyModel();
    let clock = 1_700_000_000;
    const tb = new TensorBoard({ now: () => clock++, bins: 10 });
    let histogramsAtFirstEpoch = -1;
    const probe = new (class extends Callback {
      override onEpochBegin(epoch: number): void {
        if (epoch === 0) histogramsAtFirstEpoch = tb.histograms.length;
      }
    })();
    const history = await model.fit(tinyData.x, tinyData.y, {
      epochs: 2,
      batchSize: 8,
      validationSplit: 0.25,
      callbacks: [tb, probe],
    });
    expect(histogramsAtFirstEpoch).toBe(1);
    expect(tb.fileName).toBe('events.out.tfevents.1700000000.webgpu-trainer');

    const events = records(tb.eventFile()).map(decode);
    expect(new TextDecoder().decode(get(events[0], 3) as Uint8Array)).toBe('brain.Event:2');
    expect(f64(get(events[0], 1) as Uint8Array)).toBe(1_700_000_000);

    const scalars = new Map<string, number[]>();
    const histos: { tag: string; step: number; counts: number[]; num: number; limits: number[] }[] = [];
    for (const event of events.slice(1)) {
      const step = Number(get(event, 2) ?? 0n);
      const value = decode(get(decode(get(event, 5) as Uint8Array), 1) as Uint8Array);
      const tag = new TextDecoder().decode(get(value, 1) as Uint8Array);
      const simple = get(value, 2);
      if (simple) {
        const series = scalars.get(tag) ?? [];
        series[step] = f32(simple as Uint8Array);
        scalars.set(tag, series);
      } else {
        const h = decode(get(value, 5) as Uint8Array);
        histos.push({
          tag,
          step,
          num: f64(get(h, 3) as Uint8Array),
          limits: doubles(get(h, 6) as Uint8Array),
          counts: doubles(get(h, 7) as Uint8Array),
        });
      }
    }
    for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) {
      expect(scalars.get(`epoch_${key}`)).toEqual(history.history[key].map(Math.fround));
    }
    expect(scalars.get('epoch_lr')).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    // 18 training samples in batches of 8: 3 batches per epoch, global steps 0..5.
    expect(scalars.get('batch_loss')).toHaveLength(6);
    expect(tb.scalars.filter((s) => s.tag === 'batch_loss').map((s) => s.step)).toEqual([0, 1, 2, 3, 4, 5]);
    // Histograms of the 4 weights at steps 0 (initial), 1 and 2, equal to the in-page data.
    expect(histos.map((h) => h.step)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    const sizes = { 'dense_1.kernel': 8, 'dense_1.bias': 4, 'dense_2.kernel': 4, 'dense_2.bias': 1 };
    histos.forEach((h, i) => {
      const page = tb.histograms[h.step].weights[i % 4];
      expect(h.tag).toBe(page.name);
      expect(h.num).toBe(sizes[h.tag as keyof typeof sizes]);
      expect(h.counts).toEqual(page.counts);
      expect(h.counts.reduce((a, b) => a + b, 0)).toBe(h.num);
      expect(h.limits).toEqual(page.edges.slice(1));
    });
  });
});
