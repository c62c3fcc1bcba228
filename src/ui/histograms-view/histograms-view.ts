import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { WeightHistogramSnapshot } from '../../nn/callbacks/weight-histograms';
import { panelStyles } from '../shared-styles';
import { formatCount } from '../state/format';

const WIDTH = 320;
const HEIGHT = 170;
const OFFSET = 0.55; // each later snapshot is drawn this fraction of a row lower, as TensorBoard's offset view
const MAX_RIDGES = 10;

/** At most `n` items, evenly spread, always keeping the first and the last. */
export function evenlySpaced<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]);
}

/**
 * The TensorBoard view of the weights: for each weight, its histogram after every epoch, drawn
 * as stacked ridges (oldest at the top, lighter), on one value axis shared by all epochs.
 */
@customElement('wt-histograms-view')
export class HistogramsView extends LitElement {
  /** Snapshots from train begin and after each epoch. */
  @property({ attribute: false }) snapshots: readonly WeightHistogramSnapshot[] = [];
  /** Bump to redraw after snapshots were appended in place. */
  @property({ type: Number }) revision = 0;
  /** How many snapshots the run took, when `snapshots` holds an evenly thinned part of them. */
  @property({ type: Number }) taken = 0;

  static override styles = [
    panelStyles,
    css`
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(${WIDTH}px, 100%), 1fr)); gap: 0.8rem; }
      figure { margin: 0; }
      figcaption { font-size: 0.8rem; font-family: ui-monospace, monospace; }
      canvas { width: 100%; max-width: ${WIDTH}px; aspect-ratio: ${WIDTH} / ${HEIGHT}; }
    `,
  ];

  override render() {
    const last = this.snapshots.at(-1);
    if (!last) return nothing;
    const n = this.snapshots.length;
    const count =
      this.taken > n ? `${formatCount(n)} of ${formatCount(this.taken)}, evenly spread` : formatCount(n);
    return html`<details open>
      <summary>Weight histograms (${count} snapshots, learning rate ${last.learningRate.toPrecision(3)})</summary>
      <div class="grid">
        ${last.weights.map(
          (w) => html`<figure data-weight=${w.name}>
            <canvas width=${WIDTH * 2} height=${HEIGHT * 2} aria-label="histograms of ${w.name} per epoch"></canvas>
            <figcaption>${w.name} [${w.shape.join('×')}] mean ${w.mean.toPrecision(3)} std ${w.std.toPrecision(3)}</figcaption>
          </figure>`,
        )}
      </div>
    </details>`;
  }

  private drawTimer: ReturnType<typeof setTimeout> | null = null;
  private lastDraw = 0;

  /** Redraws at most every 400 ms (epochs can end every few ms), always ending on the latest data. */
  override updated(_changed: PropertyValues<this>): void {
    if (this.drawTimer !== null) return;
    const wait = Math.max(0, this.lastDraw + 400 - performance.now());
    this.drawTimer = setTimeout(() => {
      this.drawTimer = null;
      this.lastDraw = performance.now();
      this.drawAll();
    }, wait);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.drawTimer !== null) clearTimeout(this.drawTimer);
    this.drawTimer = null;
  }

  private drawAll(): void {
    this.renderRoot.querySelectorAll('figure').forEach((figure) => {
      const name = figure.dataset.weight ?? '';
      const canvas = figure.querySelector('canvas');
      if (canvas) this.draw(canvas, name);
    });
  }

  private draw(canvas: HTMLCanvasElement, name: string): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const series = evenlySpaced(this.snapshots, MAX_RIDGES)
      .map((s) => s.weights.find((w) => w.name === name))
      .filter((w) => w !== undefined);
    const lo = Math.min(...series.map((h) => h.edges[0]));
    const hi = Math.max(...series.map((h) => h.edges[h.edges.length - 1]));
    const peak = Math.max(1, ...series.flatMap((h) => h.counts));
    const w = canvas.width;
    const h = canvas.height;
    const rows = series.length;
    const rowHeight = h / (1 + (rows - 1) * OFFSET + 0.2);
    const x = (v: number) => ((v - lo) / (hi - lo || 1)) * (w - 20) + 10;
    ctx.clearRect(0, 0, w, h);
    series.forEach((hist, i) => {
      const base = rowHeight * (1 + i * OFFSET);
      const shade = rows > 1 ? i / (rows - 1) : 1;
      ctx.beginPath();
      ctx.moveTo(x(hist.edges[0]), base);
      hist.counts.forEach((c, b) => {
        const mid = (hist.edges[b] + hist.edges[b + 1]) / 2;
        ctx.lineTo(x(mid), base - (c / peak) * rowHeight * 0.95);
      });
      ctx.lineTo(x(hist.edges[hist.edges.length - 1]), base);
      ctx.closePath();
      ctx.fillStyle = `rgba(31, 95, 168, ${0.15 + 0.6 * shade})`;
      ctx.strokeStyle = '#ffffffaa';
      ctx.fill();
      ctx.stroke();
    });
    ctx.fillStyle = '#888';
    ctx.font = '20px system-ui';
    ctx.fillText(lo.toPrecision(2), 4, h - 4);
    const hiText = hi.toPrecision(2);
    ctx.fillText(hiText, w - ctx.measureText(hiText).width - 4, h - 4);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-histograms-view': HistogramsView;
  }
}
