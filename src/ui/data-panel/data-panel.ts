import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { COLUMN_KINDS, type ColumnKind } from '../../data/index';
import { panelStyles } from '../shared-styles';
import type { DataState } from '../state/data-state';
import { ObserveController } from '../state/observable';

/** Step 1: pick a sample or drop a CSV, check the columns, choose the target and the split. */
@customElement('wt-data-panel')
export class DataPanel extends LitElement {
  /** The dataset state this panel shows and edits. */
  @property({ attribute: false }) data?: DataState;
  @state() private dragging = false;

  constructor() {
    super();
    new ObserveController(this, () => this.data);
  }

  static override styles = [
    panelStyles,
    css`
      .drop { border: 2px dashed var(--wt-border); border-radius: 8px; padding: 0.8rem; text-align: center; }
      .drop.dragging { border-color: var(--wt-accent); }
      select { font: inherit; }
    `,
  ];

  override render() {
    const d = this.data;
    if (!d) return nothing;
    return html`<section part="panel" aria-labelledby="data-h">
      <h2 id="data-h">1 · Data</h2>
      <div class="row">
        <span>Sample datasets:</span>
        ${d.samples.map(
          (s) => html`<button data-sample=${s.file} @click=${() => d.loadSample(s)}>${s.title}</button>`,
        )}
      </div>
      <div
        class="drop ${this.dragging ? 'dragging' : ''}"
        @dragover=${(e: DragEvent) => {
          e.preventDefault();
          this.dragging = true;
        }}
        @dragleave=${() => {
          this.dragging = false;
        }}
        @drop=${this.onDrop}
      >
        Drop a CSV file here, or
        <label>choose one <input type="file" accept=".csv,.tsv,.txt,text/csv" @change=${this.onPick} /></label>
      </div>
      ${d.loading ? html`<p class="muted" role="status">Reading ${d.loading}… ${Math.round(d.progress * 100)}%</p>` : nothing}
      ${d.error ? html`<p class="error" role="alert">${d.error}</p>` : nothing} ${this.renderDataset(d)}
    </section>`;
  }

  private renderDataset(d: DataState) {
    const { choice, schema, prepared } = d;
    if (!choice || !schema || !prepared) return nothing;
    const t = choice.table;
    const dropped = prepared.dropped.missingTarget + prepared.dropped.missingValues;
    return html`
      <p class="summary" data-testid="data-summary">
        <strong>${t.source}</strong>: ${t.rowCount} rows, ${t.columns.length} columns.
        Task: <strong>${prepared.task}</strong>${
          prepared.classNames
            ? ` (${prepared.classNames.length} classes: ${prepared.classNames.join(', ')})`
            : ''
        }. ${prepared.inputSize} features. Split: ${prepared.train.rows} train / ${prepared.validation.rows} validation /
        ${prepared.test.rows} test${dropped > 0 ? `; ${dropped} rows left out (missing values)` : ''}.
      </p>
      <div class="row">
        <label
          >Target column
          <select
            data-testid="target"
            @change=${(e: Event) => d.update({ target: (e.target as HTMLSelectElement).value })}
          >
            ${t.columns.map((c) => html`<option ?selected=${c.name === choice.target}>${c.name}</option>`)}
          </select></label
        >
        ${(['train', 'validation', 'test'] as const).map(
          (part) => html`<label
            >${part} %
            <input
              type="number"
              min="0"
              max="100"
              .value=${String(Math.round(choice.split[part] * 100))}
              @change=${(e: Event) => this.setSplit(part, Number((e.target as HTMLInputElement).value) / 100)}
          /></label>`,
        )}
      </div>
      <div class="scroll">
        <table data-testid="columns">
          <thead>
            <tr><th>column</th><th>kind</th><th>role</th><th>missing</th><th>distinct</th><th>why</th></tr>
          </thead>
          <tbody>
            ${schema.columns.map(
              (c) => html`<tr>
                <td>${c.name}</td>
                <td>
                  <select
                    aria-label="kind of ${c.name}"
                    @change=${(e: Event) => d.setKind(c.name, (e.target as HTMLSelectElement).value as ColumnKind)}
                  >
                    ${COLUMN_KINDS.map((k) => html`<option ?selected=${k === c.kind}>${k}</option>`)}
                  </select>
                </td>
                <td>${c.role}</td>
                <td>${c.missing}</td>
                <td>${c.distinct}</td>
                <td class="muted">${c.reason}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <details>
        <summary>First rows</summary>
        <div class="scroll">
          <table data-testid="preview">
            <thead>
              <tr>${t.columns.map((c) => html`<th>${c.name}</th>`)}</tr>
            </thead>
            <tbody>
              ${t.preview.slice(0, 10).map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}
            </tbody>
          </table>
        </div>
      </details>
      ${[...schema.warnings, ...prepared.warnings].map((w) => html`<p class="muted">⚠ ${w}</p>`)}
    `;
  }

  /** Editing one part moves the test part (or, when test is edited, the validation part) so they sum to 1. */
  private setSplit(part: 'train' | 'validation' | 'test', value: number): void {
    const choice = this.data?.choice;
    if (!choice) return;
    const split = { ...choice.split, [part]: value };
    const rest = (a: number, b: number) => Math.max(0, Math.round((1 - a - b) * 100) / 100);
    if (part === 'test') split.validation = rest(split.train, split.test);
    else split.test = rest(split.train, split.validation);
    this.data?.update({ split });
  }

  private onPick = (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) this.data?.loadFile(file);
  };

  private onDrop = (e: DragEvent) => {
    e.preventDefault();
    this.dragging = false;
    const file = e.dataTransfer?.files?.[0];
    if (file) this.data?.loadFile(file);
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'wt-data-panel': DataPanel;
  }
}
