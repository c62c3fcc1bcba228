/** Model export: ONNX bytes for inference runtimes, a PyTorch module file for further training. */

export { type ModelDownload, type ModelDownloadsOptions, modelDownloads } from './downloads';
export { ExportError } from './errors';
export { DEFAULT_OPSET, exportOnnx, MAX_OPSET, MIN_OPSET, type OnnxExportOptions } from './onnx';
export { decodeModel as decodeOnnxModel, type ModelMessage as OnnxModelMessage } from './onnx-proto';
export { exportPytorch, type PytorchExportOptions } from './pytorch';
