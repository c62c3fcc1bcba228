export {
  Callback,
  CallbackList,
  type Logs,
  type RecoveredInfo,
  type TrainingParams,
} from '../model/callback';
export { History, type HistoryJSON } from '../model/history';
export { ProgressLogger } from '../model/progress-logger';
export { EarlyStopping, type EarlyStoppingJSON, type EarlyStoppingOptions } from './early-stopping';
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
