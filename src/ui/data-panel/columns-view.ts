/**
 * The columns table: one row per column, but one row per block of like columns (pixels, time
 * steps), whose kind is set for the whole block at once; the block's members are listed below it.
 */
import { html, nothing } from 'lit';
import {
  COLUMN_KINDS,
  type ColumnBlock,
  type ColumnKind,
  type ColumnSchema,
  type Schema,
} from '../../data/index';
import type { DataState } from '../state/data-state';

/** What a whole block can be set to. */
const BLOCK_KINDS = ['numeric', 'integer-category', 'categorical', 'excluded'] as const;
type BlockKind = (typeof BLOCK_KINDS)[number];

function blockKind(members: ColumnSchema[]): BlockKind | '' {
  if (members.every((c) => c.role === 'excluded')) return 'excluded';
  const kinds = new Set(members.map((c) => c.kind));
  const only = kinds.size === 1 ? [...kinds][0] : null;
  return only && (BLOCK_KINDS as readonly string[]).includes(only) ? (only as BlockKind) : '';
}

function columnRow(d: DataState, c: ColumnSchema) {
  return html`<tr>
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
    <td>${c.missing.toLocaleString('en')}</td>
    <td>${c.distinct.toLocaleString('en')}</td>
    <td class="muted why">${c.reason}</td>
  </tr>`;
}

function blockRow(d: DataState, b: ColumnBlock, members: ColumnSchema[]) {
  const label = `${b.first} … ${b.last}`;
  const current = blockKind(members);
  const features = members.filter((c) => c.role === 'feature').length;
  return html`<tr class="block" data-testid="block-row">
    <td><strong>${label}</strong><br /><span class="muted">${members.length} columns, one block</span></td>
    <td>
      <select
        aria-label="kind of the block ${label}"
        @change=${(e: Event) =>
          d.setKinds(
            members.map((c) => c.name),
            (e.target as HTMLSelectElement).value as BlockKind,
          )}
      >
        ${current === '' ? html`<option selected disabled value="">mixed</option>` : nothing}
        ${BLOCK_KINDS.map((k) => html`<option ?selected=${k === current}>${k}</option>`)}
      </select>
    </td>
    <td>${features === members.length ? 'feature' : `${features} of ${members.length} features`}</td>
    <td>${members.reduce((n, c) => n + c.missing, 0).toLocaleString('en')}</td>
    <td>${b.min}..${b.max}</td>
    <td class="muted why">${b.reason}</td>
  </tr>`;
}

export function renderColumns(d: DataState, schema: Schema) {
  const blockMembers = schema.blocks.map((_, k) => schema.columns.filter((c) => c.block === k));
  const rows = schema.columns.map((c) => {
    if (c.block === null) return columnRow(d, c);
    const b = schema.blocks[c.block];
    return b.columns[0] === c.index ? blockRow(d, b, blockMembers[c.block]) : nothing;
  });
  return html`<div class="scroll">
      <table data-testid="columns">
        <thead>
          <tr><th>column</th><th>kind</th><th>role</th><th>missing</th><th>distinct</th><th>why</th></tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>
    ${schema.blocks.map(
      (b, k) => html`<details data-testid="block-columns">
        <summary>The ${blockMembers[k].length} columns of ${b.first} … ${b.last}, one by one</summary>
        <div class="scroll">
          <table>
            <tbody>
              ${blockMembers[k].map((c) => columnRow(d, c))}
            </tbody>
          </table>
        </div>
      </details>`,
    )}`;
}
