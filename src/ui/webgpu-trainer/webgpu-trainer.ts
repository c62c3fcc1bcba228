import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import '../backend-badge/backend-badge';
import '../data-panel/data-panel';
import '../model-panel/model-panel';
import '../train-panel/train-panel';
import '../eval-panel/eval-panel';
import '../predict-panel/predict-panel';
import '../models-panel/models-panel';
import type { PreparedArrays } from '../../data/index';
import { type GpuProbe, probeWebGPU } from '../gpu-probe';
import { themeStyles } from '../shared-styles';
import { bundledSampleUrl } from '../state/bundled-samples';
import { DataState } from '../state/data-state';
import { ModelState } from '../state/model-state';
import { ObserveController } from '../state/observable';
import { imageInput } from '../state/presets';
import { type RunEventType, RunState } from '../state/run-state';
import { SavedModels } from '../state/saved-models';

/** The element's public events: run milestones, bubbling and composed, with their data in `detail`. */
const EVENTS: Record<RunEventType, string> = {
  'train-begin': 'wt-train-begin',
  'epoch-end': 'wt-epoch-end',
  'train-end': 'wt-train-end',
  'run-error': 'wt-error',
};

/**
 * The whole trainer as one element: drop `<webgpu-trainer>` into any page.
 *
 * @fires wt-train-begin - training started; detail { runId, backend, epochs, initialEpoch }
 * @fires wt-epoch-end - an epoch ended; detail { epoch, logs }
 * @fires wt-train-end - training ended; detail { history, stoppedEarly, bestEpoch }
 * @fires wt-error - the data (`src`, `target`), the model (`model`) or training failed; detail { name, message }
 * @csspart panel - each step's section
 * @cssprop --wt-accent - accent colour (buttons, progress, curves' highlight)
 * @cssprop --wt-bg - background colour
 * @cssprop --wt-fg - text colour
 */
@customElement('webgpu-trainer')
export class WebGPUTrainer extends LitElement {
  /**
   * Where the bundled samples live (a folder holding samples/index.json), relative to the page.
   * Unset: the samples that ship with the element (the app's samples/ beside the page; in the package,
   * the files beside element.js, see ui/state/bundled-samples.ts).
   */
  @property({ attribute: 'base-url' }) baseUrl: string | null = null;
  /** A CSV to load at start (URL). */
  @property() src: string | null = null;
  /** The target column of `src`. */
  @property() target: string | null = null;
  /** A preset (`linear`, `mlp`, `mlp-bn-dropout`, `cnn`) or JSON layers `[{ "className": "Dense", "config": {...} }]`. */
  @property() model: string | null = null;
  /** Epochs to train. */
  @property({ type: Number }) epochs: number | null = null;
  /** Train as soon as the data and the model are ready. */
  @property({ type: Boolean }) autostart = false;
  /**
   * The backend to train on: `auto` (default) times the model's training step on WebGPU and on the
   * CPU when training starts and takes the faster; `webgpu` or `cpu` force one. The Train step's
   * selector changes it too.
   */
  @property() backend: string | null = null;
  /** Show only training, evaluation and prediction (the data and model steps stay hidden). */
  @property({ type: Boolean, reflect: true }) compact = false;

  @state() private probe?: GpuProbe;
  private data?: DataState;
  private readonly modelState = new ModelState();
  private readonly run = new RunState();
  private readonly saved = new SavedModels();
  private shownDataset: PreparedArrays | null = null;
  private autostarted = false;
  /**
   * The last failure of the data or the model (what `src`, `target` and `model` asked for, or a file
   * the user gave): compact mode hides the panels that show it, so the shell shows it there. Training
   * failures show in the train panel, which every mode has (and reach wt-error through EVENTS).
   */
  @state() private failure: { name: string; message: string } | null = null;

  static override styles = [
    themeStyles,
    css`
      :host { display: block; max-width: 1100px; margin: 0 auto; padding: 1rem; box-sizing: border-box; }
      header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
      h1 { font-size: 1.4rem; margin: 0; }
      .resume { border: 1px solid var(--wt-accent); border-radius: 8px; padding: 0.6rem 1rem; }
      .intro { margin: 0.4rem 0 0; max-width: 65ch; }
      .failure { color: var(--wt-error); border: 1px solid var(--wt-error); border-radius: 6px; padding: 0.4rem 0.6rem; overflow-wrap: anywhere; }
      /* compact: only training, evaluation and prediction (and what went wrong). */
      :host([compact]) :is(wt-data-panel, wt-model-panel, wt-models-panel, .intro) { display: none; }
      /* In the full page the Data and Model panels show their own errors. */
      :host(:not([compact])) .failure { display: none; }
    `,
  ];

  constructor() {
    super();
    // The shell re-renders when the model's validity or the run changes.
    new ObserveController(this, () => this.modelState);
    new ObserveController(this, () => this.run);
    new ObserveController(this, () => this.run.results);
    for (const [inner, outer] of Object.entries(EVENTS)) {
      this.run.addEventListener(inner, (e) => {
        const detail = (e as CustomEvent).detail;
        this.dispatchEvent(new CustomEvent(outer, { detail, bubbles: true, composed: true }));
      });
    }
    this.modelState.addEventListener('request-error', (e) => this.fail((e as CustomEvent).detail));
  }

