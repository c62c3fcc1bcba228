/**
 * getWeights / setWeights for a layer or a model, as Keras and TensorFlow.js have them: values as an
 * array in the weights' order, plus by-name forms. Values going out are copies and values coming in
 * are copied, so neither side can change the other's tensors; every count, name and shape is
 * checked before anything is assigned, so a bad call changes nothing.
 */
import { fmtShape, InvalidArgumentError, ShapeError } from '../../errors';
import { noGrad } from '../../graph/engine';
import { mul } from '../../graph/ops/index';
import { type Shape, shapesEqual } from '../../graph/shape';
import type { Tensor } from '../../graph/tensor';

/** What these functions need of a weight (a LayerVariable; structural, so layer.ts can use them). */
export interface WeightSlot {
  readonly name: string;
  readonly shape: Shape;
  value: Tensor;
}

export type WeightsByName = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>;

/** A device-side copy of each weight's value (a multiply by one), in the given order. */
export function copyValues(variables: readonly WeightSlot[]): Tensor[] {
  return noGrad(() => variables.map((v) => mul(v.value, 1)));
}

/** Copies of each weight's value by weight name, in the given order. */
export function copyValuesByName(variables: readonly WeightSlot[]): Map<string, Tensor> {
  const values = copyValues(variables);
  return new Map(variables.map((v, i) => [v.name, values[i]]));
}

/** `owner` names the call in errors (`sequential.setWeights`). */
export function assignInOrder(
  owner: string,
  variables: readonly WeightSlot[],
  weights: readonly Tensor[],
): void {
  if (!Array.isArray(weights)) {
    const byName = weights instanceof Map || (typeof weights === 'object' && weights !== null);
    throw new InvalidArgumentError(
      `${owner}: expected an array of tensors in weight order, received ${byName ? 'weights by name; use setWeightsByName' : String(weights)}`,
    );
  }
  if (weights.length !== variables.length) {
    throw new InvalidArgumentError(
      `${owner}: received ${weights.length} tensors, expected ${variables.length} (${variables.map((v) => v.name).join(', ')})`,
    );
  }
  assignChecked(owner, variables, weights);
}

export function assignByName(owner: string, variables: readonly WeightSlot[], weights: WeightsByName): void {
  if (Array.isArray(weights) || typeof weights !== 'object' || weights === null) {
    throw new InvalidArgumentError(
      `${owner}: expected a Map or record of tensors by weight name, received ${Array.isArray(weights) ? 'an array; use setWeights' : String(weights)}`,
    );
  }
  const byName: ReadonlyMap<string, Tensor> =
    weights instanceof Map ? weights : new Map(Object.entries(weights as Record<string, Tensor>));
  const unknown = [...byName.keys()].filter((k) => !variables.some((v) => v.name === k));
  const missing = variables.filter((v) => !byName.has(v.name)).map((v) => v.name);
  if (unknown.length > 0 || missing.length > 0) {
    throw new InvalidArgumentError(
      `${owner}: names do not match` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (unknown.length ? `; not in the model: ${unknown.join(', ')}` : ''),
    );
  }
  assignChecked(
    owner,
    variables,
    variables.map((v) => byName.get(v.name)!),
  );
}

function assignChecked(owner: string, variables: readonly WeightSlot[], values: readonly Tensor[]): void {
  variables.forEach((v, i) => {
    if (!shapesEqual(values[i].shape, v.shape)) {
      throw new ShapeError(
        `${owner}: ${v.name} has shape ${fmtShape(v.shape)}, received ${fmtShape(values[i].shape)}`,
      );
    }
  });
  noGrad(() => {
    variables.forEach((v, i) => {
      v.value = mul(values[i], 1);
    });
  });
}
