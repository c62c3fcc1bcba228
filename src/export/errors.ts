/** Errors of model export (ONNX, PyTorch). */
import { WebGPUTrainerError } from '../errors';

/** A model, a layer or an option the target format cannot express: the message names which. */
export class ExportError extends WebGPUTrainerError {}
