import { WebGPUTrainerError } from '../errors';

/**
 * A weights file that cannot be read (or weights that cannot be written): the message names the
 * file, the tensor when there is one, what was found and what was expected. Decoders throw it
 * before returning anything, so a caller never sees half of a bad file.
 */
export class WeightsFileError extends WebGPUTrainerError {
  /** The file name given to the decoder (or the encoder's name when writing). */
  readonly file: string;
  /** The tensor at fault, when the problem is in one tensor. */
  readonly tensor: string | undefined;

  constructor(file: string, problem: string, tensor?: string) {
    // Names come from the file: a 50 MB tensor name must not become a 50 MB message.
    const shown = tensor !== undefined && tensor.length > 120 ? `${tensor.slice(0, 120)}...` : tensor;
    super(`${file}: ${shown === undefined ? '' : `tensor '${shown}': `}${problem}`);
    this.file = file;
    this.tensor = tensor;
  }
}
