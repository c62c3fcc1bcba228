import { css } from 'lit';

/** Styles every panel shares: sections, tables, buttons, the error box. */
export const panelStyles = css`
  :host { display: block; }
  section { border: 1px solid #8884; border-radius: 8px; padding: 0.8rem 1rem; margin: 0.8rem 0; }
  h2 { font-size: 1.1rem; margin: 0 0 0.6rem; }
  table { border-collapse: collapse; font-size: 0.85rem; }
  th, td { border-bottom: 1px solid #8883; padding: 0.2rem 0.5rem; text-align: left; white-space: nowrap; }
  th { font-weight: 600; }
  .scroll { overflow-x: auto; max-width: 100%; }
  .row { display: flex; gap: 0.6rem; align-items: center; flex-wrap: wrap; margin: 0.4rem 0; }
  .muted { opacity: 0.75; font-size: 0.85rem; }
  .error { color: #b00020; border: 1px solid #b0002066; background: #b000200d; padding: 0.4rem 0.6rem; border-radius: 6px; white-space: pre-wrap; }
  button { font: inherit; padding: 0.3rem 0.8rem; border-radius: 6px; border: 1px solid #8888; background: #8881; cursor: pointer; }
  button:disabled { opacity: 0.5; cursor: default; }
  button.primary { background: #1f5fa8; color: white; border-color: #1f5fa8; }
  input[type='number'] { width: 5rem; }
`;
