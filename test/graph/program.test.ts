/**
 * The step program (src/graph/program): traced once with named inputs, outputs and state, its
 * passes (dead-op pruning), multi-output nodes and the CPU backend's compiled step, against the
 * same function run op by op.
 */
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../src/backend/cpu/cpu-backend';
import { valueAndGrad } from '../../src/graph/autodiff';
import { tensor, withBackend } from '../../src/graph/engine';
import * as ops from '../../src/graph/ops';
import { pruneDeadNodes, visibleValues } from '../../src/graph/program/passes';
import { ProgramNameError } from '../../src/graph/program/program';
import { planSlots } from '../../src/graph/program/slots';
import { traceProgram } from '../../src/graph/program/trace';
import type { Tensor } from '../../src/graph/tensor';

const cpu = new CpuBackend();

/** One SGD step of a linear model y = x w + b on a mean squared error; state w and b. */
function linearStep(x: Tensor, y: Tensor, lr: Tensor, w: Tensor, b: Tensor) {
  const { value, grads } = valueAndGrad((wt: Tensor, bt: Tensor) =>
    ops.mean(ops.square(ops.sub(ops.add(ops.matmul(x, wt), bt), y))),
  )(w, b);
  return { loss: value, w: ops.sub(w, ops.mul(grads[0], lr)), b: ops.sub(b, ops.mul(grads[1], lr)) };
}

function traceLinear(rows: number) {
  return traceProgram(
    {
      inputs: [
        { name: 'x', shape: [rows, 3] },
        { name: 'y', shape: [rows, 1] },
        { name: 'lr', shape: [] },
      ],
      state: [
        { name: 'w', shape: [3, 1] },
        { name: 'b', shape: [1] },
      ],
    },
    (input, state) => {
      const next = linearStep(
        input.get('x')!,
        input.get('y')!,
        input.get('lr')!,
        state.get('w')!,
        state.get('b')!,
      );
      // Computed and never used: pruning drops it.
      ops.exp(ops.softmax(input.get('x')!));
      return {
        outputs: [['loss', next.loss]],
        state: new Map([
          ['w', next.w],
          ['b', next.b],
        ]),
      };
    },
    cpu,
  );
}

describe('Program', () => {
  it('names its inputs, outputs and state, and the passes drop what nothing reads', () => {
    const program = traceLinear(4);
    expect([...program.inputs.keys()]).toEqual(['x', 'y', 'lr']);
    expect([...program.outputs.keys()]).toEqual(['loss']);
    expect(program.state.map((s) => s.name)).toEqual(['w', 'b']);
    for (const s of program.state) expect(program.values[s.input].kind).toBe('input');
    expect(program.values[program.outputs.get('loss')!].shape).toEqual([]);
    const pruned = pruneDeadNodes(program);
    expect(program.nodes.some((n) => n.op === 'softmax')).toBe(true);
    expect(pruned.nodes.some((n) => n.op === 'softmax' || n.op === 'exp')).toBe(false);
    expect(pruned.nodes.length).toBeLessThanOrEqual(program.nodes.length - 2);
    // Every node left feeds the loss or the next state.
    const step = cpu.compile(program);
    expect(step.counters.dispatchesPerStep).toBe(pruned.nodes.filter((n) => n.op !== 'reshape').length);
    step.destroy();
  });

  it("traces one weight's Adam update as one node with three outputs, m', v' and w' as state", () => {
    const program = traceProgram(
      {
        inputs: [{ name: 'g', shape: [5] }],
        state: ['w', 'm', 'v'].map((name) => ({ name, shape: [5] })),
      },
      (input, state) => {
        const [w, m, v] = ['w', 'm', 'v'].map((k) => state.get(k)!);
        const next = ops.adamUpdate(w, input.get('g')!, m, v, 0.01, 0, {
          beta1: 0.9,
          beta2: 0.999,
          epsilon: 1e-7,
        });
        return {
          outputs: [],
          state: new Map([
            ['m', next.m],
            ['v', next.v],
            ['w', next.w],
          ]),
        };
      },
    );
    const adam = program.nodes.filter((n) => n.op === 'adamUpdate');
    expect(adam.length).toBe(1);
    const next = (name: string) => program.state.find((s) => s.name === name)!.output;
    expect(adam[0].outputs).toEqual([next('m'), next('v'), next('w')]);
    const step = cpu.compile(program);
    expect(step.counters.dispatchesPerStep).toBe(1);
    step.destroy();
  });

  it('gives the outputs of one node slots of their own, even those nothing reads', async () => {
    // velocity' is not read by anything: its slot must not be the one w' is written to.
    const program = traceProgram(
      { inputs: ['w', 'g', 'velocity'].map((name) => ({ name, shape: [4] })), state: [] },
      (input) => {
        const [w, g, velocity] = ['w', 'g', 'velocity'].map((k) => input.get(k)!);
        const next = ops.sgdUpdate(w, g, velocity, 0.5, { momentum: 0.9, nesterov: false });
        return { outputs: [['doubled', ops.mul(next.w, 2)]], state: new Map() };
      },
    );
    const [sgd] = program.nodes.filter((n) => n.op === 'sgdUpdate');
    const { slotOf } = planSlots(program, visibleValues(program), new Set());
    expect(slotOf[sgd.outputs[0]]).not.toBe(slotOf[sgd.outputs[1]]);
    const step = cpu.compile(program);
    step.write('w', [1, 2, 3, 4]);
    step.write('g', [2, 2, 2, 2]);
    step.write('velocity', [10, 10, 10, 10]);
    const [doubled] = await step.step(['doubled']);
    // velocity' = 0.9 * 10 - 1 = 8; w' = w + 8.
    expect(Array.from(doubled)).toEqual([18, 20, 22, 24]);
    step.destroy();
  });

  it('refuses a name it does not have, naming the ones it has', () => {
    const step = cpu.compile(traceLinear(2));
    expect(() => step.write('labels', [1, 2])).toThrow(ProgramNameError);
    expect(() => step.write('labels', [1, 2])).toThrow(/no input 'labels'; its inputs are 'x', 'y', 'lr'/);
    expect(() => step.load(new Map([['gamma', [1]]]))).toThrow(/no state 'gamma'/);
    step.destroy();
  });
});

