/**
 * Recording a plan's dispatches (plan.ts): per node, its kernel's dispatches with their pipeline,
 * uniforms and bind groups made once, one bind group per ring set where the node touches state.
 */
import type { OpName } from '../../graph/op-params';
import type { ProgramNode, ProgramValue } from '../../graph/program/program';
import type { BoundState } from '../../graph/program/state';
import { type GpuHost, workgroupGrid } from './host';
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
}

/** Where the plan keeps each value. */
export interface PlanLayout {
  readonly values: readonly ProgramValue[];
  /** Ring sets (1 without state). */
  readonly sets: number;
  readonly bound: BoundState;
  bufferAt(id: number, parity: number): GPUBuffer;
}

/** Records each node's dispatches, bound to write every output of the node. */
export function recordNodes(
  host: GpuHost,
  nodes: readonly ProgramNode[],
  layout: PlanLayout,
  /** Uniform buffers made go here, for the plan to destroy. */
  made: GPUBuffer[],
): { dispatches: Recorded[]; nodeUniforms: NodeUniforms[] } {
  const env = host.env;
  const out = { dispatches: [] as Recorded[], nodeUniforms: [] as NodeUniforms[] };
  for (const node of nodes) {
    const kernel = webgpuKernels[node.op] as unknown as WebGPUKernel<OpName>;
    const shape = layout.values[node.outputs[0]].shape;
    record(host, node, layout, made, out, (inputs) => kernel(inputs, shape, node.params, env));
  }
  return out;
}

/** The dispatches `kernel` gives for `node`'s inputs, bound to write its outputs, once per ring set it touches. */
function record(
  host: GpuHost,
  node: ProgramNode,
  layout: PlanLayout,
  made: GPUBuffer[],
  out: { dispatches: Recorded[]; nodeUniforms: NodeUniforms[] },
  kernel: (inputs: GpuInput[]) => KernelDispatch[],
): void {
  const { stateIn, stateOut } = layout.bound;
  const touchesState = [...node.outputs, ...node.inputs].some((v) => stateIn.has(v) || stateOut.has(v));
  const sets = touchesState ? layout.sets : 1;
  const perSet = Array.from({ length: sets }, (_, p) => {
    const inputs = node.inputs.map((v) => ({ buffer: layout.bufferAt(v, p), shape: layout.values[v].shape }));
    return { inputs, dispatches: kernel(inputs) };
  });
  const uniforms = perSet[0].dispatches.map((d) => {
    const uniform = host.buffers.filled(
      d.params.bytes,
      GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      `${node.op} params`,
    );
    made.push(uniform);
    return uniform;
  });
  out.nodeUniforms.push({ node, inputs: perSet[0].inputs, uniforms, at: out.dispatches.length });
  perSet[0].dispatches.forEach((d0, k) => {
    const { pipeline, layout: bindLayout } = host.pipelines.get(
      d0.shader,
      d0.constants,
      d0.inputs.length,
      d0.outputs ?? 1,
    );
    const bindGroups = perSet.map(({ dispatches }, p) => {
      const d: KernelDispatch = dispatches[k];
      const buffers = [...d.inputs, ...node.outputs.map((v) => layout.bufferAt(v, p)), uniforms[k]];
      const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({
        binding,
        resource: { buffer },
      }));
      return host.device.createBindGroup({ label: node.op, layout: bindLayout, entries });
    });
    out.dispatches.push({ op: node.op, pipeline, bindGroups, workgroups: workgroupGrid(d0.workgroups) });
  });
}
