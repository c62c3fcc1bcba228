import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import '../live-chart/live-chart';
import '../histograms-view/histograms-view';
import type { BackendRequest } from '../../worker/protocol';
import { panelStyles } from '../shared-styles';
import { ObserveController } from '../state/observable';
import { progressLine } from '../state/run-progress';
import type { RunState } from '../state/run-state';

const BACKENDS: [BackendRequest, string][] = [
  ['auto', 'Auto (the faster for this model)'],
  ['webgpu', 'WebGPU'],
  ['cpu', 'CPU'],
];

/** Step 3: train, pause, resume, stop; progress, speed and live curves of every logged metric. */
@customElement('wt-train-panel')
export class TrainPanel extends LitElement {
  /** The run this panel shows and controls. */
  @property({ attribute: false }) run?: RunState;
  /** Whether there is a dataset and a model that builds. */
  @property({ type: Boolean }) ready = false;
  /** The step's number in the page's sequence of sections. */
  @property({ type: Number }) step = 3;

  constructor() {
    super();
    new ObserveController(this, () => this.run);
  }

  static override styles = [
    panelStyles,
    css`
      progress { width: 100%; height: 0.9rem; }
    `,
  ];

  override render() {
    const r = this.run;
    if (!r) return nothing;
    const active = r.status === 'training' || r.status === 'paused' || r.status === 'stopping';
    return html`<section part="panel" aria-labelledby="train-h">
      <h2 id="train-h">${this.step} · Train</h2>
      <div class="row">
        <button class="primary" ?disabled=${!this.ready || active} @click=${() => this.dispatchEvent(new CustomEvent('train', { bubbles: true, composed: true }))}>
          ${r.status === 'done' || r.status === 'error' ? 'Train again' : 'Train'}
        </button>
        ${
          r.status === 'paused'
            ? html`<button @click=${() => r.resume()}>Resume</button>`
            : html`<button ?disabled=${r.status !== 'training'} @click=${() => r.pause()}>Pause</button>`
        }
        <button ?disabled=${!active || r.status === 'stopping'} @click=${() => r.stop()}>Stop</button>
        <span data-testid="run-status" class="muted">${r.status}</span>
        <label>backend
          <select data-testid="backend-select" ?disabled=${active} @change=${(e: Event) => r.setBackendPreference((e.target as HTMLSelectElement).value as BackendRequest)}>
            ${BACKENDS.map(([value, text]) => html`<option value=${value} ?selected=${r.backendPreference === value}>${text}</option>`)}
          </select>
        </label>
      </div>
      ${r.status !== 'idle' ? this.renderProgress(r) : nothing}
      ${r.error ? html`<p class="error" role="alert" data-testid="run-error">${r.error}</p>` : nothing}
      ${r.recovered ? recoveredNotice(r.recovered) : nothing}
      ${r.resumeNote ? html`<p class="muted" role="status" data-testid="resume-note">${r.resumeNote}</p>` : nothing}
      ${r.storageProblem ? html`<p class="error" role="status" data-testid="storage-problem">${r.storageProblem}</p>` : nothing}
      <div class="charts">
        ${r.log.metrics().map((metric) => {
          const c = r.log.curves(metric);
          return html`<wt-live-chart data-metric=${metric} heading=${metric} latest .labels=${c.labels} .data=${c.data}></wt-live-chart>`;
        })}
      </div>
      <wt-histograms-view .snapshots=${r.histograms} .revision=${r.histogramsTaken} .taken=${r.histogramsTaken}></wt-histograms-view>
    </section>`;
  }

  private renderProgress(r: RunState) {
    const b = r.backend;
    return html`
      <progress max="1" .value=${r.progress.fraction} aria-label="training progress"></progress>
      <p class="muted" data-testid="progress-text">${progressLine(r.progress, r.status === 'paused')}</p>
      ${
        b
          ? html`<p class="muted" data-testid="run-backend">
            Training on ${b.description}${r.location === 'worker' ? ', in a Worker' : ', on the page'}${
              b.fallbackReason ? ` (${b.fallbackReason})` : ''
            }
          </p>`
          : nothing
      }
      ${
        b?.choice
          ? html`<p class="muted" data-testid="backend-choice">
            Auto picked ${b.choice.reason}${b.choice.cached ? ' (timed before for this model)' : ''}
          </p>`
          : nothing
      }
    `;
  }
}

/** What happened, from what to what and why, and what (if anything) to do about it. */
function recoveredNotice(info: NonNullable<RunState['recovered']>) {
  const onCpu = /^CPU/.test(info.to);
  return html`<p class="notice" role="status" data-testid="recovered-notice">
    The GPU device failed (${info.cause}). Training went on from epoch ${info.epoch + 1} on ${info.to},
    from the weights of the last completed epoch: nothing was lost, and the model can be downloaded as usual.${
      onCpu ? ' The CPU is slower: when this run ends, train again to try the GPU.' : ''
    }
  </p>`;
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-train-panel': TrainPanel;
  }
}
