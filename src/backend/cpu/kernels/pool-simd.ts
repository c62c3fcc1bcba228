/**
 * Max and average pooling and their gradients in float32 through WebAssembly SIMD (pool.wat, four
 * channels a vector, on the CPU backend's kernel memory, ../wasm/). conv.ts holds the TypeScript
 * twins and the fallback. Operands that live in the kernel memory are used in place where the
 * channel count is a multiple of 4 (a partial group touches bytes past an array); others go
 * through tiles of at most TILE_BYTES (at least one image; kernel-scratch.ts), every size checked
 * before the memory grows; where it cannot, the caller runs the twin.
 */
import { windowGeometry } from '../../../graph/conv-geometry';
import type { Pool2dParams } from '../../../graph/op-params';
import type { Shape } from '../../../graph/shape';
import { kernelModule } from '../wasm/modules';
import { Operand, reserveScratch, withScratch } from './kernel-scratch';
import bytes from './pool.wat';

/** pool.wat's kinds: which face of which pooling. */
export const POOL_KINDS = {
  maxPool2d: 0,
  maxPool2dGrad: 1,
  maxPool2dGather: 2,
  avgPool2d: 3,
  avgPool2dGrad: 4,
};
export type PoolKind = keyof typeof POOL_KINDS;

/** Per kind, whether its first input, second input and output are input-shaped (else output-shaped). */
const INPUT_SHAPED: Record<PoolKind, [boolean, boolean, boolean]> = {
  maxPool2d: [true, false, false],
  maxPool2dGrad: [true, false, true],
  maxPool2dGather: [true, true, false],
  avgPool2d: [true, false, false],
  avgPool2dGrad: [false, false, true],
};

const TILE_BYTES = 4 << 20;

interface Pool {
  geometry(...dims: number[]): void;
  pool(kind: number, a: number, b: number, out: number, images: number): void;
}

let enabled = true;

function load() {
  const m = enabled ? kernelModule<Pool>('pool', bytes) : null;
  return m && reserveScratch(m.runtime) ? m : null;
}

/** Whether the WebAssembly pooling kernels can run here (and have not been switched off). */
export function wasmPoolAvailable(): boolean {
  return enabled && load() !== null;
}

/** Switches the WebAssembly pooling kernels off or on (tests compare them with the twins). */
export function useWasmPool(on: boolean): void {
  enabled = on;
}

/**
 * One pooling face over NHWC images of `inputShape`: `first` and `second` are the op's inputs in
 * order (null where it has fewer), `out` its zero-filled output. False when it cannot run here.
 */
export function poolWasm(
  kind: PoolKind,
  inputShape: Shape,
  { poolSize, strides, padding }: Pool2dParams,
  inputs: readonly Float32Array[],
  out: Float32Array,
): boolean {
  const m = load();
  if (!m) return false;
  const [batch, inH, inW, channels] = inputShape;
  const g = windowGeometry(inH, inW, poolSize[0], poolSize[1], strides, padding);
  const xImage = inH * inW * channels;
  const yImage = g.outH * g.outW * channels;
  if (batch === 0 || xImage === 0 || yImage === 0) return true;
  const shaped = INPUT_SHAPED[kind];
  // avgPool2dGrad's one input (dy) is the wasm function's second operand.
  const views = kind === 'avgPool2dGrad' ? [null, inputs[0], out] : [inputs[0], inputs[1] ?? null, out];
  const inPlace = channels % 4 === 0;
  const operands = views.map((v, i) =>
    v ? new Operand(m.runtime, v, shaped[i] ? xImage : yImage, inPlace) : null,
  );
  const tile = Math.max(1, Math.min(batch, Math.floor(TILE_BYTES / ((2 * xImage + yImage) * 4))));
  const sizes = operands.map((o) => o?.tileBytes(tile) ?? 0);
  const done = withScratch(m.runtime, operands, sizes, (at) => {
    for (let i = 0; i < 3; i++) operands[i]?.bind(at[i]);
    m.exports.geometry(inH, inW, channels, ...poolSize, ...strides, g.padTop, g.padLeft, g.outH, g.outW);
    const [a, b, result] = operands;
    for (let b0 = 0; b0 < batch; b0 += tile) {
      const images = Math.min(tile, batch - b0);
      a?.load(b0, images);
      b?.load(b0, images);
      if (shaped[2]) result!.zero(b0, images); // the gradients add into their output
      m.exports.pool(POOL_KINDS[kind], a?.address(b0) ?? 0, b?.address(b0) ?? 0, result!.address(b0), images);
      result!.store(b0, images);
    }
    return true;
  });
  return done ?? false;
}
