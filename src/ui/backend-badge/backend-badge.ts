import { css, html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { BackendChoice, TuningInfo } from '../../backend/index';
import type { GpuProbe } from '../gpu-probe';

/** One line on kernel tuning: how many classes got a faster kernel than the rule, and the best speed-up. */
export function tuningSummary(t: TuningInfo | undefined): string {
  if (!t || t.mode === 'off' || t.choices.length === 0) return '';
  const faster = t.choices.filter((c) => c.kernel !== c.builtin);
  if (faster.length === 0)
    return ` · kernels tuned (${t.choices.length} shapes): the built-in choice was fastest`;
  const best = Math.max(...faster.map((c) => c.speedup));
  return ` · kernels tuned: ${faster.length} of ${t.choices.length} shapes faster, up to ${best.toFixed(2)}x`;
}

/**
 * Shows what the browser offers: the WebGPU adapter (and whether it is a software fallback) or CPU
 * with the reason; once a run on auto has picked, which backend it picked (the reason as a tooltip).
 */
@customElement('wt-backend-badge')
export class BackendBadge extends LitElement {
  /** The probe result; undefined while probing. */
  @property({ attribute: false }) probe?: GpuProbe;
  /** What setBackend('auto') picked for the last run, when it picked. */
  @property({ attribute: false }) choice?: BackendChoice;
  /** WebGPU's kernel tuning as the last run reported it (getBackendInfo().tuning); none before a run. */
  @property({ attribute: false }) tuning?: TuningInfo;

  static override styles = css`
    :host { display: inline-block; font-size: 0.85rem; max-width: 100%; }
    /*
     * One box, not an inline pill: a long adapter name on a narrow screen wraps inside the box
     * instead of breaking the pill's border into pieces line by line.
     */
    span { display: inline-block; box-sizing: border-box; max-width: 100%; padding: 0.2rem 0.6rem; border-radius: 0.8rem; border: 1px solid currentColor; line-height: 1.35; }
    .gpu { color: #0a7d32; }
    .cpu { color: #a15c00; }
    .webgpu { color: #0a7d32; }
  `;

  override render() {
    const c = this.choice;
    return html`${this.renderProbe()}${
      c
        ? html` <span class=${c.picked} data-testid="auto-pick" title=${c.reason}
            >Auto: ${c.picked === 'cpu' ? 'CPU' : 'WebGPU'}</span
          >`
        : ''
    }`;
  }

  private renderProbe() {
    const p = this.probe;
    if (!p) return html`<span data-state="probing">Looking for a GPU…</span>`;
    if (!p.available) {
      return html`<span class="cpu" data-state="cpu" title=${p.reason ?? ''}>CPU — ${p.reason}</span>`;
    }
    const picks = (this.tuning?.choices ?? []).map(
      (c) =>
        `${c.shape}: ${c.kernel} ${c.ms.toFixed(2)} ms (built-in ${c.builtin} ${c.builtinMs.toFixed(2)} ms)`,
    );
    return html`<span class="gpu" data-state="webgpu" title=${[p.adapter ?? '', ...picks].join('\n')}
      >WebGPU — ${p.adapter}${p.isFallbackAdapter ? ' (software fallback adapter)' : ''}${tuningSummary(this.tuning)}</span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-backend-badge': BackendBadge;
  }
}
