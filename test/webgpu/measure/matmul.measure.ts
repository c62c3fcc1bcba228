/**
 * Not a test: GFLOP/s of generated matmul kernels (matmul-candidates.ts) and of the shipped
 * register kernel, on the W1 squares and the W2 (MLP 784-256-128-10, batch 128) forward and backward
 * shapes. Raw Dawn, no backend: each timing is `reps` dispatches in one submit, waited for, median of
 * several trials, so it is the kernel's time, not a readback's. Every candidate's result is checked
 * against a float64 product first. /proc/loadavg printed with every line.
 *
 * MATMUL_ADAPTER=gl (with EGL_PLATFORM=surfaceless) runs on llvmpipe through Dawn's OpenGL ES backend,
 * otherwise SwiftShader (VK_ICD_FILENAMES). MATMUL_SET=w1|w2|all picks the shapes, MATMUL_ONLY a
 * comma list of candidate labels.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, it } from 'vitest';
import { type Candidate, fits, generate, label, type Problem, workgroups } from './matmul-candidates';

let gpu: GPU;
let device: GPUDevice;
beforeAll(async () => {
  const dawn = (await import('webgpu')) as unknown as { create(o: string[]): GPU; globals: object };
  Object.assign(globalThis, dawn.globals);
  const gl = process.env.MATMUL_ADAPTER === 'gl';
  gpu = dawn.create([gl ? 'backend=opengl' : 'backend=vulkan']);
  const adapter = await gpu.requestAdapter(gl ? { featureLevel: 'compatibility' } : {});
  if (!adapter) throw new Error('no adapter');
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') limits[key] = v;
  }
  device = await adapter.requestDevice({ requiredLimits: limits });
  console.log(`adapter: ${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`);
});
afterAll(() => device?.destroy());

const loadavg = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

function random(n: number, seed: number): Float32Array<ArrayBuffer> {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

function reference(p: Problem, a: Float32Array, b: Float32Array): Float64Array {
  const c = new Float64Array(p.m * p.n);
  for (let i = 0; i < p.m; i++) {
    for (let k = 0; k < p.k; k++) {
      const av = p.transA ? a[k * p.m + i] : a[i * p.k + k];
      for (let j = 0; j < p.n; j++) c[i * p.n + j] += av * (p.transB ? b[j * p.k + k] : b[k * p.n + j]);
    }
  }
  return c;
}

function storage(data: Float32Array<ArrayBuffer>, usage = 0): GPUBuffer {
  const buffer = device.createBuffer({
    size: Math.max(16, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | usage,
  });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

interface Kernel {
  name: string;
  code: string;
  constants: Record<string, number>;
  workgroups: number;
  params: Uint32Array<ArrayBuffer>;
  /** Binds b a second time as the epilogue's (unread) bias, as nn.ts does. */
  bias?: boolean;
}

/** The shipped (at 2c65b4a) 4x4 register kernel (shaders/matmul-register.wgsl with common.wgsl), as nn.ts dispatches it. */
function shipped(p: Problem, wg = 64): Kernel {
  // As committed before the fused epilogue (the working tree's copy may be mid-edit).
  const code = ['shaders/matmul-register.wgsl', 'shaders/common.wgsl'].map((f) =>
    execSync(`git show 2c65b4a:${f}`, { encoding: 'utf8' }),
  );
  const perRow = Math.ceil(p.n / 4);
  const blocks = Math.ceil(p.m / 4) * perRow;
  const params = new Uint32Array(64);
  params.set([p.m, p.n, p.k, 0, 0, perRow, blocks]);
  return {
    name: `shipped 4x4 wg${wg}`,
    code: code.join('\n'),
    constants: { WG: wg, TRANS_A: p.transA ? 1 : 0, TRANS_B: p.transB ? 1 : 0 },
    workgroups: Math.ceil(blocks / wg),
    params,
  };
}

/** shaders/matmul-vec4.wgsl as in the working tree, with its appended parts, as nn.ts dispatches it. */
function vec4File(p: Problem, tx = 8, ty = 4): Kernel {
  const code = ['shaders/matmul-vec4.wgsl', 'shaders/activation.wgsl', 'shaders/common.wgsl'].map((f) =>
    readFileSync(f, 'utf8'),
  );
  const perRow = Math.ceil(p.n / (8 * tx));
  const tiles = Math.ceil(p.m / (8 * ty)) * perRow;
  const params = new Uint32Array(64);
  params.set([p.m, p.n, p.k, 0, 0, perRow, tiles]);
  return {
    name: `vec4 file wg${tx}x${ty}`,
    code: code.join('\n'),
    constants: { TX: tx, TY: ty, TRANS_A: p.transA ? 1 : 0, TRANS_B: p.transB ? 1 : 0 },
    workgroups: tiles,
    params,
    bias: true,
  };
}

function candidate(c: Candidate, p: Problem): Kernel {
  const { count, tilesX } = workgroups(c, p);
  return {
    name: label(c),
    code: generate(c, p),
    constants: {},
    workgroups: count,
    params: new Uint32Array([p.m, p.n, p.k, tilesX]),
  };
}

interface Prepared {
  name: string;
  run: (times: number) => Promise<void>;
  times: number[];
}

/**
 * Checks every kernel against the float64 product, then times them in interleaved rounds (kernel 1,
 * 2, ..., 1, 2, ...) so a change in the machine's load hits all of them alike.
 */
