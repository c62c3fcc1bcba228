/**
 * The autotuner: at the first use of a shape class on an adapter (a matmul's, a convolution's, a
 * reduction's) it times the built-in rule's kernel and the candidates (families.ts), keeps the
 * fastest and persists the choice (store.ts) under the adapter and library version. A budget bounds each
 * request (one compiled model's kernels, or one eager op), checked before every timed run; what
 * the budget leaves untimed keeps the rule. Requests run one after another in the background: a
 * compiled step goes on with the rule and swaps kernels in once its request resolves (step.ts).
 *
 * Tuning shares the device with training and must never cost it a step: a candidate whose run
 * fails on a working device (TuningRunError) is skipped, and the device's loss, seen before each
 * run (`lost`) or as a run's error, stops tuning for the session, the rule kept; `request`
 * never rejects.
 */

import type {
  ConvCandidate,
  ConvShape,
  KernelChoices,
  MatmulCandidate,
  MatmulShape,
  ReduceCandidate,
  ReduceShape,
  TunedCandidate,
  TunedShape,
} from '../kernel-types';
import type { WorkgroupLimits } from '../kernels/matmul-candidates';
import {
  builtinFor,
  candidatesFor,
  isReduceShape,
  parseTuned,
  shapeClass,
  shapeCost,
  type TunerEnv,
  tunedId,
} from './families';
import { type CandidateTimer, TuningRunError } from './measure';
import { MemoryTuningStore, type TuningRecord, type TuningStore, tuningKey } from './store';

export { shapeClass } from './families';

export type TuningMode = 'off' | 'quick' | 'thorough';

/** Budget per request, ms: about a second per model by default, ten when asked to be thorough. */
export const DEFAULT_BUDGET_MS: Readonly<Record<TuningMode, number>> = {
  off: 0,
  quick: 1000,
  thorough: 10_000,
};
/**
 * Products and convolutions of fewer multiply-adds are not tuned: a dispatch's own cost decides
 * their time (W3's products, 16x4x16 and the like, are about 1,000), so a timing ranks noise. On
 * SwiftShader, quick tuning spent 45 runs on W3's eight such classes and kept picks of "13.8x"
 * that were a slow timing of the rule. (Reductions have their own bound, MIN_TUNED_TERMS, in
 * shapes.ts.)
 */
export const MIN_TUNED_MULTIPLY_ADDS = 65_536;

/**
 * A candidate replaces the rule only when it is this much faster, twice (a second timing of both
 * confirms the first): CPU emulations under load vary by 10% run to run, and a wrong swap costs
 * every later step.
 */
const MARGIN = 0.05;

export interface TunerOptions {
  readonly mode: TuningMode;
  /** Per request, ms (default DEFAULT_BUDGET_MS[mode]). */
  readonly budgetMs?: number;
  /** Products and convolutions below this many multiply-adds keep the rule (default MIN_TUNED_MULTIPLY_ADDS). */
  readonly minMultiplyAdds?: number;
  readonly store?: TuningStore;
  readonly timer: CandidateTimer;
  /** The clock the budget is counted on (default performance.now). */
  readonly now?: () => number;
  /**
   * Resolves when the device has no other work queued (default: at once). Awaited before each
   * timed run and not counted in the budget: the training steps queued beside tuning are not its cost.
   */
  readonly idle?: () => Promise<unknown>;
  /**
   * The device's loss once known, else null: checked before each timed run, so tuning stops at
   * the loss (and never times on a device that is gone).
   */
  readonly lost?: () => Error | null;
}

export interface TunedChoice {
  /** The shape class (`shapeClass`). */
  readonly shape: string;
  readonly kernel: string;
  readonly ms: number;
  readonly builtin: string;
  readonly builtinMs: number;
  /** builtinMs / ms: 1 where the rule was kept. */
  readonly speedup: number;
}

/** What getBackendInfo() shows of tuning. */
export interface TuningInfo {
  readonly mode: TuningMode;
  /** Where choices persist ('IndexedDB', a file path, 'memory') and under which key. */
  readonly store: string;
  readonly key: string;
  readonly choices: readonly TunedChoice[];
  /** Classes read from the store rather than timed in this session. */
  readonly fromCache: number;
  /**
   * Time spent in timed runs in this session (pipeline compiles included, waits for queued
   * training work not), ms, and the timed runs (one per candidate timing).
   */
  readonly spentMs: number;
  readonly timedRuns: number;
  /** Classes waiting to be timed. */
  readonly pending: number;
  /** Candidates whose timing failed on a working device (refused, or not compiled): never picked. */
  readonly failedRuns: number;
  /** Why tuning stopped, if it did (the device lost, say; the rule is kept). */
  readonly error?: string;
}

