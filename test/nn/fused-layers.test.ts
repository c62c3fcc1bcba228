/**
 * Dense and Conv2D run their op, bias and activation as one fused op (fusedMatmul, fusedConv2d); on
 * the float32 CPU backend it must give the bits of the unfused ops (matmul or conv2d, add,
 * activation) in output and in every gradient.
 */
import { describe, expect, it } from 'vitest';
import { withBackend } from '../../src/graph/engine';
import {
  add,
  Conv2D,
  conv2d,
  Dense,
  type Layer,
  matmul,
  mul,
  relu,
  sigmoid,
  sum,
  type Tensor,
  tanh,
  valueAndGrad,
} from '../../src/index';
import { randomTensor, recordingCpu } from './helpers';

const UNFUSED = { linear: (x: Tensor) => x, relu, sigmoid, tanh } as const;

interface Case {
  layer: (activation: string) => Layer;
  input: number[];
  fused: string;
  unfused: (x: Tensor, kernel: Tensor) => Tensor;
}

const CASES: Record<string, Case> = {
  Dense: {
    layer: (activation) =>
      new Dense({ units: 5, activation: activation as 'relu', biasInitializer: 'glorotUniform' }),
    input: [7, 3],
    fused: 'fusedMatmul',
    unfused: (x, k) => matmul(x, k),
  },
  Conv2D: {
    layer: (activation) =>
      new Conv2D({
        filters: 3,
        kernelSize: 2,
        padding: 'same',
        activation: activation as 'relu',
        biasInitializer: 'glorotUniform',
      }),
    input: [2, 4, 5, 2],
    fused: 'fusedConv2d',
    unfused: (x, k) => conv2d(x, k, { padding: 'same' }),
  },
};

for (const [name, c] of Object.entries(CASES)) {
  describe(`${name} through the ${c.fused} epilogue`, () => {
    for (const [activation, f] of Object.entries(UNFUSED)) {
      it(`${activation}: output and gradients equal the unfused ops bit for bit`, async () => {
        const { backend, ran } = recordingCpu();
        const [fused, unfused] = withBackend(backend, () => {
          const layer = c.layer(activation);
          const x = randomTensor(c.input, 4);
          layer.build(c.input.slice(1));
          const w = randomTensor([c.input[0], ...layer.computeOutputShape(c.input.slice(1))], 5);
          const [kernel, bias] = layer.weights.map((v) => v.value);
          const viaLayer = (k: Tensor, b: Tensor) => {
            layer.weights[0].value = k;
            layer.weights[1].value = b;
            return sum(mul(layer.apply(x, { training: true, step: 0, seed: 0, updates: [] }), w));
          };
          const byOps = (k: Tensor, b: Tensor) => sum(mul(f(add(c.unfused(x, k), b)), w));
          return [valueAndGrad(viaLayer)(kernel, bias), valueAndGrad(byOps)(kernel, bias)];
        });
        expect(ran).toContain(c.fused);
        expect(await fused.value.data()).toEqual(await unfused.value.data());
        for (let k = 0; k < 2; k++) {
          expect(await fused.grads[k].data()).toEqual(await unfused.grads[k].data());
        }
      });
    }
  });
}
