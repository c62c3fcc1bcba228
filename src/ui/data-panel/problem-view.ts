/**
 * A file or a setting that failed, in plain words, with the way past it as a button or a choice:
 * skip the rows with the wrong number of fields, read the file in another encoding.
 */
import { html, nothing } from 'lit';
import { COMMON_ENCODINGS, type Remedy } from '../../data/index';
import type { DataState } from '../state/data-state';

function remedyControls(d: DataState, remedy: Remedy) {
  if (remedy.action === 'skip-ragged-rows') {
    return html`<button class="primary" data-testid="remedy" @click=${() => d.applyRemedy(remedy)}>
      Skip the rows with the wrong number of fields
    </button>`;
  }
  if (remedy.action === 'choose-encoding') {
    const choices = COMMON_ENCODINGS.filter((e) => remedy.encodings.includes(e.encoding));
    // Read at click time: the select keeps the user's pick across re-renders.
    const picked = (button: EventTarget | null) =>
      (button as HTMLElement).parentElement?.querySelector<HTMLSelectElement>(
        'select[data-testid="encoding"]',
      )?.value;
    return html`<label
        >The file's text encoding
        <select aria-label="text encoding" data-testid="encoding">
          ${choices.map((e) => html`<option value=${e.encoding}>${e.label}</option>`)}
        </select></label
      >
      <button class="primary" data-testid="remedy" @click=${(e: Event) => d.applyRemedy(remedy, picked(e.currentTarget))}>
        Read it in this encoding
      </button>`;
  }
  return nothing;
}

const HINT: Record<Remedy['action'], string> = {
  'skip-ragged-rows': 'Fix the row in the file, or leave such rows out:',
  'choose-encoding': 'It was saved in another text encoding. Save it as UTF-8, or say which encoding it is:',
  'impute-missing-columns': '',
};

export function renderProblem(d: DataState) {
  if (!d.error) return nothing;
  return html`<div class="problem" role="alert" data-testid="data-error">
    <p class="error">${d.error}</p>
    ${d.remedy ? html`<div class="row"><span>${HINT[d.remedy.action]}</span> ${remedyControls(d, d.remedy)}</div>` : nothing}
  </div>`;
}
