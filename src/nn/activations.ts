/** Activation functions by name, as layers and the `activation` option of Dense and Conv2D use them. */
import { InvalidArgumentError } from '../errors';
import type { FusedActivation } from '../graph/op-params';
import { elu, leakyRelu, relu, sigmoid, softmax, tanh } from '../graph/ops/index';
import type { Tensor } from '../graph/tensor';

export type ActivationName = 'relu' | 'leakyRelu' | 'elu' | 'sigmoid' | 'tanh' | 'softmax' | 'linear';

const activations: { readonly [K in ActivationName]: (x: Tensor) => Tensor } = {
  relu,
  leakyRelu: (x) => leakyRelu(x, 0.2),
  elu: (x) => elu(x, 1),
  sigmoid,
  tanh,
  softmax: (x) => softmax(x, -1),
  linear: (x) => x,
};

const EPILOGUE: readonly ActivationName[] = ['linear', 'relu', 'sigmoid', 'tanh'] satisfies FusedActivation[];

/**
 * How a (validated) activation splits around a matmul or convolution epilogue: the part the kernel
 * applies, and what follows as ops (softmax, elu and leakyRelu run after a linear epilogue).
 */
export function splitActivation(name: ActivationName): {
  epilogue: FusedActivation;
  after: (x: Tensor) => Tensor;
} {
  return EPILOGUE.includes(name)
    ? { epilogue: name as FusedActivation, after: (x) => x }
    : { epilogue: 'linear', after: activations[name] };
}

/** Validates `name` for the thing that asked (`Dense(activation)`) and returns the function. */
export function getActivation(owner: string, name: unknown): (x: Tensor) => Tensor {
  if (typeof name !== 'string' || !Object.hasOwn(activations, name)) {
    throw new InvalidArgumentError(
      `${owner}: unknown activation '${String(name)}', expected one of ${Object.keys(activations).join(', ')}`,
    );
  }
  return activations[name as ActivationName];
}
