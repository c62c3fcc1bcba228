/** onnxruntime-web's WebAssembly build in Node, single-threaded, as the independent ONNX runtime. */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-web';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../../node_modules/onnxruntime-web/dist/');
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = pathToFileURL(dist).href;

/** Runs ONNX bytes on one float32 input; returns the named output's data and dims. */
export async function runOnnx(
  bytes: Uint8Array,
  input: { data: Float32Array; shape: number[] },
  names = { input: 'input', output: 'output' },
): Promise<{ data: Float32Array; dims: number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = { [names.input]: new ort.Tensor('float32', input.data, input.shape) };
    const out = (await session.run(feeds))[names.output];
    return { data: out.data as Float32Array, dims: [...out.dims] };
  } finally {
    await session.release();
  }
}
