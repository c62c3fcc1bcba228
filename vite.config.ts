import { defineConfig } from 'vite';

/**
 * Two builds from one config:
 * - default: the app (index.html + its Lit UI bundle) into dist/app;
 * - `--mode lib`: the library (src/index.ts, WGSL inlined, no Lit, no DOM) as ESM into dist/lib,
 *   importable from Node without a browser.
 */
// Error classes are told apart by `name` (CsvError, ShapeError, ...): minification must not rename them.
const output = { keepNames: true };

export default defineConfig(({ mode }) => {
  if (mode === 'lib') {
    return {
      build: {
        outDir: 'dist/lib',
        emptyOutDir: true,
        sourcemap: true,
        minify: false,
        lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'index.js' },
        rolldownOptions: {
          // Dawn's Node bindings are loaded only in Node, at run time, when they are installed.
          external: ['webgpu', /^node:/],
          output,
        },
      },
    };
  }
  return {
    base: './',
    server: { host: '127.0.0.1' },
    preview: { host: '127.0.0.1' },
    build: { outDir: 'dist/app', emptyOutDir: true, sourcemap: true, target: 'es2022', rolldownOptions: { output } },
    worker: { format: 'es', rolldownOptions: { output } },
  };
});
