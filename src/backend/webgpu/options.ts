/** What a WebGPU backend is made with (WebGPUBackend.create) and what it counts. */
import type { DeviceOptions } from './device';
import type { KernelChoices, MatmulVariant } from './kernel-types';
import type { CandidateTimer } from './tune/measure';
import type { TuningStoreOption } from './tune/store';
import type { TuningMode } from './tune/tuner';

export interface WebGPUBackendOptions extends DeviceOptions {
  /** Default: 'register' on CPU-emulated (fallback) adapters, 'tiled' on real GPUs. */
  matmulVariant?: MatmulVariant;
  /** Threads per workgroup of the one-element-per-thread kernels (default 64). */
  workgroupSize?: number;
  /**
   * Elements per thread of the elementwise and layout-copy kernels; for tuning per adapter. Default:
   * 32 on CPU-emulated (fallback) adapters, which pay a fixed cost per invocation (20 chained
   * 784x256 kernels on SwiftShader: 8 per thread 51-55 ms, 32 per thread 45-47 ms, 1 per thread 133
   * ms), 8 on real GPUs, which want more threads in flight.
   */
  elementsPerThread?: number;
  /** false keeps subgroup kernel variants out even where the device has `subgroups` (default true). */
  subgroups?: boolean;
  /**
   * Autotuning of the matmul, conv and reduction kernels (tune/): 'off' keeps the rules above
   * (the default here; setBackend('webgpu') and 'auto' ask for 'quick'), 'quick' times a few
   * candidates per shape class within about 1 s per model, 'thorough' every candidate within 10 s.
   */
  tuning?: TuningMode;
  /** Budget per request (a compiled model, or one eager product), ms. */
  tuningBudgetMs?: number;
  /** Where choices persist: a store, a cache file path (Node), null for memory only; default IndexedDB or the OS cache dir. */
  tuningStore?: TuningStoreOption;
  /** Test aid: times candidates in place of the device, so the tuner's tests never depend on real speed. */
  tuningTimer?: CandidateTimer;
  /** Test aid: tune products and convolutions from this many multiply-adds (default MIN_TUNED_MULTIPLY_ADDS, tune/tuner.ts). */
  tuningMinMultiplyAdds?: number;
  /** Test aid: the clock the tuning budget is counted on. */
  tuningClock?: () => number;
  /** Test aid: forces kernel choices, so every variant tuning may pick is tested against the CPU. */
  choices?: KernelChoices;
  /** Test aid: fill every op's output with NaN before its kernel runs, so unwritten elements show. */
  poisonOutputs?: boolean;
}

export interface WebGPUCounters {
  buffersCreated: number;
  bytesAllocated: number;
  buffersReleased: number;
  /** Bytes of kernels' temporaries alive now: a compiled step's until dispose, an eager op's until its submit. */
  scratchBytes: number;
  pipelinesCreated: number;
  submits: number;
  dispatches: number;
}
