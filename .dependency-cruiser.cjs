/**
 * The layering check (`npm run lint:layers`, part of `npm run lint` and .ci/run): imports read one way,
 *   ui -> worker -> nn / io / export / data -> graph,
 * the backends implement the interface graph owns (src/graph/backend.ts), and the entries
 * (src/index.ts for the package, src/main.ts for the app, the Worker) wire the concrete backends in.
 * Rules name paths from the cruised root, so test/layering.test.ts runs this same file over the
 * deliberately bad imports in test/fixtures/layering/src and expects each rule to fire.
 *
 * Type-only imports count: a type import is still a dependency a reader has to follow.
 *
 * Not yet errors (issue 14's engine restructure rewrites these files; then delete ENGINE_AREA and
 * the two '-engine-area' rules): cycles that run only through
 * src/graph/ops (an op's gradient calls other ops' files), or only through src/nn/model and
 * src/nn/callbacks (Sequential <-> fit/evaluate/step, Callback.model: Sequential). They print as
 * warnings; a cycle that touches any other file or folder fails.
 */
const path = require('node:path');

const SRC = '^src/';
const ENGINE_AREA = ['^src/graph/ops(/|$)', '^src/nn/(model|callbacks)(/|$)'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycles',
      comment: 'A module may not import, through any chain, a module that imports it.',
      severity: 'error',
      from: { path: SRC, pathNot: ENGINE_AREA },
      to: { circular: true },
    },
    {
      name: 'no-file-cycles-engine-area',
      comment: 'As no-file-cycles, for the cycles the engine restructure removes (see the top of this file).',
      severity: 'warn',
      from: { path: ENGINE_AREA },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      comment: 'The folders of src/ form a graph without cycles, counting the imports of their files.',
      severity: 'error',
      scope: 'folder',
      from: { path: SRC, pathNot: ENGINE_AREA },
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles-engine-area',
      comment: 'As no-folder-cycles, for src/nn/model <-> src/nn/callbacks (see the top of this file).',
      severity: 'warn',
      scope: 'folder',
      from: { path: ENGINE_AREA },
      to: { circular: true },
    },
    {
      name: 'ui-only-from-app-entry',
      comment: "Nothing outside src/ui imports it but the app's entry (src/main.ts).",
      severity: 'error',
      from: { path: SRC, pathNot: ['^src/ui/', '^src/main\\.ts$'] },
      to: { path: '^src/ui/' },
    },
    {
      name: 'entries-not-imported',
      comment: 'The entries wire the layers together; no module of src/ imports one.',
      severity: 'error',
      from: { path: SRC },
      to: { path: '^src/(index|main)\\.ts$' },
    },
    {
      name: 'graph-imports-only-graph',
      comment:
        'src/graph is the bottom layer: it owns the Backend interface and imports no backend, model, file format or UI.',
      severity: 'error',
      from: { path: '^src/graph/' },
      to: { path: SRC, pathNot: ['^src/graph/', '^src/errors\\.ts$'] },
    },
    {
      name: 'backend-imports-only-graph',
      comment:
        'A backend implements the interface src/graph owns; it imports no src/nn (nor io, export, data, worker, ui).',
      severity: 'error',
      from: { path: '^src/backend/' },
      to: { path: SRC, pathNot: ['^src/backend/', '^src/graph/', '^src/errors\\.ts$'] },
    },
    {
      name: 'nn-not-backend',
      comment:
        'src/nn imports nothing under src/backend: the step program lives in src/graph and each backend compiles it (Backend.compile).',
      severity: 'error',
      from: { path: '^src/nn/' },
      to: { path: '^src/backend/' },
    },
    {
      name: 'middle-not-backend',
      comment: 'io, export and data run on whichever backend the entry chose; they import no backend.',
      severity: 'error',
      from: { path: '^src/(io|export|data)/' },
      to: { path: '^src/backend/' },
    },
    {
      name: 'middle-not-up',
      comment: 'nn, io, export and data import no worker and no UI.',
      severity: 'error',
      from: { path: '^src/(nn|io|export|data)/' },
      to: { path: '^src/(worker|ui)/' },
    },
    {
      name: 'worker-not-ui',
      comment: 'The training Worker imports no UI.',
      severity: 'error',
      from: { path: '^src/worker/' },
      to: { path: '^src/ui/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to no file (a typo, a moved module) is an error here too.',
      severity: 'error',
      from: { path: SRC },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') },
    // Vite's ?raw and ?worker&url imports name a file plus a query: resolve the file.
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
  },
};
