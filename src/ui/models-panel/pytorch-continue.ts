import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { panelStyles } from '../shared-styles';
import type { DataState } from '../state/data-state';
import { ObserveController } from '../state/observable';
import { datasetEncodedCsv, type LoadedBundle, resumeBundle, runBundle } from '../state/pytorch-bundle';
import type { RunState } from '../state/run-state';

/** Offers bytes as a file download. */
function offer(name: string, bytes: Uint8Array | string, type: string) {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * "Continue in PyTorch": the run's bundle and the encoded CSV as downloads, and, once a bundle the
 * PyTorch script wrote is loaded (the Models panel's file input), training it further here.
 */
@customElement('wt-pytorch-continue')
export class PytorchContinue extends LitElement {
  @property({ attribute: false }) run?: RunState;
  @property({ attribute: false }) data?: DataState;
  /** A bundle loaded through the Models panel's file input. */
  @property({ attribute: false }) loaded: LoadedBundle | null = null;
  @state() private error: string | null = null;

  constructor() {
    super();
    new ObserveController(this, () => this.run);
    new ObserveController(this, () => this.data);
  }

  static override styles = [panelStyles];

  override render() {
    const run = this.run;
    const base = (run?.context?.source ?? 'model').replace(/\.[^.]*$/, '');
    const loaded = this.loaded;
    const w = loaded?.bundle.continuedWith;
    return html`<div class="row">
        <button
          data-testid="download-training-bundle"
          ?disabled=${!run?.lastState || run.status === 'training'}
          title="model.py, weights, optimizer state, preprocessing and a README: python3 model.py train --data your.csv"
          @click=${() => this.act(async () => offer(`${base}-pytorch.zip`, await runBundle(run!, this.data), 'application/zip'))}
        >
          Continue in PyTorch (.zip)
        </button>
        <button
          data-testid="download-encoded-csv"
          ?disabled=${!this.data?.prepared}
          @click=${() => this.act(async () => offer(`${base}-encoded.csv`, datasetEncodedCsv(this.data!), 'text/csv'))}
        >
          Download encoded CSV
        </button>
      </div>
      ${
        loaded
          ? html`<p class="muted" data-testid="bundle-loaded">
              Training state after epoch ${loaded.bundle.state.epoch}${w ? html` (continued with ${String(w.framework)} on ${String(w.processes)} process(es), ${String(w.device)})` : nothing}.
              <button data-testid="bundle-resume" @click=${() => this.act(async () => this.resume(loaded))}>
                Train 1 more epoch here
              </button>
            </p>`
          : nothing
      }
      ${this.error ? html`<p class="error" role="alert" data-testid="bundle-error">${this.error}</p>` : nothing}`;
  }

  private resume(loaded: LoadedBundle) {
    resumeBundle(this.run!, this.data, loaded, 1, this.run!.backendPreference);
  }

  private async act(fn: () => Promise<void>) {
    try {
      await fn();
      this.error = null;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-pytorch-continue': PytorchContinue;
  }
}
