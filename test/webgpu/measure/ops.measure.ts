/**
 * Not a test: time per call of single small ops at the W2 sizes (MLP 784-256-128-10, batch 128) on
 * WebGPU, each call followed by a read so the figure includes the dispatch. /proc/loadavg printed.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { WebGPUBackend } from '../../../src/backend/webgpu/webgpu-backend';
import { tensor, useBackend } from '../../../src/graph/engine';
import { add, mul, relu, softmax, sum } from '../../../src/graph/ops/index';
import { Random } from '../../../src/graph/random';
import type { Tensor } from '../../../src/graph/tensor';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await WebGPUBackend.create();
});
afterAll(() => gpu?.destroy());

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim().split(' ').slice(0, 3).join(' ');

function random(shape: number[], seed: number): Tensor {
  const rng = new Random(seed);
  return tensor(
    Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.uniform()),
    shape,
  );
}

async function time(name: string, f: () => Tensor): Promise<void> {
  await f().data();
  const runs = 10;
  const t = performance.now();
  for (let i = 0; i < runs; i++) await f().data();
  console.log(`${name}: ${((performance.now() - t) / runs).toFixed(1)} ms (load ${loadavg()})`);
}

it('single ops at W2 sizes', async () => {
  useBackend(gpu);
  const w = random([784, 256], 1);
  const w2 = random([784, 256], 2);
  const h = random([128, 256], 3);
  const bias = random([256], 4);
  const logits = random([128, 10], 5);
  const one = random([1], 6);
  await time('tiny read (1 element, add)', () => add(one, one));
  await time('mul 784x256 same shape', () => mul(w, w2));
  await time('mul 784x256 by scalar', () => mul(w, tensor([0.5], [])));
  await time('add 128x256 + bias 256', () => add(h, bias));
  await time('relu 784x256', () => relu(w));
  await time('sum 128x256 over axis 0', () => sum(h, [0]));
  await time('sum 128x256 over axis 1', () => sum(h, [1]));
  await time('sum 784x256 all', () => sum(w));
  await time('softmax 128x10', () => softmax(logits, -1));
});

it('elements per thread: 20 chained same-shape muls and relus of 784x256, one read', async () => {
  for (const elementsPerThread of [1, 8, 32, 1, 8, 32]) {
    for (const workgroupSize of [64]) {
      const backend = await WebGPUBackend.create({ elementsPerThread, workgroupSize });
      useBackend(backend);
      const w = random([784, 256], 1);
      const chain = () => {
        let y = w;
        for (let i = 0; i < 10; i++) y = relu(mul(y, w));
        return y;
      };
      await time(`per thread ${elementsPerThread}, workgroup ${workgroupSize}`, chain);
      backend.destroy();
    }
  }
  useBackend(gpu);
});
