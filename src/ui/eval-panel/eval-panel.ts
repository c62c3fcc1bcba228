import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import '../live-chart/live-chart';
import { panelStyles } from '../shared-styles';
import type { Evaluation } from '../state/evaluation';
import { describeLabel, type ResultLabel } from '../state/results';

/** Rates and precisions live in [0, 1]; one array so the chart sees the same value every render. */
const UNIT: [number, number] = [0, 1];

const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));

/** Step 4: the test split's metrics, confusion matrix and curves (or predicted vs actual). */
@customElement('wt-eval-panel')
export class EvalPanel extends LitElement {
  /** What to show; nothing until a run has finished. */
  @property({ attribute: false }) evaluation: Evaluation | null = null;
  /** Which model and data the evaluation is of. */
  @property({ attribute: false }) label: ResultLabel | null = null;
  /** The step's number in the page's sequence of sections. */
  @property({ type: Number }) step = 4;
  /** The confusion matrix is wider than its box: say that it scrolls. */
  @state() private confusionOverflows = false;
  private readonly overflow = new ResizeObserver(() => this.measureConfusion());

  static override styles = [
    panelStyles,
    css`
      td.cell { text-align: center; min-width: 2.5rem; }
      .hint { margin: 0.2rem 0 0.8rem; }
    `,
  ];

  override render() {
    const e = this.evaluation;
    const heading = html`<h2 id="eval-h">${this.step} · Evaluate</h2>`;
    if (!e) {
      return html`<section part="panel" aria-labelledby="eval-h">
        ${heading}
        <p class="muted" data-testid="eval-empty">
          When training ends, the model is tried on the test split, rows it never trained on: its metrics, confusion
          matrix and curves show here.
        </p>
      </section>`;
    }
    return html`<section part="panel" aria-labelledby="eval-h">
      ${heading}
      ${this.label ? html`<p class="muted" data-testid="eval-label">${describeLabel(this.label)}</p>` : nothing}
      <div class="grid">
        <table data-testid="test-metrics">
          <tbody>
            ${e.rows.map(
              (r) => html`<tr>
                <th>${r.name}</th>
                <td>${r.value === null ? html`<span class="muted" title=${r.note ?? ''}>n/a — ${r.note}</span>` : fmt(r.value)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${e.task === 'classification' ? this.renderConfusion(e.classNames, e.confusion) : nothing}
      </div>
      <div class="grid">
        ${
          e.task === 'classification'
            ? html`<wt-live-chart
                  data-testid="roc"
                  heading="ROC curve (one-vs-rest)"
                  .xLabel=${'false positive rate'}
                  .yLabel=${'true positive rate'}
                  .xRange=${UNIT}
                  .yRange=${UNIT}
                  .points=${false}
                  .labels=${e.roc.labels}
                  .dashed=${e.roc.dashed}
                  .colorIndex=${e.roc.colorIndex}
                  .data=${e.roc.data}
                ></wt-live-chart>
                <wt-live-chart
                  data-testid="pr"
                  heading="Precision-recall curve"
                  .xLabel=${'recall'}
                  .yLabel=${'precision'}
                  .xRange=${UNIT}
                  .yRange=${UNIT}
                  .points=${false}
                  .labels=${e.pr.labels}
                  .dashed=${e.pr.dashed}
                  .colorIndex=${e.pr.colorIndex}
                  .data=${e.pr.data}
                ></wt-live-chart>`
            : this.renderRegression(e.actual, e.predicted)
        }
      </div>
    </section>`;
  }

  private renderConfusion(classNames: string[], m: number[][]) {
    const max = Math.max(1, ...m.flat());
    return html`<div>
      <div class="scroll" data-testid="confusion-scroll">
      <table data-testid="confusion" aria-label="confusion matrix: rows are true classes, columns predicted">
        <thead>
          <tr><th>true \\ predicted</th>${classNames.map((c) => html`<th>${c}</th>`)}</tr>
        </thead>
        <tbody>
          ${m.map(
            (row, i) => html`<tr>
              <th>${classNames[i]}</th>
              ${row.map(
                (v, j) =>
                  html`<td class="cell" style="background: rgba(${i === j ? '31,95,168' : '209,73,91'}, ${(0.08 + (0.8 * v) / max).toFixed(2)})">${v}</td>`,
              )}
            </tr>`,
          )}
        </tbody>
      </table>
      </div>
      ${
        this.confusionOverflows
          ? html`<p class="muted hint" data-testid="confusion-hint">Scroll sideways for every class →</p>`
          : nothing
      }
    </div>`;
  }

  override updated(): void {
    const box = this.renderRoot.querySelector('[data-testid="confusion-scroll"]');
    this.overflow.disconnect();
    if (box) {
      this.overflow.observe(box);
      const table = box.querySelector('table');
      if (table) this.overflow.observe(table);
    }
    this.measureConfusion();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.overflow.disconnect();
  }

  private measureConfusion(): void {
    const box = this.renderRoot.querySelector('[data-testid="confusion-scroll"]');
    const overflows = box !== null && box.scrollWidth > box.clientWidth + 1;
    if (overflows !== this.confusionOverflows) this.confusionOverflows = overflows;
  }

  private renderRegression(actual: number[], predicted: number[]) {
    const order = actual.map((_, i) => i).sort((a, b) => actual[a] - actual[b]);
    const x = order.map((i) => actual[i]);
    return html`<wt-live-chart
        heading="Predicted vs actual (sorted by actual)"
        .xLabel=${'actual'}
        .labels=${['predicted', 'actual (ideal)']}
        .data=${[x, order.map((i) => predicted[i]), x]}
      ></wt-live-chart>
      <wt-live-chart
        data-testid="residuals"
        heading="Residuals (actual − predicted)"
        .xLabel=${'actual'}
        .labels=${['residual', 'zero']}
        .data=${[x, order.map((i) => actual[i] - predicted[i]), x.map(() => 0)]}
      ></wt-live-chart>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-eval-panel': EvalPanel;
  }
}