export class Tuner implements KernelChoices {
  mode: TuningMode;
  readonly key: string;
  private store: TuningStore;
  private readonly records = new Map<string, TuningRecord>();
  private readonly timedHere = new Set<string>();
  private readonly pending = new Set<string>();
  /**
   * Classes whose budget ran out after the rule's own timing: left to the rule for this session
   * (not persisted, so a later session may time them), and not timed again by later requests.
   */
  private readonly leftToRule = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();
  private spent = 0;
  /** Time inside timed runs in the current request, ms: what the budget bounds. */
  private used = 0;
  private runs = 0;
  private failedRuns = 0;
  private failure: string | undefined;
  /** Open `paused` calls: while above 0, requests time nothing. */
  private pauses = 0;
  private readonly now: () => number;

  constructor(
    private readonly env: TunerEnv,
    private readonly limits: WorkgroupLimits,
    adapter: Readonly<Record<string, string>>,
    private readonly options: TunerOptions,
  ) {
    this.mode = options.mode;
    this.key = tuningKey(adapter);
    this.store = options.store ?? new MemoryTuningStore();
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Persists to `store` from now on and reads earlier sessions' choices for this adapter and
   * version from it; an unreadable store is treated as empty.
   */
  async open(store: TuningStore): Promise<void> {
    this.store = store;
    try {
      for (const [k, r] of Object.entries(await this.store.load(this.key))) this.records.set(k, r);
    } catch (e) {
      this.failure = `reading the tuning cache (${this.store.where}) failed: ${(e as Error).message}`;
    }
  }

  /** The tuned kernel for this product's class; undefined (the rule) when off or not tuned. */
  matmul(shape: MatmulShape): MatmulCandidate | undefined {
    return this.choice(shape) as MatmulCandidate | undefined;
  }

  /** The tuned kernel for this convolution's class; undefined (the rule) when off or not tuned. */
  conv(shape: ConvShape): ConvCandidate | undefined {
    return this.choice(shape) as ConvCandidate | undefined;
  }

  /** The tuned kernel for this reduction's class; undefined (the rule) when off or not tuned. */
  reduce(shape: ReduceShape): ReduceCandidate | undefined {
    return this.choice(shape) as ReduceCandidate | undefined;
  }

  private choice(shape: TunedShape): TunedCandidate | undefined {
    if (this.mode === 'off') return undefined;
    const record = this.records.get(shapeClass(shape));
    return record ? parseTuned(record.candidate, shape, this.limits, this.env) : undefined;
  }

  /** Whether a request for these shapes would time anything. */
  wants(shapes: readonly TunedShape[]): boolean {
    if (this.mode === 'off' || this.pauses > 0 || this.failure) return false;
    return shapes.some(
      (s) => this.worthTuning(s) && !this.settledClass(shapeClass(s)) && !this.pending.has(shapeClass(s)),
    );
  }

  /** Whether a shape is large enough to time (a reduction's bound was applied where its shape was made). */
  private worthTuning(shape: TunedShape): boolean {
    return (
      isReduceShape(shape) || shapeCost(shape) >= (this.options.minMultiplyAdds ?? MIN_TUNED_MULTIPLY_ADDS)
    );
  }

  /**
   * Times the classes of `shapes` not yet known, within one budget, after any earlier request.
   * Resolves once every class of `shapes` is settled (timed, read from the store, or left to the
   * rule by the budget), true when some of them has a kernel other than the rule's; never rejects.
   */
  request(shapes: readonly TunedShape[]): Promise<boolean> {
    if (this.mode === 'off' || this.pauses > 0 || shapes.length === 0) return Promise.resolve(false);
    const byClass = new Map<string, TunedShape>();
    for (const s of shapes) {
      const c = shapeClass(s);
      if (this.worthTuning(s) && !this.settledClass(c) && !this.pending.has(c) && !byClass.has(c))
        byClass.set(c, s);
    }
    if (byClass.size > 0 && !this.failure) {
      for (const c of byClass.keys()) this.pending.add(c);
      // The largest kernels first: they dominate a step, so the budget goes where it pays.
      const work = [...byClass].sort(([, a], [, b]) => shapeCost(b) - shapeCost(a));
      this.chain = this.chain.then(() => this.tune(work));
    }
    return this.chain.then(() => shapes.some((s) => this.isTuned(s)));
  }

  private settledClass(cls: string): boolean {
    return this.records.has(cls) || this.leftToRule.has(cls);
  }

  private isTuned(shape: TunedShape): boolean {
    const r = this.records.get(shapeClass(shape));
    return r !== undefined && r.candidate !== r.builtin;
  }

  private async tune(work: readonly [string, TunedShape][]): Promise<void> {
    this.used = 0;
    const budget = this.options.budgetMs ?? DEFAULT_BUDGET_MS[this.mode];
    try {
      for (const [cls, shape] of work) {
        if (this.mode === 'off' || this.used >= budget) break;
        const record = await this.tuneClass(shape, budget);
        if (!record) {
          this.leftToRule.add(cls);
          continue;
        }
        this.records.set(cls, record);
        this.timedHere.add(cls);
      }
      await this.store.save(this.key, Object.fromEntries(this.records));
    } catch (e) {
      // The device lost (or a failure that is not one candidate's) stops tuning for the session;
      // the rule stays in use, and nothing of it reaches the steps.
      this.failure = `tuning stopped: ${(e as Error).message}`;
    } finally {
      this.spent += this.used;
      for (const [cls] of work) this.pending.delete(cls);
    }
  }

  private async time(candidate: TunedCandidate, shape: TunedShape): Promise<number> {
    this.throwIfLost();
    await this.options.idle?.();
    this.throwIfLost();
    this.runs++;
    const start = this.now();
    try {
      return await this.options.timer(candidate, shape);
    } finally {
      this.used += this.now() - start;
    }
  }

  private throwIfLost(): void {
    const lost = this.options.lost?.();
    if (lost) throw lost;
  }

  /** A candidate's time, or null when its run failed on a working device (it is then never picked). */
  private async timeOrSkip(candidate: TunedCandidate, shape: TunedShape): Promise<number | null> {
    try {
      return await this.time(candidate, shape);
    } catch (e) {
      if (!(e instanceof TuningRunError)) throw e;
      this.failedRuns++;
      return null;
    }
  }

  /**
   * One class: the rule's kernel, then candidates while the budget allows (checked before each);
   * a winner is timed once more beside the rule, past the budget if need be (two runs), since an
   * unconfirmed swap is the one way tuning could make training slower. Undefined if only the rule
   * was timed.
   */
  private async tuneClass(shape: TunedShape, budget: number): Promise<TuningRecord | undefined> {
    const builtin = builtinFor(this.env, shape);
    const first = await this.timeOrSkip(builtin, shape);
    // The rule's run failing leaves nothing to compare against: the class keeps the rule.
    if (first === null) return undefined;
    let builtinMs = first;
    let best = builtin;
    let bestMs = builtinMs;
    let timed = 0;
    for (const c of candidatesFor(shape, this.env, this.limits, this.mode === 'thorough')) {
      if (this.used >= budget) break;
      const ms = await this.timeOrSkip(c, shape);
      timed++;
      if (ms !== null && ms < bestMs) [best, bestMs] = [c, ms];
    }
    if (timed === 0) return undefined;
    if (best !== builtin && bestMs < builtinMs * (1 - MARGIN)) {
      // Confirm: both again, each kept at its better time (a failed rerun keeps the rule).
      builtinMs = Math.min(builtinMs, (await this.timeOrSkip(builtin, shape)) ?? builtinMs);
      const again = await this.timeOrSkip(best, shape);
      bestMs = again === null ? Number.POSITIVE_INFINITY : Math.min(bestMs, again);
    }
    const keep = best !== builtin && bestMs < builtinMs * (1 - MARGIN);
    const [kernel, ms] = keep ? [best, bestMs] : [builtin, builtinMs];
    return { candidate: tunedId(kernel), ms, builtin: tunedId(builtin), builtinMs };
  }

  /**
   * Runs `f` with requests made meanwhile timing nothing (they resolve false, and a step compiled
   * meanwhile keeps its kernels): choices already made or stored still apply. auto times the
   * kernels known so far this way (auto.ts), and tunes only where that could change its pick.
   */
  async paused<T>(f: () => Promise<T>): Promise<T> {
    this.pauses++;
    try {
      return await f();
    } finally {
      this.pauses--;
    }
  }

  /** Resolves when every request made so far has finished. */
  async settled(): Promise<void> {
    await this.chain;
  }

  info(): TuningInfo {
    const choices = [...this.records].map(([shape, r]) => ({
      shape,
      kernel: r.candidate,
      ms: r.ms,
      builtin: r.builtin,
      builtinMs: r.builtinMs,
      speedup: r.ms > 0 ? r.builtinMs / r.ms : 1,
    }));
    return {
      mode: this.mode,
      store: this.store.where,
      key: this.key,
      choices,
      fromCache: choices.filter((c) => !this.timedHere.has(c.shape)).length,
      spentMs: this.spent,
      timedRuns: this.runs,
      failedRuns: this.failedRuns,
      pending: this.pending.size,
      ...(this.failure ? { error: this.failure } : {}),
    };
  }
}
