/**
 * Timing one model's training step on one backend, and choosing between the timings: the parts
 * of setBackend('auto') (auto.ts) that hold no state. The step is compiled exactly as fit
 * compiles it (Backend.compile on the same program) and fed host copies, so a timing run changes
 * nothing of the model; its first step (pipelines, JIT, first allocations) is not counted.
 */
import type { Backend, BackendName } from '../graph/backend';
import type { StepProbe } from '../graph/backend-choice';
import type { CompiledStep } from '../graph/program/compiled-step';

export interface BackendTiming {
  name: BackendName;
  /** The backend as people read it: "CPU (float32)", "WebGPU (SwiftShader …, CPU-emulated, core)". */
  description: string;
  /** Wall time per training step, over the timed steps. */
  msPerStep: number;
  /** Steps timed (the warm-up steps excluded). */
  steps: number;
  /** Warm-up steps run before timing (see warmUp). */
  warmupSteps: number;
  /** Compiling the step and running the warm-up steps, not part of msPerStep. */
  setupMs: number;
  /**
   * WebGPU only: whether the model's kernels were tuned before this timing. false where the
   * kernels timed were those known before (the rule's, or choices stored by an earlier visit) and
   * tuning could not have changed the pick (tuningMayDecide).
   */
  tunedFirst?: boolean;
}

export interface TimingLimits {
  /** Stop issuing steps once this much time has been spent on the timed ones. */
  budgetMs: number;
  /** Steps timed at most. */
  maxSteps: number;
  /** The clock, in ms (performance.now unless a test gives another). */
  clock: () => number;
}

/** Warm-up steps at most, and the time after which no more are started. */
const WARMUP_STEPS = 6;
const WARMUP_MS = 2000;

/**
 * Runs steps, each awaited, until one is no more than a quarter faster than the one before: the
 * first creates pipelines (WebGPU) and the next let the engine's JIT optimise the kernels (the CPU's
 * TypeScript loops ran 5 to 15 times slower in the first steps than in a fit, in Chromium). Returns
 * the steps run.
 */
async function warmUp(step: CompiledStep, probe: StepProbe, clock: () => number): Promise<number> {
  const start = clock();
  let previous = Number.POSITIVE_INFINITY;
  let steps = 0;
  while (steps < WARMUP_STEPS) {
    const t = clock();
    probe.beforeStep?.(step, steps);
    await step.step(probe.reads);
    steps++;
    const ms = clock() - t;
    if (ms > 0.75 * previous || clock() - start > WARMUP_MS) break;
    previous = ms;
  }
  return steps;
}

/**
 * Times `probe`'s step on `backend`: warm-up steps (warmUp), then steps until the budget is spent
 * (at least one, at most maxSteps). Where the backend pipelines (WebGPU), steps are issued ahead as
 * fit issues them, so the figure is the throughput fit sees rather than one step's round trip.
 */
export async function timeStep(
  backend: Backend,
  probe: StepProbe,
  limits: TimingLimits,
): Promise<BackendTiming> {
  const { clock } = limits;
  const t0 = clock();
  const step = backend.compile(probe.program, { reads: probe.reads });
  try {
    step.load(probe.state);
    for (const [name, values] of probe.inputs) step.write(name, values);
    const warmupSteps = await warmUp(step, probe, clock);
    const start = clock();
    const setupMs = start - t0;
    const inFlight: Promise<Float32Array[]>[] = [];
    let steps = 0;
    let elapsed = 0;
    while (steps < limits.maxSteps && (steps === 0 || elapsed < limits.budgetMs)) {
      probe.beforeStep?.(step, warmupSteps + steps);
      inFlight.push(step.step(probe.reads));
      steps++;
      if (inFlight.length > backend.pipelineDepth) {
        await inFlight.shift();
        elapsed = clock() - start;
      }
    }
    await Promise.all(inFlight);
    elapsed = clock() - start;
    return {
      name: backend.name,
      description: backend.description,
      msPerStep: elapsed / steps,
      steps,
      warmupSteps,
      setupMs,
    };
  } finally {
    step.destroy();
  }
}

/**
 * The most tuning is taken to gain on a whole step. Tuning changes only the products and
 * convolutions, and a step has many other kernels: the largest gain seen on one kernel was 1.4x
 * (SwiftShader); a real GPU's tiled rule on a tall, skinny product may leave more, so the bound is
 * generous.
 */
export const TUNING_GAIN = 3;

/**
 * Whether tuning WebGPU's kernels could change auto's pick, given both timed on the kernels known
 * so far: only where WebGPU is slower, and by less than TUNING_GAIN. Where WebGPU already wins,
 * fit tunes in the background over its first steps; where the CPU wins by more, it would win anyway.
 */
export function tuningMayDecide(cpu: BackendTiming, gpu: BackendTiming): boolean {
  return gpu.msPerStep > cpu.msPerStep && gpu.msPerStep < TUNING_GAIN * cpu.msPerStep;
}

const label = (name: BackendName) => (name === 'cpu' ? 'CPU' : 'WebGPU');

/** "6.1x", "1.04x": two significant digits near 1, where the first would hide the difference. */
function ratioText(ratio: number): string {
  return `${ratio < 1.1 ? ratio.toFixed(2) : ratio < 10 ? ratio.toFixed(1) : Math.round(ratio)}x`;
}

const msText = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

/**
 * The faster of the timings (the first on a tie), and why in words: "CPU: 6.1x faster than
 * WebGPU (…, CPU-emulated, core) for this model (0.41 against 2.50 ms per step of 32 rows)".
 */
export function decide(
  timings: readonly BackendTiming[],
  rows: number,
): { picked: BackendName; reason: string } {
  if (timings.length === 0) throw new RangeError('decide: no timings to choose from');
  const sorted = [...timings].sort((a, b) => a.msPerStep - b.msPerStep);
  const [best, next] = sorted;
  if (!next) return { picked: best.name, reason: `${label(best.name)}: the only backend timed` };
  const ratio = next.msPerStep / Math.max(best.msPerStep, Number.MIN_VALUE);
  return {
    picked: best.name,
    reason:
      `${label(best.name)}: ${ratioText(ratio)} faster than ${next.description} for this model ` +
      `(${msText(best.msPerStep)} against ${msText(next.msPerStep)} ms per step of ${rows} rows)`,
  };
}
