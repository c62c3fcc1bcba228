/** Model export: ONNX bytes for inference runtimes, a PyTorch module file for further training. */

export { type ModelDownload, type ModelDownloadsOptions, modelDownloads } from './downloads';
export { encodedCsv } from './encoded-csv';
export { ExportError } from './errors';
export { DEFAULT_OPSET, exportOnnx, MAX_OPSET, MIN_OPSET, type OnnxExportOptions } from './onnx';
export { decodeModel as decodeOnnxModel, type ModelMessage as OnnxModelMessage } from './onnx-proto';
export { exportPytorch, type PytorchExportOptions } from './pytorch';
export {
  type BundleCallbacks,
  type BundleFit,
  type BundleSplit,
  exportTrainingBundle,
  type ReadTrainingBundle,
  readTrainingBundle,
  TRAINING_BUNDLE_FORMAT,
  type TrainingBundleOptions,
  type TrainingStateJSON,
} from './training-bundle';
