/**
 * The files the app offers for a trained model, ready for a download link: the weights
 * (safetensors), the ONNX model and the PyTorch module that loads those weights. One call, so the
 * UI does not need to know how each is produced.
 */

import type { Preprocessor, PreprocessorJSON } from '../data/preprocessor';
import { exportModelWeights } from '../io/model-io';
import type { Sequential } from '../nn/model/sequential';
import { exportOnnx } from './onnx';
import { exportPytorch } from './pytorch';

export interface ModelDownload {
  /** What the UI shows: 'Weights (safetensors)', 'ONNX', 'PyTorch'. */
  label: string;
  filename: string;
  mimeType: string;
  data: Uint8Array | string;
}

export interface ModelDownloadsOptions {
  /** File names start with this (default: the model's name). */
  basename?: string;
  /** The data preprocessing: saved in the weights metadata; with foldPreprocessing, folded into the ONNX model. */
  preprocessing?: Preprocessor | PreprocessorJSON;
  /** ONNX takes raw numeric columns (the standardisation folded in); needs `preprocessing`. */
  foldPreprocessing?: boolean;
  /** Default 17. */
  opset?: number;
}

/** Weights, ONNX and PyTorch files for `model` (built and compiled), produced together. */
export async function modelDownloads(
  model: Sequential,
  options: ModelDownloadsOptions = {},
): Promise<ModelDownload[]> {
  const base = options.basename ?? model.name;
  const preprocessing = options.preprocessing;
  const json = preprocessing && 'toJSON' in preprocessing ? preprocessing.toJSON() : preprocessing;
  const [onnx, weights] = await Promise.all([
    exportOnnx(model, {
      opset: options.opset,
      foldPreprocessing: options.foldPreprocessing ? preprocessing : undefined,
    }),
    exportModelWeights(model, json ? { metadata: { preprocessing: JSON.stringify(json) } } : {}),
  ]);
  return [
    {
      label: 'Weights (safetensors)',
      filename: `${base}.safetensors`,
      mimeType: 'application/octet-stream',
      data: weights,
    },
    { label: 'ONNX', filename: `${base}.onnx`, mimeType: 'application/octet-stream', data: onnx },
    { label: 'PyTorch', filename: `${base}.py`, mimeType: 'text/x-python', data: exportPytorch(model) },
  ];
}
