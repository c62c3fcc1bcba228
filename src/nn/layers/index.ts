/**
 * Every layer class by its Keras name. The table is the registry `layerFromConfig` uses, so a
 * saved architecture can only name classes listed here (nothing in a file executes).
 */
import { InvalidArgumentError } from '../../errors';
import { Activation } from './activation';
import { AveragePooling2D } from './average-pooling2d';
import { BatchNormalization } from './batch-normalization';
import { Conv2D } from './conv2d';
import { Dense } from './dense';
import { Dropout } from './dropout';
import { Flatten } from './flatten';
import type { Layer, LayerConfig } from './layer';
import { MaxPooling2D } from './max-pooling2d';
import { Reshape } from './reshape';
import { Softmax } from './softmax';

export const layerClasses = {
  Dense,
  Conv2D,
  MaxPooling2D,
  AveragePooling2D,
  Flatten,
  Reshape,
  Activation,
  Softmax,
  Dropout,
  BatchNormalization,
} as const;

export type LayerClassName = keyof typeof layerClasses;

/** A layer as it is saved: its class name and its config. */
export interface SerializedLayer {
  className: string;
  config: LayerConfig & Record<string, unknown>;
}

export function serializeLayer(layer: Layer): SerializedLayer {
  return { className: layer.className, config: layer.getConfig() as SerializedLayer['config'] };
}

/** Rebuilds a layer from `{ className, config }`; the constructor validates the config. */
export function layerFromConfig(serialized: SerializedLayer): Layer {
  const name = serialized?.className;
  if (typeof name !== 'string' || !Object.hasOwn(layerClasses, name)) {
    throw new InvalidArgumentError(
      `layerFromConfig: unknown layer class '${String(name)}', expected one of ${Object.keys(layerClasses).join(', ')}`,
    );
  }
  const LayerClass = layerClasses[name as LayerClassName] as unknown as new (config: unknown) => Layer;
  return new LayerClass({ ...serialized.config });
}

export type { ActivationConfig } from './activation';
export type { BatchNormalizationConfig } from './batch-normalization';
export type { Conv2DConfig } from './conv2d';
export type { DenseConfig } from './dense';
export type { DropoutConfig } from './dropout';
export type { FlattenConfig } from './flatten';
export { type CallContext, Layer, type LayerConfig, LayerVariable, type StateUpdate } from './layer';
export type { Pooling2DConfig } from './pooling2d';
export type { ReshapeConfig } from './reshape';
export type { SoftmaxConfig } from './softmax';
export {
  Activation,
  AveragePooling2D,
  BatchNormalization,
  Conv2D,
  Dense,
  Dropout,
  Flatten,
  MaxPooling2D,
  Reshape,
  Softmax,
};