async function measure(p: Problem, kernels: Kernel[], flopBudget: number, rounds: number): Promise<void> {
  const a = random(p.m * p.k, 1);
  const b = random(p.k * p.n, 2);
  const want = reference(p, a, b);
  const aBuf = storage(a);
  const bBuf = storage(b);
  const cBuf = storage(new Float32Array(p.m * p.n));
  const read = device.createBuffer({
    size: cBuf.size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const flops = 2 * p.m * p.n * p.k;
  const reps = Math.max(1, Math.round(flopBudget / flops));
  const shape = `${p.transA ? 'tA ' : ''}${p.transB ? 'tB ' : ''}${p.m}x${p.k}x${p.n}`;
  const prepared: Prepared[] = [];
  const uniforms: GPUBuffer[] = [];
  for (const kern of kernels) {
    const module = device.createShaderModule({ code: kern.code });
    const info = await module.getCompilationInfo();
    if (info.messages.some((m) => m.type === 'error')) {
      console.log(kern.name, info.messages.map((m) => `${m.lineNum}: ${m.message}`).join('\n'));
      throw new Error(`compile error in ${kern.name}`);
    }
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: kern.constants },
    });
    const uniform = device.createBuffer({
      size: kern.params.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    uniforms.push(uniform);
    device.queue.writeBuffer(uniform, 0, kern.params);
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: (kern.bias ? [aBuf, bBuf, bBuf, cBuf, uniform] : [aBuf, bBuf, cBuf, uniform]).map(
        (buffer, binding) => ({ binding, resource: { buffer } }),
      ),
    });
    const run = async (times: number) => {
      const enc = device.createCommandEncoder();
      for (let r = 0; r < times; r++) {
        const pass = enc.beginComputePass();
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bind);
        pass.dispatchWorkgroups(kern.workgroups);
        pass.end();
      }
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
    };
    device.queue.writeBuffer(cBuf, 0, new Float32Array(p.m * p.n).fill(Number.NaN));
    await run(1);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(cBuf, 0, read, 0, cBuf.size);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const got = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    if (!(worst < 1e-3 * Math.sqrt(p.k))) throw new Error(`${kern.name} ${shape}: max error ${worst}`);
    prepared.push({ name: kern.name, run, times: [] });
  }
  const loadBefore = loadavg();
  for (let round = 0; round < rounds; round++) {
    for (const k of prepared) {
      const t0 = performance.now();
      await k.run(reps);
      k.times.push((performance.now() - t0) / reps);
    }
  }
  for (const k of prepared) {
    const t = [...k.times].sort((x, y) => x - y);
    const med = t[Math.floor(t.length / 2)];
    console.log(
      `${shape.padEnd(18)} ${k.name.padEnd(30)} min ${(flops / t[0] / 1e6).toFixed(2).padStart(6)} med ${(flops / med / 1e6).toFixed(2).padStart(6)} GFLOP/s  ${t[0].toFixed(3).padStart(8)} ms`,
    );
  }
  console.log(`load ${loadBefore} -> ${loadavg()}`);
  for (const buf of [aBuf, bBuf, cBuf, read, ...uniforms]) buf.destroy();
}

const W1: Problem[] = [256, 512, 1024].map((n) => ({ m: n, n, k: n, transA: false, transB: false }));
const W2: Problem[] = [
  { m: 128, k: 784, n: 256, transA: false, transB: false },
  { m: 128, k: 256, n: 128, transA: false, transB: false },
  { m: 128, k: 128, n: 10, transA: false, transB: false },
  { m: 784, k: 128, n: 256, transA: true, transB: false },
  { m: 256, k: 128, n: 128, transA: true, transB: false },
  { m: 128, k: 128, n: 10, transA: true, transB: false },
  { m: 128, k: 256, n: 784, transA: false, transB: true },
  { m: 128, k: 128, n: 256, transA: false, transB: true },
  { m: 128, k: 10, n: 128, transA: false, transB: true },
];

const base: Candidate = {
  bm: 4,
  bn: 4,
  wgx: 8,
  wgy: 8,
  rows: 'contig',
  cols: 'contig',
  vecA: false,
  vecB: false,
  unroll: 1,
};
const variants = (s: string): Candidate[] =>
  s.split(';').map((spec) => {
    const c = { ...base };
    for (const kv of spec.split(',')) {
      const [k, v] = kv.split('=');
      if (k === 'rows' || k === 'cols') c[k] = v as 'contig' | 'strided';
      else if (k === 'vecA' || k === 'vecB') c[k] = v === '1';
      else if (k) (c as unknown as Record<string, number>)[k] = Number(v);
    }
    return c;
  });

const vec4Fits = (p: Problem) => p.k % 4 === 0 && (!p.transA || p.m % 4 === 0) && (p.transB || p.n % 4 === 0);

it('matmul kernels', async () => {
  const set = process.env.MATMUL_SET ?? 'w1';
  const problems = set === 'w1' ? W1 : set === 'w2' ? W2 : [...W1, ...W2];
  const specs = process.env.MATMUL_VARIANTS ? variants(process.env.MATMUL_VARIANTS) : [];
  const budget = Number(process.env.MATMUL_FLOPS ?? 2e9);
  for (const p of problems) {
    const kernels = [
      ...(process.env.MATMUL_SHIPPED === '0' ? [] : [shipped(p)]),
      ...(process.env.MATMUL_FILE === '1' && vec4Fits(p) ? [vec4File(p), vec4File(p, 4, 4)] : []),
      ...specs.filter((c) => fits(c, p)).map((c) => candidate(c, p)),
    ];
    await measure(p, kernels, budget, Number(process.env.MATMUL_ROUNDS ?? 5));
  }
});
