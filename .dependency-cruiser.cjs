/**
 * The layering check (`npm run lint:layers`, part of `npm run lint` and .ci/run): imports read one way,
 *   ui -> worker -> nn / io / export / data -> graph,
 * the backends implement the interface graph owns (src/graph/backend.ts), and the entries
 * (src/index.ts for the package, src/main.ts for the app, the Worker) wire the concrete backends in.
 * Rules name paths from the cruised root, so test/layering.test.ts runs this same file over the
 * deliberately bad imports in test/fixtures/layering/src and expects each rule to fire.
 *
 * Cycles are errors, between files and between folders: no module imports, through any chain, a
 * module that imports it. Type-only imports count (a type import is still a dependency a reader
 * has to follow), with one exception: Sequential (src/nn/model/sequential.ts) is the type that the
 * model's parts and the callbacks fit runs name in return (Callback.model is a Sequential, and
 * Sequential.fit runs the callbacks through fit.ts). A cycle through that file is allowed when one
 * of its imports is `import type`: erased before the code runs, it orders no module's evaluation.
 * A cycle of runtime imports is an error wherever it runs. Folders know no import kinds: every
 * import counts there.
 */
const path = require('node:path');

const SRC = '^src/';
/** The model class whose type may close a cycle through a type-only import (see above). */
const MODEL_CLASS = '^src/nn/model/sequential\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-file-cycles',
      comment: 'A module may not import, through any chain, a module that imports it.',
      severity: 'error',
      from: { path: SRC },
      to: { circular: true, viaOnly: { pathNot: MODEL_CLASS } },
    },
    {
      name: 'no-runtime-cycles-through-model',
      comment: "A cycle through Sequential's file needs an `import type` in it (see the top of this file).",
      severity: 'error',
      from: { path: SRC },
      to: { circular: true, via: { path: MODEL_CLASS }, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-folder-cycles',
      comment: 'The folders of src/ form a graph without cycles, counting the imports of their files.',
      severity: 'error',
      scope: 'folder',
      from: { path: SRC },
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