  /** Tells the page (wt-error) and, in compact mode, shows it. */
  private fail(detail: { name: string; message: string }): void {
    this.failure = { name: detail.name, message: detail.message };
    this.dispatchEvent(new CustomEvent('wt-error', { detail, bubbles: true, composed: true }));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.data) {
      const base = this.baseUrl;
      this.data = new DataState(base === null ? bundledSampleUrl : (file) => `${base}samples/${file}`);
      this.data.addEventListener('change', () => this.onDataChange());
      this.data.addEventListener('load-error', (e) => this.fail((e as CustomEvent).detail));
      void this.data.loadSampleList();
      void this.run.findResumable();
      void this.saved.refresh();
      if (this.src) void this.data.loadUrl(this.src, this.target ?? undefined);
    }
    probeWebGPU().then((p) => {
      this.probe = p;
      this.maybeAutostart();
    });
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('model') && this.model) this.modelState.request(this.model);
    if (changed.has('epochs') && this.epochs) this.modelState.updateSettings({ epochs: this.epochs });
    if (changed.has('backend')) this.applyBackend(this.backend);
  }

  private applyBackend(value: string | null): void {
    const backend = value ?? 'auto';
    if (backend === 'auto' || backend === 'webgpu' || backend === 'cpu') {
      this.run.setBackendPreference(backend);
      return;
    }
    this.fail({
      name: 'InvalidArgumentError',
      message: `backend="${backend}": expected auto, webgpu or cpu; training on auto`,
    });
    this.run.setBackendPreference('auto');
  }

  /** A newly prepared dataset re-shapes the model (input width, output units). */
  private onDataChange(): void {
    const prepared = this.data?.prepared ?? null;
    if (prepared === this.shownDataset) return;
    this.shownDataset = prepared;
    if (prepared) this.failure = null;
    // Evaluations and predictions belong to the data they were computed on.
    this.run.results.setDataset(prepared);
    this.modelState.setDataset(
      prepared && {
        inputSize: prepared.inputSize,
        task: prepared.task,
        outputs: prepared.task === 'classification' ? (prepared.classNames?.length ?? 2) : 1,
        image: imageInput(prepared),
      },
    );
    this.maybeAutostart();
  }

  private maybeAutostart(): void {
    if (!this.autostart || this.autostarted || !this.probe || !this.data?.prepared) return;
    if (!this.modelState.modelJson()) return;
    this.autostarted = true;
    this.train();
  }

  private train = () => {
    const prepared = this.data?.prepared;
    if (!prepared) return;
    this.failure = null;
    this.run.start(prepared, this.modelState, this.run.backendPreference, {
      dataset: this.data?.snapshot() ?? null,
      model: this.modelState.snapshot(),
    });
  };

  /** Resumes the saved run, and shows its data and model in their panels again. */
  private async resume(backend?: 'webgpu' | 'cpu'): Promise<void> {
    const panels = await this.run.resumeSaved(backend);
    if (panels?.dataset) await this.data?.restore(panels.dataset);
    if (panels?.model && this.modelState.shape) this.modelState.restore(panels.model);
  }

  private renderResumable() {
    const r = this.run.resumable;
    if (!r) return nothing;
    return html`<p class="resume" role="status" data-testid="resumable">
      An unfinished run on <strong>${r.source}</strong> was saved after epoch ${r.epoch} of ${r.epochs}
      (${new Date(r.savedAt).toLocaleString()}).
      <button @click=${() => this.resume()}>Resume it</button>
      <button @click=${() => this.resume('cpu')}>Resume on the CPU</button>
      <button @click=${() => this.run.discardSaved()}>Discard</button>
    </p>`;
  }

  override render() {
    // Steps are numbered as they show: 1-6 on the full page, 1-3 in compact mode.
    const first = this.compact ? 1 : 3;
    const f = this.failure;
    return html`
      <header>
        <h1>webgpu-trainer</h1>
        <wt-backend-badge
          .probe=${this.probe}
          .choice=${this.run.backend?.choice}
          .tuning=${this.run.backend?.tuning}
        ></wt-backend-badge>
      </header>
      <p class="intro" data-testid="intro">
        Train a neural network on a table of your own data, here in the browser, on your GPU where it has WebGPU
        (nothing is uploaded). Start with step 1: pick a sample dataset or drop a CSV file, then train.
      </p>
      ${
        f
          ? html`<p class="failure" role="alert" data-testid="failure">
              ${f.message}
            </p>`
          : nothing
      }
      ${this.renderResumable()}
      <wt-data-panel exportparts="panel" .data=${this.data}></wt-data-panel>
      <wt-model-panel exportparts="panel" .model=${this.modelState}></wt-model-panel>
      <wt-train-panel
        exportparts="panel"
        .step=${first}
        .run=${this.run}
        ?ready=${this.data?.prepared != null && this.modelState.modelJson() !== null}
        @train=${this.train}
      ></wt-train-panel>
      <wt-eval-panel
        exportparts="panel"
        .step=${first + 1}
        .evaluation=${this.run.evaluation}
        .label=${this.run.results.evaluationLabel}
      ></wt-eval-panel>
      <wt-predict-panel exportparts="panel" .step=${first + 2} .run=${this.run}></wt-predict-panel>
      <wt-models-panel exportparts="panel" .step=${first + 3} .run=${this.run} .saved=${this.saved} .data=${this.data}></wt-models-panel>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webgpu-trainer': WebGPUTrainer;
  }
}
