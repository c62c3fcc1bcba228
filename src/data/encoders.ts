/**
 * Feature encoders, one per column kind, each fitted on the training rows only and stored as plain
 * JSON. A mapped type over the kinds makes a kind without an encoder a compile error.
 * Numbers and date parts are standardised; booleans stay 0/1; categories become one-hot columns
 * (a category never seen in training maps to all zeros and is counted).
 */
import { type CellReader, sortKeys } from './cells';
import { DATE_PARTS, type DateFormat, type DatePart, datePart } from './values';

export type EncodedKind = 'numeric' | 'integer-category' | 'categorical' | 'boolean' | 'datetime';
export type MissingStrategy = 'drop' | 'mean' | 'median' | 'most-frequent' | 'indicator';

export interface EncoderParams {
  numeric: { decimalComma: boolean; fill: number; mean: number; std: number };
  'integer-category': { categories: string[]; fill: string | null };
  categorical: { categories: string[]; fill: string | null };
  boolean: { trueValue: string; falseValue: string | null; fill: number };
  datetime: { format: DateFormat; fill: number; parts: { part: DatePart; mean: number; std: number }[] };
}

/** One feature column's fitted encoding, as saved in the preprocessor JSON. */
export type FeatureSpec = {
  [K in EncodedKind]: { kind: K; column: string; missing: MissingStrategy; params: EncoderParams[K] };
}[EncodedKind];

/** What encoding some rows found: cells filled in, unreadable cells, unseen categories. */
export interface ColumnCounts {
  imputed: number;
  invalid: number;
  unseen: number;
  unseenExamples: string[];
}

export interface FitContext {
  reader: CellReader;
  rows: Int32Array;
  strategy: MissingStrategy;
  decimalComma: boolean;
  dateFormat: DateFormat | null;
  booleanTrue: string | null;
}

interface EncoderDef<K extends EncodedKind> {
  fit(ctx: FitContext): EncoderParams[K];
  names(column: string, p: EncoderParams[K]): string[];
  /** Writes width values per row at out[i * stride + offset ...]; returns each row's missing flag. */
  encode(
    reader: CellReader,
    p: EncoderParams[K],
    rows: ArrayLike<number>,
    out: Float32Array,
    stride: number,
    offset: number,
    counts: ColumnCounts,
  ): Uint8Array;
}

function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = values.length > 0 ? sum / values.length : 0;
  let sq = 0;
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2;
  const std = values.length > 0 ? Math.sqrt(sq / values.length) : 0;
  // A column constant on the training rows carries no information; 1 keeps it at exactly 0.
  return { mean, std: std > 1e-12 ? std : 1 };
}

// Typed arrays and plain loops below: a million training rows are fitted in a Worker, and
// number[] pushes, callbacks per row and comparator sorts made that take tens of seconds.
function present(values: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    if (!Number.isNaN(v)) out[n++] = v;
  }
  return out.subarray(0, n);
}

/** mean, median or most frequent of the present training values (0 when there are none). */
function fillNumber(values: ArrayLike<number>, strategy: MissingStrategy): number {
  if (values.length === 0) return 0;
  if (strategy === 'median') {
    const s = Float64Array.from(values).sort(); // typed arrays sort numerically
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
  if (strategy === 'most-frequent') return Number(mostFrequent(Array.from(values, String)));
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

function mostFrequent(keys: string[]): string | null {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  // Ties go to the smallest key, so the choice does not depend on row order.
  for (const [k, c] of counts)
    if (c > bestCount || (c === bestCount && best !== null && k < best)) [best, bestCount] = [k, c];
  return best;
}

function imputed(values: Float64Array, rows: Int32Array, fill: number): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    out[i] = Number.isNaN(v) ? fill : v;
  }
  return out;
}

/**
 * One date part of many timestamps. Dates repeat (a day has many rows), and a Date object per
 * row and part is the slow part, so each distinct timestamp is taken apart once.
 */
function partsOf(ms: Float64Array, part: DatePart): Float64Array {
  const seen = new Map<number, number>();
  const out = new Float64Array(ms.length);
  for (let i = 0; i < ms.length; i++) {
    let v = seen.get(ms[i]);
    if (v === undefined) {
      v = datePart(ms[i], part);
      seen.set(ms[i], v);
    }
    out[i] = v;
  }
  return out;
}

/** Reads the rows' values, filling NaN with `fill` and counting; returns the missing flags. */
function readFilled(
  values: Float64Array,
  invalid: Uint8Array,
  rows: ArrayLike<number>,
  fill: number,
  counts: ColumnCounts,
  write: (i: number, v: number) => void,
): Uint8Array {
  const missing = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    let v = values[r];
    if (Number.isNaN(v)) {
      if (invalid[r]) counts.invalid++;
      counts.imputed++;
      missing[i] = 1;
      v = fill;
    }
    write(i, v);
  }
  return missing;
}

