/**
 * Model presets, as layer configs (the same JSON a saved model holds). Each is a function of the
 * dataset: its input width, the task and the number of classes.
 */
import type { ImageShape, PreparedArrays } from '../../data/index';
import type { SerializedLayer } from '../../nn/layers/index';

/** The features as one image, and why; or why they are not one. */
export interface ImageInput {
  shape: ImageShape | null;
  reason: string;
}

export interface DatasetShape {
  inputSize: number;
  task: 'classification' | 'regression';
  /** Number of classes; 1 output for regression. */
  outputs: number;
  /** Whether the features are one image (imageInput); absent: judged from inputSize alone. */
  image?: ImageInput;
}

export interface Preset {
  id: string;
  title: string;
  /** Why it may not apply to this dataset, or null. */
  unavailable(shape: DatasetShape): string | null;
  /** Why it applies, when that is worth saying (the CNN names the image it reads). */
  note?(shape: DatasetShape): string | null;
  layers(shape: DatasetShape): SerializedLayer[];
}

/**
 * The features as an image: when they are exactly one image-shaped block of like columns, in
 * order (a block with other features beside it, or with missing-value indicators, is not).
 */
export function imageInput(d: Pick<PreparedArrays, 'schema' | 'featureNames'>): ImageInput {
  const imageBlocks = d.schema.blocks.filter((b) => b.image !== null);
  for (const b of imageBlocks) {
    const names = b.columns.map((i) => d.schema.columns[i].name);
    const { height: h, width: w, channels: c } = b.image!;
    const size = `${h}×${w}${c > 1 ? `×${c}` : ''}`;
    if (names.length === d.featureNames.length && names.every((n, i) => d.featureNames[i] === n)) {
      return { shape: b.image, reason: `the features are ${b.first} … ${b.last}, read as one ${size} image` };
    }
    const others = d.featureNames.length - names.filter((n) => d.featureNames.includes(n)).length;
    return {
      shape: null,
      reason:
        `it reads the features as one image: ${b.first} … ${b.last} form a ${size} image, ` +
        `but the features hold ${others} more (or the block's columns are not all numeric features); leave the others out to use it`,
    };
  }
  return {
    shape: null,
    reason:
      'it reads each row as an image, and no block of like columns here forms one ' +
      '(columns named alike, as pixel_0 … pixel_63 form 8×8)',
  };
}

const layer = (className: string, config: Record<string, unknown> = {}): SerializedLayer => ({
  className,
  config,
});

/** The output layer: class probabilities (softmax) for classification, one linear value for regression. */
const head = (s: DatasetShape) =>
  layer('Dense', { units: s.outputs, activation: s.task === 'classification' ? 'softmax' : 'linear' });

const side = (inputSize: number) => Math.round(Math.sqrt(inputSize));

/** The CNN's input: the image the features form, or a square from the width alone. */
function cnnInput(s: DatasetShape): [number, number, number] {
  const img = s.image?.shape;
  return img ? [img.height, img.width, img.channels] : [side(s.inputSize), side(s.inputSize), 1];
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'linear',
    title: 'Logistic / linear regression',
    unavailable: () => null,
    layers: (s) => [head(s)],
  },
  {
    id: 'mlp',
    title: 'MLP (32-16, ReLU)',
    unavailable: () => null,
    layers: (s) => [
      layer('Dense', { units: 32, activation: 'relu' }),
      layer('Dense', { units: 16, activation: 'relu' }),
      head(s),
    ],
  },
  {
    id: 'mlp-bn-dropout',
    title: 'MLP with BatchNormalization and Dropout',
    unavailable: () => null,
    layers: (s) => [
      layer('Dense', { units: 64 }),
      layer('BatchNormalization'),
      layer('Activation', { activation: 'relu' }),
      layer('Dropout', { rate: 0.2 }),
      layer('Dense', { units: 32, activation: 'relu' }),
      head(s),
    ],
  },
  {
    id: 'cnn',
    title: 'Small CNN (rows as square images)',
    unavailable: (s) => {
      if (s.image) return s.image.shape ? null : s.image.reason;
      return side(s.inputSize) ** 2 === s.inputSize && s.inputSize >= 16
        ? null
        : `needs a square number of features (16, 64, 784, …); this dataset has ${s.inputSize}`;
    },
    note: (s) => (s.image?.shape ? s.image.reason : null),
    layers: (s) => [
      layer('Reshape', { targetShape: cnnInput(s) }),
      layer('Conv2D', { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      layer('MaxPooling2D', { poolSize: 2 }),
      layer('Flatten'),
      layer('Dense', { units: 32, activation: 'relu' }),
      head(s),
    ],
  },
];
