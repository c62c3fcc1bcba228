/**
 * Not a test: GFLOP/s of generated matmul kernels (matmul-candidates.ts) and of the shipped
 * register kernel, on the W1 squares and the W2 (MLP 784-256-128-10, batch 128) forward and backward
 * shapes. Raw Dawn, no backend: each timing is `reps` dispatches in one submit, waited for, median of
 * several trials, so it is the kernel's time, not a readback's. Every candidate's result is checked
 * against a float64 product first. /proc/loadavg printed with every line.
 *
 * MATMUL_ADAPTER=gl (with EGL_PLATFORM=surfaceless) runs on llvmpipe through Dawn's OpenGL ES backend,
 * otherwise SwiftShader (VK_ICD_FILENAMES). MATMUL_SET=w1|w2|all picks the shapes; the kernels:
 * the 4x4 kernel as of 2c65b4a (unless MATMUL_SHIPPED=0), shaders/matmul-vec4.wgsl (MATMUL_FILE=1),
 * the same file at a commit (MATMUL_REF=<sha>, for A/B of an edit), shaders/matmul-register.wgsl
 * (MATMUL_REGISTER=1, MATMUL_REGISTER_REF=<sha>), generated candidates
 * (MATMUL_VARIANTS='bm=8,bn=8,wgx=8,wgy=4,vecA=1,vecB=1,unroll=4;...', fields of Candidate).
 * MATMUL_FLOPS: work per timed submit; MATMUL_ROUNDS: interleaved timing rounds.
 */
import { afterAll, beforeAll, it } from 'vitest';
import { type Kernel, kernelsFromEnv, type Problem, problemsFromEnv } from './matmul-candidates';
import { loadavg, random, reference } from './matmul-data';

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

function storage(data: Float32Array<ArrayBuffer>, usage = 0): GPUBuffer {
  const buffer = device.createBuffer({
    size: Math.max(16, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | usage,
  });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
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

it('matmul kernels', async () => {
  const budget = Number(process.env.MATMUL_FLOPS ?? 2e9);
  for (const p of problemsFromEnv()) {
    await measure(p, kernelsFromEnv(p), budget, Number(process.env.MATMUL_ROUNDS ?? 5));
  }
});
