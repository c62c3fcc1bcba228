import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { rareClasses } from '../../data/index';
import { panelStyles } from '../shared-styles';
import type { DataState } from '../state/data-state';
import { ObserveController } from '../state/observable';
import { renderColumns } from './columns-view';
import { renderProblem } from './problem-view';

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
      td.why { white-space: normal; min-width: 14rem; }
      tr.block td { background: var(--wt-surface); }
      .notice { border-left: 3px solid var(--wt-accent); padding: 0.2rem 0.6rem; margin: 0.4rem 0; }
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
      ${d.updating ? html`<p class="muted" role="status">Updating the dataset…</p>` : nothing}
      ${renderProblem(d)} ${this.renderDataset(d)}
    </section>`;
  }

  private renderDataset(d: DataState) {
    const { choice, schema, prepared, table: t } = d;
    if (!choice || !schema || !prepared || !t) return nothing;
    const { missingTarget, missingValues, droppedClasses } = prepared.dropped;
    const dropped = missingTarget + missingValues;
    const n = (v: number) => v.toLocaleString('en');
    return html`
      <p class="summary" data-testid="data-summary">
        <strong>${t.source}</strong>: ${n(t.rowCount)} rows, ${t.columnNames.length} columns.
        Task: <strong>${prepared.task}</strong>${
          prepared.classNames
            ? ` (${prepared.classNames.length} classes: ${prepared.classNames.join(', ')})`
            : ''
        }. ${n(prepared.inputSize)} features. Split: ${n(prepared.train.rows)} train / ${n(prepared.validation.rows)} validation /
        ${n(prepared.test.rows)} test${dropped > 0 ? `; ${n(dropped)} rows left out (missing values)` : ''}${
          droppedClasses > 0
            ? `; ${n(droppedClasses)} row${droppedClasses === 1 ? '' : 's'} of ${schema.droppedClasses.map((c) => `"${c}"`).join(', ')} left out`
            : ''
        }.
      </p>
      <p class="muted" data-testid="target-reason">Target <strong>${choice.target}</strong>: ${choice.targetReason}.</p>
      ${this.renderRareClasses(d)}
      <div class="row">
        <label
          >Target column
          <select
            data-testid="target"
            @change=${(e: Event) => d.update({ target: (e.target as HTMLSelectElement).value, dropClasses: [] })}
          >
            ${t.columnNames.map((c) => html`<option ?selected=${c === choice.target}>${c}</option>`)}
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
      ${schema.blocks.map(
        (b) => html`<p class="notice" data-testid="block-notice">
          <strong>${b.first} … ${b.last}</strong>: ${b.reason}.
          ${b.constant > 0 ? `${b.constant} of them hold one value in every row; they are kept (as zeros) so the block keeps its shape.` : ''}
          Change the whole block with its kind below.
        </p>`,
      )}
      ${renderColumns(d, schema)}
      <details>
        <summary>First rows</summary>
        <div class="scroll">
          <table data-testid="preview">
            <thead>
              <tr>${t.columnNames.map((c) => html`<th>${c}</th>`)}</tr>
            </thead>
            <tbody>
              ${t.preview.slice(0, 10).map((row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`)}
            </tbody>
          </table>
        </div>
      </details>
      ${[...t.warnings, ...schema.warnings, ...prepared.warnings].map((w) => html`<p class="muted">⚠ ${w}</p>`)}
    `;
  }

  /** Classes with very few rows cannot be learned or tested; offer to leave them out. */
  private renderRareClasses(d: DataState) {
    const rare = d.schema ? rareClasses(d.schema) : [];
    if (rare.length === 0) return nothing;
    const names = rare.map((c) => c.name);
    const list = rare.map((c) => `"${c.name}" (${c.rows} row${c.rows === 1 ? '' : 's'})`).join(', ');
    return html`<div class="notice row" data-testid="rare-classes">
      <span
        >${rare.length === 1 ? 'Class' : 'Classes'} ${list} of ${d.choice?.target}: too few rows to learn from, and the
        test split may get none. Often a typing slip.</span
      >
      <button @click=${() => d.dropClasses(names)}>
        Leave out ${rare.length === 1 ? `class "${names[0]}"` : `these ${rare.length} classes`} and ${rare.length === 1 && rare[0].rows === 1 ? 'its row' : 'their rows'}
      </button>
    </div>`;
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
