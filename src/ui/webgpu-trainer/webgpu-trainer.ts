import { css, html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import '../backend-badge/backend-badge';
import { type GpuProbe, probeWebGPU } from '../gpu-probe';

/** The whole trainer as one element: drop `<webgpu-trainer>` into any page. */
@customElement('webgpu-trainer')
export class WebGPUTrainer extends LitElement {
  @state() private probe?: GpuProbe;

  static override styles = css`
    :host { display: block; max-width: 1100px; margin: 0 auto; padding: 1rem; }
    header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
    h1 { font-size: 1.4rem; margin: 0; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    probeWebGPU().then((p) => {
      this.probe = p;
    });
  }

  override render() {
    return html`
      <header>
        <h1>webgpu-trainer</h1>
        <backend-badge .probe=${this.probe}></backend-badge>
      </header>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webgpu-trainer': WebGPUTrainer;
  }
}
