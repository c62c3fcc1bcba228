/**
 * setBackend('auto'): the backend is picked per model, when fit is about to compile its step.
 * fit hands the chooser installed here (through src/graph/backend-choice.ts) a probe of the step;
 * it is timed on the CPU backend and on WebGPU on the adapter found (auto-timing.ts), the faster
 * is made current and fit places the model on it. Choices are kept by the model's signature and
 * batch size (and the adapter), so fitting the same model again times nothing. Without WebGPU
 * the CPU is picked with the reason, and nothing is timed.
 *
 * One CPU backend and one WebGPU backend serve every auto choice, so a model switching between
 * them keeps its compiled steps (executor.ts reuses steps while the backend is the same object).
 */
import type { Backend, BackendName } from '../graph/backend';
import { type BackendChoiceRequest, type StepProbe, setBackendChooser } from '../graph/backend-choice';
import { currentBackend, useBackend } from '../graph/engine';
import { type BackendTiming, decide, type TimingLimits, timeStep, tuningMayDecide } from './auto-timing';
import { CpuBackend } from './cpu/cpu-backend';
import type { TuningMode } from './webgpu/tune/tuner';
import { WebGPUBackend } from './webgpu/webgpu-backend';

export type { BackendTiming } from './auto-timing';

export interface AutoOptions {
  /** Time spent on timed steps, over both backends (default 300 ms; warm-up steps excluded). */
  budgetMs?: number;
  /** Steps timed per backend at most (default 20). */
  maxSteps?: number;
  /** The clock in ms (default performance.now): tests give their own. */
  clock?: () => number;
  /**
   * Choices made before, elsewhere (the page keeps them across its per-run Workers): a fit whose
   * model, batch size and adapter match one takes it without timing.
   */
  known?: readonly BackendChoice[];
  /**
   * The WebGPU backend's kernel tuning (default 'quick', as setBackend('webgpu')). Tuning is
   * paused while WebGPU is timed. Where tuning could change the pick (the backends within
   * TUNING_GAIN), the model's kernels are tuned first and timed again, so a first fit on an adapter
   * pays up to the tuning budget only then; otherwise a WebGPU pick tunes in the background.
   */
  tuning?: TuningMode;
}

/** What auto picked for the last model fit, and why. */
export interface BackendChoice {
  picked: BackendName;
  /** In words: "CPU: 6.1x faster than WebGPU (…, CPU-emulated, core) for this model (…)". */
  reason: string;
  /** The measurements behind it, fastest first order not implied; empty where nothing was timed. */
  timings: BackendTiming[];
  /** The batch size timed. */
  rows: number;
  /** Whether this fit reused a choice made for the same model and batch size. */
  cached: boolean;
  /** What the choice is kept by: the adapter, the model's signature and the batch size. */
  key: string;
}

type Measured = Omit<BackendChoice, 'cached' | 'key'>;

interface AutoMode {
  tuning: TuningMode;
  budgetMs: number;
  maxSteps: number;
  clock: () => number;
  last: BackendChoice | null;
}

/** The backends auto chooses between, kept across setBackend calls (a device is made once). */
const backends: { cpu: CpuBackend | null; gpu: WebGPUBackend | null; gpuReason: string | null } = {
  cpu: null,
  gpu: null,
  gpuReason: null,
};
/** Choices by adapter, model signature and batch size. */
const choices = new Map<string, BackendChoice>();
let auto: AutoMode | null = null;

const usable = (b: Backend | null): b is WebGPUBackend => b instanceof WebGPUBackend && b.error === null;

/** The WebGPU backend auto uses: the one kept while it works, else a new device (or the reason none). */
async function gpuBackend(tuning: TuningMode): Promise<WebGPUBackend | null> {
  if (usable(backends.gpu)) {
    await backends.gpu.setTuning(tuning);
    return backends.gpu;
  }
  try {
    backends.gpu = await WebGPUBackend.create({ tuning });
    backends.gpuReason = null;
  } catch (e) {
    backends.gpu = null;
    backends.gpuReason = (e as Error).message;
  }
  return backends.gpu;
}

/**
 * Turns auto mode on: finds the WebGPU adapter (keeping the current WebGPU backend where it
 * works) and makes the CPU current until a fit picks, unless a backend auto uses already is.
 */
