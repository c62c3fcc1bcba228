/**
 * Metrics as plain functions on arrays (`metrics.f1(yTrue, yPred, { average: 'macro' })`) and as
 * the compiled metric classes that `compile({ metrics })` builds (`new metrics.F1Metric({ average:
 * 'weighted', name: 'f1_weighted' })` may be passed to compile too). Undefined values throw
 * MetricError instead of returning NaN; each function's doc says which inputs do that.
 */

export {
  type AccuracyOptions,
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
} from './accuracy';
export {
  AccuracyByShape,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
} from './accuracy-metric';
export { AucMetric, type AucMetricOptions } from './auc-metric';
export {
  type Average,
  type ClassificationOptions,
  confusionMatrix,
  f1,
  precision,
  recall,
} from './classification';
export type { ScoreRows, Scores, Values } from './inputs';
export { MetricError } from './metric-error';
export type { HostTensor, Metric } from './metric-interface';
export {
  type AucAverage,
  type PrecisionRecallCurve,
  precisionRecallCurve,
  type RocAucOptions,
  type RocCurve,
  rocAuc,
  rocCurve,
} from './ranking';
export { meanAbsoluteError, meanSquaredError, r2 } from './regression';
export { MeanAbsoluteErrorMetric, MeanSquaredErrorMetric, R2Metric } from './regression-metric';
export {
  type ConfusionMetricOptions,
  defaultAverage,
  F1Metric,
  PrecisionMetric,
  RecallMetric,
  type ThresholdOptions,
} from './streaming';