describe('the CPU compiled step', () => {
  it('computes what the eager ops compute, step after step, and can take a step back', async () => {
    const rows = 6;
    const draw = (n: number, seed: number) =>
      Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + i * 1.7));
    const batches = [1, 2, 3].map((k) => ({ x: draw(rows * 3, k), y: draw(rows, k + 10) }));
    const w0 = draw(3, 20);
    const b0 = Float32Array.of(0.25);
    const step = cpu.compile(traceLinear(rows), { reads: ['loss'] });
    step.load(
      new Map([
        ['w', w0],
        ['b', b0],
      ]),
    );
    let eager = withBackend(cpu, () => ({ w: tensor(w0, [3, 1]), b: tensor(b0, [1]) }));
    for (const [k, batch] of batches.entries()) {
      step.write('x', batch.x);
      step.write('y', batch.y);
      step.write('lr', [0.1]);
      const [loss] = await step.step(['loss']);
      const next = withBackend(cpu, () =>
        linearStep(
          tensor(batch.x, [rows, 3]),
          tensor(batch.y, [rows, 1]),
          tensor([0.1], []),
          eager.w,
          eager.b,
        ),
      );
      expect(loss, `loss of step ${k}`).toEqual(next.loss.dataSync());
      const state = await step.state();
      expect(state.get('w'), `w after step ${k}`).toEqual(next.w.dataSync());
      expect(state.get('b'), `b after step ${k}`).toEqual(next.b.dataSync());
      eager = { w: next.w, b: next.b };
    }
    const before = await step.read(['w']);
    step.step();
    expect(await step.read(['w'])).not.toEqual(before);
    step.rewind(1);
    expect(await step.read(['w'])).toEqual(before);
    expect(() => step.rewind(2)).toThrow(/can take back 0 to 1 steps/);
    // Memory is planned once: a kernel call per op, nothing made per step.
    const counters = step.counters;
    expect(counters.steps).toBe(batches.length + 1);
    expect(counters.intermediateBuffers).toBeLessThan(counters.intermediates);
    step.destroy();
  });

  it('shares its state with the step compiled for a smaller batch', async () => {
    const full = cpu.compile(traceLinear(4));
    const short = cpu.compile(traceLinear(2), { shareStateWith: full });
    full.load(
      new Map([
        ['w', [1, 2, 3]],
        ['b', [0.5]],
      ]),
    );
    expect(await short.read(['w', 'b'])).toEqual([Float32Array.of(1, 2, 3), Float32Array.of(0.5)]);
    short.write('x', [1, 0, 0, 0, 1, 0]);
    short.write('y', [0, 0]);
    short.write('lr', [0.5]);
    await short.step();
    expect(await full.read(['w'])).toEqual(await short.read(['w']));
    // The short step keeps its values in the full step's arrays, and computes what a step of its
    // own computes.
    expect(short.counters.buffersCreated).toBeLessThan(full.counters.buffersCreated);
    const alone = cpu.compile(traceLinear(2));
    alone.load(
      new Map([
        ['w', [1, 2, 3]],
        ['b', [0.5]],
      ]),
    );
    alone.write('x', [1, 0, 0, 0, 1, 0]);
    alone.write('y', [0, 0]);
    alone.write('lr', [0.5]);
    await alone.step();
    expect(await alone.state()).toEqual(await short.state());
    expect(await full.read(['w'])).not.toEqual([Float32Array.of(1, 2, 3)]);
    expect(() =>
      cpu.compile(traceLinear(2), { shareStateWith: new CpuBackend().compile(traceLinear(2)) }),
    ).toThrow(/compiled by another backend/);
    full.destroy();
    short.destroy();
  });
});