const numeric: EncoderDef<'numeric'> = {
  fit(ctx) {
    const { values } = ctx.reader.numbers(ctx.decimalComma);
    const fill = fillNumber(present(values, ctx.rows), ctx.strategy);
    return { decimalComma: ctx.decimalComma, fill, ...meanStd(imputed(values, ctx.rows, fill)) };
  },
  names: (column) => [column],
  encode(reader, p, rows, out, stride, offset, counts) {
    const { values, invalid } = reader.numbers(p.decimalComma);
    return readFilled(values, invalid, rows, p.fill, counts, (i, v) => {
      out[i * stride + offset] = (v - p.mean) / p.std;
    });
  },
};

const datetime: EncoderDef<'datetime'> = {
  fit(ctx) {
    const format = ctx.dateFormat ?? 'ymd';
    const { values } = ctx.reader.dates(format);
    const fill = fillNumber(present(values, ctx.rows), ctx.strategy === 'mean' ? 'mean' : 'median');
    const filled = imputed(values, ctx.rows, fill);
    const all = DATE_PARTS.map((part) => {
      const raw = partsOf(filled, part);
      return { part, ...meanStd(raw), varies: raw.some((v) => v !== raw[0]) };
    });
    // Yearly or monthly data (every date the 1st) still has varying weekdays; they mean nothing there.
    const dayVaries = all.some((p) => p.part === 'day' && p.varies);
    const parts = all
      .filter((p) => p.varies && (p.part !== 'weekday' || dayVaries))
      .map(({ part, mean, std }) => ({ part, mean, std }));
    return { format, fill, parts };
  },
  names: (column, p) => p.parts.map(({ part }) => `${column} (${part})`),
  encode(reader, p, rows, out, stride, offset, counts) {
    const { values, invalid } = reader.dates(p.format);
    const seen = p.parts.map(() => new Map<number, number>());
    return readFilled(values, invalid, rows, p.fill, counts, (i, ms) => {
      p.parts.forEach(({ part, mean, std }, j) => {
        let v = seen[j].get(ms);
        if (v === undefined) {
          v = (datePart(ms, part) - mean) / std;
          seen[j].set(ms, v);
        }
        out[i * stride + offset + j] = v;
      });
    });
  },
};

const boolean: EncoderDef<'boolean'> = {
  fit(ctx) {
    const trueValue = ctx.booleanTrue ?? '1';
    let falseValue: string | null = null;
    const bits: number[] = [];
    for (const r of ctx.rows) {
      const k = ctx.reader.key(r)?.toLowerCase();
      if (k === undefined) continue;
      if (k !== trueValue && falseValue === null) falseValue = k;
      bits.push(k === trueValue ? 1 : 0);
    }
    return {
      trueValue,
      falseValue,
      fill: fillNumber(bits, ctx.strategy === 'mean' ? 'mean' : 'most-frequent'),
    };
  },
  names: (column) => [column],
  encode(reader, p, rows, out, stride, offset, counts) {
    const missing = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const k = reader.key(rows[i])?.toLowerCase();
      let v = k === p.trueValue ? 1 : 0;
      if (k === undefined || (k !== p.trueValue && p.falseValue !== null && k !== p.falseValue)) {
        if (k !== undefined) noteUnseen(counts, k);
        counts.imputed++;
        missing[i] = 1;
        v = p.fill;
      }
      out[i * stride + offset] = v;
    }
    return missing;
  },
};

function noteUnseen(counts: ColumnCounts, key: string): void {
  counts.unseen++;
  if (counts.unseenExamples.length < 5 && !counts.unseenExamples.includes(key))
    counts.unseenExamples.push(key);
}

function categoryDef<K extends 'categorical' | 'integer-category'>(): EncoderDef<K> {
  return {
    fit(ctx) {
      const keys: string[] = [];
      for (const r of ctx.rows) {
        const k = ctx.reader.key(r);
        if (k !== null) keys.push(k);
      }
      const categories = sortKeys(keys);
      return { categories, fill: mostFrequent(keys) } as EncoderParams[K];
    },
    names: (column, p) => p.categories.map((c) => `${column}=${c}`),
    encode(reader, p, rows, out, stride, offset, counts) {
      const index = new Map(p.categories.map((c, j) => [c, j]));
      const missing = new Uint8Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        let k = reader.key(rows[i]);
        if (k === null) {
          counts.imputed++;
          missing[i] = 1;
          k = p.fill;
        }
        const j = k === null ? undefined : index.get(k);
        if (j !== undefined) out[i * stride + offset + j] = 1;
        else if (k !== null) noteUnseen(counts, k);
      }
      return missing;
    },
  };
}

export const encoders: { [K in EncodedKind]: EncoderDef<K> } = {
  numeric,
  'integer-category': categoryDef<'integer-category'>(),
  categorical: categoryDef<'categorical'>(),
  boolean,
  datetime,
};

/** Strategies that make sense for each kind; the first is the default. */
export const STRATEGIES: { [K in EncodedKind]: readonly MissingStrategy[] } = {
  numeric: ['mean', 'median', 'most-frequent', 'indicator', 'drop'],
  'integer-category': ['most-frequent', 'indicator', 'drop'],
  categorical: ['most-frequent', 'indicator', 'drop'],
  boolean: ['most-frequent', 'mean', 'indicator', 'drop'],
  datetime: ['median', 'mean', 'indicator', 'drop'],
};
