import { css } from 'lit';

/**
 * The theme: custom properties with light and dark defaults (from the user's colour scheme). A host
 * page overrides any of them on the element: `webgpu-trainer { --wt-accent: #7b2cbf; }`.
 */
export const themeStyles = css`
  :host {
    --wt-bg: #ffffff;
    --wt-fg: #1b1d21;
    --wt-muted: #5b6270;
    --wt-border: #c8ccd4;
    --wt-accent: #1f5fa8;
    --wt-accent-fg: #ffffff;
    --wt-error: #b00020;
    --wt-surface: #f4f6f9;
    color-scheme: light;
    background: var(--wt-bg);
    color: var(--wt-fg);
    font-family: system-ui, sans-serif;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --wt-bg: #16181c;
      --wt-fg: #e8eaed;
      --wt-muted: #a9b0bc;
      --wt-border: #3a3f48;
      --wt-accent: #6ea8fe;
      --wt-accent-fg: #0b1020;
      --wt-error: #ff8a80;
      --wt-surface: #20242a;
      color-scheme: dark;
    }
  }
`;

/** Styles every panel shares: sections, tables, buttons, the error box, focus, narrow screens. */
export const panelStyles = css`
  :host { display: block; }
  section { border: 1px solid var(--wt-border); border-radius: 8px; padding: 0.8rem 1rem; margin: 0.8rem 0; }
  h2 { font-size: 1.1rem; margin: 0 0 0.6rem; }
  table { border-collapse: collapse; font-size: 0.85rem; }
  th, td { border-bottom: 1px solid var(--wt-border); padding: 0.2rem 0.5rem; text-align: left; white-space: nowrap; }
  th { font-weight: 600; }
  /*
   * A box wider than the screen scrolls sideways, and shows it: a shadow on each edge with more
   * beyond it (covered by a background-coloured gradient that scrolls with the content at each end).
   */
  .scroll {
    overflow-x: auto;
    max-width: 100%;
    --wt-edge: color-mix(in srgb, var(--wt-fg) 30%, transparent);
    background:
      linear-gradient(to right, var(--wt-bg) 40%, transparent) left / 2rem 100% no-repeat local,
      linear-gradient(to left, var(--wt-bg) 40%, transparent) right / 2rem 100% no-repeat local,
      radial-gradient(farthest-side at 0 50%, var(--wt-edge), transparent) left / 0.8rem 100% no-repeat scroll,
      radial-gradient(farthest-side at 100% 50%, var(--wt-edge), transparent) right / 0.8rem 100% no-repeat scroll;
  }
  .row { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; margin: 0.4rem 0; }
  .muted { color: var(--wt-muted); font-size: 0.85rem; }
  /* Something happened that the user should read, but nothing is wrong now (a recovery, a fallback). */
  .notice { border-left: 3px solid var(--wt-accent); background: var(--wt-surface); padding: 0.4rem 0.6rem; border-radius: 4px; overflow-wrap: anywhere; }
  .error { color: var(--wt-error); border: 1px solid var(--wt-error); padding: 0.4rem 0.6rem; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
  button { font: inherit; color: inherit; padding: 0.3rem 0.8rem; border-radius: 6px; border: 1px solid var(--wt-border); background: var(--wt-surface); cursor: pointer; }
  button:disabled { opacity: 0.5; cursor: default; }
  button.primary { background: var(--wt-accent); color: var(--wt-accent-fg); border-color: var(--wt-accent); }
  button[aria-pressed='true'] { border-color: var(--wt-accent); box-shadow: inset 0 0 0 1px var(--wt-accent); }
  input, select { font: inherit; color: inherit; background: var(--wt-bg); border: 1px solid var(--wt-border); border-radius: 4px; max-width: 100%; }
  input[type='number'] { width: 5rem; }
  /* A file input is wide: on a narrow screen it must wrap inside its label rather than overflow. */
  label:has(input[type='file']) { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 0.4rem; max-width: 100%; }
  input[type='file'] { max-width: 100%; border: none; }
  :is(button, input, select, summary, a):focus-visible { outline: 2px solid var(--wt-accent); outline-offset: 2px; }
  a { color: var(--wt-accent); }
  .grid, .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(320px, 100%), 1fr)); gap: 1rem; }
`;
