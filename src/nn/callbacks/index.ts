export { Callback, CallbackList, type Logs, type RecoveredInfo, type TrainingParams } from './callback';
export { EarlyStopping, type EarlyStoppingJSON, type EarlyStoppingOptions } from './early-stopping';
export { History, type HistoryJSON } from './history';
export { LambdaCallback, type LambdaHooks } from './lambda-callback';
export {
  LearningRateScheduler,
  type RateChange,
  type RateSchedule,
  ReduceLROnPlateau,
  type ReduceLROnPlateauJSON,
  type ReduceLROnPlateauOptions,
} from './learning-rate';
export { type MonitorMode, type MonitorOptions, resolveMode } from './monitor';
export { type Progress, ProgressEta, type ProgressEtaOptions } from './progress-eta';
export { ProgressLogger } from './progress-logger';
export { type ScalarPoint, TensorBoard, type TensorBoardOptions } from './tensorboard';
export { TerminateOnNaN, type TerminateOnNaNOptions } from './terminate-on-nan';
export { crc32c, maskedCrc32c } from './tfevents';
export {
  type Histogram,
  histogram,
  type WeightHistogram,
  type WeightHistogramSnapshot,
  WeightHistograms,
  type WeightHistogramsOptions,
} from './weight-histograms';
export { restoreWeights, snapshotWeights, type WeightsSnapshot } from './weights-snapshot';
