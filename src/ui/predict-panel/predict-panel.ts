import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { panelStyles } from '../shared-styles';
import { formatCount } from '../state/format';
import { ObserveController } from '../state/observable';
import { predictFile } from '../state/predict-file';
import type { PredictionTable } from '../state/predictions';
import { describeLabel, type PredictionResult, type Results } from '../state/results';
import type { RunState } from '../state/run-state';

/** Rows per page of the predictions table. */
export const PAGE_ROWS = 20;
/** Input columns shown before the answers are; the download holds them all. */
const INPUT_COLUMNS = 6;

/** Step 5: run the model on a CSV of new rows, show the answers page by page, and offer them as a CSV. */
@customElement('wt-predict-panel')
export class PredictPanel extends LitElement {
  /** The run whose current model predicts, and whose results hold the predictions. */
  @property({ attribute: false }) run?: RunState;
  /** The step's number in the page's sequence of sections. */
  @property({ type: Number }) step = 5;
  @state() private busy = false;
  @state() private page = 0;
  private shown: PredictionResult | null = null;

  static override styles = [
    panelStyles,
    css`
      td.answer, th.answer { background: var(--wt-surface); }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
    `,
  ];

  constructor() {
    super();
    new ObserveController(this, () => this.run);
    new ObserveController(this, () => this.run?.results);
  }

  override render() {
    const model = this.run?.current;
    const heading = html`<h2 id="predict-h">${this.step} · Predict</h2>`;
    if (!model) {
      return html`<section part="panel" aria-labelledby="predict-h">
        ${heading}
        <p class="muted" data-testid="predict-empty">
          Once a model is trained (or loaded in Models), give it a CSV of new rows to see what it predicts for each.
        </p>
      </section>`;
    }
    const context = model.context;
    const results = this.run?.results;
    return html`<section part="panel" aria-labelledby="predict-h">
      ${heading}
      ${
        context
          ? html`<p class="muted">
              A CSV with the same columns as ${context.source} (the target column may be absent) gets the model's
              ${context.task === 'classification' ? 'predicted class and class probabilities' : 'predicted value'} added.
            </p>`
          : html`<p class="muted">
              This model's file does not hold the data preprocessing it was trained with, so it cannot read CSV rows.
            </p>`
      }
      <label ?hidden=${!context}
        >New rows (CSV) <input type="file" accept=".csv,.tsv,.txt,text/csv" data-testid="predict-file" @change=${this.onPick}
      /></label>
      ${this.busy ? html`<p class="muted" role="status">Predicting…</p>` : nothing}
      ${results?.predictError ? this.renderError(results.predictError) : nothing}
      ${results?.predictions ? this.renderResult(results.predictions) : nothing}
    </section>`;
  }

  private renderError(e: NonNullable<Results['predictError']>) {
    const remedy = e.remedy?.action === 'impute-missing-columns' ? e.remedy : null;
    const file = e.file;
    return html`<p class="error" role="alert" data-testid="predict-error">${e.label.data}: ${e.message}</p>
      ${
        remedy && file
          ? html`<p class="row">
              <button class="primary" data-testid="predict-remedy" @click=${() => this.predict(file, 'impute')}>
                Fill ${remedy.columns.length === 1 ? 'that column' : 'those columns'} with the training data's typical
                value and predict
              </button>
            </p>`
          : nothing
      }`;
  }

  override willUpdate(): void {
    // New predictions open on their first page.
    const r = this.run?.results.predictions ?? null;
    if (r !== this.shown) {
      this.shown = r;
      this.page = 0;
    }
  }

  private renderResult(r: PredictionResult) {
    const t = r.table;
    const pages = Math.max(1, Math.ceil(t.rowCount / PAGE_ROWS));
    const from = this.page * PAGE_ROWS;
    const to = Math.min(t.rowCount, from + PAGE_ROWS);
    return html`<p class="muted" data-testid="predict-label">${describeLabel(r.label)}</p>
      <p>
        <a href=${r.url} download=${r.fileName} data-testid="predict-download">Download ${r.fileName}</a>
        (${formatCount(t.rowCount)} rows, every column)
      </p>
      ${r.notes.map((n) => html`<p class="muted">${n}</p>`)} ${this.renderTable(t, from, to)}
      <div class="row" ?hidden=${pages === 1}>
        <button ?disabled=${this.page === 0} @click=${() => this.page--}>Previous rows</button>
        <button ?disabled=${this.page >= pages - 1} @click=${() => this.page++}>Next rows</button>
      </div>`;
  }

  private renderTable(t: PredictionTable, from: number, to: number) {
    const inputs = t.inputFields.slice(0, INPUT_COLUMNS);
    const hidden = t.inputFields.length - inputs.length;
    const rows = Array.from({ length: to - from }, (_, i) => from + i);
    return html`<p class="muted" data-testid="predict-range">
        Rows ${formatCount(from + 1)}–${formatCount(to)} of ${formatCount(t.rowCount)}${
          hidden > 0 ? `; ${formatCount(hidden)} more input columns are in the download` : ''
        }
      </p>
      <div class="scroll">
        <table data-testid="predictions">
          <thead>
            <tr>
              <th>row</th>
              ${t.answerFields.map((f) => html`<th class="answer">${f}</th>`)}
              ${inputs.map((f) => html`<th>${f}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${rows.map((r) => {
              const cells = t.inputRow(r).slice(0, INPUT_COLUMNS);
              return html`<tr>
                <td class="num">${formatCount(r + 1)}</td>
                ${t
                  .answerRow(r)
                  .map(
                    (v) =>
                      html`<td class="answer ${typeof v === 'number' ? 'num' : ''}">${typeof v === 'number' ? v.toFixed(4) : v}</td>`,
                  )}
                ${cells.map((c) => html`<td>${c ?? ''}</td>`)}
              </tr>`;
            })}
          </tbody>
        </table>
      </div>`;
  }

  private onPick = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) await this.predict(file, 'error');
  };

  private async predict(file: File, onMissingColumn: 'error' | 'impute'): Promise<void> {
    if (!this.run) return;
    this.busy = true;
    try {
      await predictFile(this.run, file, onMissingColumn);
    } finally {
      this.busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-predict-panel': PredictPanel;
  }
}
