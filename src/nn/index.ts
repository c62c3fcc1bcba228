/** The Keras-like model API: layers, Sequential, losses, optimizers, compiled metrics, callbacks. */
export { type ActivationName, getActivation } from './activations';
export * from './callbacks/index';
export { ModelStateError } from './errors';
export { type InitializerName, type InitializerSpec, initialValues } from './initializers';
export * from './layers/index';
export { getLoss, type Loss, type LossConfig, type LossName, type LossSpec, lossNames } from './losses';
export {
  type HostTensor,
  type Metric,
  type MetricContext,
  type MetricFactory,
  type MetricResultsOptions,
  metricNames,
  metricResults,
  registerMetric,
  resolveMetric,
} from './metric';
export {
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
} from './metrics/accuracy-metric';
export type { ModelInput } from './model/data';
export type { EvaluateOptions, PredictOptions } from './model/evaluation';
export type { FitOptions } from './model/fit-options';
export { ModelBusyError } from './model/guard';
export { captureLastGood, type LastGoodState, lastGoodOf } from './model/last-good';
export { type EstimateOptions, estimateMemory, type LayerMemory, type MemoryEstimate } from './model/memory';
export { FitRecoveryError, MAX_RECOVERIES } from './model/recovery';
export {
  type CompileArgs,
  type Compiled,
  Sequential,
  type SequentialConfig,
  type SequentialJSON,
} from './model/sequential';
export { yieldToEventLoop } from './model/step';
export type { ModelSummary, SummaryRow } from './model/summary';
export * from './optimizers/index';
