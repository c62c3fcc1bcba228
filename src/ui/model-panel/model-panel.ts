import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { layerClasses } from '../../nn/layers/index';
import { panelStyles } from '../shared-styles';
import type { ModelState, TrainingSettings } from '../state/model-state';
import { ObserveController } from '../state/observable';
import { PRESETS } from '../state/presets';

/** The editable part of a layer's config: everything but its name and input shape. */
function configText(config: Record<string, unknown>): string {
  const { name: _n, inputShape: _i, ...rest } = config;
  return JSON.stringify(rest);
}

/** Step 2: pick a preset or edit the layers, check the summary, set the training settings. */
@customElement('wt-model-panel')
export class ModelPanel extends LitElement {
  /** The model state this panel shows and edits. */
  @property({ attribute: false }) model?: ModelState;

  constructor() {
    super();
    new ObserveController(this, () => this.model);
  }

  static override styles = [
    panelStyles,
    css`
      .layers input[type='text'] { width: min(28rem, 60vw); font-family: ui-monospace, monospace; font-size: 0.8rem; }
      select, input { font: inherit; }
      .settings label { display: inline-flex; gap: 0.3rem; align-items: center; }
    `,
  ];

  override render() {
    const m = this.model;
    if (!m) return nothing;
    if (!m.shape) {
      return html`<section part="panel"><h2>2 · Model</h2><p class="muted">Load a dataset first.</p></section>`;
    }
    return html`<section part="panel" aria-labelledby="model-h">
      <h2 id="model-h">2 · Model</h2>
      <div class="row">
        <span>Presets:</span>
        ${PRESETS.map((p) => {
          const reason = p.unavailable(m.shape!);
          return html`<button
            ?disabled=${reason !== null}
            title=${reason ?? ''}
            aria-pressed=${m.presetId === p.id}
            @click=${() => m.choosePreset(p.id)}
          >
            ${p.title}
          </button>`;
        })}
      </div>
      ${this.renderPresetNotes(m)}
      <div class="scroll">
        <table class="layers" data-testid="layers">
          <thead>
            <tr><th>#</th><th>layer</th><th>config (JSON)</th><th></th></tr>
          </thead>
          <tbody>
            ${m.layers.map(
              (layer, i) => html`<tr>
                <td>${i + 1}</td>
                <td>
                  <select
                    aria-label="layer ${i + 1} class"
                    @change=${(e: Event) =>
                      m.editLayer(i, (e.target as HTMLSelectElement).value, configText(m.layers[i].config))}
                  >
                    ${Object.keys(layerClasses).map((c) => html`<option ?selected=${c === layer.className}>${c}</option>`)}
                  </select>
                </td>
                <td>
                  <input
                    type="text"
                    aria-label="layer ${i + 1} config"
                    .value=${configText(layer.config)}
                    @input=${(e: Event) => m.editLayer(i, m.layers[i].className, (e.target as HTMLInputElement).value)}
                  />
                </td>
                <td>
                  <button title="insert a layer above" @click=${() => m.insertLayer(i, { className: 'Dense', config: { units: 16, activation: 'relu' } })}>+</button>
                  <button title="remove this layer" @click=${() => m.removeLayer(i)}>−</button>
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      ${m.notice ? html`<p class="muted" role="status" data-testid="model-notice">${m.notice}</p>` : nothing}
      ${m.rowErrors.filter((e) => e).map((e) => html`<p class="error" role="alert">${e}</p>`)}
      ${m.error ? html`<p class="error" role="alert" data-testid="model-error">${m.error}</p>` : nothing}
      ${m.summary ? this.renderSummary(m) : nothing} ${this.renderSettings(m)}
    </section>`;
  }

  /** Why a preset is off, or what it reads, in the page rather than only in a tooltip. */
  private renderPresetNotes(m: ModelState) {
    const notes = PRESETS.flatMap((p) => {
      const off = p.unavailable(m.shape!);
      const on = off ? null : (p.note?.(m.shape!) ?? null);
      return off || on
        ? [html`<li data-preset=${p.id}>${p.title}: ${off ? `not available, ${off}` : on}.</li>`]
        : [];
    });
    return notes.length ? html`<ul class="muted" data-testid="preset-notes">${notes}</ul>` : nothing;
  }

  private renderSummary(m: ModelState) {
    const s = m.summary!;
    return html`<div class="scroll">
      <table data-testid="summary">
        <thead>
          <tr><th>layer</th><th>type</th><th>output shape</th><th>params</th></tr>
        </thead>
        <tbody>
          ${s.rows.map(
            (r) => html`<tr>
              <td>${r.name}</td>
              <td>${r.type}</td>
              <td>(${r.outputShape.map((d) => (d === null ? 'batch' : d)).join(', ')})</td>
              <td>${r.params.toLocaleString('en')}</td>
            </tr>`,
          )}
        </tbody>
      </table>
      <p class="muted">
        ${s.totalParams.toLocaleString('en')} parameters (${s.trainableParams.toLocaleString('en')} trainable)
      </p>
    </div>`;
  }

  private renderSettings(m: ModelState) {
    const s = m.settings;
    const num = (key: keyof TrainingSettings, label: string, step = 1, min = 0) =>
      html`<label
        >${label}
        <input
          type="number"
          step=${step}
          min=${min}
          .value=${String(s[key])}
          @change=${(e: Event) => m.updateSettings({ [key]: Number((e.target as HTMLInputElement).value) })}
      /></label>`;
    return html`<div class="row settings">
      <label
        >optimizer
        <select @change=${(e: Event) => m.updateSettings({ optimizer: (e.target as HTMLSelectElement).value as TrainingSettings['optimizer'] })}>
          ${(['adam', 'adamw', 'sgd', 'rmsprop'] as const).map((o) => html`<option ?selected=${o === s.optimizer}>${o}</option>`)}
        </select></label
      >
      ${num('learningRate', 'learning rate', 0.001, 0.00001)}
      <label
        >schedule
        <select @change=${(e: Event) => m.updateSettings({ schedule: (e.target as HTMLSelectElement).value as TrainingSettings['schedule'] })}>
          ${(['constant', 'exponential', 'cosine'] as const).map((o) => html`<option ?selected=${o === s.schedule}>${o}</option>`)}
        </select></label
      >
      ${num('epochs', 'epochs', 1, 1)} ${num('batchSize', 'batch size', 1, 1)} ${num('seed', 'seed')}
      ${num('patience', 'early stopping patience (0 = off)')}
      <label
        ><input
          type="checkbox"
          .checked=${s.balanceClasses}
          @change=${(e: Event) => m.updateSettings({ balanceClasses: (e.target as HTMLInputElement).checked })}
        />
        balance classes</label
      >
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-model-panel': ModelPanel;
  }
}
