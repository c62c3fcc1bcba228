/**
 * Dense runs matmul, bias and activation as one fusedMatmul op; on the float32 CPU backend it must
 * give the bits of the unfused ops (matmul, add, activation) in output and in every gradient.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { withBackend } from '../../src/graph/engine';
import {
  add,
  Dense,
  matmul,
  mul,
  relu,
  sigmoid,
  sum,
  type Tensor,
  tanh,
  valueAndGrad,
} from '../../src/index';
import { randomTensor } from './helpers';

const UNFUSED = { linear: (x: Tensor) => x, relu, sigmoid, tanh } as const;

describe('Dense through the matmul epilogue', () => {
  for (const [activation, f] of Object.entries(UNFUSED)) {
    it(`${activation}: output and gradients equal the unfused ops bit for bit`, async () => {
      const backend = new CpuBackend('float32');
      const ran: string[] = [];
      const run = backend.run.bind(backend);
      backend.run = (op, inputs, shape, params) => {
        ran.push(op);
        return run(op, inputs, shape, params);
      };
      const [fused, unfused] = withBackend(backend, () => {
        const layer = new Dense({
          units: 5,
          activation: activation as 'relu',
          biasInitializer: 'glorotUniform',
        });
        const x = randomTensor([7, 3], 4);
        const w = randomTensor([7, 5], 5);
        layer.build([3]);
        const [kernel, bias] = layer.weights.map((v) => v.value);
        const viaLayer = (k: Tensor, b: Tensor) => {
          layer.weights[0].value = k;
          layer.weights[1].value = b;
          return sum(mul(layer.apply(x, { training: true, step: 0, seed: 0, updates: [] }), w));
        };
        const byOps = (k: Tensor, b: Tensor) => sum(mul(f(add(matmul(x, k), b)), w));
        return [valueAndGrad(viaLayer)(kernel, bias), valueAndGrad(byOps)(kernel, bias)];
      });
      expect(ran).toContain('fusedMatmul');
      expect(await fused.value.data()).toEqual(await unfused.value.data());
      for (let k = 0; k < 2; k++) {
        expect(await fused.grads[k].data()).toEqual(await unfused.grads[k].data());
      }
    });
  }
});
