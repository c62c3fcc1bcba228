import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { exportOnnx } from '../../export/onnx';
import { exportPytorch } from '../../export/pytorch';
import { loadModel } from '../../io/load-model';
import { exportModelWeights, loadModelWeights } from '../../io/model-io';
import { panelStyles } from '../shared-styles';
import type { DataState } from '../state/data-state';
import { formatCount } from '../state/format';
import { ObserveController } from '../state/observable';
import { type LoadedBundle, loadBundleFile } from '../state/pytorch-bundle';
import type { RunState } from '../state/run-state';
import type { SavedModels } from '../state/saved-models';
import {
  APP_CONTEXT_KEY,
  configFile,
  fileOf,
  type TrainedModel,
  trainedModelFromFile,
} from '../state/trained-model';
import './pytorch-continue';

const fmtBytes = (n: number) =>
  n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 ** 2).toFixed(1)} MiB`;

/** Step 6: the current model (save, download) and the models kept in this browser (load, rename, delete). */
@customElement('wt-models-panel')
export class ModelsPanel extends LitElement {
  /** The run holding the current model. */
  @property({ attribute: false }) run?: RunState;
  /** The models in IndexedDB. */
  @property({ attribute: false }) saved?: SavedModels;
  /** The loaded dataset (for the encoded CSV and the rows a PyTorch bundle trains on). */
  @property({ attribute: false }) data?: DataState;
  /** A PyTorch bundle (continued.zip) loaded through the file input. */
  @state() private loadedBundle: LoadedBundle | null = null;
  /** The step's number in the page's sequence of sections. */
  @property({ type: Number }) step = 6;
  @state() private fileError: string | null = null;
  @state() private loadedNote: string | null = null;
  /** Load an uploaded file's weights into the current model (partial, by name and shape) instead of replacing it. */
  @state() private intoCurrent = false;
  @state() private partialReport: string[] = [];

  constructor() {
    super();
    new ObserveController(this, () => this.run);
    new ObserveController(this, () => this.saved);
  }

  static override styles = [
    panelStyles,
    css`
      input[type='text'] { font: inherit; width: 14rem; }
      /* The long cells wrap, so the buttons stay on screen next to the name they act on. */
      td.wrap { white-space: normal; min-width: 10rem; max-width: 22rem; overflow-wrap: anywhere; }
    `,
  ];

  override render() {
    const current = this.run?.current ?? null;
    const saved = this.saved;
    return html`<section part="panel" aria-labelledby="models-h">
      <h2 id="models-h">${this.step} · Models</h2>
      ${current ? this.renderCurrent(current) : html`<p class="muted">Train a model, or load one below.</p>`}
      <wt-pytorch-continue .run=${this.run} .data=${this.data} .loaded=${this.loadedBundle}></wt-pytorch-continue>
      <div class="row">
        <label
          >Load a weights file (.safetensors or .json) or a PyTorch bundle (.zip)
          <input type="file" accept=".safetensors,.json,.zip" data-testid="weights-file" @change=${this.onWeightsFile}
        /></label>
        <label ?hidden=${!current}
          ><input
            type="checkbox"
            data-testid="into-current"
            .checked=${this.intoCurrent}
            @change=${(e: Event) => {
              this.intoCurrent = (e.target as HTMLInputElement).checked;
            }}
          />
          into the current model (load the weights whose names and shapes match)</label
        >
      </div>
      ${
        this.partialReport.length
          ? html`<ul class="muted" data-testid="partial-report">
            ${this.partialReport.map((line) => html`<li>${line}</li>`)}
          </ul>`
          : nothing
      }
      ${this.fileError ? html`<p class="error" role="alert" data-testid="weights-error">${this.fileError}</p>` : nothing}
      ${this.loadedNote ? html`<p class="muted" role="status">${this.loadedNote}</p>` : nothing}
      ${saved?.error ? html`<p class="error" role="alert">${saved.error}</p>` : nothing}
      ${
        saved && saved.list.length > 0
          ? html`<div class="scroll">
            <table data-testid="saved-models">
              <thead>
                <tr><th>name</th><th><span class="muted">actions</span></th><th>saved</th><th>architecture</th><th>params</th><th>size</th><th>metrics</th></tr>
              </thead>
              <tbody>
                ${saved.list.map(
                  (m) => html`<tr>
                    <td>${m.name}</td>
                    <td>
                      <button @click=${() => this.load(m.name)}>Load</button>
                      <button @click=${() => this.rename(m.name)}>Rename</button>
                      <button @click=${() => saved.delete(m.name)}>Delete</button>
                    </td>
                    <td>${new Date(m.savedAt).toLocaleString()}</td>
                    <td class="muted wrap">${m.architecture}</td>
                    <td>${formatCount(m.params)}</td>
                    <td>${fmtBytes(m.sizeBytes)}</td>
                    <td class="muted wrap">${Object.entries(m.metrics)
                      .map(([k, v]) => `${k} ${v.toPrecision(3)}`)
                      .join(', ')}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
          : nothing
      }
    </section>`;
  }

  private renderCurrent(m: TrainedModel) {
    const base = (m.context?.source ?? 'model').replace(/\.[^.]*$/, '');
    return html`<p>
        Current model: <span class="muted">${m.architecture}</span> (${formatCount(m.params)} parameters)
      </p>
      <div class="row">
        <label>Name <input type="text" data-testid="model-name" .value=${`${base} model`} /></label>
        <button class="primary" @click=${this.save}>Save in this browser</button>
        <button data-testid="download-safetensors" @click=${() => this.download(m, 'safetensors', `${base}.safetensors`)}>
          Download .safetensors
        </button>
        <button data-testid="download-json" @click=${() => this.download(m, 'json', `${base}-weights.json`)}>
          Download .json
        </button>
        <button data-testid="download-onnx" @click=${() => this.exportAs('onnx', m, base)}>Download ONNX</button>
        <button data-testid="download-pytorch" @click=${() => this.exportAs('pytorch', m, base)}>
          Download PyTorch (.py)
        </button>
        <button data-testid="download-config" @click=${() => this.offer(`${base}-config.json`, configFile(m), 'application/json')}>
          Download config
        </button>
      </div>`;
  }

  private save = async () => {
    const current = this.run?.current;
    const name =
      (this.renderRoot.querySelector('[data-testid="model-name"]') as HTMLInputElement | null)?.value ?? '';
    if (!current || !this.saved) return;
    const history = this.run?.history;
    const last = history
      ? Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v[v.length - 1]]))
      : {};
    await this.saved.save(
      name,
      current,
      Object.fromEntries(Object.entries(last).filter(([, v]) => Number.isFinite(v))),
    );
  };

  private async load(name: string) {
    const model = await this.saved?.load(name);
    if (model) {
      this.run?.useModel(model);
      this.loadedNote = `Loaded '${name}'.`;
    }
  }

  private async rename(from: string) {
    const to = prompt(`Rename '${from}' to:`, from);
    if (to && to !== from) await this.saved?.rename(from, to);
  }

  private download(m: TrainedModel, format: 'safetensors' | 'json', name: string) {
    this.offer(name, fileOf(m, format), format === 'json' ? 'application/json' : 'application/octet-stream');
  }

  /**
   * The current model with the file's weights where names and shapes match (Keras's skip_mismatch);
   * the rest keep their values, and the page lists what was loaded and what was skipped, and why.
   */
  private async loadInto(current: TrainedModel, bytes: Uint8Array, fileName: string) {
    const model = loadModel(fileOf(current, 'safetensors'), { fileName: 'the current model' });
    const report = loadModelWeights(model, bytes, { strict: false, skipMismatch: true, fileName });
    const keep = Object.fromEntries(Object.entries(current.metadata).filter(([k]) => k === APP_CONTEXT_KEY));
    const updated = trainedModelFromFile(await exportModelWeights(model, { metadata: keep }), fileName);
    this.run?.useModel(updated);
    this.fileError = null;
    this.loadedNote = `Loaded ${report.loaded.length} of ${model.variables.length} weights from ${fileName} into the current model.`;
    const shape = (s?: number[]) => (s ? `[${s.join(',')}]` : '');
    this.partialReport = [
      ...report.loaded.map((name) => `loaded ${name}`),
      ...report.skipped.map(
        (s) =>
          `skipped ${s.name}: ${s.reason}${s.reason === 'shape mismatch' ? ` (file ${shape(s.fileShape)}, model ${shape(s.modelShape)})` : ''}`,
      ),
    ];
  }

  /** ONNX (inference) or a PyTorch module that reads the .safetensors file, made from the model's file. */
  private async exportAs(kind: 'onnx' | 'pytorch', m: TrainedModel, base: string) {
    try {
      const model = loadModel(fileOf(m, 'safetensors'), { fileName: `${base}.safetensors` });
      if (kind === 'onnx') this.offer(`${base}.onnx`, await exportOnnx(model), 'application/octet-stream');
      else this.offer(`${base}.py`, exportPytorch(model), 'text/x-python');
      this.fileError = null;
    } catch (err) {
      this.fileError = `could not export ${kind === 'onnx' ? 'ONNX' : 'PyTorch'}: ${(err as Error).message}`;
    }
  }

  /** Offers bytes as a file download. */
  private offer(name: string, bytes: Uint8Array | string, type: string) {
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** A zip from "Continue in PyTorch" (or the script's continued.zip): its model becomes current, resumable here. */
  private onBundle(bytes: Uint8Array, fileName: string) {
    const loaded = loadBundleFile(bytes, fileName);
    this.run?.useModel(loaded.model);
    this.loadedBundle = loaded;
    this.fileError = null;
    this.loadedNote = `Loaded ${fileName}: ${loaded.model.architecture}, trained ${loaded.bundle.state.epoch} epochs.`;
  }

  /** A bad file is reported and changes nothing; a good one becomes the current model. */
  private onWeightsFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    this.partialReport = [];
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
        this.onBundle(bytes, file.name);
        return;
      }
      this.loadedBundle = null;
      const current = this.run?.current;
      if (this.intoCurrent && current) {
        await this.loadInto(current, bytes, file.name);
        return;
      }
      const model = trainedModelFromFile(bytes, file.name);
      this.run?.useModel(model);
      this.fileError = null;
      this.loadedNote = `Loaded ${file.name}: ${model.architecture}${model.context ? '' : ' (no preprocessing inside: it cannot predict on CSV rows)'}.`;
    } catch (err) {
      this.fileError = (err as Error).message;
      this.loadedNote = null;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-models-panel': ModelsPanel;
  }
}
