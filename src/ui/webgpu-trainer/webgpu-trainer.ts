import { css, html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import '../backend-badge/backend-badge';
import '../data-panel/data-panel';
import { type GpuProbe, probeWebGPU } from '../gpu-probe';
import { DataState } from '../state/data-state';

/** The whole trainer as one element: drop `<webgpu-trainer>` into any page. */
@customElement('webgpu-trainer')
export class WebGPUTrainer extends LitElement {
  /** Where the bundled samples live (a folder holding samples/index.json), relative to the page. */
  @property({ attribute: 'base-url' }) baseUrl = './';
  @state() private probe?: GpuProbe;
  private data?: DataState;

  static override styles = css`
    :host { display: block; max-width: 1100px; margin: 0 auto; padding: 1rem; }
    header { display: flex; align-items: center; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }
    h1 { font-size: 1.4rem; margin: 0; }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    this.data ??= new DataState(this.baseUrl);
    void this.data.loadSampleList();
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
      <data-panel .data=${this.data}></data-panel>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'webgpu-trainer': WebGPUTrainer;
  }
}
