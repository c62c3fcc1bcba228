/**
 * Recording a plan's dispatches (plan.ts): per node, its kernel's dispatches with their pipeline,
 * uniforms and bind groups made once, one bind group per ring set where the node touches state.
 */
import type { OpName } from '../../graph/op-params';
import type { ProgramNode, ProgramValue } from '../../graph/program/program';
import type { BoundState } from '../../graph/program/state';
import type { BufferAllocator } from './buffers';
import { dispatchBindings, type GpuHost, scratchSizes, workgroupGrid, writtenBuffers } from './host';
import type { GpuInput, KernelDispatch, WebGPUKernel } from './kernel-types';
import { webgpuKernels } from './kernels';

/** One dispatch as recorded. */
export interface Recorded {
  /** The op whose kernel this dispatch belongs to (for `profile`). */
  readonly op: OpName;
  readonly pipeline: GPUComputePipeline;
  /** One per ring set when the dispatch touches state, else one. */
  readonly bindGroups: readonly GPUBindGroup[];
  readonly workgroups: [number, number];
}

/** A node whose params may be replaced between steps: the uniforms its dispatches read. */
export interface NodeUniforms {
  readonly node: ProgramNode;
  readonly inputs: readonly GpuInput[];
  readonly uniforms: readonly GPUBuffer[];
  /** Index of the node's first dispatch in the plan's list. */
  readonly at: number;
  /** Whether its dispatches bind kernel temporaries (a retune that changes kernel records it anew). */
  readonly scratch: boolean;
}

/** Where the plan keeps each value. */
export interface PlanLayout {
  readonly values: readonly ProgramValue[];
  /** Ring sets (1 without state). */
  readonly sets: number;
  readonly bound: BoundState;
  bufferAt(id: number, parity: number): GPUBuffer;
}

/**
 * A plan's kernel temporaries (kernel-types.ts `Scratch`), shared by all its nodes: their
 * dispatches run one after another, so temporary k of every node can be one buffer, as large as
 * the largest any node needs. Owned by the plan: made with it, released by its `destroy`.
 */
export class PlanScratch {
  private readonly current: GPUBuffer[] = [];
  private readonly made: GPUBuffer[] = [];

  constructor(private readonly buffers: BufferAllocator) {}

  /** Buffers for temporaries of these sizes: those held where large enough, else new ones. */
  for(sizes: readonly number[]): GPUBuffer[] {
    const grown = sizes.map((bytes, k) => Math.max(bytes, this.current[k]?.size ?? 0));
    if (grown.some((bytes, k) => bytes > (this.current[k]?.size ?? 0))) {
      const made = this.buffers.scratch(grown, 'step scratch', false);
      // Buffers already bound by other nodes stay alive (and owned) until `destroy`.
      this.made.push(...made);
      this.current.splice(0, made.length, ...made);
    }
    return this.current.slice(0, sizes.length);
  }

  destroy(): void {
    for (const buffer of this.made) this.buffers.releaseScratch(buffer);
    this.made.length = 0;
    this.current.length = 0;
  }
}

/** A node's dispatches for each ring set it touches, not yet bound. */
interface Lowered {
  readonly node: ProgramNode;
  readonly perSet: readonly { inputs: GpuInput[]; dispatches: KernelDispatch[] }[];
}

/**
 * Records each node's dispatches, bound to write every output of the node; the temporaries of
 * all of them are sized first and made once (`scratch`).
 */
export function recordNodes(
  host: GpuHost,
  nodes: readonly ProgramNode[],
  layout: PlanLayout,
  /** Uniform buffers made go here, for the plan to destroy. */
  made: GPUBuffer[],
  scratch: PlanScratch,
): { dispatches: Recorded[]; nodeUniforms: NodeUniforms[] } {
  const lowered = nodes.map((node) => lower(host, node, layout));
  const sizes: number[] = [];
  for (const { perSet } of lowered) {
    for (const { dispatches } of perSet)
      scratchSizes(dispatches).forEach((bytes, k) => {
        sizes[k] = Math.max(sizes[k] ?? 0, bytes);
      });
  }
  const buffers = scratch.for(sizes);
  const out = { dispatches: [] as Recorded[], nodeUniforms: [] as NodeUniforms[] };
  for (const node of lowered) bind(host, node, layout, made, out, buffers);
  return out;
}

/** The node's kernel's dispatches, once per ring set it touches. */
function lower(host: GpuHost, node: ProgramNode, layout: PlanLayout): Lowered {
  const kernel = webgpuKernels[node.op] as unknown as WebGPUKernel<OpName>;
  const shape = layout.values[node.outputs[0]].shape;
  const { stateIn, stateOut } = layout.bound;
  const touchesState = [...node.outputs, ...node.inputs].some((v) => stateIn.has(v) || stateOut.has(v));
  const sets = touchesState ? layout.sets : 1;
  const perSet = Array.from({ length: sets }, (_, p) => {
    const inputs = node.inputs.map((v) => ({ buffer: layout.bufferAt(v, p), shape: layout.values[v].shape }));
    return { inputs, dispatches: kernel(inputs, shape, node.params, host.env) };
  });
  return { node, perSet };
}

/** Makes a lowered node's uniforms, pipelines and bind groups, and appends them to `out`. */
function bind(
  host: GpuHost,
  { node, perSet }: Lowered,
  layout: PlanLayout,
  made: GPUBuffer[],
  out: { dispatches: Recorded[]; nodeUniforms: NodeUniforms[] },
  scratch: readonly GPUBuffer[],
): void {
  const uniforms = perSet[0].dispatches.map((d) => {
    const uniform = host.buffers.filled(
      d.params.bytes,
      GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      `${node.op} params`,
    );
    made.push(uniform);
    return uniform;
  });
  const usesScratch = scratchSizes(perSet[0].dispatches).length > 0;
  out.nodeUniforms.push({
    node,
    inputs: perSet[0].inputs,
    uniforms,
    at: out.dispatches.length,
    scratch: usesScratch,
  });
  perSet[0].dispatches.forEach((d0, k) => {
    const { pipeline, layout: bindLayout } = host.pipelines.get(
      d0.shader,
      d0.constants,
      d0.inputs.length,
      writtenBuffers(d0),
    );
    const bindGroups = perSet.map(({ dispatches }, p) => {
      const outputs = node.outputs.map((v) => layout.bufferAt(v, p));
      const entries = dispatchBindings(dispatches[k], outputs, scratch, uniforms[k]);
      return host.device.createBindGroup({ label: node.op, layout: bindLayout, entries });
    });
    out.dispatches.push({ op: node.op, pipeline, bindGroups, workgroups: workgroupGrid(d0.workgroups) });
  });
}
