/**
 * Model presets, as layer configs (the same JSON a saved model holds). Each is a function of the
 * dataset: its input width, the task and the number of classes.
 */
import type { SerializedLayer } from '../../nn/layers/index';

export interface DatasetShape {
  inputSize: number;
  task: 'classification' | 'regression';
  /** Number of classes; 1 output for regression. */
  outputs: number;
}

export interface Preset {
  id: string;
  title: string;
  /** Why it may not apply to this dataset, or null. */
  unavailable(shape: DatasetShape): string | null;
  layers(shape: DatasetShape): SerializedLayer[];
}

const layer = (className: string, config: Record<string, unknown> = {}): SerializedLayer => ({
  className,
  config,
});

/** The output layer: class probabilities (softmax) for classification, one linear value for regression. */
const head = (s: DatasetShape) =>
  layer('Dense', { units: s.outputs, activation: s.task === 'classification' ? 'softmax' : 'linear' });

const side = (inputSize: number) => Math.round(Math.sqrt(inputSize));

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
    unavailable: (s) =>
      side(s.inputSize) ** 2 === s.inputSize && s.inputSize >= 16
        ? null
        : `needs a square number of features (16, 64, 784, …); this dataset has ${s.inputSize}`,
    layers: (s) => [
      layer('Reshape', { targetShape: [side(s.inputSize), side(s.inputSize), 1] }),
      layer('Conv2D', { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      layer('MaxPooling2D', { poolSize: 2 }),
      layer('Flatten'),
      layer('Dense', { units: 32, activation: 'relu' }),
      head(s),
    ],
  },
];
