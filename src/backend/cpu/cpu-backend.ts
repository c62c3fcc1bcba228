import type { Backend, KernelInput } from '../../graph/backend';
import type { OpName, OpParams } from '../../graph/op-params';
import type { CompiledStep, CompileOptions } from '../../graph/program/compiled-step';
import type { Program } from '../../graph/program/program';
import { type Shape, sizeOf } from '../../graph/shape';
import { cpuKernelFor } from './kernels';
import { float32KernelsLine } from './kernels/matmul-simd';
import { CpuStep } from './step';
import type { CpuTensor, FloatArray } from './types';

export type CpuPrecision = 'float32' | 'float64';

/**
 * The reference backend: plain loops over typed arrays, run synchronously. float32 is what users
 * get; float64 exists so gradient checks against finite differences are not drowned in rounding.
 */
export class CpuBackend implements Backend<FloatArray> {
  readonly name = 'cpu' as const;
  /** A step runs when issued: nothing is gained by issuing the next before reading its loss. */
  readonly pipelineDepth = 0;
  private readonly ArrayType: Float32ArrayConstructor | Float64ArrayConstructor;

  constructor(readonly precision: CpuPrecision = 'float32') {
    this.ArrayType = precision === 'float64' ? Float64Array : Float32Array;
  }

  /** "CPU (float32), WebAssembly SIMD on 2 threads": read when asked, as the worker threads start. */
  get description(): string {
    return this.precision === 'float32' ? `CPU (float32), ${float32KernelsLine()}` : 'CPU (float64)';
  }

  upload(values: ArrayLike<number>, shape: Shape): FloatArray {
    const data = new this.ArrayType(sizeOf(shape));
    data.set(values);
    return data;
  }

  read(storage: FloatArray, size: number): Promise<Float32Array> {
    return Promise.resolve(this.readSync(storage, size));
  }

  readSync(storage: FloatArray, _size: number): Float32Array {
    return storage instanceof Float32Array ? storage.slice() : Float32Array.from(storage);
  }

  /** Planned memory and the kernels called in order (step.ts). */
  compile(program: Program, options: CompileOptions<FloatArray> = {}): CompiledStep<FloatArray> {
    return new CpuStep(this, this.ArrayType, program, options);
  }

  run<K extends OpName>(
    op: K,
    inputs: readonly KernelInput<FloatArray>[],
    outShapes: readonly Shape[],
    params: OpParams[K],
  ): FloatArray[] {
    const outs: CpuTensor[] = outShapes.map((shape) => ({ data: new this.ArrayType(sizeOf(shape)), shape }));
    cpuKernelFor(op)(
      inputs.map((x) => ({ data: x.storage, shape: x.shape })),
      outs,
      params,
    );
    return outs.map((o) => o.data);
  }
}
