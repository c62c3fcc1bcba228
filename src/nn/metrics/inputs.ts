/**
 * Input checking shared by every metric. Metrics take plain arrays so they work on model outputs,
 * on CSV columns and in tests alike; this file turns the accepted forms into one representation
 * and rejects anything that would otherwise surface later as a NaN.
 */
import { MetricError } from './metric-error';

/** A flat list of numbers: labels, binary scores, regression targets. */
export type Values = readonly number[] | Float32Array | Float64Array;

/** Per-sample score rows (one column per class), e.g. softmax probabilities. */
export type ScoreRows = readonly (readonly number[] | Float32Array | Float64Array)[];

/** Flat values, or rows of scores. A flat array becomes rows when `numClasses` is given. */
export type Scores = Values | ScoreRows;

/** Row-major scores: `data[r * cols + c]` is the score of class `c` for sample `r`. */
export interface ScoreMatrix {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

export function isRows(x: Scores): x is ScoreRows {
  return Array.isArray(x) && x.length > 0 && typeof x[0] !== 'number';
}

function fmtValue(v: number): string {
  return Number.isNaN(v) ? 'NaN' : String(v);
}

/** Every value finite: a NaN score has no rank and a NaN target has no error. */
export function checkFinite(fn: string, arg: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new MetricError(`${fn}: ${arg}[${i}] is ${fmtValue(data[i])}; expected a finite number`);
    }
  }
}

export function checkNonEmpty(fn: string, arg: string, length: number): void {
  if (length === 0) throw new MetricError(`${fn}: ${arg} is empty; a metric needs at least one sample`);
}

export function checkSameLength(fn: string, a: number, b: number, what = 'samples'): void {
  if (a !== b) throw new MetricError(`${fn}: yTrue has ${a} ${what} but yPred has ${b}; expected equal`);
}

/** Flat values as given, checked finite and non-empty. */
export function toValues(fn: string, arg: string, x: Scores): ArrayLike<number> {
  if (isRows(x)) throw new MetricError(`${fn}: ${arg} must be a flat array of numbers, got rows`);
  checkNonEmpty(fn, arg, x.length);
  checkFinite(fn, arg, x);
  return x;
}

/**
 * Rows of scores. Accepts `number[][]`, or a flat array with `numClasses` columns. Rows of unequal
 * length and a flat length that is not a multiple of `numClasses` are errors.
 */
export function toMatrix(fn: string, arg: string, x: Scores, numClasses?: number): ScoreMatrix {
  if (isRows(x)) {
    const cols = x[0].length;
    if (numClasses !== undefined && cols !== numClasses) {
      throw new MetricError(`${fn}: ${arg} rows have ${cols} columns but numClasses is ${numClasses}`);
    }
    const data = new Float64Array(x.length * cols);
    x.forEach((row, r) => {
      if (row.length !== cols) {
        throw new MetricError(`${fn}: ${arg}[${r}] has ${row.length} columns; row 0 has ${cols}`);
      }
      data.set(row, r * cols);
    });
    checkFinite(fn, arg, data);
    return { data, rows: x.length, cols };
  }
  if (numClasses === undefined) {
    throw new MetricError(`${fn}: ${arg} is flat; pass rows of scores or give numClasses`);
  }
  checkNumClasses(fn, numClasses);
  if (x.length % numClasses !== 0) {
    throw new MetricError(`${fn}: ${arg} has ${x.length} values, not a multiple of numClasses=${numClasses}`);
  }
  checkNonEmpty(fn, arg, x.length);
  checkFinite(fn, arg, x);
  return { data: x, rows: x.length / numClasses, cols: numClasses };
}

export function checkNumClasses(fn: string, numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new MetricError(`${fn}: numClasses must be an integer >= 2, got ${numClasses}`);
  }
}

/** Integer class labels in [0, numClasses). */
export function toLabels(fn: string, arg: string, x: Values, numClasses: number): Int32Array {
  checkNonEmpty(fn, arg, x.length);
  const labels = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new MetricError(
        `${fn}: ${arg}[${i}] is ${fmtValue(v)}; expected an integer class label in [0, ${numClasses})`,
      );
    }
    labels[i] = v;
  }
  return labels;
}

/** The largest label + 1, at least 2: what `numClasses` defaults to when labels are given. */
export function inferNumClasses(fn: string, ...arrays: Values[]): number {
  let max = 1;
  for (const [k, a] of arrays.entries()) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isInteger(v) || v < 0) {
        const arg = k === 0 ? 'yTrue' : 'yPred';
        throw new MetricError(
          `${fn}: ${arg}[${i}] is ${fmtValue(v)}; expected a non-negative integer class label`,
        );
      }
      if (v > max) max = v;
    }
  }
  return max + 1;
}

/** Index of the largest score per row; the first index wins a tie, as argmax does in Keras/NumPy. */
export function argmaxRows(m: ScoreMatrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let best = 0;
    let bestValue = m.data[r * m.cols];
    for (let c = 1; c < m.cols; c++) {
      const v = m.data[r * m.cols + c];
      if (v > bestValue) {
        best = c;
        bestValue = v;
      }
    }
    out[r] = best;
  }
  return out;
}

/** One column of a score matrix as a flat array. */
export function column(m: ScoreMatrix, c: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) out[r] = m.data[r * m.cols + c];
  return out;
}
