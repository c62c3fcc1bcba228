/**
 * Each model's lowest completed-epoch training loss since its last compile or weight assignment:
 * the divergence guard's reference when a fit continues training without being handed its History
 * (Keras's second `fit()` call). Without it, such a fit's reference would be its first batch,
 * which on a well-trained model may sit decades below the epoch's mean (1e-4 beside 0.3), and the
 * guard would stop a healthy run as diverged.
 */

/** What the record needs of a model: its compile (Sequential, without importing it). */
interface CompiledModel {
  readonly compiled: object | null;
}

interface Record {
  /** The compile it was measured under: another loss function's values are not comparable. */
  readonly compiled: object;
  readonly loss: number;
}

const records = new WeakMap<CompiledModel, Record>();

/** Keeps `loss` (an epoch's mean training loss) when it is the model's lowest under this compile. */
export function recordEpochLoss(model: CompiledModel, loss: number): void {
  const compiled = model.compiled;
  if (!compiled || !Number.isFinite(loss)) return;
  const record = records.get(model);
  const lowest = record?.compiled === compiled ? Math.min(record.loss, loss) : loss;
  records.set(model, { compiled, loss: lowest });
}

/** The model's lowest recorded epoch loss under its current compile, or Infinity when none. */
export function lowestEpochLoss(model: CompiledModel): number {
  const record = records.get(model);
  return record && record.compiled === model.compiled ? record.loss : Number.POSITIVE_INFINITY;
}

/** Forgets the record: the model's weights were replaced, so its past losses say nothing now. */
export function forgetEpochLosses(model: CompiledModel): void {
  records.delete(model);
}
