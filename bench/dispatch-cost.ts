// The fixed cost of a compute dispatch on this adapter right now, measured with no library code:
// 60 one-workgroup dispatches of a trivial shader in one submit, then a 4-byte read, 100 times;
// the median milliseconds per submit. On llvmpipe each dispatch hands work to Mesa's thread pool
// (a futex wake and wait in the GPU process), and that hand-off was seen to cost about 10 µs for
// minutes and then about 50-80 µs for seconds at a time (0.6 vs 3-5 ms here), with the same page
// and code, most often just after a large workload (W2). Small steps made of many dispatches (W3)
// slow down by the same factor, so each row records this figure taken just before and after it.

const SHADER = `
@group(0) @binding(0) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < arrayLength(&b)) { b[g.x] = b[g.x] + 1.0; }
}`;

const DISPATCHES = 60;
const SUBMITS = 100;

let device: Promise<GPUDevice | null> | null = null;

async function probeDevice(): Promise<GPUDevice | null> {
  const adapter = await navigator.gpu?.requestAdapter();
  return adapter ? adapter.requestDevice() : null;
}

/** Median ms per submit of 60 trivial dispatches plus a read; null without WebGPU. */
export async function dispatchCost(): Promise<number | null> {
  device ??= probeDevice();
  const d = await device;
  if (!d) return null;
  const module = d.createShaderModule({ code: SHADER });
  const pipeline = d.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const buffer = d.createBuffer({ size: 256, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const staging = d.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bindGroup = d.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [{ binding: 0, resource: { buffer } }],
  });
  const times: number[] = [];
  try {
    for (let i = 0; i < SUBMITS; i++) {
      const t0 = performance.now();
      const encoder = d.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bindGroup);
      for (let k = 0; k < DISPATCHES; k++) pass.dispatchWorkgroups(1);
      pass.end();
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, 4);
      d.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      staging.unmap();
      times.push(performance.now() - t0);
    }
  } finally {
    buffer.destroy();
    staging.destroy();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}
