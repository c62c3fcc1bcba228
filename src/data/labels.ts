/** Class labels: y holds class indices [n]; losses that want one-hot rows get them from here. */
import { InvalidArgumentError } from '../errors';
import { tensor } from '../graph/engine';
import type { Tensor } from '../graph/tensor';

/** One-hot rows [n, numClasses] from class indices (a Tensor or an array). */
export function oneHotLabels(indices: Tensor | ArrayLike<number>, numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new InvalidArgumentError(
      `oneHotLabels: numClasses must be a positive integer, received ${numClasses}`,
    );
  }
  const idx = 'dataSync' in indices ? indices.dataSync() : indices;
  const out = new Float32Array(idx.length * numClasses);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    if (!Number.isInteger(k) || k < 0 || k >= numClasses) {
      throw new InvalidArgumentError(
        `oneHotLabels: label ${i} is ${k}, expected an integer in 0..${numClasses - 1}`,
      );
    }
    out[i * numClasses + k] = 1;
  }
  return tensor(out, [idx.length, numClasses]);
}

/** Class names for predicted indices (the inverse of the encoding prepareDataset applied). */
export function decodeLabels(indices: ArrayLike<number>, classNames: readonly string[]): string[] {
  return Array.from(indices, (k, i) => {
    const name = classNames[k];
    if (name === undefined || !Number.isInteger(k)) {
      throw new InvalidArgumentError(
        `decodeLabels: label ${i} is ${k}, expected an integer in 0..${classNames.length - 1}`,
      );
    }
    return name;
  });
}
