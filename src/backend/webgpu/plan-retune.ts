/**
 * Swapping a planned step's kernels after tuning (tune/): each node of the tuned ops is lowered
 * again under the backend's current choices, and where its kernel now differs, the recorded
 * dispatch's pipeline, workgroup count and uniform are replaced in place, from the next step on.
 * Matmul candidates share their bindings (a, b, bias, c, params), so the bind groups stay; a node
 * whose dispatch count would change keeps its kernel.
 */
import type { OpName } from '../../graph/op-params';
import type { ProgramValue } from '../../graph/program/program';
import { type GpuHost, workgroupGrid } from './host';
import type { WebGPUKernel } from './kernel-types';
import { webgpuKernels } from './kernels';
import type { NodeUniforms, Recorded } from './plan-record';

/** Returns the dispatches replaced. */
export function retuneDispatches(
  host: GpuHost,
  nodes: readonly NodeUniforms[],
  dispatches: Recorded[],
  values: readonly ProgramValue[],
  ops: ReadonlySet<OpName>,
): number {
  let replaced = 0;
  for (const { node, inputs, uniforms, at } of nodes) {
    if (!ops.has(node.op)) continue;
    const kernel = webgpuKernels[node.op] as unknown as WebGPUKernel<OpName>;
    const lowered = kernel(inputs, values[node.outputs[0]].shape, node.params, host.env);
    if (lowered.length !== uniforms.length) continue;
    lowered.forEach((d, k) => {
      const { pipeline } = host.pipelines.get(d.shader, d.constants, d.inputs.length, d.outputs ?? 1);
      const old = dispatches[at + k];
      if (pipeline === old.pipeline) return;
      dispatches[at + k] = { ...old, pipeline, workgroups: workgroupGrid(d.workgroups) };
      host.device.queue.writeBuffer(uniforms[k], 0, d.params.bytes);
      replaced++;
    });
  }
  return replaced;
}
