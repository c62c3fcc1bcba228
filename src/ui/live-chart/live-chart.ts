import { css, html, LitElement, type PropertyValues, unsafeCSS } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import type { AlignedSeries } from '../training-log';

// Readable on the light and the dark theme alike.
const COLORS = ['#7aa6d6', '#3b82f6', '#e05263', '#2e933c', '#e0a030', '#a07cc5'];

/** The most points in view for which each one is marked. */
const MAX_MARKED_POINTS = 300;
const fewPoints = (_u: uPlot, _series: number, first: number, last: number) =>
  last - first < MAX_MARKED_POINTS;

/** A line chart (uPlot) that redraws when `data` is replaced; at most one redraw per frame. */
@customElement('wt-live-chart')
export class LiveChart extends LitElement {
  /** Title above the plot. */
  @property() heading = '';
  /** One label per series (after x). */
  @property({ attribute: false }) labels: readonly string[] = [];
  /** Aligned data: x first, then one array per series. */
  @property({ attribute: false }) data: AlignedSeries = [[]];
  /** Label of the x axis. */
  @property({ attribute: 'x-label' }) xLabel = 'epoch';
  /** Label of the y axis; none when empty. */
  @property({ attribute: 'y-label' }) yLabel = '';
  /** A fixed y range (rates and probabilities); automatic when unset. */
  @property({ attribute: false }) yRange?: [number, number];
  /** A fixed x range; automatic (the data's extent) when unset. */
  @property({ attribute: false }) xRange?: [number, number];
  /** Per series (after x): drawn dashed, for reference lines such as chance or a baseline. */
  @property({ attribute: false }) dashed: readonly boolean[] = [];
  /** Per series (after x): an index into the palette, so a reference line can share its curve's colour. */
  @property({ attribute: false }) colorIndex: readonly number[] = [];
  /** Mark each point (off for dense curves). */
  @property({ type: Boolean }) points = true;
  /**
   * With the cursor off the plot, the legend shows each series' latest value (training curves);
   * otherwise it shows nothing there (a curve such as ROC has no "latest" point worth reading).
   */
  @property({ type: Boolean }) latest = false;

  @query('.plot') private plotHost!: HTMLDivElement;
  private plot?: uPlot;
  private resizeObserver?: ResizeObserver;

  static override styles = [
    unsafeCSS(uplotCss),
    css`
      :host { display: block; min-width: 280px; }
      h3 { margin: 0 0 0.3rem; font-size: 0.95rem; font-weight: 600; }
      .plot { width: 100%; }
    `,
  ];

  override render() {
    return html`<h3>${this.heading}</h3><div class="plot" role="img" aria-label=${this.heading}></div>`;
  }

  override firstUpdated(): void {
    this.resizeObserver = new ResizeObserver(() => this.plot?.setSize(this.size()));
    this.resizeObserver.observe(this.plotHost);
  }

  /** What the plot was built for: it is rebuilt only when the series or the y range really change. */
  private builtFor = '';

  override updated(changed: PropertyValues<this>): void {
    // Compared by value: callers pass a fresh labels array with every data update, and rebuilding
    // uPlot (layout, fonts, legend) on each one made every frame of training a long task.
    const key = [
      this.labels.join('\u0000'),
      this.yRange?.join(',') ?? '',
      this.xRange?.join(',') ?? '',
      this.dashed.join(','),
      this.colorIndex.join(','),
      this.points,
      this.xLabel,
      this.yLabel,
    ].join('|');
    if (!this.plot || key !== this.builtFor) {
      this.builtFor = key;
      this.schedulePlot();
    } else if (changed.has('data')) {
      this.plot.setData(this.data as uPlot.AlignedData);
    }
  }

  private plotTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * Builds the plot in a task of its own: a uPlot takes tens of milliseconds to set up, and several
   * charts appearing in one render (the first epoch of a run) would otherwise make one long task.
   */
  private schedulePlot(): void {
    if (this.plotTimer !== null) return;
    this.plotTimer = setTimeout(() => {
      this.plotTimer = null;
      if (this.isConnected) this.createPlot();
    }, 0);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.plotTimer !== null) clearTimeout(this.plotTimer);
    this.plotTimer = null;
    this.resizeObserver?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  /** The number of points the plot currently holds (for tests and diagnostics). */
  get pointCount(): number {
    return this.plot?.data[0]?.length ?? 0;
  }

  /** The axis titles uPlot draws (on its canvas, so not in the DOM), x first (for tests and diagnostics). */
  get axisLabels(): (string | null)[] {
    return this.plot?.axes.map((a) => (typeof a.label === 'string' ? a.label : null)) ?? [];
  }

  /** The plotted [min, max] of a scale ('x' or 'y'), as uPlot drew it (for tests and diagnostics). */
  scaleRange(scale: 'x' | 'y'): [number, number] | null {
    const s = this.plot?.scales[scale];
    return s?.min == null || s.max == null ? null : [s.min, s.max];
  }

  /** A theme colour from the custom properties inherited by this element. */
  private theme(name: string, fallback: string): string {
    return getComputedStyle(this).getPropertyValue(name).trim() || fallback;
  }

  private size() {
    return { width: Math.max(this.plotHost.clientWidth, 280), height: 220 };
  }

  /**
   * A legend value formatter: the value under the cursor; with the cursor off the plot (uPlot asks
   * with a null index, and shows '--' for null), the series' latest value or nothing.
   */
  private legendValue(format: (v: number) => string): uPlot.Series['value'] {
    return (u, v, seriesIdx, idx) => {
      if (idx != null) return v == null ? '' : format(v);
      if (!this.latest) return '';
      const values = u.data[seriesIdx];
      for (let i = values.length - 1; i >= 0; i--) {
        const latest = values[i];
        if (latest != null) return format(latest);
      }
      return '';
    };
  }

  private createPlot(): void {
    this.plot?.destroy();
    const series: uPlot.Series[] = [
      { label: this.xLabel, value: this.legendValue((v) => String(Number(v.toFixed(2)))) },
      ...this.labels.map((label, i) => ({
        label,
        value: this.legendValue((v) => v.toPrecision(4)),
        stroke: COLORS[(this.colorIndex[i] ?? i) % COLORS.length],
        width: i === 0 || this.dashed[i] ? 1 : 2,
        spanGaps: true,
        // Marks only where they can be told apart: drawing thousands of them made every frame long.
        points: { show: this.points && i > 0 && !this.dashed[i] ? fewPoints : false },
        ...(this.dashed[i] ? { dash: [6, 4] } : {}),
      })),
    ];
    const fg = this.theme('--wt-fg', '#1b1d21');
    const grid = { stroke: this.theme('--wt-border', '#ddd') };
    // uPlot takes a fixed range as a function of the data's extent; the data's own extent otherwise.
    const fixed = (r?: [number, number]): uPlot.Scale['range'] | undefined =>
      r ? () => [r[0], r[1]] : undefined;
    const xRange = fixed(this.xRange);
    const yRange = fixed(this.yRange);
    this.plot = new uPlot(
      {
        ...this.size(),
        series,
        scales: {
          x: { time: false, ...(xRange ? { range: xRange } : {}) },
          ...(yRange ? { y: { range: yRange } } : {}),
        },
        axes: [
          { label: this.xLabel, stroke: fg, grid },
          { ...(this.yLabel ? { label: this.yLabel } : {}), stroke: fg, grid },
        ],
        legend: { live: true },
      },
      this.data as uPlot.AlignedData,
      this.plotHost,
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-live-chart': LiveChart;
  }
}
