/**
 * Swapping a planned step's kernels after tuning (tune/): each node of the tuned ops is lowered
 * again under the backend's current choices, and where its kernel now differs, from the next step
 * on: where the new dispatches bind as the old ones did (as many, no temporaries on either side;
 * matmul candidates share their bindings a, b, bias, c, params), the recorded dispatches' pipeline,
 * workgroup count and uniform are replaced in place and the bind groups stay; otherwise (split-K
 * across dispatches, say) the node is recorded anew, its temporaries from the plan's.
 */
import type { OpName } from '../../graph/op-params';
import type { ProgramNode, ProgramValue } from '../../graph/program/program';
import { type GpuHost, scratchSizes, workgroupGrid, writtenBuffers } from './host';
import type { KernelDispatch, WebGPUKernel } from './kernel-types';
import { webgpuKernels } from './kernels';
import type { NodeUniforms, Recorded } from './plan-record';

/** Records one node anew: its dispatches and its uniforms' entry (with `at` 0). */
export type Rerecord = (node: ProgramNode) => { dispatches: Recorded[]; nodeUniforms: NodeUniforms[] };

/** Returns the dispatches replaced; `nodes` and `dispatches` are updated in place. */
export function retuneDispatches(
  host: GpuHost,
  nodes: NodeUniforms[],
  dispatches: Recorded[],
  values: readonly ProgramValue[],
  ops: ReadonlySet<OpName>,
  rerecord: Rerecord,
): number {
  let replaced = 0;
  let shift = 0;
  nodes.forEach((entry, i) => {
    const { node, inputs, uniforms } = entry;
    const at = entry.at + shift;
    if (shift !== 0) nodes[i] = { ...entry, at };
    if (!ops.has(node.op)) return;
    const kernel = webgpuKernels[node.op] as unknown as WebGPUKernel<OpName>;
    const lowered = kernel(inputs, values[node.outputs[0]].shape, node.params, host.env);
    const pipelines = lowered.map(
      (d) => host.pipelines.get(d.shader, d.constants, d.inputs.length, writtenBuffers(d)).pipeline,
    );
    const same = (k: number) => dispatches[at + k].pipeline === pipelines[k];
    if (lowered.length === uniforms.length && pipelines.every((_, k) => same(k))) return;
    if (lowered.length === uniforms.length && !entry.scratch && !bindsScratch(lowered)) {
      lowered.forEach((d, k) => {
        if (same(k)) return;
        dispatches[at + k] = {
          ...dispatches[at + k],
          pipeline: pipelines[k],
          workgroups: workgroupGrid(d.workgroups),
        };
        host.device.queue.writeBuffer(uniforms[k], 0, d.params.bytes);
        replaced++;
      });
      return;
    }
    const fresh = rerecord(node);
    dispatches.splice(at, uniforms.length, ...fresh.dispatches);
    nodes[i] = { ...fresh.nodeUniforms[0], at };
    shift += fresh.dispatches.length - uniforms.length;
    replaced += fresh.dispatches.length;
  });
  return replaced;
}

const bindsScratch = (dispatches: readonly KernelDispatch[]) => scratchSizes(dispatches).length > 0;
