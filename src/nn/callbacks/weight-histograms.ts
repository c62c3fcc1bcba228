/**
 * Data for a "TensorBoard in the page": per snapshot, a histogram of every weight of the model
 * and the learning rate. Plain data (numbers and arrays), so it can be posted from a worker and
 * drawn by the app; nothing here touches the DOM. The first snapshot is taken at train begin, so
 * a histogram view has the initial weights before any epoch ends.
 */
import { InvalidArgumentError } from '../../errors';
import { readTensors } from '../../graph/read-tensors';
import { Callback } from '../model/callback';
import { nonNegativeInteger } from './monitor';

/** Counts of values in `bins` equal-width bins between the finite min and max. */
export interface Histogram {
  /** Finite values counted (the sum of `counts`). */
  count: number;
  /** NaN and infinite values, which no bin holds. */
  nonFinite: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation. */
  std: number;
  /** Bin edges, `counts.length + 1` of them; bin i is [edges[i], edges[i+1]), the last one closed. */
  edges: number[];
  counts: number[];
}

/**
 * A histogram of `values`. When every finite value is the same (a zero bias), the range is
 * widened to [v - 0.5, v + 0.5] so the bins have a width and the value sits in the middle bin.
 * With no finite value at all, counts are zeros over [0, 1] and min, max, mean, std are 0.
 */
export function histogram(values: ArrayLike<number>, bins = 30): Histogram {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new InvalidArgumentError(`histogram(bins=${bins}): bins must be a positive integer`);
  }
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = count > 0 ? sum / count : 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i])) squares += (values[i] - mean) ** 2;
  }
  if (count === 0) {
    min = 0;
    max = 0;
  }
  const lo = count === 0 ? 0 : min === max ? min - 0.5 : min;
  const hi = count === 0 ? 1 : min === max ? max + 0.5 : max;
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  return {
    count,
    nonFinite: values.length - count,
    min,
    max,
    mean,
    std: count > 0 ? Math.sqrt(squares / count) : 0,
    edges,
    counts,
  };
}

export interface WeightHistogram extends Histogram {
  /** `dense_1.kernel`. */
  name: string;
  shape: number[];
}

export interface WeightHistogramSnapshot {
  /**
   * The last epoch finished when the snapshot was taken: initialEpoch - 1 for the one at train
   * begin (-1 in a fresh run), so a resumed run's first snapshot lines up with the previous run.
   */
  epoch: number;
  /** The optimizer's rate for the next update. */
  learningRate: number;
  /** Every weight in the model's order. */
  weights: WeightHistogram[];
}

export interface WeightHistogramsOptions {
  /** Bins per histogram. Default 30. */
  bins?: number;
  /** A snapshot every this many epochs (after epochs freq-1, 2freq-1, ...). Default 1; 0 only at train begin. */
  histogramFreq?: number;
  /** Called with each new snapshot, e.g. to post it to the page. */
  onSnapshot?: (snapshot: WeightHistogramSnapshot) => void;
}

/** Keeps a histogram of every weight at train begin and after every `histogramFreq` epochs. */
export class WeightHistograms extends Callback {
  /** Every snapshot of the current fit, oldest first. */
  readonly snapshots: WeightHistogramSnapshot[] = [];
  private readonly bins: number;
  private readonly freq: number;

  constructor(private readonly options: WeightHistogramsOptions = {}) {
    super();
    this.bins = options.bins ?? 30;
    if (!Number.isInteger(this.bins) || this.bins < 1) {
      throw new InvalidArgumentError(
        `WeightHistograms(bins=${options.bins}): bins must be a positive integer`,
      );
    }
    this.freq = nonNegativeInteger('WeightHistograms', 'histogramFreq', options.histogramFreq ?? 1);
  }

  override async onTrainBegin(): Promise<void> {
    this.snapshots.length = 0;
    await this.take((this.params?.initialEpoch ?? 0) - 1);
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    if (this.freq > 0 && (epoch + 1) % this.freq === 0) await this.take(epoch);
  }

  private async take(epoch: number): Promise<void> {
    const model = this.requireModel();
    const variables = model.variables;
    const values = await readTensors(variables.map((v) => v.value));
    const snapshot: WeightHistogramSnapshot = {
      epoch,
      learningRate: model.requireCompiled('WeightHistograms').optimizer.learningRate,
      weights: variables.map((v, i) => ({
        name: v.name,
        shape: [...v.shape],
        ...histogram(values[i], this.bins),
      })),
    };
    this.snapshots.push(snapshot);
    this.options.onSnapshot?.(snapshot);
  }
}
