/**
 * Metrics as plain functions on arrays (`metrics.f1(yTrue, yPred, { average: 'macro' })`) and as
 * streaming accumulators for training (`createMetric('auc')`). Undefined values throw MetricError
 * instead of returning NaN; each function's doc says which inputs do that.
 */
export {
  type AccuracyOptions,
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
} from './accuracy';
export { AucMetric, type AucMetricOptions } from './auc-metric';
export {
  type Average,
  type ClassificationOptions,
  confusionMatrix,
  f1,
  precision,
  recall,
} from './classification';
export {
  type CreateMetricOptions,
  createMetric,
  MeanAbsoluteErrorMetric,
  MeanSquaredErrorMetric,
  type MetricName,
  metricNames,
} from './create-metric';
export type { ScoreRows, Scores, Values } from './inputs';
export type { BatchShape, Metric } from './metric';
export { MetricError } from './metric-error';
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
export {
  AccuracyMetric,
  type ConfusionMetricOptions,
  F1Metric,
  PrecisionMetric,
  RecallMetric,
  type ThresholdOptions,
} from './streaming';
