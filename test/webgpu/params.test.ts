/**
 * Declared kernel parameters (src/backend/webgpu/params.ts, declare-kernel.ts): the layout the
 * TypeScript writer uses must be the one WGSL gives the generated struct in the uniform address
 * space. Each case declares a struct of mixed f32/u32/i32 fields and dims rows, runs a kernel on the
 * real device that echoes every field's bits (and the override constants) into a u32 buffer, and
 * compares with what was written: a field the writer puts at another offset than WGSL reads it from
 * (a dims table not on its 16-byte boundary, an optional field skipped wrongly) shows as a wrong word.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareItemKernel, declareKernel } from '../../src/backend/webgpu/declare-kernel';
import type { KernelDispatch } from '../../src/backend/webgpu/kernel-types';
import { ParamLayout } from '../../src/backend/webgpu/params';
import type { WebGPUBackend } from '../../src/backend/webgpu/webgpu-backend';
import { BackendError } from '../../src/errors';
import { createGpu } from './harness';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createGpu();
});
afterAll(() => gpu?.destroy());

/** Runs one dispatch whose only binding is a u32 output of `words` words; returns them. */
async function echo(d: KernelDispatch, words: number): Promise<Uint32Array> {
  const device = gpu.device;
  const out = device.createBuffer({
    size: words * 4,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const uniform = device.createBuffer({
    size: d.params.bytes.byteLength,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(uniform, 0, d.params.bytes);
  const read = device.createBuffer({
    size: words * 4,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const { pipeline, layout } = gpu.pipelines.get(d.shader, d.constants, d.inputs.length, 1);
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      layout,
      entries: [out, uniform].map((buffer, binding) => ({ binding, resource: { buffer } })),
    }),
  );
  pass.dispatchWorkgroups(d.workgroups);
  pass.end();
  encoder.copyBufferToBuffer(out, 0, read, 0, words * 4);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const words32 = new Uint32Array(read.getMappedRange().slice(0));
  read.unmap();
  for (const b of [out, uniform, read]) b.destroy();
  expect(gpu.error).toBeNull();
  return words32;
}

const bitsOf = (v: number, type: 'f32' | 'i32') =>
  type === 'f32'
    ? new Uint32Array(Float32Array.of(v).buffer)[0]
    : new Uint32Array(Int32Array.of(v).buffer)[0];

describe('declared kernel params', () => {
  it('five scalars and three dims rows: the table starts at byte 32, every field echoes back', async () => {
    const kernel = declareKernel({
      file: 'echo-mixed',
      source: `
@compute @workgroup_size(1)
fn main() {
  y[0] = bitcast<u32>(params.a);
  y[1] = params.b;
  y[2] = bitcast<u32>(params.c);
  y[3] = bitcast<u32>(params.d);
  y[4] = params.e;
  for (var d = 0u; d < 8u; d++) {
    y[5u + d] = dim(LEFT_SHAPE, d);
    y[13u + d] = dim(Q, d);
    y[21u + d] = dim(UNUSED_ROW, d);
  }
  y[29] = SCALE;
  y[30] = select(0u, 1u, FLAG);
  y[31] = select(0u, 1u, OFF);
}`,
      bindings: { y: 'write u32' },
      params: { a: 'f32', b: 'u32', c: 'i32', d: 'f32?', e: 'u32' },
      dims: ['leftShape', 'q', 'unusedRow?'],
      overrides: { SCALE: 3, FLAG: false, OFF: true },
    });
    expect(kernel.layout.fields.map((f) => f.offset)).toEqual([0, 4, 8, 12, 16]);
    expect(kernel.layout.dimsOffset).toBe(32);
    expect(kernel.layout.size).toBe(32 + 3 * 32);
    expect(kernel.code).toContain('dims: array<array<vec4<u32>, 2>, 3>,');
    expect(kernel.code).toContain('const LEFT_SHAPE = 0u;');

    const d = kernel.dispatch({
      inputs: [],
      params: { a: 1.5, b: 0xdeadbeef, c: -7, e: 42, leftShape: [1, 2, 3, 4, 5, 6, 7, 8], q: [9, 10, 11] },
      constants: { SCALE: 5, FLAG: true, OFF: false },
      workgroups: 1,
    });
    const got = Array.from(await echo(d, 32));
    expect(got).toEqual([
      bitsOf(1.5, 'f32'),
      0xdeadbeef,
      bitsOf(-7, 'i32'),
      0, // d, optional and not given
      42,
      ...[1, 2, 3, 4, 5, 6, 7, 8],
      ...[9, 10, 11, 0, 0, 0, 0, 0],
      ...[0, 0, 0, 0, 0, 0, 0, 0],
      5,
      1,
      0,
    ]);
  });

  it('an item kernel: n and the grid-stride overrides are added, four scalars put the table at 16', async () => {
    const kernel = declareItemKernel({
      file: 'echo-item',
      source: `
fn item(i: u32) {
  if (i == 0u) {
    y[0] = params.n;
    y[1] = bitcast<u32>(params.f);
    y[2] = bitcast<u32>(params.g);
    y[3] = params.h;
    y[4] = dim(R, 7u);
  }
  y[5u + i] = i;
}`,
      bindings: { y: 'write u32' },
      params: { f: 'i32', g: 'f32', h: 'u32' },
      dims: ['r'],
      overrides: {},
    });
    expect(kernel.layout.fields.map((f) => [f.name, f.offset])).toEqual([
      ['n', 0],
      ['f', 4],
      ['g', 8],
      ['h', 12],
    ]);
    expect(kernel.layout.dimsOffset).toBe(16);
    const n = 11;
    const d = kernel.dispatch({
      inputs: [],
      params: { n, f: -123456, g: -0.1, h: 7, r: [0, 0, 0, 0, 0, 0, 0, 99] },
      constants: { WG: 4, PER: 2 },
      workgroups: 2,
    });
    const got = Array.from(await echo(d, 5 + n + 1));
    expect(got.slice(0, 5)).toEqual([n, bitsOf(-123456, 'i32'), bitsOf(-0.1, 'f32'), 7, 99]);
    // Two workgroups of 4 threads, 2 items each, cover 16 >= 11 items; none past n is run.
    expect(got.slice(5)).toEqual([...Array.from({ length: n }, (_, i) => i), 0]);
  });

  it('rejects what the uniform or the pipeline layout cannot hold, naming the kernel', () => {
    const layout = new ParamLayout('shaders/x.wgsl', { a: 'u32' }, ['shape']);
    expect(() => layout.write({ a: 1, shape: [1, 2, 3, 4, 5, 6, 7, 8, 9] } as never)).toThrow(
      /shaders\/x\.wgsl: dims row shape needs at most 8 entries, received \[1,2,3,4,5,6,7,8,9\]/,
    );
    expect(() => layout.write({ shape: [] } as never)).toThrow(
      /parameter a \(u32\) needs a number, received undefined/,
    );
    expect(() => new ParamLayout('k', { dims: 'u32' }, [])).toThrow(BackendError);
    expect(() => new ParamLayout('k', { a: 'u32' }, ['a'])).toThrow(/'a' is used twice/);
    const base = { source: '', params: {}, overrides: {} };
    expect(() => declareKernel({ ...base, file: 'w', bindings: { y: 'write', x: 'read' } })).toThrow(
      /every read before the writes/,
    );
    expect(() => declareItemKernel({ ...base, file: 'no-item', bindings: { y: 'write' } })).toThrow(
      /defines fn item\(i: u32\)/,
    );
    const k = declareKernel({ ...base, file: 'two', bindings: { x: 'read', y: 'write' } });
    expect(() => k.dispatch({ inputs: [], params: {}, workgroups: 1 })).toThrow(
      /takes 1 input buffers, received 0/,
    );
  });
});
