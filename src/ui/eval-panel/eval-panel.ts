import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import '../live-chart/live-chart';
import { panelStyles } from '../shared-styles';
import type { Evaluation } from '../state/evaluation';

/** Rates and precisions live in [0, 1]; one array so the chart sees the same value every render. */
const UNIT: [number, number] = [0, 1];

const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4));

/** Step 4: the test split's metrics, confusion matrix and curves (or predicted vs actual). */
@customElement('wt-eval-panel')
export class EvalPanel extends LitElement {
  /** What to show; nothing until a run has finished. */
  @property({ attribute: false }) evaluation: Evaluation | null = null;

  static override styles = [
    panelStyles,
    css`
      td.cell { text-align: center; min-width: 2.5rem; }
    `,
  ];

  override render() {
    const e = this.evaluation;
    if (!e) return nothing;
    return html`<section part="panel" aria-labelledby="eval-h">
      <h2 id="eval-h">4 · Evaluate (test split)</h2>
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
            ? html`<wt-live-chart heading="ROC curve (one-vs-rest)" .xLabel=${'false positive rate'} .yRange=${UNIT} .points=${false} .labels=${e.roc.labels} .data=${e.roc.data}></wt-live-chart>
              <wt-live-chart heading="Precision-recall curve" .xLabel=${'recall'} .yRange=${UNIT} .points=${false} .labels=${e.pr.labels} .data=${e.pr.data}></wt-live-chart>`
            : this.renderRegression(e.actual, e.predicted)
        }
      </div>
    </section>`;
  }

  private renderConfusion(classNames: string[], m: number[][]) {
    const max = Math.max(1, ...m.flat());
    return html`<div class="scroll">
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
    </div>`;
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