export async function enableAuto(options: AutoOptions = {}): Promise<void> {
  const current = currentBackend();
  if (current instanceof CpuBackend && current.precision === 'float32') backends.cpu = current;
  if (usable(current)) backends.gpu = current;
  backends.cpu ??= new CpuBackend();
  const tuning = options.tuning ?? 'quick';
  await gpuBackend(tuning);
  auto = {
    tuning,
    budgetMs: options.budgetMs ?? 300,
    maxSteps: options.maxSteps ?? 20,
    clock: options.clock ?? (() => performance.now()),
    last: null,
  };
  for (const c of options.known ?? []) if (!choices.has(c.key)) choices.set(c.key, { ...c, cached: false });
  if (current !== backends.cpu && current !== backends.gpu) useBackend(backends.cpu);
  setBackendChooser(chooseForModel);
}

/** Leaves auto mode (setBackend('cpu') or 'webgpu'): fit no longer chooses. */
export function disableAuto(): void {
  auto = null;
  setBackendChooser(null);
}

/** Auto mode's part of getBackendInfo: the mode and the last choice, while auto is on. */
export function autoInfo(): { mode: 'auto'; choice?: BackendChoice } | Record<string, never> {
  if (!auto) return {};
  return auto.last ? { mode: 'auto', choice: auto.last } : { mode: 'auto' };
}

/**
 * WebGPU's timing of the probe. Kernels whose classes tuning has not settled are timed on the
 * rule with tuning paused, then tuned and timed again only where that could change the pick
 * (tuningMayDecide): a first visit waits for the tuner (up to its budget, about 1 s) only when
 * the backends are close. Tuning still running for an earlier fit is waited for first.
 */
async function timeGpu(
  gpu: WebGPUBackend,
  probe: StepProbe,
  limits: TimingLimits,
  cpu: BackendTiming,
): Promise<BackendTiming> {
  // Tuning an earlier fit started in the background would share the device with the timed steps.
  await gpu.tuner.settled();
  if (!gpu.wantsTuning(probe.program)) return { ...(await timeStep(gpu, probe, limits)), tunedFirst: false };
  const known = await gpu.tuner.paused(() => timeStep(gpu, probe, limits));
  if (!tuningMayDecide(cpu, known)) return { ...known, tunedFirst: false };
  await gpu.tuneFor(probe.program);
  return { ...(await timeStep(gpu, probe, limits)), tunedFirst: true };
}

async function measure(mode: AutoMode, cpu: CpuBackend, request: BackendChoiceRequest): Promise<Measured> {
  const gpu = backends.gpu;
  if (!gpu) {
    return { picked: 'cpu', reason: `CPU: ${backends.gpuReason}`, timings: [], rows: 0 };
  }
  const probe = await request.probe();
  const limits = { budgetMs: mode.budgetMs / 2, maxSteps: mode.maxSteps, clock: mode.clock };
  const timings = [await timeStep(cpu, probe, limits)];
  try {
    timings.push(await timeGpu(gpu, probe, limits, timings[0]));
  } catch (e) {
    const reason = `CPU: the step failed on ${gpu.description} (${(e as Error).message})`;
    return { picked: 'cpu', reason, timings, rows: probe.rows };
  }
  return { ...decide(timings, probe.rows), timings, rows: probe.rows };
}

/** The chooser fit consults (backend-probe.ts in src/nn) while auto mode is on. */
async function chooseForModel(request: BackendChoiceRequest): Promise<void> {
  const mode = auto;
  const cpu = backends.cpu;
  if (!mode || !cpu) return;
  // A device lost since the last fit is acquired again (or the reason kept) before choosing.
  const gpu = backends.gpu && !usable(backends.gpu) ? await gpuBackend(mode.tuning) : backends.gpu;
  const key = `${gpu?.description ?? 'no WebGPU'}\n${request.key}`;
  let choice = choices.get(key);
  if (choice) {
    choice = { ...choice, cached: true };
  } else {
    let measured: Measured;
    try {
      measured = await measure(mode, cpu, request);
    } catch (e) {
      // A step that cannot be traced or compiled runs eagerly (executor.ts); the CPU is the safe home.
      const reason = `CPU: the training step could not be timed (${(e as Error).message})`;
      measured = { picked: 'cpu', reason, timings: [], rows: 0 };
    }
    choice = { ...measured, cached: false, key };
    choices.set(key, choice);
  }
  if (auto !== mode) return;
  mode.last = choice;
  const backend = choice.picked === 'webgpu' && gpu ? gpu : cpu;
  if (currentBackend() !== backend) useBackend(backend);
}
