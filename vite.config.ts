import { defineConfig } from 'vite';
import { wat } from './scripts/vite-wat.mjs';

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
      plugins: [wat()],
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
    plugins: [wat()],
    base: './',
    server: { host: '127.0.0.1' },
    preview: { host: '127.0.0.1' },
    build: {
      outDir: 'dist/app',
      emptyOutDir: true,
      sourcemap: true,
      target: 'es2022',
      // The page bundle holds the library (model checks, weights files) as well as the UI: ~530 kB, 165 kB gzipped.
      chunkSizeWarningLimit: 700,
      rolldownOptions: {
        // The element also gets a stable name, so any page can embed it with one script tag:
        // <script type="module" src=".../webgpu-trainer.js"></script> <webgpu-trainer></webgpu-trainer>
        input: { index: 'index.html', 'webgpu-trainer': 'src/main.ts' },
        output: {
          ...output,
          entryFileNames: (chunk) =>
            chunk.name === 'webgpu-trainer' ? 'webgpu-trainer.js' : 'assets/[name]-[hash].js',
        },
      },
    },
    worker: { format: 'es', plugins: () => [wat()], rolldownOptions: { output } },
  };
});
