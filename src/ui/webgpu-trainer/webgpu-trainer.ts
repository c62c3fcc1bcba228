import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import '../backend-badge/backend-badge';
import '../data-panel/data-panel';
import '../model-panel/model-panel';
import '../train-panel/train-panel';
import '../eval-panel/eval-panel';
import '../predict-panel/predict-panel';
import '../models-panel/models-panel';
import type { PreparedDataset } from '../../data/index';
import { type GpuProbe, probeWebGPU } from '../gpu-probe';
import { DataState } from '../state/data-state';
import { ModelState } from '../state/model-state';
import { ObserveController } from '../state/observable';
import { RunState } from '../state/run-state';
import { SavedModels } from '../state/saved-models';

/** The whole trainer as one element: drop `<webgpu-trainer>` into any page. */
@customElement('webgpu-trainer')
export class WebGPUTrainer extends LitElement {
  /** Where the bundled samples live (a folder holding samples/index.json), relative to the page. */
  @property({ attribute: 'base-url' }) baseUrl = './';
  @state() private probe?: GpuProbe;
  private data?: DataState;
  private model = new ModelState();
  private run = new RunState();
  private saved = new SavedModels();
  private shownDataset: PreparedDataset | null = null;

  static override styles = css`
    :host { display: block; max-width: 1100px; margin: 0 auto; padding: 1rem; }
    header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
    h1 { font-size: 1.4rem; margin: 0; }
    .resume { border: 1px solid #1f5fa8; background: #1f5fa80d; border-radius: 8px; padding: 0.6rem 1rem; }
  `;

  constructor() {
    super();
    // The shell re-renders when the model's validity or the run's evaluation changes.
    new ObserveController(this, () => this.model);
    new ObserveController(this, () => this.run);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.data) {
      this.data = new DataState(this.baseUrl);
      this.data.addEventListener('change', () => this.onDataChange());
    }
    void this.data.loadSampleList();
    void this.run.findResumable();
    void this.saved.refresh();
    probeWebGPU().then((p) => {
      this.probe = p;
    });
  }

  /** A newly prepared dataset re-shapes the model (input width, output units). */
  private onDataChange(): void {
    const prepared = this.data?.prepared ?? null;
    if (prepared === this.shownDataset) return;
    this.shownDataset = prepared;
    this.model.setDataset(
      prepared && {
        inputSize: prepared.inputSize,
        task: prepared.task,
        outputs: prepared.task === 'classification' ? (prepared.classNames?.length ?? 2) : 1,
      },
    );
  }

  private train = () => {
    const prepared = this.data?.prepared;
    if (prepared) this.run.start(prepared, this.model, this.probe?.available ? 'webgpu' : 'cpu');
  };

  private renderResumable() {
    const r = this.run.resumable;
    if (!r) return nothing;
    return html`<p class="resume" role="status" data-testid="resumable">
      An unfinished run on <strong>${r.source}</strong> was saved after epoch ${r.epoch} of ${r.epochs}
      (${new Date(r.savedAt).toLocaleString()}).
      <button @click=${() => this.run.resumeSaved()}>Resume it</button>
      <button @click=${() => this.run.resumeSaved('cpu')}>Resume on the CPU</button>
      <button @click=${() => this.run.discardSaved()}>Discard</button>
    </p>`;
  }

  override render() {
    return html`
      <header>
        <h1>webgpu-trainer</h1>
        <backend-badge .probe=${this.probe}></backend-badge>
      </header>
      ${this.renderResumable()}
      <data-panel .data=${this.data}></data-panel>
      <model-panel .model=${this.model}></model-panel>
      <train-panel
        .run=${this.run}
        ?ready=${this.data?.prepared != null && this.model.modelJson() !== null}
        @train=${this.train}
      ></train-panel>
      <eval-panel .evaluation=${this.run.evaluation}></eval-panel>
      <predict-panel .run=${this.run}></predict-panel>
      <models-panel .run=${this.run} .saved=${this.saved}></models-panel>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webgpu-trainer': WebGPUTrainer;
  }
}
