/**
 * State a training step reads and replaces (weights, optimiser slots, moving statistics), held in
 * a ring of buffer sets: step n reads set n mod R and writes set (n+1) mod R. No copy per step,
 * and the sets of the last R-1 steps stay intact, so steps issued ahead of their results
 * (pipelining) can be taken back by moving the position back. Plans for several batch shapes
 * share one ring, so switching plans (the last, smaller batch) moves no data.
 */
import { fmtShape, InvalidArgumentError } from '../../errors';
import type { Program } from '../../graph/program/program';
import { type Shape, shapesEqual, sizeOf } from '../../graph/shape';
import type { GpuStorage } from './buffers';
import type { GpuHost } from './host';

export class StateRing {
  /** sets[p][j]: state j in set p. */
  readonly sets: readonly (readonly GPUBuffer[])[];
  /** Steps taken since the ring was made (the set read next is position mod size). */
  private position = 0;

  constructor(
    readonly backend: GpuHost,
    readonly shapes: readonly Shape[],
    readonly size = 3,
  ) {
    if (!Number.isInteger(size) || size < 2) {
      throw new InvalidArgumentError(`StateRing(size=${size}): size must be an integer >= 2`);
    }
    this.sets = Array.from({ length: size }, (_, p) =>
      shapes.map((shape, j) =>
        backend.buffers.create(
          Math.max(sizeOf(shape) * 4, 4),
          GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
          `state ${j} set ${p}`,
        ),
      ),
    );
  }

  /** Throws unless this ring holds `program`'s state, in order. */
  checkHolds(program: Program): void {
    const state = program.state;
    if (this.shapes.length !== state.length) {
      throw new InvalidArgumentError(
        `StepPlan: the program has ${state.length} states, the ring holds ${this.shapes.length}`,
      );
    }
    state.forEach((s, j) => {
      const shape = program.values[s.input].shape;
      if (!shapesEqual(shape, this.shapes[j])) {
        throw new InvalidArgumentError(
          `StepPlan: state '${s.name}' is ${fmtShape(shape)}, ring state ${j} ${fmtShape(this.shapes[j])}`,
        );
      }
    });
  }

  /** The set the next step reads. */
  get parity(): number {
    return this.position % this.size;
  }

  /** Called by a plan once its step is submitted. */
  advance(): void {
    this.position++;
  }

  /** Takes back the last `steps` steps (at most size - 1): their writes are left unread. */
  rewind(steps: number): void {
    if (!Number.isInteger(steps) || steps < 0 || steps > this.size - 1 || steps > this.position) {
      throw new InvalidArgumentError(
        `StateRing.rewind(${steps}): can take back 0 to ${Math.min(this.size - 1, this.position)} steps`,
      );
    }
    this.position -= steps;
  }

  /** Copies `sources` (one buffer per state, in order) into the set the next step reads. */
  load(sources: readonly GPUBuffer[]): void {
    if (sources.length !== this.shapes.length) {
      throw new InvalidArgumentError(
        `StateRing.load: ${sources.length} buffers for ${this.shapes.length} states`,
      );
    }
    this.loadSome(sources.map((source, j) => [j, source]));
  }

  /** Copies buffers into some states ([state index, source]) of the set the next step reads. */
  loadSome(entries: readonly (readonly [number, GPUBuffer])[]): void {
    const encoder = this.backend.device.createCommandEncoder({ label: 'state load' });
    const set = this.sets[this.parity];
    for (const [j, source] of entries) {
      if (set[j] === undefined) throw new InvalidArgumentError(`StateRing.loadSome: there is no state ${j}`);
      const bytes = sizeOf(this.shapes[j]) * 4;
      if (bytes > 0) encoder.copyBufferToBuffer(source, 0, set[j], 0, bytes);
    }
    this.backend.submitCommands(encoder.finish());
  }

  /**
   * Copies of the states `stepsBack` steps before the newest (0: the newest), in fresh tensor
   * storage; queued after every step submitted so far, so no wait is needed before using them.
   */
  snapshot(stepsBack = 0): GpuStorage[] {
    if (stepsBack > this.size - 1 || stepsBack > this.position) {
      throw new InvalidArgumentError(
        `StateRing.snapshot(${stepsBack}): the ring keeps ${this.size - 1} steps back`,
      );
    }
    const set = this.sets[(this.position - stepsBack) % this.size];
    const encoder = this.backend.device.createCommandEncoder({ label: 'state snapshot' });
    const out = this.shapes.map((shape, j) => {
      const storage = this.backend.buffers.storage(sizeOf(shape), `state ${j}`);
      if (sizeOf(shape) > 0) encoder.copyBufferToBuffer(set[j], 0, storage.buffer, 0, sizeOf(shape) * 4);
      return storage;
    });
    this.backend.submitCommands(encoder.finish());
    return out;
  }

  destroy(): void {
    for (const set of this.sets) for (const b of set) b.destroy();
  }
}
