/**
 * The compiled CPU step's WebAssembly kernels: for a node whose operands all live in the kernel
 * memory, a call on their byte offsets, or null where no WebAssembly kernel covers the node (its
 * op, params or layout), and the TypeScript kernel runs on the views instead.
 */
import type { OpName, OpParams } from '../../../graph/op-params';
import type { CpuTensor } from '../types';
import type { WasmRuntime } from '../wasm/runtime';
import { wasmMatmulAvailable } from './matmul-simd';

/** Loads the modules and allocates their scratch (the matmul's panels) before a step makes views. */
export function prepareWasmKernels(): void {
  wasmMatmulAvailable();
}

export type WasmCall = (params: OpParams[OpName]) => void;

export function wasmCall(
  _runtime: WasmRuntime,
  _op: OpName,
  _inputs: readonly CpuTensor[],
  _outs: readonly CpuTensor[],
  _params: OpParams[OpName],
): WasmCall | null {
  return null;
}
