/**
 * Not a test: the kernels of matmul.measure.ts (same MATMUL_* environment) timed in headless Chromium,
 * on SwiftShader (MATMUL_ADAPTER unset) or llvmpipe through ANGLE and OpenGL ES (MATMUL_ADAPTER=gl),
 * the two set-ups of the benchmarks: Chromium's compilers (Tint to GLSL ES, then ANGLE) are not
 * Node's. Kernel time only (dispatches in one submit, waited for), interleaved rounds; each result
 * is checked at 256 sampled elements against a float64 product first.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, OPENGLES_ARGS } from '../../../scripts/chromium.mjs';
import { type Kernel, kernelsFromEnv, type Problem, problemsFromEnv } from './matmul-candidates';
import { loadavg, random, sampledReference } from './matmul-data';

/** A kernel as it crosses into the page (typed arrays do not survive page.evaluate). */
type PageKernel = Omit<Kernel, 'params'> & { params: number[] };

interface PageJob {
  problem: Problem;
  kernels: PageKernel[];
  a: number[];
  b: number[];
  samples: [index: number, value: number][];
  reps: number;
  rounds: number;
  compat: boolean;
}

/** Runs in the page: checks then times every kernel; returns ms per dispatch per round, or throws. */
async function inPage(job: PageJob): Promise<{ name: string; times: number[] }[]> {
  const adapter = await navigator.gpu.requestAdapter(job.compat ? { featureLevel: 'compatibility' } : {});
  if (!adapter) throw new Error('no adapter');
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') limits[key] = v;
  }
  const device = await adapter.requestDevice({ requiredLimits: limits });
  const { m, n, k } = job.problem;
  const buffer = (data: Float32Array<ArrayBuffer>) => {
    const buf = device.createBuffer({
      size: Math.max(16, data.byteLength),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    device.queue.writeBuffer(buf, 0, data);
    return buf;
  };
  const aBuf = buffer(new Float32Array(job.a));
  const bBuf = buffer(new Float32Array(job.b));
  const cBuf = buffer(new Float32Array(m * n));
  const read = device.createBuffer({
    size: cBuf.size,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const runs: { name: string; run: (times: number) => Promise<void>; times: number[] }[] = [];
  for (const kern of job.kernels) {
    const module = device.createShaderModule({ code: kern.code });
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main', constants: kern.constants },
    });
    const uniform = device.createBuffer({
      size: kern.params.length * 4,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    device.queue.writeBuffer(uniform, 0, new Uint32Array(kern.params));
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: (kern.bias ? [aBuf, bBuf, bBuf, cBuf, uniform] : [aBuf, bBuf, cBuf, uniform]).map(
        (b, binding) => ({
          binding,
          resource: { buffer: b },
        }),
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
    device.queue.writeBuffer(cBuf, 0, new Float32Array(m * n).fill(Number.NaN));
    await run(1);
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(cBuf, 0, read, 0, cBuf.size);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const got = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    for (const [i, want] of job.samples) {
      if (!(Math.abs(got[i] - want) < 1e-3 * Math.sqrt(k)))
        throw new Error(`${kern.name}: c[${i}] = ${got[i]}, want ${want}`);
    }
    runs.push({ name: kern.name, run, times: [] });
  }
  for (let round = 0; round < job.rounds; round++) {
    for (const r of runs) {
      const t0 = performance.now();
      await r.run(job.reps);
      r.times.push((performance.now() - t0) / job.reps);
    }
  }
  device.destroy();
  return runs.map(({ name, times }) => ({ name, times }));
}

it('matmul kernels in Chromium', async () => {
  const server = createServer((_, res) => res.end('<!doctype html><title>matmul</title>'));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const compat = process.env.MATMUL_ADAPTER === 'gl';
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: compat ? [...CHROMIUM_ARGS, ...OPENGLES_ARGS] : [...CHROMIUM_ARGS],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const budget = Number(process.env.MATMUL_FLOPS ?? 2e9);
    for (const p of problemsFromEnv()) {
      const a = random(p.m * p.k, 1);
      const b = random(p.k * p.n, 2);
      const flops = 2 * p.m * p.n * p.k;
      const job: PageJob = {
        problem: p,
        kernels: kernelsFromEnv(p).map((kern) => ({ ...kern, params: Array.from(kern.params) })),
        a: Array.from(a),
        b: Array.from(b),
        samples: sampledReference(p, a, b, 256),
        reps: Math.max(1, Math.round(budget / flops)),
        rounds: Number(process.env.MATMUL_ROUNDS ?? 5),
        compat,
      };
      const loadBefore = loadavg();
      const results = await page.evaluate(inPage, job);
      const shape = `${p.transA ? 'tA ' : ''}${p.transB ? 'tB ' : ''}${p.m}x${p.k}x${p.n}`;
      for (const { name, times } of results) {
        const t = [...times].sort((x, y) => x - y);
        const med = t[Math.floor(t.length / 2)];
        console.log(
          `${shape.padEnd(18)} ${name.padEnd(30)} min ${(flops / t[0] / 1e6).toFixed(2).padStart(6)} med ${(flops / med / 1e6).toFixed(2).padStart(6)} GFLOP/s  ${t[0].toFixed(3).padStart(8)} ms`,
        );
      }
      console.log(`load ${loadBefore} -> ${loadavg()}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
});
