import { html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { Preprocessor, parseCsv, type Remedy } from '../../data/index';
import { panelStyles } from '../shared-styles';
import { ObserveController } from '../state/observable';
import { withPredictions } from '../state/predictions';
import type { RunState } from '../state/run-state';

interface PredictionFile {
  name: string;
  url: string;
  rows: number;
  notes: string[];
}

/** Step 5: run the trained model on a CSV of new rows and download it with the predictions added. */
@customElement('wt-predict-panel')
export class PredictPanel extends LitElement {
  /** The finished run whose model predicts. */
  @property({ attribute: false }) run?: RunState;
  @state() private busy = false;
  @state() private error: string | null = null;
  /** The way past `error` (fill in missing columns), offered as a button. */
  @state() private remedy: { remedy: Remedy; file: File } | null = null;
  @state() private result: PredictionFile | null = null;

  static override styles = panelStyles;

  constructor() {
    super();
    new ObserveController(this, () => this.run);
  }

  override render() {
    const model = this.run?.current;
    if (!model) return nothing;
    const context = model.context;
    return html`<section part="panel" aria-labelledby="predict-h">
      <h2 id="predict-h">5 · Predict</h2>
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
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        this.remedy?.remedy.action === 'impute-missing-columns'
          ? html`<p class="row">
              <button class="primary" data-testid="predict-remedy" @click=${this.imputeMissing}>
                Fill ${this.remedy.remedy.columns.length === 1 ? 'that column' : 'those columns'} with the training data's typical
                value and predict
              </button>
            </p>`
          : nothing
      }
      ${
        this.result
          ? html`<p>
              <a href=${this.result.url} download=${this.result.name} data-testid="predict-download"
                >Download ${this.result.name}</a
              >
              (${this.result.rows} rows)
            </p>
            ${this.result.notes.map((n) => html`<p class="muted">${n}</p>`)}`
          : nothing
      }
    </section>`;
  }

  private onPick = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (file) await this.predictFile(file, 'error');
  };

  private imputeMissing = () => {
    if (this.remedy) void this.predictFile(this.remedy.file, 'impute');
  };

  private async predictFile(file: File, onMissingColumn: 'error' | 'impute'): Promise<void> {
    const run = this.run;
    const context = run?.current?.context;
    if (!run || !context) return;
    this.busy = true;
    this.error = null;
    this.remedy = null;
    try {
      const table = await parseCsv(file);
      const { xData, report } = Preprocessor.fromJSON(context.preprocessor).encode(table, {
        onMissingColumn,
      });
      const outputs = await run.predict({ data: xData, shape: [report.rows, context.inputSize] });
      const csv = withPredictions(table, outputs.data, context.classNames);
      if (this.result) URL.revokeObjectURL(this.result.url);
      const unseen = Object.entries(report.columns)
        .filter(([, c]) => c.unseen > 0)
        .map(
          ([name, c]) =>
            `${name}: ${c.unseen} unseen categories (encoded as all zeros), e.g. ${c.unseenExamples.join(', ')}`,
        );
      this.result = {
        name: file.name.replace(/\.[^.]*$/, '') + '-predictions.csv',
        url: URL.createObjectURL(new Blob([csv], { type: 'text/csv' })),
        rows: table.rowCount,
        notes: [
          ...(report.missingColumns.length
            ? [`Filled in with training values, as the file lacks them: ${report.missingColumns.join(', ')}`]
            : []),
          ...(report.extraColumns.length
            ? [`Ignored columns the model does not use: ${report.extraColumns.join(', ')}`]
            : []),
          ...unseen,
        ],
      };
    } catch (err) {
      const e = err as Error & { plain?: string; remedy?: Remedy | null };
      this.error = e.plain ?? e.message;
      this.remedy = e.remedy ? { remedy: e.remedy, file } : null;
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
