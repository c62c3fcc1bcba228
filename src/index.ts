/**
 * webgpu-trainer: the library entry. Never imports the UI or touches the DOM, so it runs in Node,
 * in a Worker and in the page alike.
 */

export { CpuBackend } from './backend/cpu/cpu-backend';
export { type CpuThreadsInfo, cpuThreadsInfo, cpuThreadsReady } from './backend/cpu/kernels/matmul-threaded';
export { setCpuThreads } from './backend/cpu/threads/config';
export {
  type AutoOptions,
  type BackendChoice,
  type BackendInfo,
  type BackendTiming,
  getBackend,
  getBackendInfo,
  type MemoryLimits,
  memoryLimitsOf,
  type Recovery,
  type SetBackendOptions,
  setBackend,
  setMemoryBudget,
  type TuningInfo,
  type TuningMode,
  wireDefaultBackend,
} from './backend/index';
export {
  acquireDevice,
  type DeviceOptions,
  type DeviceResult,
  type GpuContext,
} from './backend/webgpu/device';
export { ShaderCompileError } from './backend/webgpu/pipelines';
export { type PlanCounters, StepPlan, type StepPlanOptions } from './backend/webgpu/plan';
export {
  WebGPUBackend,
  type WebGPUBackendOptions,
  type WebGPUCounters,
} from './backend/webgpu/webgpu-backend';
export * from './data/index';
export {
  BackendError,
  DeviceAllocationError,
  DeviceLostError,
  InvalidArgumentError,
  type MemoryFault,
  OutOfMemoryError,
  ShapeError,
  WebGPUTrainerError,
} from './errors';
export * from './export/index';
export { grad, type ValueAndGrad, valueAndGrad } from './graph/autodiff';
export type { Backend, BackendName } from './graph/backend';
export { type NestedNumbers, noGrad, setDefaultBackend, tensor, withBackend } from './graph/engine';
export type { OpName, OpParams } from './graph/op-params';
export * from './graph/ops/index';
export { Random } from './graph/random';
export type { Shape } from './graph/shape';
export { type NestedArray, Tensor } from './graph/tensor';
export {
  type CaptureOptions,
  captureTrainingState,
  type OptimizerStateRecord,
  type RestoredTraining,
  type RestoreOptions,
  restoreTrainingState,
  type TrainingState,
} from './io/checkpoint';
export { ModelCheckpoint, type ModelCheckpointOptions } from './io/checkpoint-callback';
export { WeightsFileError } from './io/errors';
export { decodeJsonWeights, encodeJsonWeights } from './io/json-weights';
export { type LoadModelOptions, loadModel } from './io/load-model';
export {
  type ExportWeightsOptions,
  exportModelWeights,
  LIBRARY_NAME,
  type LoadWeightsOptions,
  type LoadWeightsReport,
  loadModelWeights,
  MODEL_FILE_VERSION,
  metadataKeys,
  type SkippedWeight,
  type SkipReason,
  type TrainingConfigJSON,
  type WeightsInput,
} from './io/model-io';
export { decodeSafetensors, encodeSafetensors } from './io/safetensors';
export type {
  DecodedTensor,
  DecodedWeights,
  DecodeOptions,
  NamedWeightTensor,
  WeightsWarning,
  WeightTensor,
  WeightTensors,
} from './io/weights';
export { decodeWeights, detectWeightsFormat, type WeightsFormat } from './io/weights-file';
export { WeightsMismatchError } from './io/weights-match';
export * from './nn/index';
export * as metrics from './nn/metrics/index';

import { wireDefaultBackend } from './backend/index';

// The package's one side effect: the graph's default backend is the CPU one until setBackend.
wireDefaultBackend();
